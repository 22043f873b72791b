"""Feedback and complaints about a colour (反馈与投诉 / 纠错). An appeal never sets a colour: a
`corrected` decision records a `cleared` record, and the colour moves through the normal path,
with its reason in the history."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Appeal
from chalicelib.domain.errors import NotFound
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.model import Category, Record
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.access import person_for
from chalicelib.services.assessment import reassess
from chalicelib.services.context import Context
from chalicelib.services.pages import cursor_of, parse_cursor

DECISIONS = ("corrected", "rejected")
APPEAL_ID = re.compile(r"^[0-9a-f]{16}$")


def file(
    ctx: Context, actor: AccessClaims, person_id: str, message: str, now: datetime
) -> dict[str, Any]:
    person, _ = person_for(ctx.store, actor, person_id)
    appeal = Appeal(
        appeal_id=secrets.token_hex(8),
        person_id=person.person_id,
        account_id=actor.account_id,
        message=message,
        status="open",
        created_at=now,
        color=person.color,
    )
    ctx.store.appeals.add(appeal)
    return {"appeal_id": appeal.appeal_id, "status": appeal.status}


def view(appeal: Appeal) -> dict[str, Any]:
    return {
        "appeal_id": appeal.appeal_id,
        "person_id": appeal.person_id,
        "status": appeal.status,
        "color": appeal.color.value,
        "message": appeal.message,
        "created_at": appeal.created_at.isoformat(timespec="seconds"),
        "decision": appeal.decision,
        "reason": appeal.reason,
        "resolved_at": appeal.resolved_at.isoformat(timespec="seconds")
        if appeal.resolved_at
        else None,
    }


PAGE = 100


def listing(ctx: Context, status: str, cursor: str | None = None) -> dict[str, Any]:
    """Appeals of a status, oldest first, a page at a time (`next`: null on the last page)."""
    found = ctx.store.appeals.with_status(status, PAGE + 1, parse_cursor(cursor))
    page = found[:PAGE]
    following = cursor_of(page[-1].created_at, page[-1].appeal_id) if len(found) > PAGE else None
    return {"appeals": [view(a) for a in page], "next": following}


def resolve(
    ctx: Context, actor: AccessClaims, appeal_id: str, decision: str, reason: str, now: datetime
) -> dict[str, Any]:
    appeal = ctx.store.appeals.get(appeal_id) if APPEAL_ID.match(appeal_id) else None
    if appeal is None:
        raise NotFound()
    resolved = replace(
        appeal,
        status="resolved",
        decision=decision,
        reason=reason,
        resolved_by=actor.account_id,
        resolved_at=now,
    )
    if decision != "corrected":
        ctx.store.appeals.resolve(resolved, at=now)  # Conflict if someone resolved it first
        return view(resolved)
    person = ctx.store.persons.get(appeal.person_id, consistent=True)
    if person is None:
        raise NotFound()
    # The decision and its `cleared` record together: a correction is never half stored.
    cleared = Record(f"appeal-{appeal_id}", Category.CLEARED, shanghai_date(now), None, now)
    ctx.store.appeals.resolve(resolved, (person.id_key, cleared), at=now)
    cause = Cause(ActorKind.AUTHORITY, actor.account_id, f"appeal:{appeal_id}")
    outcome = reassess(ctx.store, person.person_id, cause, now)
    return {
        **view(resolved),
        "current_color": outcome.person.color.value,
        "record_id": cleared.record_id,
    }
