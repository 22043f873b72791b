"""Daily health check-ins (健康打卡): one per person and Asia/Shanghai day, a second one the same
day replaces the first; every check-in re-evaluates the code, since rules read them. Under a
policy that records fever cases (Hubei), a fever reported is recorded as one (`fever.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain.checkins import streak
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import CHECKIN_FACT_DAYS, recent
from chalicelib.domain.entities import Link
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.model import Checkin, Symptom, is_fever
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.access import person_for
from chalicelib.services.assessment import reassess
from chalicelib.services.context import Context
from chalicelib.services.fever import record_fever_case


@dataclass(frozen=True)
class CheckedIn:
    answer: dict[str, Any]
    first_of_the_day: bool  # False: it replaced the day's earlier check-in


def actor_kind(link: Link) -> ActorKind:
    return ActorKind.SELF if link.relation == "self" else ActorKind.GUARDIAN


def _shown(checkin: Checkin) -> dict[str, Any]:
    return {
        "date": checkin.day.isoformat(),
        "temperature": checkin.temperature,
        "symptoms": [s.value for s in checkin.symptoms],
    }


def check_in(
    ctx: Context,
    actor: AccessClaims,
    person_id: str,
    temperature: float,
    symptoms: tuple[Symptom, ...],
    now: datetime,
) -> CheckedIn:
    person, link = person_for(ctx.store, actor, person_id)
    today = shanghai_date(now)
    checkin = Checkin(today, temperature, symptoms)
    if is_fever(temperature, symptoms):  # first: a retried check-in records it if this one dies
        record_fever_case(ctx.store, person, "checkin", now)
    first = ctx.store.checkins.put(person.person_id, checkin, now)
    cause = Cause(actor_kind(link), actor.account_id, f"checkin:{today.isoformat()}")
    outcome = reassess(ctx.store, person.person_id, cause, now)
    recent_ones = ctx.store.checkins.between(person.person_id, *recent(today, CHECKIN_FACT_DAYS))
    answer = {
        **_shown(checkin),
        "streak": streak(recent_ones, today),
        "color": outcome.person.color.value,
    }
    return CheckedIn(answer, first)


def history(ctx: Context, actor: AccessClaims, person_id: str, now: datetime) -> dict[str, Any]:
    """The check-ins kept (within retention), newest first."""
    person, _ = person_for(ctx.store, actor, person_id)
    kept = recent(shanghai_date(now), config.retention_days())
    found = ctx.store.checkins.between(person.person_id, *kept)
    return {"checkins": [_shown(c) for c in reversed(found)]}
