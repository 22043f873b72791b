"""Login codes under attack: parallel wrong guesses, and the SMS spend per number, source and
minute (issue 12 items 1 and 2), on DynamoDB Local."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import InvalidCode, RateLimited
from chalicelib.services import auth
from chalicelib.services.context import Context

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def _phone() -> str:
    return "139" + f"{uuid.uuid4().int % 10**8:08d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


class _SlowReads:
    """The logins port with a read that takes a while, so that parallel requests interleave
    between reading a login state and writing it back."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def get(self, phone_key: str) -> Any:
        found = self._inner.get(phone_key)
        time.sleep(0.2)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_forty_wrong_codes_at_once_count_five_tries_and_kill_the_code(ctx: Any) -> None:
    ctx = Context(replace(ctx.store, logins=_SlowReads(ctx.store.logins)), ctx.sms)
    phone = _phone()
    code = auth.request_otp(ctx, phone, NOW).dev_code
    assert code is not None
    guesses = [f"{(int(code) + 1 + i) % 10**6:06d}" for i in range(40)]

    def guess(wrong: str) -> str:
        try:
            auth.exchange(ctx, phone, wrong, NOW)
        except InvalidCode:
            return "refused"
        return "accepted"

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(guess, guesses))
    assert answers == ["refused"] * 40
    state, _ = ctx.store.logins.get(auth.phone_key(phone))
    assert state.attempts == 5  # at most five counted, never more, never fewer
    with pytest.raises(InvalidCode):
        auth.exchange(ctx, phone, code, NOW + timedelta(seconds=1))


def test_the_right_code_raced_by_itself_logs_in_once(ctx: Any) -> None:
    phone = _phone()
    code = auth.request_otp(ctx, phone, NOW).dev_code
    assert code is not None

    def use(_: int) -> bool:
        try:
            auth.exchange(ctx, phone, code, NOW)
        except InvalidCode:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(use, range(8))) == 1


def test_four_wrong_codes_then_the_right_one_logs_in(ctx: Any) -> None:
    phone = _phone()
    code = auth.request_otp(ctx, phone, NOW).dev_code
    assert code is not None
    for _ in range(4):
        with pytest.raises(InvalidCode):
            auth.exchange(ctx, phone, _wrong(code), NOW)
    assert auth.exchange(ctx, phone, code, NOW).access_token


def test_a_number_gets_at_most_the_daily_cap_of_codes_per_shanghai_day(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_OTP_DAILY_CAP", "3")
    phone = _phone()
    day = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    for hour in range(3):
        auth.request_otp(ctx, phone, day + timedelta(hours=hour))
    with pytest.raises(RateLimited) as refused:
        auth.request_otp(ctx, phone, day + timedelta(hours=3))
    # until midnight in Shanghai (16:00 UTC)
    assert (
        refused.value.retry_after
        == int((datetime(2026, 11, 28, 16, tzinfo=UTC) - day).total_seconds()) - 3 * 3600
    )
    assert auth.request_otp(ctx, phone, datetime(2026, 11, 28, 16, 0, tzinfo=UTC)).dev_code


def test_another_source_address_still_gets_codes_when_one_is_capped(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_OTP_SOURCE_HOURLY_CAP", "2")
    at = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)
    for _ in range(2):
        auth.request_otp(ctx, _phone(), at, "198.51.100.7")
    with pytest.raises(RateLimited) as refused:
        auth.request_otp(ctx, _phone(), at, "198.51.100.7")
    assert refused.value.retry_after == 1800  # the next clock hour
    assert auth.request_otp(ctx, _phone(), at, "203.0.113.9").retry_after == 60
    assert auth.request_otp(ctx, _phone(), at + timedelta(minutes=30), "198.51.100.7")


def test_the_overall_minute_cap_refuses_every_source_until_the_next_minute(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_OTP_GLOBAL_MINUTE_CAP", "3")
    at = datetime(2026, 11, 28, 6, 0, 45, tzinfo=UTC)
    for i in range(3):
        auth.request_otp(ctx, _phone(), at, f"192.0.2.{i}")
    with pytest.raises(RateLimited) as refused:
        auth.request_otp(ctx, _phone(), at, "192.0.2.99")
    assert refused.value.retry_after == 15
    assert auth.request_otp(ctx, _phone(), at + timedelta(seconds=15), "192.0.2.99")


def test_parallel_sends_from_one_source_never_pass_its_cap(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_OTP_SOURCE_HOURLY_CAP", "5")
    at = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)

    def send(phone: str) -> bool:
        try:
            auth.request_otp(ctx, phone, at, "198.51.100.200")
        except RateLimited:
            return False
        return True

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert sum(pool.map(send, [_phone() for _ in range(20)])) == 5


def test_a_send_refused_by_a_later_cap_gives_back_what_it_counted(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_OTP_GLOBAL_MINUTE_CAP", "1")
    monkeypatch.setenv("HEALTHCODE_OTP_SOURCE_HOURLY_CAP", "1")
    at = datetime(2026, 11, 28, 8, 0, 10, tzinfo=UTC)
    auth.request_otp(ctx, _phone(), at, "192.0.2.200")  # the minute is full now
    with pytest.raises(RateLimited):
        auth.request_otp(ctx, _phone(), at, "192.0.2.201")
    # the refused send did not use up 192.0.2.201's hour
    assert auth.request_otp(ctx, _phone(), at + timedelta(minutes=1), "192.0.2.201")
