"""The days check-ins, retention and the expire job look at: Asia/Shanghai calendar days, with
the boundaries at 23:59 and 00:01 and across a month end."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import (
    CHECKIN_FACT_DAYS,
    days_to_review,
    finished_through,
    recent,
    retention_cutoff,
)
from tests.holders import shanghai

LAST_OF_NOVEMBER = shanghai(2026, 11, 30, 23, 59)  # 15:59 UTC
FIRST_OF_DECEMBER = shanghai(2026, 12, 1, 0, 1)  # 16:01 UTC, still 30 November in UTC


def test_23_59_and_00_01_in_shanghai_are_two_days_across_the_month_end() -> None:
    assert shanghai_date(LAST_OF_NOVEMBER) == date(2026, 11, 30)
    assert shanghai_date(FIRST_OF_DECEMBER) == date(2026, 12, 1)
    assert LAST_OF_NOVEMBER.date() == FIRST_OF_DECEMBER.date()  # one day in UTC


def test_the_recent_check_ins_are_28_days_ending_today_across_a_month_end() -> None:
    assert recent(date(2026, 12, 1), CHECKIN_FACT_DAYS) == (date(2026, 11, 4), date(2026, 12, 1))
    assert recent(date(2027, 3, 1), 28) == (date(2027, 2, 2), date(2027, 3, 1))


def test_retention_keeps_28_days_today_included_and_the_day_before_goes() -> None:
    today = shanghai_date(FIRST_OF_DECEMBER)
    cutoff = retention_cutoff(today, 28)
    assert cutoff == date(2026, 11, 3)
    assert recent(today, 28)[0] == date(2026, 11, 4)  # the first day kept follows the cutoff
    assert retention_cutoff(shanghai_date(LAST_OF_NOVEMBER), 28) == date(2026, 11, 2)


@pytest.mark.parametrize(
    ("done", "today", "expected"),
    [
        pytest.param(date(2026, 11, 30), date(2026, 12, 1), ["2026-12-01"], id="hourly"),
        pytest.param(
            date(2026, 11, 29),
            date(2026, 12, 1),
            ["2026-11-30", "2026-12-01"],
            id="a missed day across the month end",
        ),
        pytest.param(date(2026, 12, 5), date(2026, 12, 1), ["2026-12-01"], id="clock moved back"),
        pytest.param(date(2026, 12, 1), date(2026, 12, 1), ["2026-12-01"], id="today again"),
    ],
)
def test_the_expire_job_reads_from_the_day_after_its_watermark_through_today(
    done: date, today: date, expected: list[str]
) -> None:
    assert [d.isoformat() for d in days_to_review(done, today, 60)] == expected


def test_a_first_run_looks_back_a_fixed_number_of_days() -> None:
    days = days_to_review(None, date(2026, 12, 1), 3)
    assert days == [date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)]


def test_the_watermark_stops_before_today_and_before_a_day_with_failures() -> None:
    days = [date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)]
    today = date(2026, 12, 1)
    assert finished_through(days, set(days), today) == date(2026, 11, 30)
    assert finished_through(days, {days[0], days[2]}, today) == date(2026, 11, 29)
    assert finished_through(days, {days[1], days[2]}, today) is None
    assert finished_through([today], {today}, today) is None
