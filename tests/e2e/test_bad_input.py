"""Issue 12 item 3: never a 500 for a client's mistake. Bodies, token headers and payloads that
nest too deep or are too large are a 400 / 401 / 413 / `valid: false, reason: malformed`, on any
route, and log no traceback."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable

import pytest

from chalicelib.api.http import MAX_BODY
from tests.e2e.conftest import Api


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def nested_token(part: str) -> str:
    """A compact JWS whose header (or payload) is JSON nested 1,400 deep: deeper than Python's
    recursion limit, short enough (3.7 KB) for every length check."""
    deep = _b64(b"[" * 1400 + b"]" * 1400)
    plain = _b64(json.dumps({"alg": "ES256", "kid": "x"}).encode())
    header, payload = (deep, plain) if part == "header" else (plain, deep)
    return f"{header}.{payload}.{_b64(b'sig')}"


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "Traceback" not in caplog.text and "unhandled" not in caplog.text


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        pytest.param("5,000 [", b"[" * 5000, id="5000 opening brackets"),
        pytest.param("deep array", b"[" * 5000 + b"]" * 5000, id="an array nested 5000 deep"),
        pytest.param(
            "deep object", b'{"a":' * 30 + b"1" + b"}" * 30, id="an object nested 30 deep"
        ),
    ],
)
def test_a_deeply_nested_body_is_a_400_problem_without_a_traceback(
    api: Api,
    new_phone: Callable[[], str],
    caplog: pytest.LogCaptureFixture,
    name: str,
    raw: bytes,
) -> None:
    token = api.login(new_phone())
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = api.call("POST", "/v1/applications", raw=raw, token=token)
    assert response.status_code == 400, (name, response.body)
    problem = json.loads(response.body)
    assert problem["code"] == "malformed_json" and problem["detail_zh"]
    no_traceback(caplog)


def test_a_body_over_the_limit_is_413(api: Api, new_phone: Callable[[], str]) -> None:
    token = api.login(new_phone())
    raw = b'{"name": "' + b"a" * MAX_BODY + b'"}'
    response = api.call("POST", "/v1/applications", raw=raw, token=token)
    assert response.status_code == 413
    problem = json.loads(response.body)
    assert (problem["code"], problem["status"]) == ("too_large", 413) and problem["detail_zh"]


@pytest.mark.parametrize("part", ["header", "payload"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/me"), ("POST", "/v1/verify"), ("GET", "/v1/admin/appeals")],
)
def test_a_bearer_token_nested_too_deep_is_401_on_any_route_without_logging_in(
    api: Api, caplog: pytest.LogCaptureFixture, part: str, method: str, path: str
) -> None:
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = api.call(method, path, body={}, token=nested_token(part))
    assert response.status_code == 401, response.body
    assert json.loads(response.body)["code"] == "unauthenticated"
    no_traceback(caplog)


@pytest.mark.parametrize("part", ["header", "payload"])
def test_a_code_token_nested_too_deep_is_a_malformed_scan(
    api: Api, checker_token: str, caplog: pytest.LogCaptureFixture, part: str
) -> None:
    caplog.clear()
    with caplog.at_level(logging.INFO):
        status, answer = api.json(
            "POST", "/v1/verify", {"token": nested_token(part)}, token=checker_token
        )
    assert status == 200, answer
    assert (answer["valid"], answer["pass"]) == (False, False)
    # The header is read first: a deep one is malformed; under a plain header naming no key of
    # ours the payload is never parsed (the key, then the signature, come first).
    expected = "malformed" if part == "header" else "unknown_key"
    assert answer["reason"] == expected
    no_traceback(caplog)
