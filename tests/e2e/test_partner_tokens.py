"""Partners' real tokens and what a verified partner code means (issue 12, items 8 and 9).

A partner province signs its codes with a common JWT library, which writes `"typ": "JWT"` into
the header unless told otherwise; such a code verifies at a checkpoint and on arrival. A red or
yellow colour that a verified partner code started lasts its window: a later declaration
without a token does not lower it, and the token's arrival date is the day it was shown."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import jwt
import pytest

from chalicelib.domain.clock import utcnow
from tests.e2e.conftest import Api
from tests.e2e.test_arrivals_and_trust import Partner, arrival, arrive, today, trusted, verify
from tests.e2e.test_epidemic_database import row
from tests.e2e.test_journey import application
from tests.ids import resident_id


def library_token(
    partner: Partner,
    color: str = "green",
    at: datetime | None = None,
    headers: dict[str, Any] | None = None,
) -> str:
    """A partner code as PyJWT makes it by default: the header gets `typ: JWT`."""
    issued = int((at or utcnow()).timestamp())
    payload = {
        "iss": partner.issuer,
        "sub": "opaque",
        "color": color,
        "kind": "live",
        "iat": issued,
        "exp": issued + 180,
        "jti": secrets.token_hex(6),
    }
    return jwt.encode(
        payload, partner.key, algorithm="ES256", headers={"kid": partner.kid, **(headers or {})}
    )


# --- item 8: the usual header -------------------------------------------------------------------


def test_a_partner_code_made_with_a_jwt_librarys_default_header_passes_at_a_checkpoint(
    api: Api, admin_token: str, checker_token: str
) -> None:
    partner = trusted(api, admin_token)
    token = library_token(partner, "green")
    assert jwt.get_unverified_header(token)["typ"] == "JWT"
    answer = verify(api, checker_token, token)
    assert (answer["valid"], answer["pass"], answer["color"]) == (True, True, "green"), answer
    assert (answer["issuer"], answer["province_code"]) == (partner.issuer, "110000")


def test_a_partner_code_made_with_a_jwt_librarys_default_header_converts_on_arrival(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    partner = trusted(api, admin_token)
    status, created, _ = arrive(api, new_phone(), origin_token=library_token(partner, "yellow"))
    assert status == 201, created
    assert created["code"]["color"] == "yellow"
    assert created["code"]["reasons"][0]["code"] == "arrival_yellow_origin_code"


@pytest.mark.parametrize("typ", ["at+jwt", "trust-list+jws", "JOSE"])
def test_a_partner_token_of_another_type_is_still_no_code(
    api: Api, admin_token: str, checker_token: str, new_phone: Callable[[], str], typ: str
) -> None:
    partner = trusted(api, admin_token)
    answer = verify(api, checker_token, library_token(partner, headers={"typ": typ}))
    assert (answer["valid"], answer["reason"]) == (False, "wrong_kind")
    status, problem, _ = arrive(
        api, new_phone(), origin_token=library_token(partner, headers={"typ": typ})
    )
    assert (status, problem["code"]) == (400, "invalid_origin_code"), problem
    assert problem["errors"][0]["code"] == "wrong_kind"


def test_our_own_access_token_is_still_no_code(api: Api, checker_token: str) -> None:
    answer = verify(api, checker_token, checker_token)
    assert (answer["valid"], answer["reason"]) == (False, "wrong_kind")


# --- item 9: a verified colour cannot be declared away -------------------------------------------


def _holder(api: Api, new_phone: Callable[[], str]) -> tuple[str, str, str]:
    resident, id_number = api.login(new_phone()), resident_id()
    status, created = api.json("POST", "/v1/applications", application(id_number), token=resident)
    assert status == 201, created
    return resident, created["person_id"], id_number


def _declare(api: Api, resident: str, person_id: str, **fields: Any) -> tuple[int, Any]:
    path = f"/v1/persons/{person_id}/arrivals"
    return api.json("POST", path, {"arrival": arrival(**fields)}, token=resident)


@pytest.mark.parametrize(
    "later",
    [
        {"origin_color": "green"},
        {"origin_color": "yellow"},
        {"origin_color": "green", "arrival_date": (date.today() + timedelta(days=3)).isoformat()},
    ],
    ids=["declared green", "declared yellow", "declared green, announced ahead"],
)
def test_a_verified_red_partner_code_is_not_declared_away_by_a_later_declaration(
    api: Api, admin_token: str, new_phone: Callable[[], str], later: dict[str, Any]
) -> None:
    resident, person_id, _ = _holder(api, new_phone)
    partner = trusted(api, admin_token)
    status, view = _declare(api, resident, person_id, origin_token=partner.token("red"))
    assert (status, view["color"]) == (200, "red"), view
    red_until = view["valid_until"]
    assert red_until == (today() + timedelta(days=14)).isoformat()
    status, view = _declare(api, resident, person_id, **later)  # the attack: no token
    assert status == 200, view
    assert (view["color"], view["valid_until"]) == ("red", red_until)
    assert "arrival_red_origin_code" in [r["code"] for r in view["reasons"]]
    again = api.json("GET", f"/v1/persons/{person_id}/code", token=resident)[1]
    assert again["color"] == "red"


def test_a_verified_yellow_partner_code_made_by_a_jwt_library_is_not_declared_away(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    resident, person_id, _ = _holder(api, new_phone)
    partner = trusted(api, admin_token)
    status, view = _declare(api, resident, person_id, origin_token=library_token(partner, "yellow"))
    assert (status, view["color"]) == (200, "yellow"), view
    status, view = _declare(api, resident, person_id, origin_color="green")
    assert (status, view["color"]) == (200, "yellow"), view


def test_a_later_verified_green_partner_code_ends_a_verified_red(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    resident, person_id, _ = _holder(api, new_phone)
    partner = trusted(api, admin_token)
    assert (
        _declare(api, resident, person_id, origin_token=partner.token("red"))[1]["color"] == "red"
    )
    _declare(api, resident, person_id, origin_color="green")
    status, view = _declare(api, resident, person_id, origin_token=partner.token("green"))
    assert (status, view["color"]) == (200, "green"), view


def test_the_authoritys_cleared_record_ends_a_verified_red_partner_code(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    resident, person_id, id_number = _holder(api, new_phone)
    partner = trusted(api, admin_token)
    assert (
        _declare(api, resident, person_id, origin_token=partner.token("red"))[1]["color"] == "red"
    )
    _declare(api, resident, person_id, origin_color="green")
    record = row("R-" + secrets.token_hex(6), id_number, "cleared", today().isoformat())
    status, result = api.json("POST", "/v1/admin/records", {"records": [record]}, token=admin_token)
    assert status == 200, result
    view = api.json("GET", f"/v1/persons/{person_id}/code", token=resident)[1]
    assert view["color"] == "green", view


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-3650, 400), (-2, 400), (-1, 201), (0, 201), (1, 400), (7, 400)],
    ids=["2016", "two days before", "the day before", "the day", "tomorrow", "a week ahead"],
)
def test_an_origin_tokens_arrival_date_is_its_issue_day_or_the_day_before(
    api: Api, admin_token: str, new_phone: Callable[[], str], offset: int, status: int
) -> None:
    partner = trusted(api, admin_token)
    arrived = today() + timedelta(days=offset)
    answer, created, _ = arrive(
        api, new_phone(), origin_token=partner.token("red"), arrival_date=arrived.isoformat()
    )
    assert answer == status, created
    if status == 400:
        assert created["code"] == "invalid_arrival_date" and created["detail_zh"]
    else:
        assert created["code"]["color"] == "red"
        assert created["code"]["valid_until"] == (arrived + timedelta(days=14)).isoformat()


def test_a_red_token_with_an_old_arrival_date_is_not_green_on_arrival(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    """The attack of the issue: arrival_date 2020-01-01 put the red window in the past."""
    partner = trusted(api, admin_token)
    status, problem, resident = arrive(
        api, new_phone(), origin_token=partner.token("red"), arrival_date="2020-01-01"
    )
    assert (status, problem["code"]) == (400, "invalid_arrival_date"), problem
    assert api.json("GET", "/v1/me", token=resident)[1]["persons"] == []
