"""Checkpoints (查验): a checker scans a code; green passes. The colour is always the current one
from the database, never the one in the token. Every scan is recorded without personal data."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain.entities import Scan
from chalicelib.domain.masking import mask_name
from chalicelib.domain.model import Color
from chalicelib.security.tokens import AccessClaims, CodeRejected, verify_code
from chalicelib.services.assessment import active_policy
from chalicelib.services.context import Context
from chalicelib.services.reports import report_scan
from chalicelib.services.trust import is_partner_token, verify_partner


def verify(
    ctx: Context, actor: AccessClaims, token: str, place_id: str | None, now: datetime
) -> dict[str, Any]:
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
    """Records one check at a checkpoint (valid unless there is a reason; green passes) and
    reports a yellow or red one to the authority."""
    valid = reason is None
    scan = Scan(
        scan_id=secrets.token_hex(8),
        at=now,
        checker_id=actor.account_id,
        place_id=place_id or actor.place_id,
        valid=valid,
        passed=valid and color is Color.GREEN,
        color=color,
        reason=reason,
        person_id=person_id,
        via=via,
    )
    ctx.store.scans.add(scan)
    report_scan(ctx, scan, actor.place_id)
    return scan


def _revoked(issued_at: datetime, not_before: datetime | None) -> bool:
    return not_before is not None and issued_at < not_before
