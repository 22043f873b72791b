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


# --- issue 15: the header's glyphs and the printed code ----------------------------------------


def _reader_cids(text: str) -> list[int]:
    """The glyphs (CIDs) a PDF reader draws for `text` in STSong-Light, which reportlab writes as
    UTF-16 under the predefined UniGB-UCS2-H CMap (pdfminer.six ships that map): an empty list
    for a character the map lacks, which the reader prints as a missing-glyph box."""
    from pdfminer.cmapdb import CMapDB

    cmap = CMapDB.get_cmap("UniGB-UCS2-H")
    return [cid for ch in text for cid in (list(cmap.decode(ch.encode("utf-16-be"))) or [0])]


def test_the_old_separator_is_a_character_the_standard_cjk_font_cannot_print() -> None:
    assert _reader_cids("健康码 · 纸质版")[4] == 0  # U+00B7, the box in issue 15


def test_every_character_of_the_card_has_a_glyph_in_the_standard_cjk_font() -> None:
    for color in ("green", "yellow", "red"):
        card = paper.Card(CARD.token, color, "欧阳*", CARD.issued_on, CARD.valid_until)
        for line in card.lines():
            cids = _reader_cids(line)
            assert 0 not in cids, (line, [ch for ch, cid in zip(line, cids) if cid == 0])


def test_the_header_of_the_rendered_pdf_reads_back_whole() -> None:
    from pdfminer.high_level import extract_text

    text = extract_text(io.BytesIO(paper.render(CARD, "pdf")))
    header = CARD.lines()[0].split("  ")[0]
    assert header == "健康码（纸质版）"
    assert text.splitlines()[0] == header  # every character mapped to a glyph and back


def test_the_paper_code_is_printed_at_level_q_with_modules_of_about_a_millimetre() -> None:
    token = "HC2:" + "6BF" * 70  # as long as a v2 paper token (~214 characters)
    from chalicelib import qr

    version = qr.version(token, paper.ERROR)
    assert paper.ERROR == "q" and version <= 10
    modules = 17 + 4 * version
    millimetres = paper.module_points(modules) / 72 * 25.4
    assert millimetres >= 0.95


def test_the_pdf_rendered_at_72_dpi_decodes_to_the_token_in_every_colour() -> None:
    import pypdfium2
    import zxingcpp

    token = "HC2:" + "6BF" * 70
    for color in ("green", "yellow", "red"):
        card = paper.Card(token, color, "欧阳*", CARD.issued_on, CARD.valid_until)
        page = pypdfium2.PdfDocument(paper.render(card, "pdf"))[0]
        image = page.render(scale=1).to_pil()  # 72 dots per inch: ~2.8 pixels a module
        found = [f for f in zxingcpp.read_barcodes(image) if f.text.startswith("HC2:")]
        assert [(f.text, f.ec_level) for f in found] == [(token, "Q")]
