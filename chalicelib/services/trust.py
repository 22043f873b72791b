"""The trust list (省际互认): partner provinces' code issuers, their keys, our signed list of them,
and the check of a partner's code token against it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.entities import Issuer
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.security.partners import (
    PartnerClaims,
    sign_document,
    unverified_issuer,
    verify_partner_code,
)
from chalicelib.security.tokens import AccessClaims, CodeRejected
from chalicelib.services.context import Context
from chalicelib.services.ports import Store

ISSUER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")  # no `/`: it is a path segment
LIST_LIFETIME = timedelta(hours=24)


def _iso(instant: datetime) -> str:
    return instant.isoformat(timespec="seconds")


@dataclass(frozen=True)
class IssuerForm:
    issuer: str
    province_code: str
    name: str
    jwks: dict[str, list[dict[str, str]]]  # usable public keys only (the schema cleaned it)
    not_after: datetime | None


def trust(
    ctx: Context, actor: AccessClaims, form: IssuerForm, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Trusts a partner issuer (or replaces its entry: how a partner's keys rotate). Returns the
    entry and whether it is new."""
    if form.issuer == config.issuer():
        raise InvalidInput(
            "That is our own issuer id.", "这是本省的签发方标识。", code="own_issuer"
        )
    if form.not_after is not None and form.not_after <= now:
        raise InvalidInput(
            "not_after must be in the future.", "not_after 须为将来的时间。", code="not_after_past"
        )
    issuer = Issuer(
        form.issuer, form.province_code, form.name, form.jwks, form.not_after, actor.account_id, now
    )
    new = ctx.store.trust.put(issuer)
    return _admin_view(issuer, now), new


def listing(ctx: Context, now: datetime) -> dict[str, Any]:
    return {"issuers": [_admin_view(i, now) for i in ctx.store.trust.all()]}


def remove(ctx: Context, issuer: str) -> None:
    if not ISSUER_ID.match(issuer) or not ctx.store.trust.delete(issuer):
        raise NotFound()


def _admin_view(issuer: Issuer, now: datetime) -> dict[str, Any]:
    return {
        **_published(issuer),
        "not_after": _iso(issuer.not_after) if issuer.not_after else None,
        "trusted": issuer.trusted_at(now),
        "added_at": _iso(issuer.added_at),
    }


def _published(issuer: Issuer) -> dict[str, Any]:
    return {
        "issuer": issuer.issuer,
        "province_code": issuer.province_code,
        "name": issuer.name,
        "jwks": issuer.jwks,
    }


def trust_list(ctx: Context, now: datetime) -> dict[str, Any]:
    """The issuers trusted now. `not_after`: 24 hours ahead at most, and never past the
    earliest `not_after` of an issuer listed, so a scanner holding it never trusts too long."""
    listed = [i for i in ctx.store.trust.all() if i.trusted_at(now)]
    ends = [now + LIST_LIFETIME] + [i.not_after for i in listed if i.not_after is not None]
    return {
        "issuer": config.issuer(),
        "issued_at": _iso(now),
        "not_after": _iso(min(ends)),
        "issuers": [_published(i) for i in listed],
    }


def signed_trust_list(ctx: Context, now: datetime) -> str:
    """The same content as a compact JWS, signed with a code key published in our JWKS."""
    return sign_document(ctx.code_keys, trust_list(ctx, now), now)


# Partner tokens ---------------------------------------------------------------------------------


def is_partner_token(token: str) -> bool:
    """Names an issuer other than us (unverified: it only picks the keys)."""
    issuer = unverified_issuer(token)
    return issuer is not None and issuer != config.issuer()


@dataclass(frozen=True)
class PartnerCode:
    claims: PartnerClaims
    province_code: str


def verify_partner(store: Store, token: str, now: datetime) -> PartnerCode:
    """A trusted partner's live code token; raises CodeRejected (untrusted_issuer for an
    unknown, removed or expired issuer). The issuer is read consistently: removal is at once."""
    name = unverified_issuer(token)
    issuer = store.trust.get(name) if name and ISSUER_ID.match(name) else None
    if issuer is None or not issuer.trusted_at(now):
        raise CodeRejected("untrusted_issuer")
    claims = verify_partner_code(token, issuer.issuer, issuer.jwks, now)
    return PartnerCode(claims, issuer.province_code)
