"""The SMS code rules: single use, five wrong tries, ten minutes, cooldown and hourly cap."""

from __future__ import annotations

import pytest

from chalicelib.domain import otp
from chalicelib.domain.errors import RateLimited

LIMITS = otp.OtpLimits(ttl=600, max_attempts=5, cooldown=60, hourly_cap=5)
T0 = 1_800_000_000


def test_a_code_is_accepted_once_and_then_never_again() -> None:
    state = otp.issue(None, "h1", T0, LIMITS)
    used = otp.check(state, "h1", T0 + 10, LIMITS)
    with pytest.raises(otp.RejectedCode):
        otp.check(used, "h1", T0 + 11, LIMITS)


def test_a_code_dies_after_five_wrong_tries_even_if_the_sixth_is_right() -> None:
    state = otp.issue(None, "good", T0, LIMITS)
    for attempt in range(5):
        with pytest.raises(otp.RejectedCode) as rejected:
            otp.check(state, "bad", T0 + attempt, LIMITS)
        assert rejected.value.state is not None
        state = rejected.value.state
    with pytest.raises(otp.RejectedCode):
        otp.check(state, "good", T0 + 6, LIMITS)


def test_four_wrong_tries_still_leave_the_right_code_usable() -> None:
    state = otp.issue(None, "good", T0, LIMITS)
    for attempt in range(4):
        with pytest.raises(otp.RejectedCode) as rejected:
            otp.check(state, "bad", T0 + attempt, LIMITS)
        state = rejected.value.state  # type: ignore[assignment]
    otp.check(state, "good", T0 + 5, LIMITS)


@pytest.mark.parametrize(("after", "accepted"), [(599, True), (600, False), (3600, False)])
def test_a_code_lives_ten_minutes(after: int, accepted: bool) -> None:
    state = otp.issue(None, "h", T0, LIMITS)
    if accepted:
        otp.check(state, "h", T0 + after, LIMITS)
    else:
        with pytest.raises(otp.RejectedCode):
            otp.check(state, "h", T0 + after, LIMITS)


def test_a_second_code_within_the_cooldown_is_refused_with_the_wait() -> None:
    state = otp.issue(None, "h", T0, LIMITS)
    with pytest.raises(RateLimited) as limited:
        otp.issue(state, "h2", T0 + 20, LIMITS)
    assert limited.value.retry_after == 40


def test_the_sixth_code_within_an_hour_is_refused_until_the_first_leaves_the_hour() -> None:
    state = None
    for n in range(5):
        state = otp.issue(state, f"h{n}", T0 + n * 60, LIMITS)
    with pytest.raises(RateLimited) as limited:
        otp.issue(state, "h5", T0 + 5 * 60, LIMITS)
    assert limited.value.retry_after == 3600 - 5 * 60
    otp.issue(state, "h5", T0 + 3600, LIMITS)


def test_a_new_code_replaces_the_old_one() -> None:
    first = otp.issue(None, "old", T0, LIMITS)
    second = otp.issue(first, "new", T0 + 61, LIMITS)
    with pytest.raises(otp.RejectedCode):
        otp.check(second, "old", T0 + 62, LIMITS)
    otp.check(second, "new", T0 + 62, LIMITS)


def test_a_send_time_in_the_future_does_not_lock_the_number_out() -> None:
    # The clock was corrected backwards after this send.
    state = otp.issue(None, "h", T0 + 10_000, LIMITS)
    otp.issue(state, "h2", T0, LIMITS)


@pytest.mark.parametrize(("stage", "per_source"), [("local", 0), ("dev", 20), ("prod", 20)])
def test_the_per_source_cap_is_twenty_an_hour_in_dev_and_prod_and_off_in_local(
    stage: str, per_source: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import config

    monkeypatch.setenv("HEALTHCODE_STAGE", stage)
    monkeypatch.delenv("HEALTHCODE_OTP_SOURCE_HOURLY_CAP", raising=False)
    monkeypatch.delenv("HEALTHCODE_OTP_GLOBAL_MINUTE_CAP", raising=False)
    assert config.otp_source_hourly_cap() == per_source
    assert (config.otp_global_minute_cap() > 0) is (stage != "local")
