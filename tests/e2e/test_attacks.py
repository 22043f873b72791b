"""What an attacker or a careless client tries: every answer is a clean 4xx or a clean
`valid: false`, never a 500, never a pass."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.e2e.conftest import Api
from tests.e2e.test_journey import application
from tests.ids import resident_id


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def holder(api: Api, new_phone: Callable[[], str]) -> tuple[str, str, str]:
    """(access token, person id, a fresh code token)."""
    token = api.login(new_phone())
    status, created = api.json("POST", "/v1/applications", application(resident_id()), token=token)
    assert status == 201, created
    return token, created["person_id"], created["code"]["token"]


def _verify(api: Api, checker: str, code_token: str) -> dict[str, object]:
    status, answer = api.json("POST", "/v1/verify", {"token": code_token}, token=checker)
    assert status == 200, answer
    return answer  # type: ignore[no-any-return]


def test_a_token_signed_by_another_key_with_our_kid_is_a_bad_signature(
    api: Api, holder: tuple[str, str, str], checker_token: str
) -> None:
    genuine = holder[2]
    header = jwt.get_unverified_header(genuine)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    forged = jwt.encode(
        claims,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": header["kid"], "typ": None},
    )
    answer = _verify(api, checker_token, forged)
    assert answer == {**answer, "valid": False, "pass": False, "reason": "bad_signature"}
    assert answer["masked_name"] is None and answer["color"] is None


def test_a_tampered_colour_breaks_the_signature(
    api: Api, holder: tuple[str, str, str], checker_token: str
) -> None:
    head, body, signature = holder[2].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["color"] = "green" if claims["color"] != "green" else "red"
    tampered = ".".join([head, _b64(json.dumps(claims).encode()), signature])
    assert _verify(api, checker_token, tampered)["reason"] == "bad_signature"


def test_alg_none_is_refused(api: Api, holder: tuple[str, str, str], checker_token: str) -> None:
    claims = jwt.decode(holder[2], options={"verify_signature": False})
    kid = jwt.get_unverified_header(holder[2])["kid"]
    unsigned = ".".join(
        [
            _b64(json.dumps({"alg": "none", "kid": kid}).encode()),
            _b64(json.dumps(claims).encode()),
            "",
        ]
    )
    answer = _verify(api, checker_token, unsigned)
    assert answer["valid"] is False and answer["reason"] == "bad_signature"


def test_hs256_signed_with_the_published_public_key_is_refused(
    api: Api, holder: tuple[str, str, str], checker_token: str
) -> None:
    import hashlib
    import hmac

    status, jwks = api.json("GET", "/.well-known/jwks.json")
    key = jwt.PyJWK(jwks["keys"][0]).key
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(holder[2], options={"verify_signature": False})
    signing_input = ".".join(
        [
            _b64(json.dumps({"alg": "HS256", "kid": jwks["keys"][0]["kid"]}).encode()),
            _b64(json.dumps(claims).encode()),
        ]
    )
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    answer = _verify(api, checker_token, f"{signing_input}.{_b64(mac)}")
    assert answer["valid"] is False and answer["reason"] == "bad_signature"


def test_an_expired_token_is_refused(
    api: Api, holder: tuple[str, str, str], checker_token: str
) -> None:
    import time_machine

    with time_machine.travel(time.time() + 6 * 60, tick=True):
        answer = _verify(api, checker_token, holder[2])
    assert answer["valid"] is False and answer["reason"] == "expired"


def test_an_unknown_kid_is_refused(
    api: Api, holder: tuple[str, str, str], checker_token: str
) -> None:
    claims = jwt.decode(holder[2], options={"verify_signature": False})
    stranger = jwt.encode(
        claims,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": "cZZZZZZZ", "typ": None},
    )
    assert _verify(api, checker_token, stranger)["reason"] == "unknown_key"


@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "é" * 10, "e30.e30.e30"])
def test_garbage_is_a_malformed_scan_not_an_error(
    api: Api, checker_token: str, garbage: str
) -> None:
    status, answer = api.json("POST", "/v1/verify", {"token": garbage}, token=checker_token)
    if garbage == "":
        assert status == 400 and answer["errors"][0]["field"] == "token"
    else:
        assert status == 200 and answer["valid"] is False
        assert answer["reason"] in {"malformed", "bad_signature", "unknown_key"}


def test_an_access_token_is_not_a_code(
    api: Api, holder: tuple[str, str, str], checker_token: str
) -> None:
    answer = _verify(api, checker_token, holder[0])
    assert answer["valid"] is False and answer["reason"] in {"wrong_kind", "unknown_key"}


def test_a_code_token_is_not_an_access_token(api: Api, holder: tuple[str, str, str]) -> None:
    status, problem = api.json("GET", "/v1/me", token=holder[2])
    assert status == 401 and problem["code"] == "unauthenticated"


def test_a_resident_may_not_verify(api: Api, holder: tuple[str, str, str]) -> None:
    status, problem = api.json("POST", "/v1/verify", {"token": holder[2]}, token=holder[0])
    assert status == 403 and problem["code"] == "forbidden"


def test_no_token_is_401_with_a_problem_document(api: Api) -> None:
    response = api.call("GET", "/v1/me")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = json.loads(response.body)
    assert set(problem) >= {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "detail_zh",
        "errors",
        "request_id",
    }


def test_someone_elses_person_id_is_not_found(
    api: Api, holder: tuple[str, str, str], new_phone: Callable[[], str]
) -> None:
    stranger = api.login(new_phone())
    for path in ("code", "qr"):
        status, problem = api.json("GET", f"/v1/persons/{holder[1]}/{path}", token=stranger)
        assert status == 404 and problem["code"] == "not_found"
    status, problem = api.json("GET", "/v1/persons/not-a-person/code", token=stranger)
    assert status == 404


def test_a_colour_in_the_body_is_an_unknown_field(api: Api, new_phone: Callable[[], str]) -> None:
    token = api.login(new_phone())
    body = {**application(resident_id()), "color": "green"}
    status, problem = api.json("POST", "/v1/applications", body, token=token)
    assert status == 400
    assert problem["code"] == "unknown_field"
    assert problem["errors"] == [
        {
            "field": "color",
            "code": "unknown_field",
            "message": "unknown field",
            "message_zh": "不允许的字段",
        }
    ]
    assert api.json("GET", "/v1/me", token=token)[1]["persons"] == []  # nothing written


def test_broken_json_is_a_400_problem(api: Api, new_phone: Callable[[], str]) -> None:
    token = api.login(new_phone())
    response = api.call("POST", "/v1/applications", raw=b'{"name": ', token=token)
    assert response.status_code == 400
    problem = json.loads(response.body)
    assert problem["code"] == "malformed_json" and problem["detail_zh"]


def test_a_wrong_check_digit_names_the_field(api: Api, new_phone: Callable[[], str]) -> None:
    token = api.login(new_phone())
    good = resident_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    status, problem = api.json("POST", "/v1/applications", application(bad), token=token)
    assert status == 400 and problem["code"] == "invalid_id_number"
    assert problem["errors"][0]["field"] == "id_number"


def test_the_commitment_is_required(api: Api, new_phone: Callable[[], str]) -> None:
    token = api.login(new_phone())
    status, problem = api.json(
        "POST",
        "/v1/applications",
        {**application(resident_id()), "commitment": False},
        token=token,
    )
    assert status == 400 and problem["errors"][0]["code"] == "commitment_required"


def test_eight_parallel_applications_for_one_id_make_exactly_one_code(
    api: Api, new_phone: Callable[[], str]
) -> None:
    id_number = resident_id()
    tokens = [api.login(new_phone()) for _ in range(8)]

    def apply(token: str) -> int:
        status, _ = api.json("POST", "/v1/applications", application(id_number), token=token)
        return status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(apply, tokens))
    assert statuses == [201] + [409] * 7


def test_already_applied_gives_no_hint_whose(api: Api, new_phone: Callable[[], str]) -> None:
    id_number = resident_id()
    first, second = api.login(new_phone()), api.login(new_phone())
    assert api.json("POST", "/v1/applications", application(id_number), token=first)[0] == 201
    status, problem = api.json("POST", "/v1/applications", application(id_number), token=second)
    assert status == 409 and problem["code"] == "already_applied"
    assert "person" not in json.dumps(problem)


def test_an_empty_application_lists_every_missing_field(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token = api.login(new_phone())
    status, problem = api.json("POST", "/v1/applications", {}, token=token)
    assert status == 400 and problem["code"] == "invalid_request"
    assert {e["field"] for e in problem["errors"]} == {
        "name",
        "id_type",
        "id_number",
        "nationality",
        "address",
        "region_code",
        "declaration",
        "commitment",
    }


def test_a_json_body_sent_as_a_form_is_still_read(api: Api, new_phone: Callable[[], str]) -> None:
    phone = new_phone()
    response = api.call(
        "POST",
        "/v1/auth/otp",
        {"phone": phone},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 202
