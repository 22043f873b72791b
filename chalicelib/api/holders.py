"""Holders: applying, the code with its reasons, the QR image, who am I."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import QR_TYPES, Binary, Req, format_param, route

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/v1/applications",
    summary="Apply for one's own health code",
    body="ApplicationIn",
    response="ApplicationOut",
    status=201,
)
def apply(req: Req) -> dict[str, Any]:
    from chalicelib.services.applications import apply_for_self
    from chalicelib.services.codes import code_view

    person = apply_for_self(req.ctx, req.actor, req.body().to_domain(), req.now)
    return {"person_id": person.person_id, "code": code_view(req.ctx, person, req.now)}


@route(
    bp, "GET", "/v1/me", summary="The caller, their roles and the codes they hold", response="MeOut"
)
def me(req: Req) -> dict[str, Any]:
    from chalicelib.services.people import me as describe

    return describe(req.ctx, req.actor)


@route(
    bp,
    "GET",
    "/v1/persons/{person_id}/code",
    summary="The code: colour, reasons, token",
    response="CodeView",
)
def code(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.codes import view

    return view(req.ctx, req.actor, person_id, req.now)


@route(
    bp,
    "GET",
    "/v1/persons/{person_id}/qr",
    summary="The QR image of a fresh token",
    query=format_param(QR_TYPES),
    produces=tuple(QR_TYPES.values()),
)
def qr(req: Req, person_id: str) -> Binary:
    from chalicelib.services.codes import qr_image

    fmt = req.format(QR_TYPES)
    return Binary(qr_image(req.ctx, req.actor, person_id, fmt, req.now), QR_TYPES[fmt])


@route(
    bp,
    "GET",
    "/v1/persons/{person_id}/history",
    summary="The colour history and why",
    response="HistoryOut",
)
def history(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.history import for_holder

    return for_holder(req.ctx, req.actor, person_id)


@route(
    bp,
    "POST",
    "/v1/persons/{person_id}/appeals",
    summary="Appeal the colour (反馈与投诉)",
    body="AppealIn",
    response="AppealOut",
    status=201,
)
def appeal(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.appeals import file

    return file(req.ctx, req.actor, person_id, req.body().message, req.now)


_PAPER_TYPES = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}


@route(
    bp,
    "GET",
    "/v1/persons/{person_id}/paper-code",
    summary="A printable paper code, valid 14 days (pdf by default)",
    query=format_param(_PAPER_TYPES),
    produces=tuple(_PAPER_TYPES.values()),
)
def paper_code(req: Req, person_id: str) -> Binary:
    from chalicelib.services.paper import paper_code as printable

    fmt = req.format(_PAPER_TYPES)
    return Binary(printable(req.ctx, req.actor, person_id, fmt, req.now), _PAPER_TYPES[fmt])


@route(
    bp,
    "POST",
    "/v1/persons/{person_id}/paper-code/revoke",
    summary="Revoke every paper code printed so far",
    response="RevokedOut",
)
def revoke_paper_codes(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.paper import revoke

    return revoke(req.ctx, req.actor, person_id, req.now)


@route(
    bp,
    "DELETE",
    "/v1/persons/{person_id}",
    summary="Delete the person's data (注销)",
    status=204,
)
def erase(req: Req, person_id: str) -> None:
    from chalicelib.services.erase import erase as delete

    delete(req.ctx, req.actor, person_id, req.now)
