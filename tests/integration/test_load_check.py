"""The check that ends `make load` (tools/load_check.py): each kind of accepted write that the
database lacks is counted, and one that is there is not."""

from __future__ import annotations

import random
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.model import Color, Role
from chalicelib.security.tokens import AccessClaims, verify_access
from chalicelib.services.auth import exchange, request_otp
from chalicelib.services.checkins import check_in
from chalicelib.services.context import Context
from chalicelib.services.verify import record_scan
from tests.conftest import ROOT
from tests.holders import holder, shanghai

sys.path.insert(0, str(ROOT / "tools"))
from load_check import Accepted, missing_writes  # noqa: E402

NOW = shanghai(2026, 11, 22, 9, 30)


def _phone() -> str:
    return f"16{random.randrange(10**9):09d}"


def test_a_stored_scan_counts_once_and_a_second_one_accepted_at_that_second_is_missing(
    ctx: Context,
) -> None:
    _, person = holder(ctx, NOW)
    checker = AccessClaims("chk" + person.person_id[:8], frozenset({Role.CHECKER}), "gate-9")
    record_scan(ctx, checker, None, NOW, Color.GREEN, None, person.person_id)
    key = (checker.account_id, person.person_id, NOW.isoformat(timespec="seconds"))

    assert missing_writes(Accepted(scans=Counter({key: 1}))).scans == 0
    assert missing_writes(Accepted(scans=Counter({key: 2}))).scans == 1


def test_a_check_in_is_missing_unless_the_day_holds_the_temperature_last_accepted(
    ctx: Context,
) -> None:
    actor, person = holder(ctx, NOW)
    check_in(ctx, actor, person.person_id, 36.4, (), NOW)
    day = shanghai_date(NOW).isoformat()

    assert missing_writes(Accepted(checkins={(person.person_id, day): 36.4})).checkins == 0
    assert missing_writes(Accepted(checkins={(person.person_id, day): 36.7})).checkins == 1
    assert missing_writes(Accepted(checkins={(person.person_id, "2026-11-21"): 36.4})).checkins == 1


def test_a_login_is_missing_without_its_account_or_with_another_account(ctx: Context) -> None:
    now, phone = datetime.now(UTC), _phone()
    sent = request_otp(ctx, phone, now)
    assert sent.dev_code is not None
    token = exchange(ctx, phone, sent.dev_code, now).access_token
    account_id = verify_access(ctx.access_keys, token, now).account_id

    assert missing_writes(Accepted(logins={phone: account_id})).logins == 0
    assert missing_writes(Accepted(logins={phone: "someone-else"})).logins == 1
    assert missing_writes(Accepted(logins={_phone(): account_id})).logins == 1


def test_a_login_whose_code_is_still_unused_is_missing(ctx: Context) -> None:
    now, phone = datetime.now(UTC), _phone()
    sent = request_otp(ctx, phone, now)
    assert sent.dev_code is not None
    token = exchange(ctx, phone, sent.dev_code, now).access_token
    account_id = verify_access(ctx.access_keys, token, now).account_id
    request_otp(ctx, phone, now + timedelta(seconds=61))  # a new code, never exchanged

    assert missing_writes(Accepted(logins={phone: account_id})).logins == 1
