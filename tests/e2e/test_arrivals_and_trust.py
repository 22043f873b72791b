"""Arrivals (来鲁申报), the trust list and partner codes at checkpoints (省际互认), over HTTP.

Partner provinces are made here: each has its own ES256 key and JWKS, and signs tokens in the
exchange format of API.md."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import jwt
import pytest
import time_machine
from chalice.test import Client
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.domain.clock import shanghai_date, utcnow
from tests.e2e.conftest import Api
from tests.e2e.test_journey import application
from tests.ids import resident_id

MEDIUM, HIGH = "440305", "510104"  # Shenzhen Nanshan, Chengdu Jinjiang: only these tests set them


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Partner:
    """A partner province's code issuer: its key, its JWKS, its tokens."""

    def __init__(self, province: str = "110000") -> None:
        self.province = province
        self.issuer = f"partner-{secrets.token_hex(4)}:{province}"
        self.kid = "k" + secrets.token_hex(3)
        self.key = ec.generate_private_key(ec.SECP256R1())

    def jwk(self, private: bool = False) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64(numbers.x.to_bytes(32, "big")),
            "y": _b64(numbers.y.to_bytes(32, "big")),
            "kid": self.kid,
        }
        if private:
            jwk["d"] = _b64(self.key.private_numbers().private_value.to_bytes(32, "big"))
        return jwk

    def body(self, **changes: Any) -> dict[str, Any]:
        body = {
            "issuer": self.issuer,
            "province_code": self.province,
            "name": "北京健康宝",
            "jwks": {"keys": [self.jwk()]},
            "not_after": None,
        }
        body.update(changes)
        return body

    def token(
        self,
        color: str = "green",
        kind: str = "live",
        at: datetime | None = None,
        life: int = 180,
        key: ec.EllipticCurvePrivateKey | None = None,
        **claims: Any,
    ) -> str:
        issued = int((at or utcnow()).timestamp())
        payload = {
            "iss": self.issuer,
            "sub": "opaque/any+form==",  # partners' sub is theirs: never read
            "color": color,
            "kind": kind,
            "iat": issued,
            "exp": issued + life,
            "jti": secrets.token_hex(6),
            **claims,
        }
        headers = {"kid": self.kid, "typ": None}
        return jwt.encode(payload, key or self.key, algorithm="ES256", headers=headers)


def trusted(api: Api, admin_token: str, **changes: Any) -> Partner:
    partner = Partner()
    status, entry = api.json(
        "POST", "/v1/admin/issuers", partner.body(**changes), token=admin_token
    )
    assert status == 201, entry
    return partner


def verify(api: Api, checker_token: str, token: str) -> dict[str, Any]:
    status, answer = api.json("POST", "/v1/verify", {"token": token}, token=checker_token)
    assert status == 200, answer
    return dict(answer)


def today() -> date:
    return shanghai_date(utcnow())


def arrival(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "origin_province": "110000",
        "origin_region": "110105",
        "arrival_date": today().isoformat(),
        "transport": "G123",
    }
    body.update(fields)
    return body


def arrive(api: Api, phone: str, **fields: Any) -> tuple[int, Any, str]:
    token = api.login(phone)
    body = {**application(resident_id()), "arrival": arrival(**fields)}
    status, answer = api.json("POST", "/v1/arrivals", body, token=token)
    return status, answer, token


# --- the trust list ------------------------------------------------------------------------


def test_an_admin_trusts_lists_replaces_and_removes_a_partner_issuer(
    api: Api, admin_token: str
) -> None:
    partner = Partner()
    body = partner.body(jwks={"keys": [partner.jwk(private=True), {"kty": "RSA", "kid": "r"}]})
    status, entry = api.json("POST", "/v1/admin/issuers", body, token=admin_token)
    assert status == 201, entry
    assert entry["jwks"]["keys"] == [{**partner.jwk(), "use": "sig", "alg": "ES256"}]  # no d
    assert (entry["trusted"], entry["province_code"]) == (True, "110000")
    status, again = api.json("POST", "/v1/admin/issuers", partner.body(), token=admin_token)
    assert status == 200, again  # replacing the entry: how a partner's keys rotate
    status, listed = api.json("GET", "/v1/admin/issuers", token=admin_token)
    assert status == 200 and partner.issuer in [i["issuer"] for i in listed["issuers"]]
    path = f"/v1/admin/issuers/{partner.issuer}"
    assert api.call("DELETE", path, token=admin_token).status_code == 204
    status, problem = api.json("DELETE", path, token=admin_token)
    assert (status, problem["code"]) == (404, "not_found")
    status, listed = api.json("GET", "/v1/admin/issuers", token=admin_token)
    assert partner.issuer not in [i["issuer"] for i in listed["issuers"]]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (
            {"jwks": {"keys": [{"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"}]}},
            "no_usable_key",
        ),
        (
            {"jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "a"}]}},
            "no_usable_key",
        ),
        ({"jwks": {"keys": []}}, "invalid_value"),
        ({"issuer": "bad/issuer"}, "invalid_value"),
        ({"province_code": "110105"}, "invalid_province_code"),
        ({"not_after": "2020-01-01T00:00:00+08:00"}, "not_after_past"),
        ({"not_after": "2030-01-01T00:00:00"}, "invalid_value"),  # no offset
        ({"colour": "green"}, "unknown_field"),
    ],
)
def test_a_bad_issuer_registration_is_a_clear_400(
    api: Api, admin_token: str, changes: dict[str, Any], code: str
) -> None:
    status, problem = api.json(
        "POST", "/v1/admin/issuers", Partner().body(**changes), token=admin_token
    )
    assert (status, problem["code"]) == (400, code), problem
    assert problem["detail"] and problem["detail_zh"]


def test_only_admins_manage_issuers(
    api: Api, checker_token: str, new_phone: Callable[[], str]
) -> None:
    resident = api.login(new_phone())
    for token in (checker_token, resident):
        assert api.json("POST", "/v1/admin/issuers", Partner().body(), token=token)[0] == 403
        assert api.json("GET", "/v1/admin/issuers", token=token)[0] == 403


def test_the_trust_list_is_fresh_for_24_hours_at_most_and_leaves_out_expired_issuers(
    api: Api, admin_token: str
) -> None:
    now = utcnow()
    soon = (now + timedelta(minutes=30)).isoformat()
    short = trusted(api, admin_token, not_after=soon)
    lasting = trusted(api, admin_token)
    status, listed = api.json("GET", "/.well-known/trust-list.json")  # public: no token
    assert status == 200, listed
    issued = datetime.fromisoformat(listed["issued_at"])
    not_after = datetime.fromisoformat(listed["not_after"])
    assert not_after <= issued + timedelta(hours=24)
    assert not_after <= datetime.fromisoformat(soon)  # never beyond an issuer's own not_after
    names = [i["issuer"] for i in listed["issuers"]]
    assert short.issuer in names and lasting.issuer in names
    entry = next(i for i in listed["issuers"] if i["issuer"] == lasting.issuer)
    assert entry == {
        "issuer": lasting.issuer,
        "province_code": "110000",
        "name": "北京健康宝",
        "jwks": {"keys": [{**lasting.jwk(), "use": "sig", "alg": "ES256"}]},
    }
    with time_machine.travel(now + timedelta(minutes=40), tick=False):
        status, later = api.json("GET", "/.well-known/trust-list.json")
    names = [i["issuer"] for i in later["issuers"]]
    assert short.issuer not in names and lasting.issuer in names
    later_issued = datetime.fromisoformat(later["issued_at"])
    assert datetime.fromisoformat(later["not_after"]) <= later_issued + timedelta(hours=24)


def test_the_signed_trust_list_verifies_against_our_jwks(api: Api, admin_token: str) -> None:
    partner = trusted(api, admin_token)
    response = api.call("GET", "/.well-known/trust-list.jws")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/jose"
    compact = response.body.decode() if isinstance(response.body, bytes) else response.body
    header = jwt.get_unverified_header(compact)
    assert header["alg"] == "ES256" and header["kid"]
    status, jwks = api.json("GET", "/.well-known/jwks.json")
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    key = jwt.algorithms.ECAlgorithm.from_jwk(json.dumps(jwk))
    content = json.loads(jwt.api_jws.decode(compact, key, algorithms=["ES256"]))  # type: ignore[arg-type]
    status, plain = api.json("GET", "/.well-known/trust-list.json")
    assert content["issuer"] == plain["issuer"] == "healthcode:370000"
    assert content["issuers"] == plain["issuers"]
    assert partner.issuer in [i["issuer"] for i in content["issuers"]]
    assert datetime.fromisoformat(content["not_after"]) <= datetime.fromisoformat(
        content["issued_at"]
    ) + timedelta(hours=24)


# --- partner codes at a checkpoint (亮码互认) -------------------------------------------------


def test_a_trusted_partners_green_live_code_passes_with_its_province(
    api: Api, admin_token: str, checker_token: str
) -> None:
    partner = trusted(api, admin_token)
    answer = verify(api, checker_token, partner.token("green"))
    assert answer["valid"] is True and answer["pass"] is True
    assert (answer["color"], answer["masked_name"], answer["reason"]) == ("green", None, None)
    assert (answer["issuer"], answer["province_code"]) == (partner.issuer, "110000")
    yellow = verify(api, checker_token, partner.token("yellow"))
    assert (yellow["valid"], yellow["pass"], yellow["color"]) == (True, False, "yellow")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.token(kind="paper"), "wrong_kind"),
        (lambda p: p.token(kind="place"), "wrong_kind"),
        (lambda p: p.token(key=ec.generate_private_key(ec.SECP256R1())), "bad_signature"),
        (lambda p: p.token(at=utcnow() - timedelta(minutes=10)), "expired"),
        (lambda p: p.token(life=86400), "malformed"),
        (lambda p: p.token(color="purple"), "malformed"),
        (lambda p: p.token(kid_unused=True, iss="healthcode:999999"), "untrusted_issuer"),
    ],
    ids=["paper", "place", "forged", "expired", "too-long-lived", "bad-colour", "unknown-issuer"],
)
def test_a_bad_partner_code_is_not_valid_with_its_reason(
    api: Api,
    admin_token: str,
    checker_token: str,
    make: Callable[[Partner], str],
    reason: str,
) -> None:
    partner = trusted(api, admin_token)
    answer = verify(api, checker_token, make(partner))
    assert (answer["valid"], answer["pass"], answer["reason"]) == (False, False, reason)
    assert answer["color"] is None and answer["masked_name"] is None


def test_a_document_signed_like_the_trust_list_is_no_code(api: Api, checker_token: str) -> None:
    from chalicelib.security.partners import sign_document
    from chalicelib.services.context import default

    claims = {"iss": "healthcode:370000", "sub": "x", "color": "green", "kind": "live"}
    now = utcnow()
    claims.update({"iat": int(now.timestamp()), "exp": int(now.timestamp()) + 60, "jti": "j"})
    answer = verify(api, checker_token, sign_document(default().code_keys, claims, now))
    assert (answer["valid"], answer["reason"]) == (False, "wrong_kind")


def test_a_removed_issuer_is_untrusted_at_once(
    api: Api, admin_token: str, checker_token: str
) -> None:
    partner = trusted(api, admin_token)
    token = partner.token()
    assert verify(api, checker_token, token)["valid"] is True
    assert (
        api.call("DELETE", f"/v1/admin/issuers/{partner.issuer}", token=admin_token).status_code
        == 204
    )
    answer = verify(api, checker_token, token)
    assert (answer["valid"], answer["reason"]) == (False, "untrusted_issuer")


def test_an_issuer_past_its_not_after_is_untrusted(
    api: Api, admin_token: str, checker_token: str
) -> None:
    now = utcnow()
    partner = trusted(api, admin_token, not_after=(now + timedelta(minutes=30)).isoformat())
    later = now + timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        answer = verify(api, checker_token, partner.token(at=later))
    assert (answer["valid"], answer["reason"]) == (False, "untrusted_issuer")


# --- arrivals --------------------------------------------------------------------------------


def test_a_green_partner_code_from_a_low_risk_area_converts_to_green_once(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    partner = trusted(api, admin_token)
    token = partner.token("green")
    status, created, _ = arrive(api, new_phone(), origin_token=token)
    assert status == 201, created
    code = created["code"]
    assert (code["color"], code["valid_until"]) == ("green", None)
    assert [r["code"] for r in code["reasons"]] == ["no_risk_found"]
    status, changes = api.json(
        "GET", f"/v1/admin/persons/{created['person_id']}/history", token=admin_token
    )
    assert status == 200 and [c["source"] for c in changes["changes"]] == ["arrival"]
    status, problem, _ = arrive(api, new_phone(), origin_token=token)  # a screenshot, replayed
    assert (status, problem["code"]) == (409, "origin_code_used"), problem
    assert problem["detail_zh"]


def test_an_origin_code_that_does_not_verify_is_a_clear_400_and_nothing_is_stored(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    partner = trusted(api, admin_token)
    forged = partner.token(key=ec.generate_private_key(ec.SECP256R1()))
    for token, reason in (
        (forged, "bad_signature"),
        (partner.token(kind="paper"), "wrong_kind"),
        (Partner().token(), "untrusted_issuer"),
        (partner.token(at=utcnow() - timedelta(hours=1)), "expired"),
    ):
        phone = new_phone()
        status, problem, resident = arrive(api, phone, origin_token=token)
        assert (status, problem["code"]) == (400, "invalid_origin_code"), problem
        assert problem["errors"][0]["code"] == reason
        assert problem["detail"] and problem["detail_zh"]
        status, me = api.json("GET", "/v1/me", token=resident)
        assert me["persons"] == []


@pytest.mark.parametrize(
    ("fields", "color", "reason"),
    [
        ({"origin_color": "yellow"}, "yellow", "arrival_yellow_origin_code"),
        ({"origin_color": "red"}, "red", "arrival_red_origin_code"),
        (
            {"origin_color": "green", "origin_province": "440000", "origin_region": MEDIUM},
            "yellow",
            "arrival_from_medium_risk_area",
        ),
        (
            {"origin_color": "green", "origin_province": "510000", "origin_region": HIGH},
            "red",
            "arrival_from_high_risk_area",
        ),
    ],
    ids=["yellow code", "red code", "medium-risk origin", "high-risk origin"],
)
def test_an_arrival_keeps_its_origins_colour_for_14_days_from_arrival(
    api: Api,
    admin_token: str,
    new_phone: Callable[[], str],
    fields: dict[str, Any],
    color: str,
    reason: str,
) -> None:
    for region, risk in ((MEDIUM, "medium"), (HIGH, "high")):
        api.json("PUT", f"/v1/admin/regions/{region}", {"risk": risk}, token=admin_token)
    arrived = today() - timedelta(days=2)
    status, created, _ = arrive(api, new_phone(), arrival_date=arrived.isoformat(), **fields)
    assert status == 201, created
    code = created["code"]
    assert code["color"] == color
    assert code["reasons"][0]["code"] == reason
    assert code["valid_until"] == (arrived + timedelta(days=14)).isoformat()  # D+14 (item 9)


def test_a_yellow_arrival_turns_green_when_the_hourly_job_runs_on_day_15(
    api: Api, client: Client, admin_token: str, new_phone: Callable[[], str]
) -> None:
    api.json("PUT", f"/v1/admin/regions/{MEDIUM}", {"risk": "medium"}, token=admin_token)
    now = utcnow()
    fields = {"origin_color": "green", "origin_province": "440000", "origin_region": MEDIUM}
    status, created, resident = arrive(api, new_phone(), **fields)
    assert (status, created["code"]["color"]) == (201, "yellow"), created
    person_id = created["person_id"]

    def scheduled_run(days_later: int) -> None:
        event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
        with time_machine.travel(now + timedelta(days=days_later), tick=False):
            answer = client.lambda_.invoke("expire", event)
        assert isinstance(answer.payload, dict) and answer.payload["failed"] == 0

    scheduled_run(14)  # arrival + 14: the last yellow day (D+13 before issue 11 item 9)
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=resident)[1]["color"] == "yellow"
    scheduled_run(15)
    status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=resident)
    assert (status, view["color"]) == (200, "green")
    status, history = api.json("GET", f"/v1/persons/{person_id}/history", token=resident)
    assert [(c["to"], c["actor_kind"]) for c in history["changes"]] == [
        ("yellow", "self"),
        ("green", "system"),
    ]


# 000_ba8d9fb67dd2ff13.txt: "中风险地区的人员跨区域流动时，抵达目的地后，需要居家隔离医学观察14天".
FIXED = "440111"  # Guangzhou Baiyun: only the two tests below set it


def test_an_arrival_announced_ahead_is_green_until_the_arrival_day_then_yellow(
    api: Api, client: Client, admin_token: str, new_phone: Callable[[], str]
) -> None:
    api.json("PUT", f"/v1/admin/regions/{FIXED}", {"risk": "medium"}, token=admin_token)
    now = utcnow()
    arriving = today() + timedelta(days=2)
    fields = {"origin_color": "green", "origin_province": "440000", "origin_region": FIXED}
    status, created, resident = arrive(
        api, new_phone(), arrival_date=arriving.isoformat(), **fields
    )
    assert (status, created["code"]["color"]) == (201, "green"), created
    person_id = created["person_id"]
    event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    with time_machine.travel(now + timedelta(days=2), tick=False):
        answer = client.lambda_.invoke("expire", event)
    assert isinstance(answer.payload, dict) and answer.payload["failed"] == 0
    status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=resident)
    assert (status, view["color"]) == (200, "yellow")
    assert view["reasons"][0]["code"] == "arrival_from_medium_risk_area"
    assert view["valid_until"] == (arriving + timedelta(days=14)).isoformat()  # D+14 (item 9)


def test_a_downgrade_of_the_origin_after_arriving_does_not_end_the_observation(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    api.json("PUT", f"/v1/admin/regions/{FIXED}", {"risk": "medium"}, token=admin_token)
    fields = {"origin_color": "green", "origin_province": "440000", "origin_region": FIXED}
    status, created, resident = arrive(api, new_phone(), **fields)
    assert (status, created["code"]["color"]) == (201, "yellow"), created
    person_id = created["person_id"]
    status, _ = api.json("PUT", f"/v1/admin/regions/{FIXED}", {"risk": "low"}, token=admin_token)
    assert status == 200
    status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=resident)
    assert (status, view["color"]) == (200, "yellow")
    assert view["valid_until"] == (today() + timedelta(days=14)).isoformat()  # D+14 (item 9)


def _abroad(quarantine_end: date, test: str, tested: date | None) -> dict[str, Any]:
    return {
        "origin_province": "abroad",
        "origin_region": None,
        "arrival_date": (quarantine_end - timedelta(days=14)).isoformat(),
        "quarantine_end": quarantine_end.isoformat(),
        "test_result": test,
        "test_date": tested.isoformat() if tested else None,
    }


@pytest.mark.parametrize(
    ("end", "test", "color", "valid_until"),
    [
        (3, "negative", "yellow", None),  # tested before the quarantine's last 2 days
        (-1, "negative", "green", None),
        (-1, "none", "yellow", None),
        (3, "none", "yellow", None),
        (-1, "positive", "red", None),
    ],
    ids=[
        "quarantine on, tested too early",
        "quarantine over, negative",
        "over, no test",
        "on, no test",
        "positive",
    ],
)
def test_arrivals_from_abroad_follow_quarantine_and_test(
    api: Api,
    new_phone: Callable[[], str],
    end: int,
    test: str,
    color: str,
    valid_until: int | None,
) -> None:
    first = today()
    tested = first - timedelta(days=1) if test != "none" else None
    fields = _abroad(first + timedelta(days=end), test, tested)
    status, created, _ = arrive(api, new_phone(), **fields)
    assert status == 201, created
    code = created["code"]
    assert code["color"] == color, code
    expected = (first + timedelta(days=valid_until)).isoformat() if valid_until else None
    assert code["valid_until"] == expected


def test_an_arrival_from_abroad_turns_green_the_day_after_quarantine_ends(
    api: Api, client: Client, new_phone: Callable[[], str]
) -> None:
    now = utcnow()
    fields = _abroad(today(), "negative", today())  # tested on the quarantine's last day
    status, created, resident = arrive(api, new_phone(), **fields)
    assert (status, created["code"]["color"]) == (201, "yellow"), created
    assert created["code"]["valid_until"] == today().isoformat()
    event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    with time_machine.travel(now + timedelta(days=1), tick=False):
        client.lambda_.invoke("expire", event)
    view = api.json("GET", f"/v1/persons/{created['person_id']}/code", token=resident)[1]
    assert view["color"] == "green"


def test_a_holder_declares_a_return_and_the_code_follows(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    resident = api.login(new_phone())
    status, created = api.json(
        "POST", "/v1/applications", application(resident_id()), token=resident
    )
    assert (status, created["code"]["color"]) == (201, "green")
    person_id = created["person_id"]
    path = f"/v1/persons/{person_id}/arrivals"
    partner = trusted(api, admin_token)
    token = partner.token("yellow")
    status, view = api.json("POST", path, {"arrival": arrival(origin_token=token)}, token=resident)
    assert status == 200, view
    assert view["color"] == "yellow" and view["person_id"] == person_id
    assert view["reasons"][0]["code"] == "arrival_yellow_origin_code"
    assert view["token"]
    status, problem = api.json(
        "POST", path, {"arrival": arrival(origin_token=token)}, token=resident
    )
    assert (status, problem["code"]) == (409, "origin_code_used")
    status, history = api.json("GET", f"/v1/persons/{person_id}/history", token=resident)
    assert [(c["to"], c["actor_kind"]) for c in history["changes"]][-1] == ("yellow", "self")
    # A new declaration replaces the last, but not the yellow the verified token started
    # (issue 12, item 9): a later verified green code ends it.
    status, view = api.json(
        "POST", path, {"arrival": arrival(origin_color="green")}, token=resident
    )
    assert (status, view["color"]) == (200, "yellow")
    green = partner.token("green")
    status, view = api.json("POST", path, {"arrival": arrival(origin_token=green)}, token=resident)
    assert (status, view["color"]) == (200, "green")
    stranger = api.login(new_phone())
    status, problem = api.json(
        "POST", path, {"arrival": arrival(origin_color="green")}, token=stranger
    )
    assert (status, problem["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"origin_color": None}, "origin_token_or_color"),
        ({"origin_color": "green", "origin_token": "x.y.z"}, "origin_token_or_color"),
        ({"origin_color": "green", "origin_region": "440305"}, "region_outside_province"),
        ({"origin_color": "green", "origin_province": "110105"}, "invalid_province_code"),
        ({"origin_color": "blue"}, "invalid_value"),
        ({"origin_color": "green", "colour": "green"}, "unknown_field"),
        (
            {"origin_province": "abroad", "origin_region": None, "test_result": "none"},
            "quarantine_end_required",
        ),
        ({"origin_color": "green", "test_result": "negative"}, "test_date_with_result"),
        ({"origin_color": "green", "arrival_date": "2099-01-01"}, "invalid_arrival_date"),
        (
            {
                "origin_province": "abroad",
                "origin_region": None,
                "quarantine_end": "9999-12-31",
                "test_result": "negative",
                "test_date": "2026-11-01",
            },
            "invalid_value",
        ),
        (
            {
                "origin_province": "abroad",
                "origin_region": None,
                "quarantine_end": "2099-12-31",
                "test_result": "none",
            },
            "invalid_quarantine_end",
        ),
        pytest.param(  # 自境外入鲁（返鲁）人员隔离期满后: the quarantine is 14 days
            {
                "origin_province": "abroad",
                "origin_region": None,
                "quarantine_end": date.today().isoformat(),
                "arrival_date": date.today().isoformat(),
                "test_result": "none",
            },
            "quarantine_too_short",
            id="quarantine_end on the arrival date",
        ),
    ],
)
def test_a_bad_arrival_is_a_clear_400(
    api: Api, new_phone: Callable[[], str], fields: dict[str, Any], code: str
) -> None:
    status, problem, resident = arrive(api, new_phone(), **fields)
    assert (status, problem["code"]) == (400, code), problem
    assert problem["detail"] and problem["detail_zh"]
    assert api.json("GET", "/v1/me", token=resident)[1]["persons"] == []
