"""The arrival rules (来鲁申报) of the three policies: every origin kind, its colour and end date.

Source: the Shandong notice cited in chalicelib/policies/shandong.json
("外省来鲁（返鲁）人员……持绿码一律通行"; "自境外入鲁（返鲁）人员隔离期满后，经检测合格的……自动赋码")
and question 4 (红码/黄码).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain.model import (
    ABROAD,
    Arrival,
    Category,
    Color,
    Declaration,
    Facts,
    Record,
    Risk,
    TestResult,
)
from chalicelib.domain.rules import evaluate, next_review
from chalicelib.policies import load

T = date(2026, 11, 20)  # today
PREFIX = {"shandong": "SD", "hubei": "HB", "hainan": "HN"}
LOW, MEDIUM, HIGH = "110105", "440106", "420100"
RISKS = {LOW: Risk.LOW, MEDIUM: Risk.MEDIUM, HIGH: Risk.HIGH}


def day(offset: int) -> date:
    return T + timedelta(days=offset)


def arrival(region: str = LOW, color: Color | None = Color.GREEN, **changes: Any) -> Arrival:
    fields: dict[str, Any] = {
        "origin_province": region[:2] + "0000",
        "origin_region": region,
        "arrival_date": day(-2),
        "transport": "G123",
        "origin_color": color,
    }
    fields.update(changes)
    return Arrival(**fields)


def abroad(quarantine_end: int, test: TestResult, tested: int | None = None) -> Arrival:
    return Arrival(
        origin_province=ABROAD,
        origin_region=None,
        arrival_date=day(-14),
        transport="CA982",
        origin_color=None,
        quarantine_end=day(quarantine_end),
        test_result=test,
        test_date=None if tested is None else day(tested),
    )


def facts(a: Arrival, *records: Record, **declaration: Any) -> Facts:
    return Facts(
        declaration=Declaration(**declaration),
        declared_on=day(-2),
        region_risks=dict(RISKS),
        records=records,
        arrival=a,
    )


# (facts, colour, rule suffixes in order, until of the first reason)
ROWS = [
    pytest.param(facts(arrival()), Color.GREEN, ["G-default"], None, id="green code, low risk"),
    pytest.param(
        facts(arrival(MEDIUM)),
        Color.YELLOW,
        ["Y-arrival-medium-risk-origin"],
        day(12),
        id="medium-risk origin: yellow 14 days from arrival",
    ),
    pytest.param(
        facts(arrival(HIGH)),
        Color.RED,
        ["R-arrival-high-risk-origin"],
        day(12),
        id="high-risk origin: red 14 days from arrival",
    ),
    pytest.param(
        facts(arrival(LOW, Color.RED)),
        Color.RED,
        ["R-arrival-red-code"],
        day(12),
        id="red origin code: red 14 days",
    ),
    pytest.param(
        facts(arrival(LOW, Color.YELLOW)),
        Color.YELLOW,
        ["Y-arrival-yellow-code"],
        day(12),
        id="yellow origin code: yellow 14 days",
    ),
    pytest.param(
        facts(abroad(0, TestResult.NEGATIVE, 0)),
        Color.YELLOW,
        ["Y-arrival-abroad"],
        day(0),
        id="abroad, quarantine ends today, tested today: yellow until quarantine_end",
    ),
    pytest.param(
        facts(abroad(-1, TestResult.NEGATIVE, -2)),
        Color.GREEN,
        ["G-default"],
        None,
        id="abroad, quarantine over, negative test: green",
    ),
    pytest.param(
        facts(abroad(-1, TestResult.NONE)),
        Color.YELLOW,
        ["Y-arrival-abroad"],
        None,
        id="abroad, quarantine over, no test: yellow until a new declaration",
    ),
    pytest.param(
        facts(abroad(-1, TestResult.POSITIVE, -1)),
        Color.RED,
        ["R-arrival-positive-test", "Y-arrival-abroad"],
        None,
        id="abroad, positive test: red until cleared",
    ),
    pytest.param(
        facts(
            abroad(-1, TestResult.POSITIVE, -5),
            Record("c1", Category.CLEARED, day(-1)),
        ),
        Color.YELLOW,
        ["Y-arrival-abroad"],
        None,
        id="abroad, positive test cleared since: the positive test no longer counts",
    ),
    pytest.param(
        facts(abroad(-1, TestResult.NEGATIVE, -2), from_abroad=True),
        Color.GREEN,
        ["G-default"],
        None,
        id="abroad: the arrival, not the declaration's from_abroad flag, decides",
    ),
]


@pytest.mark.parametrize("profile", sorted(PREFIX))
@pytest.mark.parametrize(("f", "color", "rules", "until"), ROWS)
def test_arrival_rules(
    profile: str, f: Facts, color: Color, rules: list[str], until: date | None
) -> None:
    a = evaluate(load(profile), f, T)
    assert a.color is color
    assert [r.rule for r in a.reasons] == [f"{PREFIX[profile]}-{rule}" for rule in rules]
    assert a.reasons[0].until == until


def covered(profile: str) -> set[str]:
    """The arrival rules these rows check (the per-province coverage tests count them)."""
    return {f"{PREFIX[profile]}-{rule}" for row in ROWS for rule in row.values[2]}  # type: ignore[attr-defined]


def test_the_14_day_states_end_after_the_14th_day_and_the_review_day_says_so() -> None:
    """Counted from the day after the arrival (Civil Code art. 201): arrival D = day(-2) counts
    D+1 … D+14, so day(12) is the last yellow day and day(13) the review day."""
    policy = load("shandong")
    f = facts(arrival(MEDIUM))
    assert evaluate(policy, f, day(12)).color is Color.YELLOW  # arrival + 14: last day
    assert evaluate(policy, f, day(13)).color is Color.GREEN
    assert next_review(evaluate(policy, f, T), f, T) == day(13)


def test_abroad_with_a_negative_test_turns_green_the_day_after_quarantine_end() -> None:
    policy = load("shandong")
    f = facts(abroad(1, TestResult.NEGATIVE, 0))  # tested on the quarantine's last 2 days
    assert next_review(evaluate(policy, f, T), f, T) == day(2)
    assert evaluate(policy, f, day(1)).color is Color.YELLOW
    assert evaluate(policy, f, day(2)).color is Color.GREEN


def test_a_red_origin_code_from_a_high_risk_area_gives_both_reasons() -> None:
    a = evaluate(load("shandong"), facts(arrival(HIGH, Color.RED)), T)
    assert [r.code for r in a.reasons] == ["arrival_red_origin_code", "arrival_from_high_risk_area"]


def test_an_arrival_rule_with_a_green_origin_colour_is_refused_by_the_loader() -> None:
    from chalicelib.domain.policy import Policy, PolicyError

    data = load("shandong").to_dict()
    rule = next(r for r in data["rules"] if r["when"]["kind"] == "arrival_color")
    rule["when"]["colors"] = ["green"]
    with pytest.raises(PolicyError, match="green origin code"):
        Policy.from_dict(data)
