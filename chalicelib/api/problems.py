"""The one mapper from errors to RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from chalicelib.domain.errors import (
    AlreadyApplied,
    Conflict,
    DomainError,
    Forbidden,
    FormatUnavailable,
    IdempotencyKeyReused,
    InvalidInput,
    MassRecolouring,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
    Unavailable,
)

PROBLEM_TYPE = "urn:healthcode:problem:{code}"

# By type, most specific first; everything else in the domain is a 400.
_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (AlreadyApplied, 409),
    (MassRecolouring, 409),
    (Conflict, 409),
    (IdempotencyKeyReused, 422),
    (RateLimited, 429),
    (Unavailable, 503),
    (PayloadTooLarge, 413),
    (FormatUnavailable, 406),
    (InvalidInput, 400),
)

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_of(error: DomainError) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 400)


def problem(
    status: int,
    code: str,
    detail: str,
    detail_zh: str,
    request_id: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {
        "type": PROBLEM_TYPE.format(code=code),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "detail_zh": detail_zh,
        "errors": errors or [],
        "request_id": request_id,
    }
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/problem+json", **(headers or {})},
    )


def from_error(error: DomainError, request_id: str) -> Response:
    headers = {}
    if isinstance(error, RateLimited | Unavailable):
        headers["Retry-After"] = str(max(1, error.retry_after))
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="healthcode"'
    errors = [
        {"field": e.field, "code": e.code, "message": e.message, "message_zh": e.message_zh}
        for e in error.errors
    ]
    response = problem(
        status_of(error), error.code, error.message, error.message_zh, request_id, errors, headers
    )
    if error.extra:
        body = json.loads(response.body)
        response.body = json.dumps({**body, **error.extra}, ensure_ascii=False)
    return response


def internal(request_id: str) -> Response:
    return problem(
        500,
        "internal_error",
        "Something went wrong on our side; it has been logged. Try again later.",
        "服务器内部错误，已记录，请稍后再试。",
        request_id,
    )
