"""Each condition kind lives in one class: adding a provincial rule kind touches one place."""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar, Self

import pytest

from chalicelib import policies
from chalicelib.domain import conditions, policy, rules
from chalicelib.domain.conditions import KINDS, Condition, Hit
from chalicelib.domain.model import Checkin, Color, Declaration, Facts
from chalicelib.domain.policy import Defaults, Policy, PolicyError
from chalicelib.domain.policy_json import days
from chalicelib.domain.rules import checkin_days, evaluate
from tests.unit.test_policy import as_written

POLICY_FILES = sorted(Path(policies.__file__).parent.glob("*.json"))
T = date(2026, 11, 20)


def _kinds_in_files() -> set[str]:
    return {
        rule["when"]["kind"]
        for path in POLICY_FILES
        for rule in json.loads(path.read_text(encoding="utf-8"))["rules"]
    }


def test_the_registry_holds_every_kind_the_three_policy_files_use() -> None:
    assert len(POLICY_FILES) == 3
    assert _kinds_in_files() <= set(KINDS)


def test_every_condition_class_is_registered_under_its_own_kind() -> None:
    defined = {
        cls
        for _, cls in inspect.getmembers(conditions, inspect.isclass)
        if issubclass(cls, Condition) and cls is not Condition
    }
    assert defined == set(KINDS.values())
    assert all(name == cls.kind for name, cls in KINDS.items())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_parses_and_checks_itself_on_its_own_class(kind: str) -> None:
    cls = KINDS[kind]
    assert {"parse", "holds"} <= set(vars(cls)), f"{cls.__name__} inherits its parse or check"
    assert cls.lookback_days is Condition.lookback_days or "lookback_days" in vars(cls)


@pytest.mark.parametrize("module", [policy, rules], ids=lambda m: m.__name__)
def test_the_loader_and_the_engine_name_no_condition_kind(module: Any) -> None:
    """No table, `isinstance` or `if kind == ...` outside conditions.py: they only call the
    condition's own methods."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert not names & {cls.__name__ for cls in KINDS.values()}
    assert not strings & set(KINDS)


# --- a new kind, written as one class and nothing else ------------------------------------------


@dataclass(frozen=True)
class FeverDaysCondition(Condition):
    """At least `times` check-ins of `at_least` °C or more in the last `within_days` days."""

    at_least: float
    times: int
    within_days: int
    kind: ClassVar[str] = "fever_days"
    placeholders: ClassVar[frozenset[str]] = frozenset({"count"})

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls(
            float(d["at_least"]),
            days(d["times"], f"{where}.times"),
            days(d["within_days"], f"{where}.within_days"),
        )

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        first = today - timedelta(days=self.within_days - 1)
        recent = [c for c in facts.checkins if first <= c.day <= today]
        fevers = [c.day for c in recent if c.temperature >= self.at_least]
        if len(fevers) < self.times:
            return None
        return Hit(min(fevers) + timedelta(days=self.within_days - 1), {"count": len(fevers)})

    def lookback_days(self) -> int:
        return self.within_days


FEVER_DAYS_RULE: dict[str, Any] = {
    "id": "XX-Y-fever-days",
    "color": "yellow",
    "when": {"kind": "fever_days", "at_least": 37.0, "times": 2, "within_days": 20},
    "reason": {
        "code": "repeated_fever",
        "en": "{count} feverish check-ins",
        "zh": "{count}次打卡发热",
    },
    "basis": "inferred",
    "why": "假设的通告：二十天内两次发热打卡者赋黄码。",
}


@pytest.fixture
def with_fever_days(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The Hubei policy plus one rule of the new kind, the class added to the registry."""
    monkeypatch.setitem(KINDS, FeverDaysCondition.kind, FeverDaysCondition)
    data = policies.load("hubei").to_dict()
    data["rules"].append(FEVER_DAYS_RULE)
    return data


def test_a_kind_added_as_one_class_is_loaded_checked_published_and_looked_back_for(
    with_fever_days: dict[str, Any],
) -> None:
    loaded = Policy.from_dict(with_fever_days)
    assert as_written(loaded.to_dict()) == as_written(with_fever_days)
    assert checkin_days(loaded) == 20  # more than the 14 of Hubei's own check-in rule

    # Below Hubei's own 37.3 °C, so only the new rule sees them.
    checkins = (Checkin(T - timedelta(days=18), 37.1), Checkin(T - timedelta(days=3), 37.2))
    facts = Facts(Declaration(), declared_on=T - timedelta(days=30), checkins=checkins)
    assessment = evaluate(loaded, facts, T)
    assert assessment.color is Color.YELLOW
    [reason] = assessment.reasons
    assert (reason.rule, reason.message, reason.message_zh) == (
        "XX-Y-fever-days",
        "2 feverish check-ins",
        "2次打卡发热",
    )
    assert reason.until == T + timedelta(days=1)


def test_a_kind_added_as_one_class_is_validated_like_the_others(
    with_fever_days: dict[str, Any],
) -> None:
    with_fever_days["rules"][-1]["when"]["times"] = 0
    last = len(with_fever_days["rules"]) - 1
    with pytest.raises(PolicyError, match=rf"rules\[{last}\]\.when\.times"):
        Policy.from_dict(with_fever_days)
    with_fever_days["rules"][-1]["when"] = {**FEVER_DAYS_RULE["when"], "extra": 1}
    with pytest.raises(PolicyError, match=r"unknown field\(s\) extra"):
        Policy.from_dict(with_fever_days)


def test_an_unregistered_kind_is_refused_by_the_loader() -> None:
    data = policies.load("hubei").to_dict()
    data["rules"].append(FEVER_DAYS_RULE)
    with pytest.raises(PolicyError, match="unknown condition kind 'fever_days'"):
        Policy.from_dict(data)
