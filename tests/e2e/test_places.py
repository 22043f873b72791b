"""Places (场所码) over HTTP: an admin registers a place and prints its QR; a holder scans it at
the door; closing the place stops its code; yellow and red scans and visits reach the authority
of the place's region."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from datetime import timedelta

import jwt
import time_machine

from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.model import Risk
from chalicelib.services.context import default
from tests.e2e.conftest import Api
from tests.e2e.test_checkins_and_expiry import apply as holder

HIGH_RISK = "632801"  # made high-risk by this module only
REGION = "370883"  # the places of this module only


def register(api: Api, admin: str, name: str = "万达广场", region: str = REGION) -> str:
    body = {"name": name, "type": "mall", "region_code": region, "address": "红星路1号"}
    status, created = api.json("POST", "/v1/admin/places", body, token=admin)
    assert status == 201, created
    return str(created["place_id"])


def scanned_place_token(api: Api, admin: str, place_id: str) -> str:
    """The token of the place's printed QR, as a phone's camera reads it."""
    import zxingcpp
    from PIL import Image

    png = api.call(
        "GET",
        f"/v1/admin/places/{place_id}/qr?format=png",
        token=admin,
        headers={"Accept": "image/png"},
    )
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body)))
    assert len(found) == 1
    return str(found[0].text)


def visits_path(person_id: str) -> str:
    return f"/v1/persons/{person_id}/visits"


def test_a_place_qr_scans_and_records_a_visit_shown_at_the_door(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    mall, gate = register(api, admin_token), register(api, admin_token, name="人民公园")
    token, person_id, _ = holder(api, new_phone())
    for place_id in (mall, gate):
        place_token = scanned_place_token(api, admin_token, place_id)
        body = {"place_token": place_token}
        status, screen = api.json("POST", visits_path(person_id), body, token=token)
        assert status == 201, screen
    assert screen["place"] == {"name": "人民公园", "type": "mall"}
    assert (screen["color"], screen["masked_name"]) == ("green", "张*丰")
    status, listed = api.json("GET", visits_path(person_id), token=token)
    assert status == 200
    assert [v["place"]["name"] for v in listed["visits"]] == ["人民公园", "万达广场"]
    assert [v["place_id"] for v in listed["visits"]] == [gate, mall]
    assert "张" not in str(listed)
    svg = api.call("GET", f"/v1/admin/places/{mall}/qr", token=admin_token)
    assert svg.headers["Content-Type"] == "image/svg+xml" and "万达广场" in svg.body.decode()


def test_a_closed_place_s_code_stops_working_at_once(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    place_id = register(api, admin_token)
    place_token = scanned_place_token(api, admin_token, place_id)
    token, person_id, _ = holder(api, new_phone())
    assert api.call("DELETE", f"/v1/admin/places/{place_id}", token=admin_token).status_code == 204
    status, refused = api.json(
        "POST", visits_path(person_id), {"place_token": place_token}, token=token
    )
    assert (status, refused["code"]) == (400, "place_closed")
    assert refused["detail_zh"]
    status, gone = api.json("GET", f"/v1/admin/places/{place_id}/qr", token=admin_token)
    assert (status, gone["code"]) == (404, "place_closed")
    assert api.call("DELETE", f"/v1/admin/places/{place_id}", token=admin_token).status_code == 204
    status, missing = api.json("DELETE", "/v1/admin/places/0123456789abcdef", token=admin_token)
    assert (status, missing["code"]) == (404, "not_found")
    assert api.json("GET", visits_path(person_id), token=token)[1] == {"visits": []}


def test_a_place_token_at_a_checkpoint_is_the_wrong_kind(
    api: Api, admin_token: str, checker_token: str
) -> None:
    place_token = scanned_place_token(api, admin_token, register(api, admin_token))
    status, scanned = api.json("POST", "/v1/verify", {"token": place_token}, token=checker_token)
    assert status == 200
    assert (scanned["valid"], scanned["pass"], scanned["reason"]) == (False, False, "wrong_kind")


def test_a_code_token_is_not_a_place_code(api: Api, new_phone: Callable[[], str]) -> None:
    token, person_id, code = holder(api, new_phone())
    for wrong in (code["token"], token, "not-a-token"):
        status, refused = api.json(
            "POST", visits_path(person_id), {"place_token": wrong}, token=token
        )
        assert (status, refused["code"]) == (400, "invalid_place_code")
    assert api.json("GET", visits_path(person_id), token=token)[1] == {"visits": []}


def test_only_admins_register_places_and_bad_places_are_refused(
    api: Api, admin_token: str, checker_token: str, new_phone: Callable[[], str]
) -> None:
    good = {"name": "站", "type": "transport", "region_code": "370102", "address": "车站街"}
    for token in (checker_token, api.login(new_phone())):
        assert api.json("POST", "/v1/admin/places", good, token=token)[0] == 403
    for change, code in (
        ({"type": "bar"}, "invalid_value"),
        ({"region_code": "999999"}, "invalid_region_code"),
        ({"name": ""}, "invalid_value"),
        ({"kid": "p123"}, "unknown_field"),
    ):
        body = {**good, **change}
        status, refused = api.json("POST", "/v1/admin/places", body, token=admin_token)
        assert (status, refused["code"]) == (400, code), refused
    status, bad = api.json("GET", "/v1/admin/places/x/qr?format=gif", token=admin_token)
    assert (status, bad["code"]) == (400, "invalid_format")


def test_yellow_and_red_scans_and_visits_are_reported_to_the_place_s_region(
    api: Api, admin_token: str, checker_token: str, new_phone: Callable[[], str]
) -> None:
    default().store.epidemic.put_region(HIGH_RISK, Risk.HIGH, by="e2e", at=utcnow())
    place_id = register(api, admin_token)
    place_token = scanned_place_token(api, admin_token, place_id)
    people = {
        color: holder(api, new_phone(), **declaration)
        for color, declaration in (
            ("green", {}),
            ("yellow", {"symptoms": ["dry_cough"]}),
            ("red", {"visited_regions": [HIGH_RISK]}),
        )
    }
    assert {color: code["color"] for color, (_, _, code) in people.items()} == {
        c: c for c in people
    }
    # A checker enrolled at the registered place scans there (the place comes from their token);
    # the session's checker (enrolled at gate-1, which nobody registered) may not name it.
    enrolled = {"phone": new_phone(), "name": "王五", "place_id": place_id}
    assert api.json("POST", "/v1/admin/checkers", enrolled, token=admin_token)[0] == 201
    at_the_place = api.login(enrolled["phone"])
    for token, person_id, code in people.values():
        body = {"place_token": place_token}
        assert api.json("POST", visits_path(person_id), body, token=token)[0] == 201
        scan = {"token": code["token"], "place_id": place_id}
        assert api.json("POST", "/v1/verify", scan, token=at_the_place)[1]["valid"] is True
    elsewhere = {"token": people["red"][2]["token"], "place_id": place_id}
    assert api.json("POST", "/v1/verify", elsewhere, token=checker_token)[0] == 403
    api.json("POST", "/v1/verify", {"token": people["yellow"][2]["token"]}, token=at_the_place)
    api.json("POST", "/v1/verify", {"token": people["red"][2]["token"]}, token=checker_token)

    today = shanghai_date(utcnow()).isoformat()
    query = f"/v1/admin/reports?region_code={REGION}&since={today}"
    status, answer = api.json("GET", query, token=admin_token)
    assert status == 200 and answer["truncated"] is False
    ids = {color: person_id for color, (_, person_id, _) in people.items()}
    mine = [r for r in answer["reports"] if r["person_id"] in ids.values()]
    assert sorted((r["kind"], r["color"]) for r in mine) == [
        ("scan", "red"),
        ("scan", "yellow"),
        ("scan", "yellow"),
        ("visit", "red"),
        ("visit", "yellow"),
    ]
    assert {(r["place_id"], r["region_code"]) for r in mine} == {(place_id, REGION)}
    assert [r["at"] for r in answer["reports"]] == sorted(
        (r["at"] for r in answer["reports"]), reverse=True
    )
    assert set(mine[0]) == {"at", "kind", "place_id", "region_code", "color", "person_id"}
    status, province = api.json(
        "GET", f"/v1/admin/reports?region_code=370000&since={today}", token=admin_token
    )
    unplaced = [r for r in province["reports"] if r["person_id"] == ids["red"]]
    assert [(r["kind"], r["place_id"]) for r in unplaced] == [("scan", "gate-1")]


def test_report_queries_are_checked_and_for_admins_only(
    api: Api, admin_token: str, checker_token: str
) -> None:
    tomorrow = (shanghai_date(utcnow()) + timedelta(days=1)).isoformat()
    for query, code in (
        ("", "invalid_region_code"),
        ("?region_code=12", "invalid_region_code"),
        (f"?region_code={REGION}&since={tomorrow}", "invalid_since"),
        (f"?region_code={REGION}&since=yesterday", "invalid_since"),
    ):
        status, refused = api.json("GET", "/v1/admin/reports" + query, token=admin_token)
        assert (status, refused["code"]) == (400, code)
    assert api.json("GET", f"/v1/admin/reports?region_code={REGION}", token=checker_token)[0] == 403
    status, recent = api.json("GET", f"/v1/admin/reports?region_code={REGION}", token=admin_token)
    assert status == 200 and isinstance(recent["reports"], list)


def test_the_jwks_keeps_a_place_key_while_its_place_is_open_after_rotate_keys(
    api: Api, admin_token: str
) -> None:
    from chalicelib import manage

    place_id = register(api, admin_token)
    kid = jwt.get_unverified_header(scanned_place_token(api, admin_token, place_id))["kid"]
    assert manage.rotate_keys(argparse.Namespace(purpose=None)) == 0  # code, access and place
    default().place_keys.forget()
    default().code_keys.forget()
    with time_machine.travel(utcnow() + timedelta(days=60), tick=False):
        status, jwks = api.json("GET", "/.well-known/jwks.json")
    published = {key["kid"] for key in jwks["keys"]}
    assert status == 200 and kid in published
    assert any(k.startswith("c") for k in published)  # the current code key, next to it
