"""Lookup by a guardian's phone (Hainan): a person without a phone tells the checker their
guardian's number, and the checker sees the masked names and colours of that guardian's
dependents — nothing else. Limited per checker and hour, and each person shown is recorded like
a scan (via `phone`)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.entities import Scan
from chalicelib.domain.errors import RateLimited
from chalicelib.domain.masking import mask_name
from chalicelib.domain.model import Color
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.auth import phone_key
from chalicelib.services.context import Context
from chalicelib.services.reports import report_scan


def by_phone(
    ctx: Context, actor: AccessClaims, phone: str, place_id: str | None, now: datetime
) -> dict[str, Any]:
    hour = int(now.timestamp()) // 3600
    counter = f"rate:by-phone:{actor.account_id}:{hour}"
    if not ctx.store.count_hit(counter, config.by_phone_hourly_cap(), now + timedelta(hours=1)):
        raise RateLimited(3600 - int(now.timestamp()) % 3600)
    guardian = ctx.store.account_for_phone(phone_key(phone))
    links = ctx.store.links_of(guardian.account_id) if guardian else []
    people = []
    for link in links:
        status = ctx.store.get_status(link.person_id) if link.relation != "self" else None
        if status is None:
            continue
        passed = status.color is Color.GREEN
        scan = Scan(
            scan_id=secrets.token_hex(8),
            at=now,
            checker_id=actor.account_id,
            place_id=place_id or actor.place_id,
            valid=True,
            passed=passed,
            color=status.color,
            reason=None,
            person_id=status.person_id,
            via="phone",
        )
        ctx.store.add_scan(scan)
        report_scan(ctx, scan, actor.place_id)  # yellow and red go to the authority
        people.append(
            {"masked_name": mask_name(status.name), "color": status.color.value, "pass": passed}
        )
    return {"people": people}
