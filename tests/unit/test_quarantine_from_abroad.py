"""Quarantine from abroad is not self-shortened (issue 11, item 4).

Seed (004_c9687e30082c0c46.txt):
"自境外入鲁（返鲁）人员隔离期满后，经检测合格的通过“来鲁申报”模块申领健康通行码".
The quarantine is 14 days (a `quarantine_end` earlier than 14 days after `arrival_date` is 400
`quarantine_too_short`), and the test that releases is the one at its end: inferred, a negative
test taken on the quarantine's last 2 days or later.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.api.schemas.arrivals import ArrivalIn
from chalicelib.domain.model import ABROAD, Arrival, Color, Declaration, Facts, TestResult
from chalicelib.domain.rules import evaluate
from chalicelib.policies import load

SEED = "自境外入鲁（返鲁）人员隔离期满后，经检测合格的"
A = date(2026, 11, 1)  # the arrival date
END = A + timedelta(days=14)  # D+1 … D+14


def body(quarantine_end: date) -> dict[str, Any]:
    return {
        "origin_province": "abroad",
        "origin_region": None,
        "arrival_date": A.isoformat(),
        "transport": "CA982",
        "quarantine_end": quarantine_end.isoformat(),
        "test_result": "none",
    }


@pytest.mark.parametrize(
    ("end", "accepted"),
    [
        pytest.param(A, False, id="quarantine_end on the arrival date"),
        pytest.param(A - timedelta(days=1), False, id="quarantine_end before the arrival"),
        pytest.param(END - timedelta(days=1), False, id="13 days after the arrival"),
        pytest.param(END, True, id="14 days after the arrival"),
        pytest.param(END + timedelta(days=7), True, id="longer than 14 days"),
    ],
)
def test_a_quarantine_shorter_than_14_days_is_quarantine_too_short(
    end: date, accepted: bool
) -> None:
    assert SEED
    if accepted:
        ArrivalIn.model_validate(body(end))
        return
    with pytest.raises(ValidationError) as raised:
        ArrivalIn.model_validate(body(end))
    error = raised.value.errors()[0]
    assert error["type"] == "quarantine_too_short"
    assert "不足14天" in str(error.get("ctx", {})) or "14" in error["msg"]


def facts(tested: date | None, result: TestResult = TestResult.NEGATIVE) -> Facts:
    arrival = Arrival(
        origin_province=ABROAD,
        origin_region=None,
        arrival_date=A,
        transport="CA982",
        origin_color=None,
        quarantine_end=END,
        test_result=result if tested else TestResult.NONE,
        test_date=tested,
    )
    return Facts(declaration=Declaration(), declared_on=A, arrival=arrival)


# (test date, the day evaluated, colour)
ROWS = [
    pytest.param(A, END + timedelta(days=1), Color.YELLOW, id="tested on arriving: does not count"),
    pytest.param(
        END - timedelta(days=2), END + timedelta(days=1), Color.YELLOW, id="tested 2 days before"
    ),
    pytest.param(
        END - timedelta(days=1), END + timedelta(days=1), Color.GREEN, id="tested the day before"
    ),
    pytest.param(END, END, Color.YELLOW, id="tested on the last day: yellow through it"),
    pytest.param(
        END, END + timedelta(days=1), Color.GREEN, id="tested on the last day: green after"
    ),
    pytest.param(
        END + timedelta(days=2), END + timedelta(days=3), Color.GREEN, id="tested after the end"
    ),
    pytest.param(None, END + timedelta(days=30), Color.YELLOW, id="no test: yellow"),
]


@pytest.mark.parametrize("profile", ["shandong", "hubei", "hainan"])
@pytest.mark.parametrize(("tested", "today", "color"), ROWS)
def test_a_negative_test_releases_only_when_taken_at_the_quarantines_end(
    profile: str, tested: date | None, today: date, color: Color
) -> None:
    assert evaluate(load(profile), facts(tested), today).color is color
