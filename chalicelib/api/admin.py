"""The health authority's console: enrolling checkers."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import ADMIN, Req, route

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/v1/admin/checkers",
    summary="Enrol a checker at a place",
    roles=ADMIN,
    body="CheckerIn",
    response="CheckerOut",
    status=201,
)
def enrol_checker(req: Req) -> dict[str, Any]:
    from chalicelib.services.people import enrol_checker as enrol

    form = req.body()
    return enrol(req.ctx, req.actor, form.phone, form.name, form.place_id, req.now)


@route(
    bp,
    "GET",
    "/v1/admin/checkers",
    summary="The enrolled checkers",
    roles=ADMIN,
    response="CheckersOut",
)
def list_checkers(req: Req) -> dict[str, Any]:
    from chalicelib.services.people import checkers

    return checkers(req.ctx)


@route(
    bp,
    "DELETE",
    "/v1/admin/checkers/{checker_id}",
    summary="Withdraw a checker at once (their access tokens stop verifying)",
    roles=ADMIN,
    status=204,
)
def withdraw_checker(req: Req, checker_id: str) -> None:
    from chalicelib.services.people import withdraw_checker as withdraw

    withdraw(req.ctx, checker_id)
