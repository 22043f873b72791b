"""Paper code drawing without any database: every format, and no font for PNG."""

from __future__ import annotations

import io
from datetime import date

import pytest

from chalicelib import paper
from chalicelib.domain.errors import FormatUnavailable

CARD = paper.Card(
    "eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl", "red", "欧阳*", date(2026, 11, 22), date(2026, 12, 6)
)


def test_the_lines_say_colour_masked_name_and_dates_in_chinese_first() -> None:
    lines = CARD.lines()
    assert lines[1] == "红码  Red"
    assert "欧阳*" in lines[2]
    assert lines[3].startswith("签发日期") and "2026-11-22" in lines[3]
    assert lines[4].startswith("有效期至") and "2026-12-06" in lines[4]


def test_the_png_decodes_to_the_token_in_every_colour() -> None:
    import zxingcpp
    from PIL import Image

    for color in ("green", "yellow", "red"):
        card = paper.Card(CARD.token, color, "欧阳*", CARD.issued_on, CARD.valid_until)
        png = paper.render(card, "png")
        assert isinstance(png, bytes)
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [f.text for f in found] == [CARD.token]


def test_without_a_cjk_font_png_is_refused_not_printed_with_missing_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEALTHCODE_CJK_FONT", "/nonexistent/font.ttc")
    with pytest.raises(FormatUnavailable):
        paper.render(CARD, "png")


def test_the_pdf_uses_the_standard_cjk_font_and_embeds_none() -> None:
    pdf = paper.render(CARD, "pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    assert b"STSong-Light" in pdf and b"FontFile" not in pdf
    assert len(pdf) < 20_000


def test_the_svg_escapes_and_carries_the_text() -> None:
    card = paper.Card(CARD.token, "green", "<b>*", CARD.issued_on, CARD.valid_until)
    svg = paper.render(card, "svg")
    assert isinstance(svg, str) and "&lt;b&gt;*" in svg and "<b>" not in svg
    assert "绿码" in svg
