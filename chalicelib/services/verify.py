"""Checkpoints (查验): a checker scans a code; green passes. The colour is always the current one
from the database, never the one in the token. Every scan is recorded without personal data.

The gate's thermometer counts (“绿码”人员经过卡口时，自觉接受测温，无发热症状准予通行): a
temperature of 37.3 °C or more measured there stops a valid code (`fever_at_gate`), is reported to
the region, and under a policy that records fever cases (Hubei) is recorded as
one for the person."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Scan
from chalicelib.domain.errors import NotYourPlace
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.masking import mask_name
from chalicelib.domain.model import FEVER_CELSIUS, Color
from chalicelib.domain.places import ReportKind
from chalicelib.security.tokens import AccessClaims, CodeRejected, verify_code
from chalicelib.services.assessment import active_policy, reassess
from chalicelib.services.context import Context
from chalicelib.services.fever import record_fever_case
from chalicelib.services.reports import report_scan
from chalicelib.services.trust import is_partner_token, verify_partner

FEVER_AT_GATE = ReportKind.FEVER_AT_GATE.value


def scan_place(actor: AccessClaims, place_id: str | None) -> str | None:
    """Where a scan happens: a checker's enrolled place, from the access token (naming another
    one is 403 not_your_place); an admin, who is enrolled nowhere, names it."""
    if actor.place_id is not None and place_id not in (None, actor.place_id):
        raise NotYourPlace()
    return actor.place_id or place_id


def verify(
    ctx: Context,
    actor: AccessClaims,
    token: str,
    place_id: str | None,
    now: datetime,
    temperature: float | None = None,
) -> dict[str, Any]:
    place_id = scan_place(actor, place_id)
    person_id: str | None = None
    color: Color | None = None
    masked: str | None = None
    reason: str | None = None
    issuer: str | None = None
    province: str | None = None
    try:
        if is_partner_token(token):  # 亮码互认: the partner's colour, no name
            partner = verify_partner(ctx.store, token, now)
            color, issuer, province = (
                partner.claims.color,
                partner.claims.issuer,
                partner.province_code,
            )
        else:
            claims = verify_code(ctx.code_keys, token, now)
            status = ctx.store.persons.status(claims.person_id)
            if status is None:
                reason = "revoked"  # the holder deleted their data: the code no longer exists
            elif claims.kind == "paper" and _revoked(claims.issued_at, status.paper_not_before):
                reason = "revoked"  # a guardian revoked the paper codes printed before
            else:
                person_id, color, masked = status.person_id, status.color, mask_name(status.name)
                issuer, province = config.issuer(), active_policy().issuer_region
    except CodeRejected as rejected:
        reason = rejected.reason
    if reason is None and temperature is not None and temperature >= FEVER_CELSIUS:
        reason = FEVER_AT_GATE
        if person_id is not None:
            color = _fever_case(ctx, actor, person_id, now) or color
    scan = record_scan(ctx, actor, place_id, now, color, reason, person_id)
    return {
        "valid": scan.valid,
        "pass": scan.passed,
        "color": color.value if color else None,
        "masked_name": masked,
        "reason": reason,
        "checked_at": now.isoformat(timespec="seconds"),
        "issuer": issuer,
        "province_code": province,
    }


def new_scan_id() -> str:
    return secrets.token_hex(8)  # random: it picks the scan's day shard (storage: shard_of)


def record_scan(
    ctx: Context,
    actor: AccessClaims,
    place_id: str | None,
    now: datetime,
    color: Color | None,
    reason: str | None,
    person_id: str | None,
    via: str = "token",
) -> Scan:
    """Records one check at a checkpoint (valid unless there is a reason other than a fever at
    the gate; green without one passes) and reports a yellow, red or feverish one."""
    valid = reason is None or reason == FEVER_AT_GATE
    scan = Scan(
        scan_id=new_scan_id(),
        at=now,
        checker_id=actor.account_id,
        place_id=place_id or actor.place_id,
        valid=valid,
        passed=reason is None and color is Color.GREEN,
        color=color,
        reason=reason,
        person_id=person_id,
        via=via,
    )
    ctx.store.scans.add(scan)
    report_scan(ctx, scan, actor.place_id)
    return scan


def _fever_case(ctx: Context, actor: AccessClaims, person_id: str, now: datetime) -> Color | None:
    """Records the fever as a fever case when the policy says so; the new colour, or None."""
    person = ctx.store.persons.get(person_id, consistent=True)
    if person is None or not record_fever_case(ctx.store, person, "gate", now):
        return None
    cause = Cause(ActorKind.CHECKER, actor.account_id, f"gate:{shanghai_date(now).isoformat()}")
    return reassess(ctx.store, person_id, cause, now, known=person).person.color


def _revoked(issued_at: datetime, not_before: datetime | None) -> bool:
    return not_before is not None and issued_at < not_before
