"""Paper codes (纸质健康码), lookup by a guardian's phone, and deleting one's data (注销)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.model import Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.context import default
from chalicelib.services.verify import verify
from tests.e2e.conftest import Api
from tests.e2e.test_family import add_dependent, apply_self, family_body, share_code
from tests.ids import resident_id

CHECKER = AccessClaims("e2e-checker", frozenset({Role.RESIDENT, Role.CHECKER}), "gate-1")


def paper_png(api: Api, token: str, person_id: str) -> bytes:
    response = api.call(
        "GET",
        f"/v1/persons/{person_id}/paper-code?format=png",
        token=token,
        headers={"Accept": "image/png"},
    )
    assert response.status_code == 200, response.body[:300]
    assert response.headers["Content-Type"] == "image/png"
    return bytes(response.body)


def decoded(png: bytes) -> str:
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return str(found[0].text)


def test_a_paper_code_is_valid_through_day_14_and_expired_on_day_15(
    api: Api, new_phone: Callable[[], str]
) -> None:
    from chalicelib.security.tokens import verify_code

    token = api.login(new_phone())
    person_id = add_dependent(api, token)
    printed = decoded(paper_png(api, token, person_id))
    ctx, now = default(), utcnow()
    claims = verify_code(ctx.code_keys, printed, now)
    assert claims.kind == "paper" and claims.color.value == "green"
    assert shanghai_date(claims.expires_at) == shanghai_date(now) + timedelta(days=15)
    for day, valid in ((13, True), (14, True), (15, False)):
        answer = verify(ctx, CHECKER, printed, None, now + timedelta(days=day))
        assert answer["valid"] is valid, (day, answer)
        assert answer["reason"] == (None if valid else "expired")
    assert verify(ctx, CHECKER, printed, None, now + timedelta(days=13))["masked_name"] == "张*丰"


def test_verify_always_shows_the_current_colour_of_a_paper_code(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    token = api.login(new_phone())
    person_id = add_dependent(api, token)
    printed = decoded(paper_png(api, token, person_id))
    api.json(
        "POST",
        f"/v1/persons/{person_id}/checkins",
        {"temperature": 38.2, "symptoms": ["fever"]},
        token=token,
    )
    status, scanned = api.json("POST", "/v1/verify", {"token": printed}, token=checker_token)
    assert status == 200 and scanned["valid"] is True
    assert (scanned["color"], scanned["pass"]) == ("yellow", False)


def test_revoked_paper_codes_verify_as_revoked_and_a_reprint_works(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    token = api.login(new_phone())
    person_id = add_dependent(api, token)
    old = decoded(paper_png(api, token, person_id))
    status, revoked = api.json("POST", f"/v1/persons/{person_id}/paper-code/revoke", token=token)
    assert status == 200 and revoked["revoked_before"]
    reprint = decoded(paper_png(api, token, person_id))
    status, scanned = api.json("POST", "/v1/verify", {"token": old}, token=checker_token)
    assert (scanned["valid"], scanned["reason"], scanned["color"]) == (False, "revoked", None)
    status, scanned = api.json("POST", "/v1/verify", {"token": reprint}, token=checker_token)
    assert (scanned["valid"], scanned["pass"]) == (True, True)
    # The live code is not a paper code: revoking paper codes leaves it alone.
    live = api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["token"]
    assert api.json("POST", "/v1/verify", {"token": live}, token=checker_token)[1]["valid"]


def test_the_pdf_and_svg_carry_the_masked_name_colour_and_dates(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token = api.login(new_phone())
    person_id = add_dependent(api, token)
    pdf = api.call(
        "GET",
        f"/v1/persons/{person_id}/paper-code",
        token=token,
        headers={"Accept": "application/pdf"},
    )
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF") and b"STSong-Light" in pdf.body
    svg = api.call("GET", f"/v1/persons/{person_id}/paper-code?format=svg", token=token)
    assert svg.status_code == 200 and svg.headers["Content-Type"] == "image/svg+xml"
    text = svg.body.decode()
    today = shanghai_date(utcnow())
    assert "张*丰" in text and "张三丰" not in text and "绿码" in text
    assert today.isoformat() in text and (today + timedelta(days=14)).isoformat() in text
    bad = api.json("GET", f"/v1/persons/{person_id}/paper-code?format=gif", token=token)
    assert bad[0] == 400 and bad[1]["code"] == "invalid_format"


def test_a_checker_finds_the_dependents_of_a_guardian_by_phone(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    guardian_phone = new_phone()
    token = api.login(guardian_phone)
    apply_self(api, token)  # the guardian's own code is not shown
    first = add_dependent(api, token)
    add_dependent(api, token, relation="child")
    api.json(
        "POST", f"/v1/persons/{first}/checkins", {"temperature": 38.0, "symptoms": []}, token=token
    )
    status, found = api.json(
        "POST", "/v1/verify/by-phone", {"phone": guardian_phone}, token=checker_token
    )
    assert status == 200
    assert sorted((p["masked_name"], p["color"], p["pass"]) for p in found["people"]) == [
        ("张*丰", "green", True),
        ("张*丰", "yellow", False),
    ]
    assert "张三丰" not in json.dumps(found, ensure_ascii=False)
    status, nobody = api.json(
        "POST", "/v1/verify/by-phone", {"phone": new_phone()}, token=checker_token
    )
    assert (status, nobody) == (200, {"people": []})
    status, refused = api.json(
        "POST", "/v1/verify/by-phone", {"phone": guardian_phone}, token=token
    )
    assert status == 403 and refused["code"] == "forbidden"
    status, bad = api.json("POST", "/v1/verify/by-phone", {"phone": "12"}, token=checker_token)
    assert status == 400


def test_lookups_by_phone_are_limited_per_checker(
    api: Api, new_phone: Callable[[], str], admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_BY_PHONE_HOURLY_CAP", "2")
    checker_phone = new_phone()
    status, _ = api.json(
        "POST",
        "/v1/admin/checkers",
        {"phone": checker_phone, "name": "王五", "place_id": "gate-9"},
        token=admin_token,
    )
    assert status == 201
    checker = api.login(checker_phone)
    answers = [
        api.call("POST", "/v1/verify/by-phone", {"phone": new_phone()}, token=checker)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) > 0


# Deletion (注销) ----------------------------------------------------------------------------------


def test_the_holder_deletes_their_data_and_the_id_can_apply_again_at_once(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    holder, guardian = api.login(new_phone()), api.login(new_phone())
    id_number = resident_id()
    person_id = apply_self(api, holder, id_number)
    code = share_code(api, holder, person_id)
    status, _ = api.json(
        "POST", "/v1/family", family_body(id_number, share_code=code), token=guardian
    )
    assert status == 201
    api.json(
        "POST",
        f"/v1/persons/{person_id}/checkins",
        {"temperature": 36.6, "symptoms": []},
        token=holder,
    )
    live = api.json("GET", f"/v1/persons/{person_id}/code", token=holder)[1]["token"]
    api.json("POST", "/v1/verify", {"token": live}, token=checker_token)
    history = default().store.history.of(person_id)
    assert history

    status, refused = api.json("DELETE", f"/v1/persons/{person_id}", token=guardian)
    assert status == 403 and refused["code"] == "holder_only"
    assert api.call("DELETE", f"/v1/persons/{person_id}", token=holder).status_code == 204

    for token in (holder, guardian):
        assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[0] == 404
        assert api.json("GET", "/v1/me", token=token)[1]["persons"] == []
    scanned = api.json("POST", "/v1/verify", {"token": live}, token=checker_token)[1]
    assert (scanned["valid"], scanned["reason"]) == (False, "revoked")
    store = default().store
    assert store.history.of(person_id) == []
    today = shanghai_date(utcnow())
    assert store.checkins.between(person_id, today - timedelta(days=1), today) == []
    # The ID applies again at once, from the same phone.
    again = apply_self(api, holder, id_number)
    assert again != person_id
    assert api.call("DELETE", f"/v1/persons/{person_id}", token=holder).status_code == 404


def test_a_guardian_deletes_a_dependent_who_has_no_code_of_their_own(
    api: Api, new_phone: Callable[[], str], admin_token: str
) -> None:
    from tests.e2e.test_places import register, scanned_place_token

    token = api.login(new_phone())
    id_number = resident_id()
    status, created = api.json("POST", "/v1/family", family_body(id_number), token=token)
    assert status == 201
    person_id = created["person_id"]
    place_token = scanned_place_token(api, admin_token, register(api, admin_token))
    visit = {"place_token": place_token}
    assert api.json("POST", f"/v1/persons/{person_id}/visits", visit, token=token)[0] == 201
    assert len(api.json("GET", f"/v1/persons/{person_id}/visits", token=token)[1]["visits"]) == 1
    assert api.call("DELETE", f"/v1/persons/{person_id}", token=token).status_code == 204
    assert default().store.places.delete_visits_of(person_id) == 0  # none were left
    assert api.json("GET", "/v1/family", token=token)[1] == {"family": []}
    status, again = api.json("POST", "/v1/family", family_body(id_number), token=token)
    assert status == 201 and again["person_id"] != person_id
    # A stranger still cannot delete anyone.
    stranger = api.login(new_phone())
    assert (
        api.call("DELETE", f"/v1/persons/{again['person_id']}", token=stranger).status_code == 404
    )


def test_the_history_of_a_deleted_person_stays_only_as_anonymous_statistics(
    api: Api, new_phone: Callable[[], str]
) -> None:
    from chalicelib.storage import tables as t

    token = api.login(new_phone())
    person_id = apply_self(api, token)
    api.json(
        "POST",
        f"/v1/persons/{person_id}/checkins",
        {"temperature": 38.1, "symptoms": []},
        token=token,
    )
    before = default().store.history.of(person_id)
    assert [e.to_color.value for e in before] == ["green", "yellow"]
    assert api.call("DELETE", f"/v1/persons/{person_id}", token=token).status_code == 204
    kept = [item for item in t.HistoryItem.scan(t.HistoryItem.hash == before[-1].hash)]
    assert kept == []  # re-chained under a new id: the old hashes are gone too
    anonymous = [
        item
        for item in t.HistoryItem.scan(t.HistoryItem.person_id.startswith("erased-"))
        if item.at == before[0].at
    ]
    assert (
        len(anonymous) == 1 and anonymous[0].actor is None and anonymous[0].source == "application"
    )


def test_a_yellow_lookup_by_phone_is_reported_to_the_authority(
    api: Api, new_phone: Callable[[], str], checker_token: str, admin_token: str
) -> None:
    guardian_phone = new_phone()
    token = api.login(guardian_phone)
    person_id = add_dependent(api, token)
    api.json(
        "POST",
        f"/v1/persons/{person_id}/checkins",
        {"temperature": 38.4, "symptoms": []},
        token=token,
    )
    api.json("POST", "/v1/verify/by-phone", {"phone": guardian_phone}, token=checker_token)
    today = shanghai_date(utcnow()).isoformat()
    # The checker's enrolled place (gate-1) is not registered: the province's authority gets it.
    status, found = api.json(
        "GET", f"/v1/admin/reports?region_code=370000&since={today}", token=admin_token
    )
    assert status == 200
    mine = [r for r in found["reports"] if r["person_id"] == person_id]
    assert [(r["kind"], r["color"]) for r in mine] == [("scan", "yellow")]
