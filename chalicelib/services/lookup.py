"""Lookup by a guardian's phone (Hainan): a person without a phone tells the checker their
guardian's number, and the checker sees the masked names and colours of that guardian's
dependents — nothing else. Limited per checker and hour, and each person shown is recorded like
a scan (via `phone`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain.masking import mask_name
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.auth import phone_key
from chalicelib.services.context import Context
from chalicelib.services.limits import per_hour
from chalicelib.services.verify import record_scan, scan_place


def by_phone(
    ctx: Context, actor: AccessClaims, phone: str, place_id: str | None, now: datetime
) -> dict[str, Any]:
    place_id = scan_place(actor, place_id)
    per_hour(ctx.store, "by-phone", actor.account_id, config.by_phone_hourly_cap(), now)
    guardian = ctx.store.accounts.for_phone(phone_key(phone))
    links = ctx.store.family.links_of(guardian.account_id) if guardian else []
    people = []
    for link in links:
        status = ctx.store.persons.status(link.person_id) if link.relation != "self" else None
        if status is None:
            continue
        scan = record_scan(
            ctx, actor, place_id, now, status.color, None, status.person_id, via="phone"
        )
        people.append(
            {
                "masked_name": mask_name(status.name),
                "color": status.color.value,
                "pass": scan.passed,
            }
        )
    return {"people": people}
