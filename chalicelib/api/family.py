"""Family members (为家人代办): binding, listing and unbinding dependents; share codes (consent)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api import formats
from chalicelib.api.http import ADMIN, Param, Req, route

bp = Blueprint(__name__)
CLAIM_STATUSES = ("open", "resolved")


@route(
    bp,
    "POST",
    "/v1/family",
    summary="Bind a family member and apply for them (or bind one who holds a code, with a "
    "share code)",
    body="FamilyIn",
    response="ApplicationOut",
    status=201,
)
def bind(req: Req) -> dict[str, Any]:
    from chalicelib.services.codes import code_view
    from chalicelib.services.family import apply_for_dependent

    form = req.body()
    person = apply_for_dependent(
        req.ctx, req.actor, form.to_domain(), form.relation, form.share_code, req.now
    )
    return {"person_id": person.person_id, "code": code_view(req.ctx, person, req.now)}


@route(bp, "GET", "/v1/family", summary="The family members one acts for", response="FamilyOut")
def members(req: Req) -> dict[str, Any]:
    from chalicelib.services.family import family

    return family(req.ctx, req.actor)


@route(
    bp,
    "DELETE",
    "/v1/family/{person_id}",
    summary="Stop acting for a family member (at once)",
    status=204,
)
def unbind(req: Req, person_id: str) -> None:
    from chalicelib.services.family import unbind as remove

    remove(req.ctx, req.actor, person_id)


@route(
    bp,
    "POST",
    "/v1/persons/{person_id}/share-codes",
    summary="A one-time share code (24 h) that lets another guardian bind this person",
    response="ShareCodeOut",
    status=201,
)
def share_code(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.family import issue_share_code

    return issue_share_code(req.ctx, req.actor, person_id, req.now)


@route(
    bp,
    "GET",
    "/v1/persons/{person_id}/guardians",
    summary="Who acts for the holder (the holder only)",
    response="GuardiansOut",
)
def guardians(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.family import guardians as listed

    return listed(req.ctx, req.actor, person_id)


@route(
    bp,
    "DELETE",
    "/v1/persons/{person_id}/guardians/{guardian_id}",
    summary="Remove a guardian (the holder only): their access and share codes end at once",
    status=204,
)
def remove_guardian(req: Req, person_id: str, guardian_id: str) -> None:
    from chalicelib.services.family import remove_guardian as remove

    remove(req.ctx, req.actor, person_id, guardian_id)


@route(
    bp,
    "POST",
    "/v1/claims",
    summary="The owner of an ID claims the person someone else made with it",
    body="ClaimIn",
    response="ClaimOut",
    status=201,
)
def file_claim(req: Req) -> dict[str, Any]:
    from chalicelib.services.claims import file

    form = req.body()
    return file(req.ctx, req.actor, form.id_type, form.id_number, form.name, form.message, req.now)


@route(
    bp,
    "GET",
    "/v1/admin/claims",
    summary="Claims against ID squatting (masked name and ID only)",
    roles=ADMIN,
    query={"status": Param(formats.enum(CLAIM_STATUSES, default="open"))},
    response="ClaimsOut",
)
def claims(req: Req) -> dict[str, Any]:
    from chalicelib.services.claims import listing

    return listing(req.ctx, req.choice("status", CLAIM_STATUSES))


@route(
    bp,
    "POST",
    "/v1/admin/claims/{claim_id}/resolve",
    summary="Transfer the person to the claimant, or reject the claim",
    roles=ADMIN,
    body="ClaimResolveIn",
    response="ClaimView",
)
def resolve_claim(req: Req, claim_id: str) -> dict[str, Any]:
    from chalicelib.services.claims import resolve

    form = req.body()
    return resolve(req.ctx, req.actor, claim_id, form.decision, form.note, req.now)
