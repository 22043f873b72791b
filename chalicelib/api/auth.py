"""Login: an SMS code, then an access token."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import Req, route

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/v1/auth/otp",
    summary="Send a login code by SMS",
    roles=None,
    body="OtpIn",
    response="OtpOut",
    status=202,
)
def send_otp(req: Req) -> dict[str, Any]:
    from chalicelib.services.auth import request_otp

    sent = request_otp(req.ctx, req.body().phone, req.now, req.source_ip)
    answer: dict[str, Any] = {"retry_after": sent.retry_after}
    if sent.dev_code is not None:
        answer["dev_code"] = sent.dev_code
    return answer


@route(
    bp,
    "POST",
    "/v1/auth/token",
    summary="Exchange the SMS code for an access token",
    roles=None,
    body="TokenIn",
    response="TokenOut",
)
def token(req: Req) -> dict[str, Any]:
    from chalicelib.services.auth import exchange

    form = req.body()
    login = exchange(req.ctx, form.phone, form.code, req.now)
    roles = sorted(role.value for role in login.roles)
    return {
        "access_token": login.access_token,
        "token_type": "Bearer",
        "expires_in": login.expires_in,
        "roles": roles,
    }
