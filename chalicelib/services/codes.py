"""The holder's code: the view with reasons, a fresh short-lived token, the QR image, the JWKS.

QR images carry the compact v2 token (`HC2:`, QR version 8 at level M where the v1 JWT needs 13);
the view's `token` stays the v1 JWT while `HEALTHCODE_ISSUE_V1_CODES` is on, and `compact_token`
is always the v2 one (docs/decisions/0038-compact-codes.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain.entities import Person
from chalicelib.domain.masking import mask_name
from chalicelib.domain.model import Assessment
from chalicelib.security.tokens import AccessClaims, issue_code
from chalicelib.services.access import person_for
from chalicelib.services.context import Context


def _iso(instant: datetime) -> str:
    return instant.isoformat(timespec="seconds")


def code_view(ctx: Context, person: Person, now: datetime) -> dict[str, Any]:
    compact, expires = issue_code(ctx.code_keys, person.person_id, person.color, now, v2=True)
    token = compact
    if config.issue_v1_codes():
        token, _ = issue_code(ctx.code_keys, person.person_id, person.color, now)
    standing = Assessment(person.color, person.reasons, person.profile, person.rules_version)
    valid_until = standing.valid_until
    return {
        "person_id": person.person_id,
        "color": person.color.value,
        "masked_name": mask_name(person.name),
        "reasons": [
            {
                "code": r.code,
                "rule": r.rule,
                "color": r.color.value,
                "message": r.message,
                "message_zh": r.message_zh,
                "until": r.until.isoformat() if r.until else None,
                "note": r.note,
            }
            for r in person.reasons
        ],
        "since": _iso(person.since),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "profile": person.profile,
        "rules_version": person.rules_version,
        "token": token,
        "compact_token": compact,
        "token_expires_at": _iso(expires),
    }


def view(ctx: Context, actor: AccessClaims, person_id: str, now: datetime) -> dict[str, Any]:
    person, _ = person_for(ctx.store, actor, person_id)
    return code_view(ctx, person, now)


def qr_image(
    ctx: Context, actor: AccessClaims, person_id: str, fmt: str, now: datetime
) -> bytes | str:
    from chalicelib import qr  # segno only for the requests that draw

    person, _ = person_for(ctx.store, actor, person_id)
    token, _ = issue_code(ctx.code_keys, person.person_id, person.color, now, v2=True)
    return qr.render(token, person.color.value, fmt)


def jwks(ctx: Context, now: datetime) -> dict[str, Any]:
    # Place keys too: printed place codes never expire (docs/decisions/0009).
    return {"keys": ctx.code_keys.published(now) + ctx.place_keys.published(now)}
