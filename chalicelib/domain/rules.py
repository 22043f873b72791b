"""The generic colour engine: applies a `Policy` to one person's `Facts` on one day.

Dates are Asia/Shanghai calendar dates and every range is inclusive of both ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chalicelib.domain.checkins import checked_in, streak
from chalicelib.domain.model import Assessment, Category, Declaration, Facts, Reason, Record, Risk
from chalicelib.domain.policy import (
    ArrivalAbroadCondition,
    ArrivalColorCondition,
    ArrivalRiskCondition,
    ArrivalTestCondition,
    CheckinCondition,
    CheckinStreakCondition,
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
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class _Hit:
    """A condition holds; `until` is the last day it is known to hold (None: no end yet);
    `values` fill the placeholders of the reason texts (`policy.PLACEHOLDERS`)."""

    until: date | None
    values: Mapping[str, int] = field(default_factory=dict)


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
    open-ended. A `cleared` record ends every record whose `since` is on or before its own `since`
    and that was imported before it (a record imported later, even if backdated, is news the
    clearance did not weigh): from that day on they are no longer active.
    """
    end = record.until
    if end is None:
        days = defaults.lifetime(record.category)
        end = record.since + timedelta(days=days - 1) if days is not None else None
    for other in records:
        if (
            other.category is Category.CLEARED
            and record.since <= other.since
            and not _imported_after(record, other)
        ):
            cut = other.since - _ONE_DAY
            end = cut if end is None else min(end, cut)
    return end


def _imported_after(record: Record, cleared: Record) -> bool:
    if record.imported_at is None or cleared.imported_at is None:
        return False  # order unknown: the clearance counts
    return record.imported_at > cleared.imported_at


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
        message=_fill(rule.reason.en, hit.values),
        message_zh=_fill(rule.reason.zh, hit.values),
        until=hit.until,
    )


def _fill(text: str, values: Mapping[str, int]) -> str:
    """Replaces `{name}` with its value; the policy loader allows only names the kind provides."""
    if not values:
        return text
    return _PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), text)


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
    if cond.flag == "from_abroad" and facts.arrival is not None and facts.arrival.abroad:
        return None  # the arrival declaration says more: when the quarantine ends, the test
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


def _checkin(cond: CheckinCondition, facts: Facts, today: date, defaults: Defaults) -> _Hit | None:
    """Until `lasts_days` days after the most recent abnormal check-in (on or before today)."""
    abnormal = [c.day for c in facts.checkins if c.day <= today and cond.abnormal(c)]
    if not abnormal:
        return None
    last = max(abnormal) + timedelta(days=cond.lasts_days - 1)
    return _Hit(last) if today <= last else None


def _checkin_streak(
    cond: CheckinStreakCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    """Holds the previous colour while the clean streak is short. `until` is the earliest day it
    can end: the day of the last clean check-in still needed if none is missed (today's counts
    while it is not in yet); a missed day or an abnormal check-in moves it."""
    if facts.previous not in cond.previous_any_of:
        return None
    clean = streak(facts.checkins, today, lambda c: not cond.abnormal(c))
    if clean >= cond.clean_days:
        return None
    remaining = cond.clean_days - clean
    first_needed = today + _ONE_DAY if checked_in(facts.checkins, today) else today
    values = {"remaining": remaining, "streak": clean, "required": cond.clean_days}
    return _Hit(first_needed + timedelta(days=remaining - 1), values)


def checkin_days(policy: Policy) -> int:
    """How many days of check-ins, today included, the policy's rules read (0: none): what
    `Facts.checkins` must hold at least for the evaluation to be right."""
    days = [0]
    for rule in policy.rules:
        if isinstance(rule.when, CheckinCondition):
            days.append(rule.when.lasts_days)
        elif isinstance(rule.when, CheckinStreakCondition):
            days.append(rule.when.clean_days + 1)  # the streak may end yesterday
    return max(days)


# Arrivals (来鲁申报) ----------------------------------------------------------------------------


def _from_arrival(facts: Facts, today: date, days: int) -> _Hit | None:
    """From the arrival (and while it is announced ahead) for `days` days."""
    assert facts.arrival is not None
    last = facts.arrival.arrival_date + timedelta(days=days - 1)
    return _Hit(last) if today <= last else None


def _arrival_color(
    cond: ArrivalColorCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    arrival = facts.arrival
    if arrival is None or arrival.origin_color not in cond.colors:
        return None
    return _from_arrival(facts, today, cond.lasts_days)


def _arrival_risk(
    cond: ArrivalRiskCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    if facts.arrival is None:
        return None
    risks = {facts.region_risks.get(code, Risk.LOW) for code in facts.arrival.origin_codes}
    return _from_arrival(facts, today, cond.lasts_days) if risks & set(cond.risk) else None


def _arrival_abroad(
    cond: ArrivalAbroadCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    """Until the quarantine ends with a releasing test; without one, until a new declaration."""
    arrival = facts.arrival
    if arrival is None or not arrival.abroad:
        return None
    if arrival.test_result not in cond.released_by:
        return _Hit(None)
    end = arrival.quarantine_end or arrival.arrival_date
    return _Hit(end) if today <= end else None


def _arrival_test(
    cond: ArrivalTestCondition, facts: Facts, today: date, defaults: Defaults
) -> _Hit | None:
    """Until the day before a `cleared` record dated on or after the test (like a record)."""
    arrival = facts.arrival
    if arrival is None or arrival.test_result not in cond.results:
        return None
    tested = arrival.test_date or arrival.arrival_date
    clearances = [
        r.since for r in facts.records if r.category is Category.CLEARED and r.since >= tested
    ]
    if not clearances:
        return _Hit(None)
    end = min(clearances) - _ONE_DAY
    return _Hit(end) if today <= end else None


# Condition kind -> its check. Each check takes its own condition type.
_CHECKS: dict[str, Callable[[Any, Facts, date, Defaults], _Hit | None]] = {
    RecordCondition.kind: _record,
    VisitedCondition.kind: _visited,
    DeclaredCondition.kind: _declared,
    SymptomsCondition.kind: _symptoms,
    TemperatureCondition.kind: _temperature,
    CheckinCondition.kind: _checkin,
    CheckinStreakCondition.kind: _checkin_streak,
    ArrivalColorCondition.kind: _arrival_color,
    ArrivalRiskCondition.kind: _arrival_risk,
    ArrivalAbroadCondition.kind: _arrival_abroad,
    ArrivalTestCondition.kind: _arrival_test,
}


def next_review(assessment: Assessment, facts: Facts, today: date) -> date | None:
    """The first day on which this assessment may change by itself: the day after the earliest
    reason ends, or the day a known future record starts. None: only new facts can change it."""
    # A reason that ends on the last representable day never ends by itself.
    days = [r.until + _ONE_DAY for r in assessment.reasons if r.until and r.until < date.max]
    days += [r.since for r in facts.records if r.since > today]
    return min(days) if days else None
