"""Makes sure Debian's chromium and ffmpeg are there for the browser tests (`make browser`).

Playwright drives the system's chromium (it cannot download a browser of its own here); ffmpeg
turns a rendered QR code into the fake camera's video. As root with apt-get, installs what is
missing; otherwise says what is missing, and the browser tests fail with the same message.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dynamodb_local import apt_install, can_apt  # noqa: E402

NEEDED = {"chromium": "chromium", "ffmpeg": "ffmpeg"}  # command: Debian package


def log(message: str) -> None:
    print(f"[browser] {message}", file=sys.stderr, flush=True)


def main() -> int:
    missing = [package for command, package in NEEDED.items() if not shutil.which(command)]
    if not missing:
        return 0
    if not can_apt():
        log(f"missing {', '.join(missing)} and cannot apt-get them: the browser tests will fail")
        return 0
    for package in missing:
        log(f"installing {package} with apt-get (for the browser tests)")
        apt_install(package)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
