"""Issue 11, "Done when": one case per rule id of the three policies (fallbacks included), run
through the pure engine (`rules.evaluate`): facts that make that rule fire on a given day give its
colour and its reason code. Each case's id is the rule id; its description is the rule's basis, the
seed sentence it quotes (checked against docs/notices/ by test_rule_basis) or the inference it
states.

The facts come from the behaviour tables of test_rules (Shandong), test_province_rules (check-ins,
Hubei, Hainan) and test_arrival_rules (arrivals, all three), not copied here: the first row of
those tables in which the rule is the first (most severe) reason is that rule's case. A rule added
to a policy without such a row has no case, and test_every_rule_of_the_three_policies_has_a_case
fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.model import Color, Facts
from chalicelib.domain.policy import QUOTED, Fallback, Rule
from chalicelib.domain.rules import evaluate
from chalicelib.policies import load
from tests.unit import test_arrival_rules as arrivals
from tests.unit import test_province_rules as provinces
from tests.unit import test_rules as shandong

POLICIES = ("shandong", "hubei", "hainan")


@dataclass(frozen=True)
class Case:
    profile: str
    facts: Facts
    today: date
    color: Color  # the colour the behaviour table expects for these facts


def _outcomes(profile: str) -> dict[str, Rule | Fallback]:
    policy = load(profile)
    return {o.id: o for o in (*policy.rules, policy.fallback)}


def _rows() -> list[tuple[str, str, Case]]:
    """(profile, first rule id, case) for every row of the three behaviour tables, in order."""
    rows: list[tuple[str, str, Case]] = []
    for param in shandong.SINGLE_RULE_ROWS:
        f, color, rule, _code = param.values
        rows.append(("shandong", str(rule), Case("shandong", f, shandong.TODAY, Color(color))))
    for param in provinces.ROWS:
        profile, f, color, rules, _until = param.values
        rows.append((str(profile), _first(rules), Case(str(profile), f, provinces.T, color)))
    for param in arrivals.ROWS:
        f, color, rules, _until = param.values
        for profile in POLICIES:
            rule = f"{arrivals.PREFIX[profile]}-{_first(rules)}"
            rows.append((profile, rule, Case(profile, f, arrivals.T, color)))
    return rows


def _first(rules: Any) -> str:
    return str(list(rules)[0])


def _cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for profile, rule, case in _rows():
        if rule in _outcomes(profile) and rule not in cases:
            cases[rule] = case
    return cases


CASES = _cases()


def _description(outcome: Rule | Fallback) -> str:
    basis = outcome.basis
    if basis.kind == QUOTED:
        return f"quoted {basis.notice}: {basis.quote}"
    return f"inferred: {basis.why}"


TABLE = [
    pytest.param(
        rule_id,
        CASES.get(rule_id),
        _description(outcome),
        id=rule_id,
    )
    for profile in POLICIES
    for rule_id, outcome in _outcomes(profile).items()
]


@pytest.mark.parametrize(("rule_id", "case", "description"), TABLE)
def test_a_rule_fires_on_its_facts_with_its_colour_and_reason_code(
    rule_id: str, case: Case | None, description: str
) -> None:
    assert description.strip()
    assert case is not None, f"{rule_id} has no case ({description})"
    outcome = _outcomes(case.profile)[rule_id]
    a = evaluate(load(case.profile), case.facts, case.today)
    first = a.reasons[0]
    assert (first.rule, first.code) == (rule_id, outcome.reason.code), description
    assert a.color is outcome.color is case.color, description


def test_every_rule_of_the_three_policies_has_a_case() -> None:
    """A rule added later fails here until a behaviour table has a row that fires it first."""
    every = {rule_id for profile in POLICIES for rule_id in _outcomes(profile)}
    assert sorted(every - CASES.keys()) == []
    assert len(TABLE) == len(every)
