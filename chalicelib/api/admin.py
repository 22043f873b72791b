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
