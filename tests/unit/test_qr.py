"""Health-code QR images scan back to the exact token, in every colour, framed in that colour."""

from __future__ import annotations

import base64
import io
import json
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from chalicelib import qr

COLORS = {"green": (0x16, 0xA3, 0x4A), "yellow": (0xEA, 0xB3, 0x08), "red": (0xDC, 0x26, 0x26)}
WHITE = (255, 255, 255)


def _b64(part: dict[str, object] | bytes) -> str:
    raw = part if isinstance(part, bytes) else json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwt_like() -> str:
    """Shaped like a compact ES256 JWT: header.claims.64-byte signature, about 240 characters."""
    header = _b64({"alg": "ES256", "kid": "hc-2020-02"})
    claims = _b64(
        {"sub": "7f3c2a9e1b4d", "c": "g", "iss": "hc.zj", "iat": 1581000000, "exp": 1581086400}
    )
    signature = _b64(bytes(range(7, 7 + 64)))
    return f"{header}.{claims}.{signature}"


JWT = _jwt_like()
SHORT = "HC-330100-0001"


def _decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return str(results[0].text)


def _png(data: str, color: str) -> bytes:
    out = qr.render(data, color, "png")
    assert isinstance(out, bytes)
    return out


def test_the_jwt_like_token_is_about_240_characters() -> None:
    assert 220 <= len(JWT) <= 260


@pytest.mark.parametrize("color", sorted(COLORS))
@pytest.mark.parametrize("data", [SHORT, JWT], ids=["short", "jwt"])
def test_png_decodes_to_the_same_token(color: str, data: str) -> None:
    assert _decode(_png(data, color)) == data


@pytest.mark.parametrize("color", sorted(COLORS))
def test_png_with_a_caption_still_decodes_to_the_same_token(color: str) -> None:
    png = qr.render(JWT, color, "png", caption="Red code: stay home — 居家隔离")
    assert isinstance(png, bytes)
    assert _decode(png) == JWT


@pytest.mark.parametrize("color", sorted(COLORS))
def test_png_frame_has_the_code_colour_and_the_quiet_zone_is_white(color: str) -> None:
    image = Image.open(io.BytesIO(_png(JWT, color))).convert("RGB")
    width, height = image.size
    assert width == height
    assert width % qr.SCALE == 0
    inner = (qr.FRAME + qr.QUIET // 2) * qr.SCALE  # middle of the quiet zone
    for x, y in [(0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)]:
        assert image.getpixel((x, y)) == COLORS[color]
    assert image.getpixel((qr.FRAME * qr.SCALE - 1, height // 2)) == COLORS[color]
    assert image.getpixel((qr.FRAME * qr.SCALE, height // 2)) == WHITE
    for x, y in [(inner, inner), (width - 1 - inner, height - 1 - inner), (inner, height // 2)]:
        assert image.getpixel((x, y)) == WHITE


def test_the_png_is_eight_pixels_per_module_with_a_seven_module_border() -> None:
    image = Image.open(io.BytesIO(_png(JWT, "green")))
    modules = 17 + 4 * qr.version(JWT)
    assert image.size[0] == (modules + 2 * (qr.QUIET + qr.FRAME)) * qr.SCALE


@pytest.mark.parametrize("color", sorted(COLORS))
def test_svg_is_well_formed_xml_with_the_frame_colour(color: str) -> None:
    svg = qr.render(JWT, color)
    assert isinstance(svg, str)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert qr.COLORS[color] in svg


def test_svg_caption_is_escaped_and_shown() -> None:
    svg = qr.render(SHORT, "yellow", "svg", caption="Yellow <7 days> & retest")
    assert isinstance(svg, str)
    root = ET.fromstring(svg)
    texts = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Yellow <7 days> & retest"]


def test_the_code_colour_enum_is_accepted_as_a_colour() -> None:
    from chalicelib.domain.model import Color

    assert _decode(_png(SHORT, Color.RED)) == SHORT


def test_a_240_character_token_fits_a_small_version() -> None:
    assert qr.version(SHORT) <= 2
    assert 9 <= qr.version(JWT) <= 12


@pytest.mark.parametrize("color", ["blue", "Green", "", "#16a34a"])
def test_an_unknown_colour_raises_value_error(color: str) -> None:
    with pytest.raises(ValueError, match="color"):
        qr.render(SHORT, color, "png")


@pytest.mark.parametrize("fmt", ["jpg", "PNG", "pdf", ""])
def test_an_unknown_format_raises_value_error(fmt: str) -> None:
    with pytest.raises(ValueError, match="format"):
        qr.render(SHORT, "green", fmt)
