"""Health-code QR images: black modules on white, a white quiet zone, a frame in the code's colour.

The quiet zone stays white (4 modules): a coloured quiet zone makes the code unreadable. The mask
is fixed, which makes encoding several times faster than segno's automatic mask choice and still
scans. PNGs are written here (palette PNG, zlib + struct) because segno's writer can draw only one
border colour; nothing here imports PIL.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from xml.sax.saxutils import escape

import segno

COLORS: dict[str, str] = {
    "green": "#16a34a",
    "yellow": "#eab308",
    "red": "#dc2626",
    "place": "#1d4ed8",  # place codes (场所码): a frame no health colour uses
}
FORMATS = ("svg", "png")
ERROR = "m"
MASK = 0
QUIET = 4  # white modules between the symbol and the frame
FRAME = 3  # coloured modules around the quiet zone
SCALE = 8  # PNG pixels per module (a multiple of 4)
CAPTION_HEIGHT = 4  # SVG modules below the frame for the caption

_WHITE, _BLACK, _FRAME = 0, 1, 2


def _make(data: str, mask: int | None = MASK, error: str = ERROR) -> segno.QRCode:
    return segno.make_qr(data, error=error, mask=mask, boost_error=False)


def version(data: str, error: str = ERROR) -> int:
    """The QR version segno picks for ``data`` at an error level (M unless told)."""
    v = _make(data, error=error).version
    assert isinstance(v, int)
    return v


def render(
    data: str, color: str, fmt: str = "svg", *, caption: str | None = None, error: str = ERROR
) -> bytes | str:
    """The framed QR code of ``data``: an SVG document (str) or PNG image (bytes).

    ``color`` is ``green``, ``yellow``, ``red`` or ``place``; ``fmt`` is ``svg`` or ``png``. A
    caption is drawn under the frame in SVG and stored as an iTXt ``Description`` chunk in PNG
    (no fonts).
    """
    try:
        hex_color = COLORS[color]
    except KeyError:
        raise ValueError(f"unknown color {color!r}; expected one of {sorted(COLORS)}") from None
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    matrix = _make(data, error=error).matrix
    if fmt == "svg":
        return _svg(matrix, hex_color, caption)
    return _png(matrix, hex_color, caption)


def _grid(matrix: Sequence[Sequence[int]]) -> list[bytes]:
    """Rows of palette indexes, one per module, including quiet zone and frame."""
    n = len(matrix)
    side = n + 2 * (QUIET + FRAME)
    edge = bytes([_FRAME]) * side
    pad = bytes([_FRAME]) * FRAME + bytes([_WHITE]) * QUIET
    white = bytes([_FRAME]) * FRAME + bytes([_WHITE]) * (n + 2 * QUIET) + bytes([_FRAME]) * FRAME
    rows = [edge] * FRAME + [white] * QUIET
    rows += [pad + bytes(1 if m & 1 else 0 for m in row) + pad[::-1] for row in matrix]
    return rows + [white] * QUIET + [edge] * FRAME


def _png(matrix: Sequence[Sequence[int]], hex_color: str, caption: str | None) -> bytes:
    # 2-bit palette: 4 pixels a byte, so a module is SCALE // 4 bytes of 0x00, 0x55 or 0xAA.
    rows = _grid(matrix)
    side = len(rows) * SCALE
    cells = [bytes([index * 0x55]) * (SCALE // 4) for index in (_WHITE, _BLACK, _FRAME)]
    raw = b"".join((b"\x00" + b"".join(cells[v] for v in row)) * SCALE for row in rows)
    palette = b"\xff\xff\xff" + b"\x00\x00\x00" + bytes.fromhex(hex_color[1:])

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 2, 3, 0, 0, 0))
    out += chunk(b"PLTE", palette)
    if caption:
        out += chunk(b"iTXt", b"Description\x00\x00\x00\x00\x00" + caption.encode())
    out += chunk(b"IDAT", zlib.compress(raw))
    return out + chunk(b"IEND", b"")


def svg_group(data: str, color: str, error: str = ERROR) -> tuple[int, str]:
    """The framed code as SVG elements in module units (to place inside a larger drawing), and
    the side of the square they fill."""
    side, elements = _svg_elements(_make(data, error=error).matrix, COLORS[color])
    return side, "".join(elements)


def _svg_elements(matrix: Sequence[Sequence[int]], hex_color: str) -> tuple[int, list[str]]:
    n = len(matrix)
    off = QUIET + FRAME
    side = n + 2 * off
    path: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x] & 1:
                start = x
                while x < n and row[x] & 1:
                    x += 1
                path.append(f"M{start + off} {y + off}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return side, [
        f'<rect width="{side}" height="{side}" fill="{hex_color}"/>',
        (
            f'<rect x="{FRAME}" y="{FRAME}" width="{side - 2 * FRAME}" '
            f'height="{side - 2 * FRAME}" fill="#fff"/>'
        ),
        f'<path fill="#000" d="{"".join(path)}"/>',
    ]


def _svg(matrix: Sequence[Sequence[int]], hex_color: str, caption: str | None) -> str:
    side, elements = _svg_elements(matrix, hex_color)
    height = side + (CAPTION_HEIGHT if caption else 0)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {height}" '
            f'width="{side * SCALE}" height="{height * SCALE}" shape-rendering="crispEdges">'
        ),
        f'<rect width="{side}" height="{height}" fill="#fff"/>',
        *elements,
    ]
    if caption:
        text = escape(caption)
        parts.insert(1, f"<title>{text}</title>")
        parts.append(
            f'<text x="{side / 2}" y="{side + CAPTION_HEIGHT * 0.7}" font-size="2.5" '
            f'font-family="sans-serif" text-anchor="middle" fill="#000">{text}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
