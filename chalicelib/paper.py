"""Printable paper codes (纸质健康码): the framed QR of a `paper` token beside the colour, the
masked name, the issue date and the last valid date, in Chinese first with English beside it.

PDF (the default) uses reportlab with the standard Adobe CJK font STSong-Light, which every PDF
reader supplies, so nothing is embedded and the file stays a few kilobytes; the QR is drawn as
vector squares. SVG leaves the text to the viewer's fonts. PNG is drawn with Pillow and needs a
CJK TrueType font on the server (HEALTHCODE_CJK_FONT, or a known system path): without one it is
refused (FormatUnavailable) rather than printed with missing characters.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from chalicelib import qr
from chalicelib.domain.errors import FormatUnavailable

# A card kept in a pocket gets creased and dirty: level Q (25 % of the modules may be lost) over
# the live code's M. The v2 paper token is then QR version 10, 57 modules (docs/decisions/0039).
ERROR = "q"
QR_POINTS = 200.0  # the printed square, frame included: 70.6 mm
FORMATS = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}
COLOR_WORDS = {"green": ("绿码", "Green"), "yellow": ("黄码", "Yellow"), "red": ("红码", "Red")}
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/opt/fonts/wqy-microhei.ttc",  # a Lambda layer
)


@dataclass(frozen=True)
class Card:
    token: str
    color: str
    masked_name: str
    issued_on: date
    valid_until: date

    def lines(self) -> list[str]:
        zh, en = COLOR_WORDS[self.color]
        return [
            # Full-width brackets: STSong-Light's UniGB-UCS2-H map has no U+00B7 (a middle dot
            # printed as an empty box); tests/unit/test_paper.py checks every character.
            "健康码（纸质版）  Health code (paper)",
            f"{zh}  {en}",
            f"姓名 Name: {self.masked_name}",
            f"签发日期 Issued: {self.issued_on.isoformat()}",
            f"有效期至 Valid until: {self.valid_until.isoformat()}",
            "查验以实时颜色为准  Checkers see the current colour",
        ]


def _ink(card: Card, line: int) -> str:
    """The colour line is printed in the code's colour, the rest in black."""
    return qr.COLORS[card.color] if line == 1 else "#000000"


def render(card: Card, fmt: str) -> bytes | str:
    if fmt == "pdf":
        return _pdf(card)
    if fmt == "png":
        return _png(card)
    if fmt == "svg":
        return _svg(card)
    raise ValueError(f"unknown format {fmt!r}")


def cjk_font() -> str | None:
    configured = os.environ.get("HEALTHCODE_CJK_FONT")
    candidates = (configured,) if configured else FONT_PATHS
    return next((path for path in candidates if path and Path(path).is_file()), None)


def module_points(symbol_modules: int) -> float:
    """The printed side of one module, in points (1/72 inch), for a symbol of that many modules
    across: the square holds the symbol, the white quiet zone and the coloured frame."""
    return QR_POINTS / (symbol_modules + 2 * (qr.QUIET + qr.FRAME))


def _pdf(card: Card) -> bytes:
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    matrix = qr._make(card.token, error=ERROR).matrix
    out = io.BytesIO()
    width, height = 420.0, 300.0  # points: a card, printable on A4 or A6
    pdf = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    pdf.setTitle("健康码 Health code")
    side = QR_POINTS
    module = module_points(len(matrix))
    x0, y0 = 20.0, (height - side) / 2
    pdf.setFillColor(HexColor(qr.COLORS[card.color]))
    pdf.rect(x0, y0, side, side, stroke=0, fill=1)
    pdf.setFillColor(HexColor("#ffffff"))
    inner = module * qr.FRAME
    pdf.rect(x0 + inner, y0 + inner, side - 2 * inner, side - 2 * inner, stroke=0, fill=1)
    pdf.setFillColor(HexColor("#000000"))
    off = qr.QUIET + qr.FRAME
    for row_index, row in enumerate(matrix):
        top = y0 + side - (row_index + off + 1) * module
        for col_index, value in enumerate(row):
            if value & 1:
                pdf.rect(x0 + (col_index + off) * module, top, module, module, stroke=0, fill=1)
    lines = card.lines()
    pdf.setFont(font, 11)
    for index, line in enumerate(lines):
        pdf.setFillColor(HexColor(_ink(card, index)))
        words = line.split("  ")  # Chinese first, English on the next line when long
        y = height - 60 - index * 34
        pdf.drawString(232, y, words[0])
        if len(words) > 1:
            pdf.drawString(232, y - 13, words[1])
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _png(card: Card) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    path = cjk_font()
    if path is None:
        raise FormatUnavailable()
    drawn = qr.render(card.token, card.color, "png", error=ERROR)
    assert isinstance(drawn, bytes)
    code = Image.open(io.BytesIO(drawn)).convert("RGB")
    text_width = 560
    canvas = Image.new("RGB", (code.width + text_width, max(code.height, 420)), "#ffffff")
    canvas.paste(code, (0, (canvas.height - code.height) // 2))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.truetype(path, 26)
    y = 40
    for index, line in enumerate(card.lines()):
        fill = _ink(card, index)
        # Chinese first; the English goes on its own row when both do not fit.
        rows = [line] if draw.textlength(line, font=font) <= text_width - 32 else line.split("  ")
        for row in rows:
            draw.text((code.width + 16, y), row, font=font, fill=fill)
            y += 36
        y += 20
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _svg(card: Card) -> str:
    side, group = qr.svg_group(card.token, card.color, ERROR)
    texts = "".join(
        f'<text x="{side + 2}" y="{6 + index * 5}" font-size="2.4" '
        f'fill="{_ink(card, index)}">{escape(line)}</text>'
        for index, line in enumerate(card.lines())
    )
    width = 2 * side  # the code, and as much again for the text
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {side}" '
        f'width="{width * qr.SCALE}" height="{side * qr.SCALE}" shape-rendering="crispEdges" '
        "font-family=\"'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', "
        "'Microsoft YaHei', sans-serif\">"
        f"<title>健康码 Health code</title>"
        f'<rect width="{width}" height="{side}" fill="#fff"/>{group}{texts}</svg>\n'
    )
