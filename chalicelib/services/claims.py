"""Claims against ID squatting (issue 12 item 12). Anyone could add any valid ID as "my parent";
the ID's owner then got 409 already_applied with no way back. The owner files a claim; the
authority transfers the person to them (their own `self` link, every link made without their
consent removed, earlier paper codes revoked, a history entry) or rejects it. Filing answers the
same whether or not the ID is registered, so claims cannot probe which IDs are."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.domain.entities import Claim
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.history import ActorKind, HistoryEntry, next_entry
from chalicelib.domain.masking import mask_id, mask_name
from chalicelib.domain.model import IdType
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.access import PERSON_ID
from chalicelib.services.applications import id_key
from chalicelib.services.context import Context
from chalicelib.services.limits import per_day

CLAIMS_PER_DAY = 5  # per account and Asia/Shanghai day
PAGE = 100


def file(
    ctx: Context,
    actor: AccessClaims,
    id_type: IdType,
    id_number: str,
    name: str,
    message: str,
    now: datetime,
) -> dict[str, Any]:
    per_day(ctx.store, "claims", actor.account_id, CLAIMS_PER_DAY, now)
    claim = Claim(
        claim_id=secrets.token_hex(8),
        account_id=actor.account_id,
        id_type=id_type.value,
        id_number=id_number,
        id_key=id_key(id_type, id_number),
        name=name,
        message=message,
        created_at=now,
    )
    ctx.store.claims.add(claim)
    return {"claim_id": claim.claim_id, "status": claim.status}


def view(ctx: Context, claim: Claim) -> dict[str, Any]:
    """The authority's view: masked name and ID number only."""
    held = ctx.store.persons.for_id_keys({claim.id_key})
    return {
        "claim_id": claim.claim_id,
        "status": claim.status,
        "masked_name": mask_name(claim.name),
        "masked_id_number": mask_id(claim.id_number),
        "message": claim.message,
        "created_at": claim.created_at.isoformat(timespec="seconds"),
        "registered": claim.id_key in held,
        "decision": claim.decision,
        "note": claim.note,
        "resolved_at": claim.resolved_at.isoformat(timespec="seconds")
        if claim.resolved_at
        else None,
    }


def listing(ctx: Context, status: str) -> dict[str, Any]:
    return {"claims": [view(ctx, c) for c in ctx.store.claims.with_status(status, PAGE)]}


def resolve(
    ctx: Context, actor: AccessClaims, claim_id: str, decision: str, note: str, now: datetime
) -> dict[str, Any]:
    claim = ctx.store.claims.get(claim_id) if PERSON_ID.match(claim_id) else None
    if claim is None:
        raise NotFound()
    if claim.status != "open":
        raise Conflict("The claim is resolved already.", "该申诉已处理。")
    resolved = replace(
        claim,
        status="resolved",
        decision=decision,
        note=note,
        resolved_by=actor.account_id,
        resolved_at=now,
    )
    if decision == "reject":
        ctx.store.claims.reject(resolved)
        return view(ctx, resolved)
    person_id = ctx.store.persons.for_id_keys({claim.id_key}).get(claim.id_key)
    person = ctx.store.persons.get(person_id, consistent=True) if person_id else None
    if person is None:
        raise Conflict(
            "Nobody holds this ID: the claimant can apply for their code.",
            "该证件尚未被申领：申诉人可直接申领健康码。",
        )
    links = ctx.store.family.links_to(person.person_id)
    if any(link.account_id == claim.account_id for link in links):
        raise Conflict("The claimant acts for this person already.", "申诉人已可代办该人员。")
    entry = HistoryEntry(
        person_id=person.person_id,
        seq=0,
        at=now,
        from_color=person.color,
        to_color=person.color,
        reasons=tuple(r.code for r in person.reasons),
        rule=person.reasons[0].rule,
        rules_version=person.rules_version,
        profile=person.profile,
        actor_kind=ActorKind.AUTHORITY,
        actor=actor.account_id,
        source=f"claim:{claim.claim_id}",
        prev_hash=None,
    )
    placed = next_entry(person.history_seq, person.history_hash, entry)
    ctx.store.claims.transfer(resolved, person, links, placed, now)
    return view(ctx, resolved)
