"""One whole journey: log in, apply, see the code, scan it at a checkpoint."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from tests.e2e.conftest import Api
from tests.ids import resident_id


def application(id_number: str, **declaration: object) -> dict[str, object]:
    declared = {
        "visited_regions": [],
        "contact_with_case": False,
        "fever_clinic_visit": False,
        "symptoms": [],
        "temperature": 36.5,
        "from_abroad": False,
    }
    declared.update(declaration)
    return {
        "name": "张三丰",
        "id_type": "resident_id",
        "id_number": id_number,
        "nationality": "CHN",
        "address": "山东省济南市历下区泉城路1号",
        "region_code": "370102",
        "declaration": declared,
        "commitment": True,
    }


def test_a_resident_applies_and_a_checker_lets_the_green_code_pass(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    token = api.login(new_phone())
    status, created = api.json("POST", "/v1/applications", application(resident_id()), token=token)
    assert status == 201, created
    person_id = created["person_id"]
    assert created["code"]["color"] == "green"
    assert created["code"]["masked_name"] == "张*丰"
    assert created["code"]["reasons"][0]["code"] == "no_risk_found"

    status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)
    assert status == 200 and view["color"] == "green"

    status, scanned = api.json("POST", "/v1/verify", {"token": view["token"]}, token=checker_token)
    assert status == 200, scanned
    assert scanned["valid"] is True and scanned["pass"] is True
    assert scanned["color"] == "green" and scanned["masked_name"] == "张*丰"


def test_the_qr_png_decodes_to_a_token_that_verifies(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    import zxingcpp
    from PIL import Image

    token = api.login(new_phone())
    body = application(resident_id(), symptoms=["dry_cough"])
    status, created = api.json("POST", "/v1/applications", body, token=token)
    assert status == 201 and created["code"]["color"] == "yellow"
    png = api.call(
        "GET",
        f"/v1/persons/{created['person_id']}/qr?format=png",
        token=token,
        headers={"Accept": "image/png"},
    )
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body)))
    # zxing-cpp now and then also reports a spurious symbol in the colour band: the code is the
    # one token among what it finds.
    (symbol,) = [f for f in found if f.text.startswith("HC2:")]
    code = symbol.text  # the compact v2 token (issue 15): version 8 or less at level M
    assert int(symbol.extra["Version"]) <= 8 and symbol.ec_level == "M"
    status, scanned = api.json("POST", "/v1/verify", {"token": code}, token=checker_token)
    assert scanned["valid"] is True and scanned["pass"] is False
    assert scanned["color"] == "yellow"
    assert json.dumps(scanned, ensure_ascii=False).count("张") == 1  # the masked name only
