"""Checkpoints (查验): scanning a code."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import CHECKER, Req, route

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/v1/verify",
    summary="Verify a scanned code (checkers and admins)",
    roles=CHECKER,
    body="VerifyIn",
    response="VerifyOut",
)
def verify(req: Req) -> dict[str, Any]:
    from chalicelib.services.verify import verify as check

    form = req.body()
    return check(req.ctx, req.actor, form.token, form.place_id, req.now, form.temperature)


@route(
    bp,
    "POST",
    "/v1/verify/by-phone",
    summary="The family members of the guardian with this phone (people without a phone)",
    roles=CHECKER,
    body="ByPhoneIn",
    response="ByPhoneOut",
)
def by_phone(req: Req) -> dict[str, Any]:
    from chalicelib.services.lookup import by_phone as look_up

    form = req.body()
    return look_up(req.ctx, req.actor, form.phone, form.place_id, req.now)
