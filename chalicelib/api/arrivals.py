"""Arrivals (来鲁申报) and the trust list (省际互认): declarations, partner issuers, and the
signed list of them that scanners fetch."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import ADMIN, Binary, Req, WithStatus, route

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/v1/arrivals",
    summary="Apply for a code on arrival (来鲁申报, 转码)",
    body="ArrivalApplicationIn",
    response="ApplicationOut",
    status=201,
)
def arrive_new(req: Req) -> dict[str, Any]:
    from chalicelib.services.arrivals import declare_new
    from chalicelib.services.codes import code_view

    form = req.body()
    person = declare_new(req.ctx, req.actor, form.to_domain(), form.arrival.to_domain(), req.now)
    return {"person_id": person.person_id, "code": code_view(req.ctx, person, req.now)}


@route(
    bp,
    "POST",
    "/v1/persons/{person_id}/arrivals",
    summary="Declare an arrival for a code one holds or looks after",
    body="HolderArrivalIn",
    response="CodeView",
)
def arrive_holder(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.arrivals import declare_return

    arrival = req.body().arrival.to_domain()
    return declare_return(req.ctx, req.actor, person_id, arrival, req.now)


@route(
    bp,
    "POST",
    "/v1/admin/issuers",
    summary="Trust a partner province's code issuer (or replace its keys)",
    roles=ADMIN,
    body="IssuerIn",
    response="IssuerOut",
    status=201,
    also=(200,),
)
def add_issuer(req: Req) -> Any:
    from chalicelib.services.trust import trust

    entry, new = trust(req.ctx, req.actor, req.body().to_domain(), req.now)
    return entry if new else WithStatus(entry, 200)


@route(
    bp,
    "GET",
    "/v1/admin/issuers",
    summary="Trusted partner issuers",
    roles=ADMIN,
    response="IssuersOut",
)
def issuers(req: Req) -> dict[str, Any]:
    from chalicelib.services.trust import listing

    return listing(req.ctx, req.now)


@route(
    bp,
    "DELETE",
    "/v1/admin/issuers/{issuer}",
    summary="Stop trusting a partner issuer, at once",
    roles=ADMIN,
    status=204,
)
def remove_issuer(req: Req, issuer: str) -> None:
    from chalicelib.services.trust import remove

    remove(req.ctx, issuer)


@route(
    bp,
    "GET",
    "/.well-known/trust-list.json",
    summary="The partner issuers we trust (public; not_after at most 24 h ahead)",
    roles=None,
    response="TrustListOut",
)
def trust_list(req: Req) -> dict[str, Any]:
    from chalicelib.services.trust import trust_list as current

    return current(req.ctx, req.now)


@route(
    bp,
    "GET",
    "/.well-known/trust-list.jws",
    summary="The trust list as a compact JWS (ES256), signed with a key of our JWKS",
    roles=None,
    produces=("application/jose",),
)
def trust_list_jws(req: Req) -> Binary:
    from chalicelib.services.trust import signed_trust_list

    return Binary(signed_trust_list(req.ctx, req.now), "application/jose")
