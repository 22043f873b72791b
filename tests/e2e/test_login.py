"""Login by SMS code over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import time_machine

from tests.e2e.conftest import Api


def test_an_unknown_and_a_known_number_get_the_same_answer(
    api: Api, new_phone: Callable[[], str]
) -> None:
    known = new_phone()
    api.login(known)
    unknown = new_phone()
    answers = []
    with time_machine.travel(time.time() + 61, tick=True):  # past the known number's cooldown
        for phone in (unknown, known):
            status, sent = api.json("POST", "/v1/auth/otp", {"phone": phone})
            assert status == 202
            answers.append(sorted(sent))
    assert answers[0] == answers[1] == ["dev_code", "retry_after"]


def test_a_code_works_once(api: Api, new_phone: Callable[[], str]) -> None:
    phone = new_phone()
    code = api.json("POST", "/v1/auth/otp", {"phone": phone})[1]["dev_code"]
    status, login = api.json("POST", "/v1/auth/token", {"phone": phone, "code": code})
    assert status == 200
    assert login["token_type"] == "Bearer" and login["expires_in"] == 3600
    assert login["roles"] == ["resident"]
    status, problem = api.json("POST", "/v1/auth/token", {"phone": phone, "code": code})
    assert status == 401 and problem["code"] == "invalid_code"


def test_five_wrong_codes_kill_the_right_one(api: Api, new_phone: Callable[[], str]) -> None:
    phone = new_phone()
    code = api.json("POST", "/v1/auth/otp", {"phone": phone})[1]["dev_code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert api.json("POST", "/v1/auth/token", {"phone": phone, "code": wrong})[0] == 401
    assert api.json("POST", "/v1/auth/token", {"phone": phone, "code": code})[0] == 401


def test_a_second_code_too_soon_is_429_with_retry_after(
    api: Api, new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    assert api.json("POST", "/v1/auth/otp", {"phone": phone})[0] == 202
    response = api.call("POST", "/v1/auth/otp", {"phone": phone})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert json.loads(response.body)["code"] == "rate_limited"


def test_a_number_with_a_plus86_prefix_is_the_same_login(
    api: Api, new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    first = api.login(phone)
    with time_machine.travel(time.time() + 61, tick=True):
        second = api.login(f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}")
    me1, me2 = (api.json("GET", "/v1/me", token=t)[1] for t in (first, second))
    assert me1 == me2 and me1["phone"] == phone


def test_a_malformed_phone_is_a_400_naming_the_field(api: Api) -> None:
    status, problem = api.json("POST", "/v1/auth/otp", {"phone": "12345"})
    assert status == 400 and problem["code"] == "invalid_phone"
    assert problem["errors"][0]["field"] == "phone"


def test_one_source_address_gets_at_most_the_hourly_cap_of_codes_whatever_the_numbers(
    api: Api, new_phone: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_OTP_SOURCE_HOURLY_CAP", "3")
    known = new_phone()
    api.login(known)  # an account exists for this one; the answers must not tell
    with time_machine.travel(time.time() + 3600, tick=True):  # a new hour, past every cooldown
        for _ in range(3):
            assert api.json("POST", "/v1/auth/otp", {"phone": new_phone()})[0] == 202
        answers = [api.call("POST", "/v1/auth/otp", {"phone": p}) for p in (new_phone(), known)]
    for response in answers:
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 3600
        assert json.loads(response.body)["code"] == "rate_limited"
    first, second = (json.loads(r.body) for r in answers)
    assert first.pop("request_id") != second.pop("request_id")
    assert first == second
