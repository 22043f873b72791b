"""One day-counting convention for every 14-day state and the paper code (issue 11, item 9).

A period in days counts from the day after its start (Civil Code, article 201): a 14-day state
that starts on D counts D+1 … D+14, so the colour holds from D through D+14 and the person is
green on D+15; the reason's `until` is D+14 and the expire job reviews the person on D+15.

Seed sentences: "中风险地区的人员跨区域流动时，抵达目的地后，需要居家隔离医学观察14天" (an arrival),
"14天内有发热门诊就诊记录的人员" (a record), "14天内……接触史" (a declared visit) and
"打印纸质健康通行码出行，有效期14天" (a paper code issued on D is valid through D+14).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib import config
from chalicelib.domain.days import last_day
from chalicelib.domain.model import Arrival, Category, Color, Declaration, Facts, Record, Risk
from chalicelib.domain.rules import evaluate, next_review
from chalicelib.policies import load

MEDIUM = "440106"
STARTS = [
    pytest.param(date(2026, 11, 1), date(2026, 11, 15), id="within a month"),
    pytest.param(date(2026, 11, 20), date(2026, 12, 4), id="across a month end"),
    pytest.param(date(2026, 12, 25), date(2027, 1, 8), id="across a year end"),
    pytest.param(date(2027, 2, 20), date(2027, 3, 6), id="across February"),
]


def visit(start: date) -> Facts:
    return Facts(Declaration(visited_regions=(MEDIUM,)), start, {MEDIUM: Risk.MEDIUM})


def arrival(start: date) -> Facts:
    a = Arrival(
        origin_province="440000",
        origin_region=MEDIUM,
        arrival_date=start,
        transport="G123",
        origin_color=Color.GREEN,
    )
    return Facts(Declaration(), start, {MEDIUM: Risk.MEDIUM}, arrival=a)


def record(start: date) -> Facts:
    return Facts(Declaration(), start, records=(Record("r1", Category.FEVER_CLINIC, start),))


# Each province with each 14-day state its policy has (Hubei colours no declared medium-risk visit
# and no fever-clinic record yellow; Hainan no declared medium-risk visit).
KINDS = [
    pytest.param("shandong", visit, id="shandong: a declared visit"),
    pytest.param("shandong", arrival, id="shandong: an arrival"),
    pytest.param("shandong", record, id="shandong: a record's since"),
    pytest.param("hubei", arrival, id="hubei: an arrival"),
    pytest.param("hainan", arrival, id="hainan: an arrival"),
    pytest.param("hainan", record, id="hainan: a record's since"),
]


@pytest.mark.parametrize(("start", "last"), STARTS)
def test_a_14_day_state_that_starts_on_d_ends_on_d_plus_14(start: date, last: date) -> None:
    assert last_day(start, 14) == last == start + timedelta(days=14)


@pytest.mark.parametrize(("profile", "kind"), KINDS)
@pytest.mark.parametrize(("start", "last"), STARTS)
def test_the_colour_holds_from_d_through_d_plus_14_and_is_green_on_d_plus_15(
    profile: str, kind: object, start: date, last: date
) -> None:
    policy = load(profile)
    f = kind(start)  # type: ignore[operator]
    for today in (start, last):
        a = evaluate(policy, f, today)
        assert a.color is Color.YELLOW, (today, a)
        assert a.reasons[0].until == last  # the last day the colour holds
        assert a.valid_until == last
        assert next_review(a, f, today) == last + timedelta(days=1)
    assert evaluate(policy, f, last + timedelta(days=1)).color is Color.GREEN


@pytest.mark.parametrize(("start", "last"), STARTS)
def test_a_paper_code_issued_on_d_is_valid_through_d_plus_14(start: date, last: date) -> None:
    assert config.paper_code_days() == 14
    assert last_day(start, config.paper_code_days()) == last
