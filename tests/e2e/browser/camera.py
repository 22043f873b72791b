"""Fake-camera videos for Chromium (`--use-file-for-fake-video-capture`), made from a QR code.

Chromium loops the .y4m file as the camera. The code moves a little and the picture is slightly
noisy, frame to frame: a decoder that misses one still frame would otherwise see the very same
frame forever and never retry it. The code keeps a white quiet zone (segno's border of 4 modules,
or the API's own PNG, whose frame is outside its quiet zone).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.browser.conftest import ffmpeg

SIZE = (640, 480)
CODE_PX = 400  # the code's side in the video, in pixels
FPS = 10
SECONDS = 2


def text_png(text: str, path: Path) -> Path:
    """A PNG of `text` as a QR code (segno, level M, white quiet zone of 4 modules)."""
    import segno

    segno.make(text, error="m", micro=False).save(str(path), scale=8, border=4)
    return path


def code_video(png: bytes | Path, folder: Path, name: str = "camera") -> Path:
    """A short .y4m of the code in `png` (bytes or a file) on white, moving and noisy."""
    folder.mkdir(parents=True, exist_ok=True)
    source = png if isinstance(png, Path) else folder / f"{name}.png"
    if not isinstance(png, Path):
        source.write_bytes(png)
    video = folder / f"{name}.y4m"
    width, height = SIZE
    x0, y0 = (width - CODE_PX) // 2, (height - CODE_PX) // 2
    graph = (
        f"[1:v]scale={CODE_PX}:{CODE_PX}:force_original_aspect_ratio=decrease:flags=neighbor[q];"
        f"[0:v][q]overlay=x='{x0}+24*sin(2*PI*t/{SECONDS})':y='{y0}+12*cos(2*PI*t/{SECONDS})'"
        ":shortest=1,noise=alls=6:allf=t,format=yuv420p"
    )
    subprocess.run(
        [
            ffmpeg(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"color=white:s={width}x{height}:r={FPS}:d={SECONDS}",
            "-loop",
            "1",
            "-i",
            str(source),
            "-filter_complex",
            graph,
            "-frames:v",
            str(FPS * SECONDS),
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
        timeout=60,
    )
    return video


def text_video(text: str, folder: Path, name: str = "camera") -> Path:
    """A fake-camera video of `text` as a QR code."""
    folder.mkdir(parents=True, exist_ok=True)
    return code_video(text_png(text, folder / f"{name}.png"), folder, name)
