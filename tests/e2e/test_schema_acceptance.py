"""What /openapi.json allows, the server accepts: schemathesis generates requests from the document
for every operation and its `positive_data_acceptance` check fails on any such request answered
400 (401, 403, 404, 409 and 429 are answers about state, not about the request's form).

The document names the checks JSON Schema cannot spell as formats (chalicelib/api/formats.py);
the strategies below generate exactly those values. Two rules span fields in a way no schema can
say, and are documented in descriptions instead: a JWK's x and y must be a point on P-256 (the
test replaces generated keys with real ones), and quarantine_end lies 14 to 90 days after
arrival_date (other bodies are not sent), and with an origin_token the arrival_date is the
token's issue day or the day before (the test sends today). And a family `share_code` must be
one issued for that person, a secret no document can list (bodies with one are not sent:
test_family covers them).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from stdnum import numdb
from stdnum.cn import ric

from chalicelib import validation
from tests.e2e.test_journey import application
from tests.ids import resident_id
from tests.live_server import LiveServer

MAX_EXAMPLES = 12
PARTNER = "schemathesis-partner:110000"
PARTNER_KEY = ec.generate_private_key(ec.SECP256R1())
MAX_QUARANTINE_DAYS = 90
QUARANTINE_DAYS = 14
PLACE_CODES: list[str] = []  # the seeded place's token, once the fixture has made it
LATE = "late-bound:"
# Operations that remove what the others need; they get random ids, never the seeded person's.
_REMOVING = {("DELETE", "/v1/persons/{person_id}"), ("DELETE", "/v1/family/{person_id}")}


def _document() -> dict[str, Any]:
    import app  # noqa: F401  (registers every blueprint)
    from chalicelib.api.openapi import document

    return document()


def _region_codes() -> list[str]:
    codes = []
    for _, low, high, _, counties in numdb.get("cn/loc").prefixes:
        for province in range(int(low), int(high) + 1):
            for _, c_low, c_high, _, _ in counties:
                codes += [f"{province:02d}{n:04d}" for n in range(int(c_low), int(c_high) + 1)]
    in_force = []
    for code in codes:
        try:
            in_force.append(validation.check_region_code(code))
        except validation.InvalidValue:
            continue
    return sorted(set(in_force))


def _today() -> date:
    return datetime.now(UTC).date()  # never after today in Asia/Shanghai


def _resident_id(birth: date, area: int, serial: int) -> str:
    body = f"{area:06d}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def _partner_code(color: str) -> str:
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": PARTNER,
        "sub": uuid.uuid4().hex,
        "color": color,
        "kind": "live",
        "iat": now,
        "exp": now + 240,
        "jti": uuid.uuid4().hex[:12],
    }
    headers = {"kid": "partner-1", "typ": None}  # code tokens carry no typ
    return jwt.encode(claims, PARTNER_KEY, algorithm="ES256", headers=headers)


def _register_formats() -> None:
    days = st.integers(0, (_today() - date(1900, 1, 1)).days)
    schemathesis.openapi.format(
        "gb11643",
        st.builds(
            _resident_id,
            days.map(lambda n: _today() - timedelta(days=n)),
            st.integers(100000, 999999),
            st.integers(0, 999),
        ),
    )
    schemathesis.openapi.format("gb2260", st.sampled_from(_region_codes()))
    since_2000 = (_today() - date(2000, 1, 1)).days
    schemathesis.openapi.format(
        "date-until-today",
        st.integers(0, since_2000).map(lambda n: (_today() - timedelta(days=n)).isoformat()),
    )
    schemathesis.openapi.format(
        "arrival-date",
        st.integers(-7, since_2000).map(lambda n: (_today() - timedelta(days=n)).isoformat()),
    )
    # Tokens are made when the request is sent (the coverage phase draws its values while the
    # tests are collected, before the place exists and long before a 4-minute token is used).
    schemathesis.openapi.format(
        "partner-code", st.sampled_from(["green", "yellow", "red"]).map(lambda c: f"{LATE}{c}")
    )
    schemathesis.openapi.format("place-code", st.just(f"{LATE}place"))
    schemathesis.openapi.format(
        "page-cursor",
        st.builds(
            lambda seconds, item: (
                f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%dT%H:%M:%S.%fZ}~{item}"
            ),
            st.integers(946684800, 4102444800),
            st.from_regex(r"\A[0-9a-f]{16}\Z"),
        ),
    )
    schemathesis.openapi.format(
        "future-date-time",
        st.integers(86400, 365 * 86400).map(
            lambda s: (datetime.now(UTC) + timedelta(seconds=s)).isoformat(timespec="seconds")
        ),
    )


_register_formats()
schema = schemathesis.openapi.from_dict(_document())
schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=MAX_EXAMPLES)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])


def _public_jwk(kid: str) -> dict[str, Any]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return {**json.loads(ECAlgorithm.to_jwk(key)), "kid": kid}


def _quarantine_within_window(arrival: dict[str, Any]) -> bool:
    if arrival.get("origin_province") != "abroad":
        return True
    start = date.fromisoformat(arrival["arrival_date"])
    end = date.fromisoformat(arrival["quarantine_end"])
    return (
        start + timedelta(days=QUARANTINE_DAYS)
        <= end
        <= start + timedelta(days=MAX_QUARANTINE_DAYS)
    )


def _late_bound(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _late_bound(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_late_bound(v) for v in value]
    if isinstance(value, str) and value.startswith(LATE):
        kind = value.removeprefix(LATE)
        return PLACE_CODES[-1] if kind == "place" else _partner_code(kind)
    return value


def _cross_field_rules(body: Any) -> None:
    """The rules no schema can say (see the module's docstring)."""
    assume(not isinstance(body, dict) or body.get("share_code") is None)
    arrival = body.get("arrival") if isinstance(body, dict) else None
    assume(not isinstance(arrival, dict) or _quarantine_within_window(arrival))
    if isinstance(arrival, dict) and arrival.get("origin_token") is not None:
        arrival["arrival_date"] = _today().isoformat()  # a partner code is shown on arriving
    if isinstance(body, dict) and isinstance(body.get("jwks"), dict):
        keys = body["jwks"].get("keys") or [{}]
        body["jwks"]["keys"] = [_public_jwk(f"k{n}") for n, _ in enumerate(keys)]


@pytest.fixture(scope="module")
def seeded(live: LiveServer, live_admin_token: str) -> dict[str, str]:
    """The admin's token, a person the admin holds, and the partner issuer the strategies sign
    for."""
    admin = live_admin_token
    partner = {
        "issuer": PARTNER,
        "province_code": "110000",
        "name": "北京",
        "jwks": {
            "keys": [
                {**json.loads(ECAlgorithm.to_jwk(PARTNER_KEY.public_key())), "kid": "partner-1"}
            ]
        },
    }
    status, answer = live.call("POST", "/v1/admin/issuers", partner, token=admin)
    assert status == 201, answer
    status, answer = live.call("POST", "/v1/applications", application(resident_id()), token=admin)
    assert status == 201, answer
    person_id = answer["person_id"]
    place = {"name": "泉城广场", "type": "tourism", "region_code": "370102", "address": "泉城路1号"}
    status, answer = live.call("POST", "/v1/admin/places", place, token=admin)
    assert status == 201, answer
    png = live.raw(f"/v1/admin/places/{answer['place_id']}/qr?format=png", admin, "image/png")
    PLACE_CODES.append(_decoded(png))
    return {"token": admin, "person_id": person_id}


def _decoded(png: bytes) -> str:
    import io

    import zxingcpp
    from PIL import Image

    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return str(found.text)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_request_the_document_allows_is_not_refused(
    case: Any, live: LiveServer, seeded: dict[str, str]
) -> None:
    if "person_id" in (case.path_parameters or {}) and (case.method, case.path) not in _REMOVING:
        case.path_parameters["person_id"] = seeded["person_id"]
    case.body = _late_bound(case.body)
    _cross_field_rules(case.body)
    # An Idempotency-Key is state, like an ID already applied for: generated keys repeat across
    # requests, and a key reused with another body is 422 by design (test_idempotency).
    if case.headers:
        case.headers.pop("Idempotency-Key", None)
    case.call_and_validate(
        base_url=live.base_url,
        headers={"Authorization": f"Bearer {seeded['token']}"},
        checks=[positive_data_acceptance],
    )
