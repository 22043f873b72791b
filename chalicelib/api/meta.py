"""Public documents: the JWKS, the active policy and the OpenAPI description."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import Req, route

bp = Blueprint(__name__)


@route(
    bp,
    "GET",
    "/.well-known/jwks.json",
    summary="Public keys of the QR tokens",
    roles=None,
    response="JwksOut",
)
def jwks(req: Req) -> dict[str, Any]:
    from chalicelib.services.codes import jwks as published

    return published(req.ctx, req.now)


@route(
    bp,
    "GET",
    "/v1/policy",
    summary="The active provincial policy and its rules",
    roles=None,
    response="PolicyOut",
)
def policy(req: Req) -> dict[str, Any]:
    from chalicelib.services.assessment import active_policy

    return active_policy().to_dict()


@route(bp, "GET", "/openapi.json", summary="This API's OpenAPI document", roles=None)
def openapi(req: Req) -> dict[str, Any]:
    from chalicelib.api.openapi import document

    return document()
