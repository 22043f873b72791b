"""The generic colour engine: applies a `Policy` to one person's `Facts` on one day.

Dates are Asia/Shanghai calendar dates and every range is inclusive of both ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib.domain.model import Assessment, Category, Declaration, Facts, Reason, Record, Risk
from chalicelib.domain.policy import (
    DeclaredCondition,
    Defaults,
    Policy,
    RecordCondition,
    Rule,
    SymptomsCondition,
    TemperatureCondition,
    VisitedCondition,
)

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Hit:
    """A condition holds; `until` is the last day it is known to hold (None: no end yet)."""

    until: date | None


def evaluate(policy: Policy, facts: Facts, today: date) -> Assessment:
    """The colour and every reason for it: the most severe matching rule wins; none is green."""
    reasons = [reason for rule in policy.rules if (reason := _apply(rule, policy, facts, today))]
    if not reasons:
        fallback = policy.fallback
        reasons = [
            Reason(
                code=fallback.reason.code,
                rule=fallback.id,
                color=fallback.color,
                message=fallback.reason.en,
                message_zh=fallback.reason.zh,
            )
        ]
    # list.sort is stable, so reasons of one colour keep the policy's rule order.
    reasons.sort(key=lambda r: -r.color.severity)
    return Assessment(
        color=reasons[0].color,
        reasons=tuple(reasons),
        profile=policy.profile,
        rules_version=policy.version,
    )


def record_end(record: Record, records: Sequence[Record], defaults: Defaults) -> date | None:
    """The last day `record` is active (None: open-ended), after any `cleared` record.

    Without `until`, a record lasts `defaults.lifetime(category)` days from `since`, or is
    open-ended. A `cleared` record ends every record whose `since` is on or before its own `since`:
    from that day on they are no longer active.
    """
    end = record.until
    if end is None:
        days = defaults.lifetime(record.category)
        end = record.since + timedelta(days=days - 1) if days is not None else None
    for other in records:
        if other.category is Category.CLEARED and record.since <= other.since:
            cut = other.since - _ONE_DAY
            end = cut if end is None else min(end, cut)
    return end


def is_active(record: Record, records: Sequence[Record], defaults: Defaults, today: date) -> bool:
    end = record_end(record, records, defaults)
    return record.since <= today and (end is None or today <= end)


def _apply(rule: Rule, policy: Policy, facts: Facts, today: date) -> Reason | None:
    hit = _CHECKS[rule.when.kind](rule.when, facts, today, policy.defaults)
    if hit is None:
        return None
    return Reason(
        code=rule.reason.code,
        rule=rule.id,
        color=rule.color,
        message=rule.reason.en,
        message_zh=rule.reason.zh,
        until=hit.until,
    )


def _window(facts: Facts, today: date, defaults: Defaults) -> _Hit | None:
    """The declaration counts from `declared_on` for `window_days` days."""
    last = facts.declared_on + timedelta(days=defaults.window_days - 1)
    return _Hit(last) if facts.declared_on <= today <= last else None


def _latest(ends: list[date | None]) -> date | None:
    return None if any(e is None for e in ends) else max(e for e in ends if e is not None)


def _record(cond: RecordCondition, facts: Facts, today: date, defaults: Defaults) -> _Hit | None:
    ends = [
        record_end(r, facts.records, defaults)
        for r in facts.records
        if r.category in cond.categories and is_active(r, facts.records, defaults, today)
    ]
    return _Hit(_latest(ends)) if ends else None


def _visited(cond: VisitedCondition, facts: Facts, today: date, defaults: Defaults) -> _Hit | None:
    risks = {facts.region_risks.get(code, Risk.LOW) for code in facts.declaration.visited_regions}
    return _window(facts, today, defaults) if risks & set(cond.risk) else None


_FLAGS: dict[str, Callable[[Declaration], bool]] = {
    "contact_with_case": lambda d: d.contact_with_case,
    "fever_clinic_visit": lambda d: d.fever_clinic_visit,
    "from_abroad": lambda d: d.from_abroad,
}


def _declared(
    cond: DeclaredCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    return _window(facts, today, defaults) if _FLAGS[cond.flag](facts.declaration) else None


def _symptoms(
    cond: SymptomsCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    declared = set(facts.declaration.symptoms)
    return _window(facts, today, defaults) if declared & set(cond.any_of) else None


def _temperature(
    cond: TemperatureCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    temperature = facts.declaration.temperature
    if temperature is None or temperature < cond.at_least:
        return None
    return _window(facts, today, defaults)


# Condition kind -> its check. Each check takes its own condition type.
_CHECKS: dict[str, Callable[[Any, Facts, date, Defaults], _Hit | None]] = {
    RecordCondition.kind: _record,
    VisitedCondition.kind: _visited,
    DeclaredCondition.kind: _declared,
    SymptomsCondition.kind: _symptoms,
    TemperatureCondition.kind: _temperature,
}


def next_review(assessment: Assessment, facts: Facts, today: date) -> date | None:
    """The first day on which this assessment may change by itself: the day after the earliest
    reason ends, or the day a known future record starts. None: only new facts can change it."""
    days = [r.until + _ONE_DAY for r in assessment.reasons if r.until is not None]
    days += [r.since for r in facts.records if r.since > today]
    return min(days) if days else None
