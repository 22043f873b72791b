"""The generic colour engine: applies a `Policy` to one person's `Facts` on one day.

It knows no condition kind: each rule's condition (`conditions.py`) checks itself.
Dates are Asia/Shanghai calendar dates and every range is inclusive of both ends.
"""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain.model import Assessment, Facts, Reason
from chalicelib.domain.policy import Policy, Rule

_ONE_DAY = timedelta(days=1)


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


def _apply(rule: Rule, policy: Policy, facts: Facts, today: date) -> Reason | None:
    hit = rule.when.holds(facts, today, policy.defaults)
    if hit is None:
        return None
    text = rule.reason.filled(hit.values)
    return Reason(
        code=text.code,
        rule=rule.id,
        color=rule.color,
        message=text.en,
        message_zh=text.zh,
        until=hit.until,
        note="；".join(hit.notes) or None,
    )


def checkin_days(policy: Policy) -> int:
    """How many days of check-ins, today included, the policy's rules read (0: none): what
    `Facts.checkins` must hold at least for the evaluation to be right."""
    return max([0, *(rule.when.lookback_days() for rule in policy.rules)])


def next_review(assessment: Assessment, facts: Facts, today: date) -> date | None:
    """The first day on which this assessment may change by itself: the day after the earliest
    reason ends, or the day a known future record or an announced arrival starts. None: only
    new facts can change it."""
    # A reason that ends on the last representable day never ends by itself.
    days = [r.until + _ONE_DAY for r in assessment.reasons if r.until and r.until < date.max]
    days += [r.since for r in facts.records if r.since > today]
    if facts.arrival is not None and facts.arrival.arrival_date > today:
        days.append(facts.arrival.arrival_date)  # announced ahead: its rules start on arriving
    return min(days) if days else None
