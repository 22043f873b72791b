"""`streak` and friends: consecutive check-in days, as the Hainan rule and the check-in service
count them. Days are Asia/Shanghai calendar dates; the caller turns instants into days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain.checkins import by_day, checked_in, clean_streak, is_abnormal, streak
from chalicelib.domain.model import Checkin, Symptom

TODAY = date(2026, 11, 20)
ALL = tuple(Symptom)


def ago(*offsets: int, temperature: float = 36.5) -> tuple[Checkin, ...]:
    """Check-ins on TODAY minus each offset (negative: in the future)."""
    return tuple(Checkin(TODAY - timedelta(days=n), temperature) for n in offsets)


STREAK_ROWS = [
    pytest.param((), 0, id="no check-ins"),
    pytest.param(ago(0), 1, id="only today"),
    pytest.param(ago(1), 1, id="only yesterday, today not in yet: still counts"),
    pytest.param(ago(2), 0, id="only the day before yesterday: lost"),
    pytest.param(ago(1, 0), 2, id="yesterday and today"),
    pytest.param(ago(*range(14)), 14, id="14 days ending today"),
    pytest.param(ago(*range(1, 15)), 14, id="14 days ending yesterday"),
    pytest.param(ago(*range(30)), 30, id="longer than any rule needs"),
    pytest.param(ago(0, 1, 3, 4, 5), 2, id="a missed day ends it"),
    pytest.param(ago(1, 2, 4), 2, id="missed day before yesterday, today not in yet"),
    pytest.param(ago(3, 2, 0, 1), 4, id="any order"),
    pytest.param(ago(0, 0, 1, 1), 2, id="a day checked in twice counts once"),
    pytest.param(ago(-1), 0, id="tomorrow's check-in is ignored"),
    pytest.param(ago(-1, 0), 1, id="future day ignored, today counts"),
]


@pytest.mark.parametrize(("checkins", "expected"), STREAK_ROWS)
def test_streak_counts_consecutive_days_ending_today_or_yesterday(
    checkins: tuple[Checkin, ...], expected: int
) -> None:
    assert streak(checkins, TODAY) == expected
    assert streak(list(reversed(checkins)), TODAY) == expected
    assert streak(iter(checkins), TODAY) == expected  # any iterable, read once


CALENDAR_ROWS = [
    pytest.param(date(2026, 12, 30), date(2027, 1, 2), id="across the year end"),
    pytest.param(date(2028, 2, 27), date(2028, 3, 1), id="across 29 February (leap year)"),
    pytest.param(date(2027, 2, 27), date(2027, 3, 2), id="across February (no 29th)"),
    pytest.param(date(2026, 10, 30), date(2026, 11, 2), id="across a 31-day month"),
]


@pytest.mark.parametrize(("first", "last"), CALENDAR_ROWS)
def test_streak_follows_the_calendar(first: date, last: date) -> None:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert len(days) == 4
    checkins = [Checkin(d, 36.6) for d in days]
    assert streak(checkins, last) == 4
    assert streak(checkins, last + timedelta(days=1)) == 4  # the next day, before its check-in
    assert streak(checkins, last + timedelta(days=2)) == 0  # a whole day missed


def clean(c: Checkin) -> bool:
    return not is_abnormal(c, 37.3, ALL)


COUNTS_ROWS = [
    pytest.param(ago(*range(14)), 14, id="14 clean days"),
    pytest.param((*ago(*range(1, 14)), *ago(0, temperature=37.3)), 0, id="abnormal today: 0"),
    pytest.param(
        (*ago(*range(2, 14)), *ago(1, temperature=38.0)),
        0,
        id="abnormal yesterday, today not in yet: 0",
    ),
    pytest.param(
        (*ago(*range(1, 14)), *ago(5, temperature=37.5), *ago(0)),
        5,
        id="abnormal 5 days ago breaks it: days 4..0 count",
    ),
    pytest.param(
        (*ago(*range(14)), *ago(3, temperature=37.4)),
        3,
        id="a later check-in the same day replaces the earlier one",
    ),
    pytest.param(
        (*ago(3, temperature=37.4), *ago(*range(14))),
        14,
        id="a clean re-check-in replaces an abnormal one",
    ),
    pytest.param(
        (Checkin(TODAY, 36.5, (Symptom.COUGH,)), *ago(*range(1, 5))),
        0,
        id="a symptom today is abnormal",
    ),
]


@pytest.mark.parametrize(("checkins", "expected"), COUNTS_ROWS)
def test_streak_with_counts_stops_at_a_day_that_does_not_count(
    checkins: tuple[Checkin, ...], expected: int
) -> None:
    assert streak(checkins, TODAY, clean) == expected
    assert clean_streak(checkins, TODAY, 37.3, ALL) == expected


def test_without_counts_every_check_in_day_counts() -> None:
    checkins = (*ago(*range(1, 14)), *ago(0, temperature=39.0))
    assert streak(checkins, TODAY) == 14
    assert clean_streak(checkins, TODAY, 37.3, ALL) == 0


ABNORMAL_ROWS = [
    pytest.param(Checkin(TODAY, 37.3), True, id="37.3 is fever (大于或等于37.3℃)"),
    pytest.param(Checkin(TODAY, 37.29), False, id="37.29 is not"),
    pytest.param(Checkin(TODAY, 41.0), True, id="high fever"),
    pytest.param(Checkin(TODAY, 36.5, (Symptom.DRY_COUGH,)), True, id="listed symptom"),
    pytest.param(Checkin(TODAY, 36.5, (Symptom.FATIGUE,)), False, id="symptom not listed"),
    pytest.param(Checkin(TODAY, 36.5), False, id="clean"),
]


@pytest.mark.parametrize(("checkin", "abnormal"), ABNORMAL_ROWS)
def test_is_abnormal(checkin: Checkin, abnormal: bool) -> None:
    listed = (Symptom.FEVER, Symptom.DRY_COUGH, Symptom.SHORTNESS_OF_BREATH, Symptom.COUGH)
    assert is_abnormal(checkin, 37.3, listed) is abnormal


def test_checked_in_and_by_day() -> None:
    checkins = (*ago(2, 1), *ago(1, temperature=37.0), *ago(-1))
    assert checked_in(checkins, TODAY - timedelta(days=1))
    assert not checked_in(checkins, TODAY)
    days = by_day(checkins, TODAY)
    assert sorted(days) == [TODAY - timedelta(days=2), TODAY - timedelta(days=1)]
    assert days[TODAY - timedelta(days=1)].temperature == 37.0  # the last one given wins
