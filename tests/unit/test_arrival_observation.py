"""An arrival's observation is fixed when the person arrives (issue 11, item 3).

Seed (000_ba8d9fb67dd2ff13.txt, 004_c9687e30082c0c46.txt):
"中风险地区的人员跨区域流动时，抵达目的地后，需要居家隔离医学观察14天".
The risk that counts is the origin's on the arrival date: nothing before the person arrives, a later
upgrade may raise the colour, a downgrade does not end the window.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain.model import Arrival, Color, Declaration, Facts, Risk
from chalicelib.domain.rules import evaluate, next_review
from chalicelib.policies import load

SEED = "中风险地区的人员跨区域流动时，抵达目的地后，需要居家隔离医学观察14天"
A = date(2026, 11, 20)  # the arrival date
REGION = "440106"


def day(offset: int) -> date:
    return A + timedelta(days=offset)


def facts(now: Risk, fixed: Risk | None) -> Facts:
    arrival = Arrival(
        origin_province="440000",
        origin_region=REGION,
        arrival_date=A,
        transport="G123",
        origin_color=Color.GREEN,
        origin_risk=fixed,
    )
    return Facts(
        declaration=Declaration(),
        declared_on=day(-3),
        region_risks={REGION: now},
        arrival=arrival,
    )


# (today, the origin's risk now, the risk fixed on arriving, colour)
ROWS = [
    pytest.param(day(-3), Risk.MEDIUM, None, Color.GREEN, id="announced ahead: not yet arrived"),
    pytest.param(day(-1), Risk.MEDIUM, None, Color.GREEN, id="the day before arriving"),
    pytest.param(day(0), Risk.MEDIUM, Risk.MEDIUM, Color.YELLOW, id="the arrival day"),
    pytest.param(
        day(0), Risk.MEDIUM, None, Color.YELLOW, id="arrival day, not yet fixed: risk now"
    ),
    pytest.param(
        day(3), Risk.LOW, Risk.MEDIUM, Color.YELLOW, id="a downgrade does not end the window"
    ),
    pytest.param(day(3), Risk.HIGH, Risk.MEDIUM, Color.RED, id="a later upgrade raises the colour"),
    pytest.param(
        day(3), Risk.MEDIUM, Risk.LOW, Color.YELLOW, id="an upgrade after a low arrival counts"
    ),
    pytest.param(day(14), Risk.LOW, Risk.MEDIUM, Color.YELLOW, id="the window's last day"),
    pytest.param(day(15), Risk.LOW, Risk.MEDIUM, Color.GREEN, id="the window is over"),
    pytest.param(day(3), Risk.LOW, Risk.LOW, Color.GREEN, id="low on arriving, low now"),
]


@pytest.mark.parametrize("profile", ["shandong", "hubei", "hainan"])
@pytest.mark.parametrize(("today", "now", "fixed", "color"), ROWS)
def test_the_origins_risk_on_the_arrival_date_decides_the_observation(
    profile: str, today: date, now: Risk, fixed: Risk | None, color: Color
) -> None:
    assert SEED  # the sentence this table checks
    assert evaluate(load(profile), facts(now, fixed), today).color is color


def test_an_arrival_announced_ahead_is_reviewed_on_the_arrival_day() -> None:
    f = facts(Risk.MEDIUM, None)
    assert next_review(evaluate(load("shandong"), f, day(-3)), f, day(-3)) == A


@pytest.mark.parametrize(
    ("today", "risks", "fixed"),
    [
        pytest.param(day(-1), {REGION: Risk.MEDIUM}, None, id="before arriving: not fixed"),
        pytest.param(day(0), {REGION: Risk.MEDIUM}, Risk.MEDIUM, id="on arriving: the risk then"),
        pytest.param(day(2), {}, Risk.LOW, id="a region not in the table is low"),
        pytest.param(
            day(0), {REGION: Risk.LOW, "440000": Risk.HIGH}, Risk.HIGH, id="the province counts"
        ),
    ],
)
def test_the_risk_is_fixed_once_the_person_has_arrived(
    today: date, risks: dict[str, Risk], fixed: Risk | None
) -> None:
    arrival = facts(Risk.LOW, None).arrival
    assert arrival is not None
    assert arrival.fixed(risks, today).origin_risk is fixed


def test_a_fixed_risk_is_not_fixed_again() -> None:
    arrival = facts(Risk.LOW, Risk.MEDIUM).arrival
    assert arrival is not None
    assert arrival.fixed({REGION: Risk.LOW}, day(3)).origin_risk is Risk.MEDIUM
