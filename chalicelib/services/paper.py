"""Paper codes (纸质健康码) for people without a phone: printed by the holder or a guardian, valid
from the issue date to `paper_code_days()` later (Asia/Shanghai; `days.last_day`: issued on D,
valid through D+14), then printed again. The QR holds
a signed token of kind `paper` that expires at the end of that day; a checker always sees the
current colour from the database. Revoking invalidates every paper code printed before it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import end_of_day, shanghai_date
from chalicelib.domain.days import last_day
from chalicelib.domain.masking import mask_name
from chalicelib.security.tokens import AccessClaims, issue_code
from chalicelib.services.access import person_for
from chalicelib.services.context import Context


def paper_code(
    ctx: Context, actor: AccessClaims, person_id: str, fmt: str, now: datetime
) -> bytes | str:
    from chalicelib import paper  # reportlab / Pillow only for the requests that print

    person, _ = person_for(ctx.store, actor, person_id, consistent=True)
    # Printed in the second of a revocation, it must not fall under it (tokens hold seconds).
    now = max(now, person.paper_not_before or now)
    issued_on = shanghai_date(now)
    valid_until = last_day(issued_on, config.paper_code_days())
    token, _ = issue_code(
        ctx.code_keys,
        person.person_id,
        person.color,
        now,
        kind="paper",
        lifetime=end_of_day(valid_until) - now,
        v2=True,
    )
    card = paper.Card(token, person.color.value, mask_name(person.name), issued_on, valid_until)
    return paper.render(card, fmt)


def revoke(ctx: Context, actor: AccessClaims, person_id: str, now: datetime) -> dict[str, Any]:
    person, _ = person_for(ctx.store, actor, person_id)
    # Tokens carry whole seconds: everything printed up to this second is revoked.
    before = now.replace(microsecond=0) + timedelta(seconds=1)
    ctx.store.persons.revoke_paper_codes(person.person_id, before)
    return {"revoked_before": before.isoformat(timespec="seconds")}
