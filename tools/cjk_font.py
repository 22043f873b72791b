"""Makes sure a CJK font is there for PNG paper codes (`make test` and `make run` call this).

PDF paper codes need no font file (the standard STSong-Light) and SVG leaves text to the viewer;
PNG is drawn on the server and needs glyphs for the masked name and the Chinese labels. As root
with apt-get, this installs Debian's fonts-wqy-microhei when no known CJK font is found; otherwise
it says that PNG paper codes will be refused (406) and carries on. In AWS the font comes with a
Lambda layer (see infra/README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dynamodb_local import apt_install, can_apt  # noqa: E402

from chalicelib.paper import cjk_font  # noqa: E402

FONT_PACKAGE = "fonts-wqy-microhei"


def log(message: str) -> None:
    print(f"[cjk-font] {message}", file=sys.stderr, flush=True)


def main() -> int:
    if cjk_font():
        return 0
    if can_apt():
        log(f"no CJK font: installing {FONT_PACKAGE} with apt-get (for PNG paper codes)")
        apt_install(FONT_PACKAGE)
        if cjk_font():
            return 0
    log("no CJK font found: PNG paper codes will be refused (406); PDF and SVG work")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
