"""How a route is declared: `@route(bp, "GET", "/v1/…", roles=…, body="SchemaName")`.

The decorator does everything routes have in common, once: authentication and roles, parsing and
validating the body (lazily: pydantic and the schemas load only for requests that have a body),
turning results into responses, mapping errors to problem details, logging without personal data,
and recording the route for the OpenAPI document.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import config
from chalicelib.api import problems
from chalicelib.domain.clock import deadline, utcnow
from chalicelib.domain.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    PayloadTooLarge,
    Unauthenticated,
)
from chalicelib.domain.model import Role

log = logging.getLogger("healthcode.api")
MAX_BODY = 64 * 1024
MAX_DEPTH = 16  # our bodies nest 4 deep at most; JSON nested deeper is not one of them
LONG_DEADLINE = 25.0  # seconds: admin work with its own time budget, inside the gateway's 29 s
ANYONE: tuple[Role, ...] = ()
RESIDENT = (Role.RESIDENT,)
CHECKER = (Role.CHECKER, Role.ADMIN)
QR_TYPES = {"svg": "image/svg+xml", "png": "image/png"}  # `format` of QR images, svg by default
ADMIN = (Role.ADMIN,)


@dataclass(frozen=True)
class Param:
    """A query or path parameter as the OpenAPI document publishes it: the JSON Schema of every
    value the route accepts (chalicelib.api.formats)."""

    schema: Mapping[str, Any]
    required: bool = False


def format_param(types: Mapping[str, str]) -> dict[str, Param]:
    """The `format` query parameter of a route answering in `types` (the first is the default):
    the same mapping `Req.format` checks against."""
    return {"format": Param({"type": "string", "enum": list(types), "default": next(iter(types))})}


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    summary: str
    roles: tuple[Role, ...] | None  # None: public
    body: str | None
    response: str | None
    status: int
    tag: str
    query: Mapping[str, Param] = field(default_factory=dict)
    produces: tuple[str, ...] = ("application/json",)
    also: tuple[int, ...] = ()  # other success statuses, with the same body
    path_params: Mapping[str, Param] = field(default_factory=dict)  # any string when not named
    max_body: int = MAX_BODY  # bytes; more is 413
    deadline: float | None = None  # seconds without a new database call; None: the default

    @property
    def idempotent(self) -> bool:
        """Takes an Idempotency-Key: a POST that creates or changes data, but not logging in
        (a login code is single-use by design)."""
        return self.method == "POST" and self.roles is not None


ROUTES: list[RouteSpec] = []
# Bodies are parsed as JSON whatever the client called them (curl -d says form-urlencoded), so a
# wrong Content-Type gets our problem document, not the framework's bare 415.
_BODY_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded"]


@dataclass(frozen=True)
class Binary:
    """A non-JSON answer (an image, a document)."""

    body: bytes | str
    content_type: str


@dataclass(frozen=True)
class WithStatus:
    """A JSON answer with one of the route's other success statuses (`also`)."""

    body: Any
    status: int


class Req:
    """The request as routes see it: the caller, the validated body, the query, the clock."""

    def __init__(self, raw: Request, spec: RouteSpec, request_id: str) -> None:
        self.raw = raw
        self.spec = spec
        self.request_id = request_id
        self.now: datetime = utcnow()
        self._actor: Any = None

    @property
    def ctx(self) -> Any:
        from chalicelib.services.context import default

        return default()

    @property
    def actor(self) -> Any:
        """The caller's verified access claims (chalicelib.security.tokens.AccessClaims)."""
        return self._actor

    @property
    def source_ip(self) -> str | None:
        """API Gateway's requestContext.identity.sourceIp (chalice local: 127.0.0.1)."""
        identity = (self.raw.context or {}).get("identity") or {}
        source = identity.get("sourceIp")
        return str(source) if source else None

    def authenticate(self) -> None:
        if self.spec.roles is None:
            return
        header = str(cast(Mapping[str, str], self.raw.headers or {}).get("authorization", ""))
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated()
        from chalicelib.services.auth import authenticate

        self._actor = authenticate(self.ctx, token.strip(), self.now)
        if self.spec.roles and not self._actor.roles.intersection(self.spec.roles):
            raise Forbidden()

    def body(self) -> Any:
        """The body validated against the route's schema (an instance of it)."""
        from chalicelib.api import schemas

        assert self.spec.body is not None
        raw = self.raw.raw_body or b""
        if len(raw) > self.spec.max_body:
            raise PayloadTooLarge(
                f"The request body is larger than {self.spec.max_body} bytes.",
                f"请求内容超过 {self.spec.max_body} 字节。",
            )
        try:
            data = json.loads(raw or b"null")
            _within_depth(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise InvalidInput(
                "The request body is not valid JSON.",
                "请求内容不是有效的 JSON。",
                code="malformed_json",
            ) from error
        return schemas.parse(getattr(schemas, self.spec.body), data)

    def query(self, name: str, default: str | None = None) -> str | None:
        return cast(Mapping[str, str], self.raw.query_params or {}).get(name, default)

    def choice(self, name: str, values: tuple[str, ...]) -> str:
        """A query parameter that is one of `values` (the first is the default); 400 otherwise."""
        value = self.query(name) or values[0]
        if value not in values:
            raise InvalidInput(
                f"{name} must be one of {', '.join(values)}.",
                f"{name} 须为 {'、'.join(values)} 之一。",
            )
        return value

    def format(self, types: Mapping[str, str]) -> str:
        """The `format` query parameter, one of `types` (format -> content type; the first is
        the default); 400 invalid_format otherwise."""
        fmt = self.query("format") or next(iter(types))
        if fmt not in types:
            raise InvalidInput(
                f"format must be one of {', '.join(types)}.",
                f"format 须为 {'、'.join(types)} 之一。",
                code="invalid_format",
            )
        return fmt


def _within_depth(data: Any) -> None:
    """ValueError when `data` nests deeper than MAX_DEPTH (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested too deeply")
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict | list):
            stack.extend((child, depth + 1) for child in children)


def _respond(result: Any, status: int) -> Response:
    if result is None:
        return Response(body="", status_code=204)
    if isinstance(result, WithStatus):
        return _respond(result.body, result.status)
    if isinstance(result, Binary):
        return Response(
            body=result.body, status_code=status, headers={"Content-Type": result.content_type}
        )
    return Response(
        body=json.dumps(result, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def route(
    bp: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    roles: tuple[Role, ...] | None = RESIDENT,
    body: str | None = None,
    response: str | None = None,
    status: int = 200,
    query: Mapping[str, Param] | None = None,
    produces: tuple[str, ...] = ("application/json",),
    also: tuple[int, ...] = (),
    path_params: Mapping[str, Param] | None = None,
    max_body: int = MAX_BODY,
    deadline: float | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    tag = path.split("/")[2] if path.startswith("/v1/") else "meta"
    spec = RouteSpec(
        method,
        path,
        summary,
        roles,
        body,
        response,
        status,
        tag,
        query or {},
        produces,
        also,
        path_params or {},
        max_body,
        deadline,
    )
    ROUTES.append(spec)

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def handler(**params: str) -> Response:
            return _handle(bp, spec, view, params)

        bp.route(path, methods=[method], content_types=_BODY_TYPES)(handler)
        return handler

    return decorate


def _idempotent(req: Req, run: Callable[[], Response]) -> Response:
    """Runs the route once per Idempotency-Key (services.idempotency): a retry with the same key
    and body gets the first 2xx answer again, marked `Idempotent-Replayed: true`."""
    headers = cast(Mapping[str, str], req.raw.headers or {})
    key = headers.get("idempotency-key")
    if key is None or not req.spec.idempotent:
        return run()
    from chalicelib.services import idempotency

    raw_body = req.raw.raw_body or b""
    sent = raw_body.encode() if isinstance(raw_body, str) else raw_body
    where = req.spec.path + json.dumps(req.raw.uri_params or {}, sort_keys=True)
    fingerprint = idempotency.fingerprint(req.spec.method, where, sent)
    claim = idempotency.claim(req.ctx, req.actor.account_id, key, fingerprint, req.now)
    if claim.replay is not None:
        status, kept_type, kept_body = claim.replay
        return Response(
            body=kept_body,
            status_code=status,
            headers={"Content-Type": kept_type, "Idempotent-Replayed": "true"},
        )
    try:
        response = run()
    except BaseException:
        idempotency.release(req.ctx, claim)
        raise
    body = response.body if isinstance(response.body, str) else None
    content_type = str((response.headers or {}).get("Content-Type", "application/json"))
    if 200 <= response.status_code < 300 and body is not None:
        idempotency.complete(req.ctx, claim, response.status_code, content_type, body)
    else:  # a refusal or a failure is not kept: the retry runs again
        idempotency.release(req.ctx, claim)
    return response


def _request_id(raw: Request) -> str:
    context = raw.context or {}
    return str(context.get("requestId") or uuid.uuid4())


def _handle(
    bp: Blueprint, spec: RouteSpec, view: Callable[..., Any], params: dict[str, str]
) -> Response:
    started = time.perf_counter()
    raw = bp.current_request
    request_id = _request_id(raw)
    try:
        with deadline(spec.deadline or config.request_deadline_seconds()):
            req = Req(raw, spec, request_id)
            req.authenticate()
            response = _idempotent(req, lambda: _respond(view(req, **params), spec.status))
    except DomainError as error:
        response = problems.from_error(error, request_id)
    except Exception as error:
        # The error's type and where it happened, never its message: messages can repeat input.
        log.error(
            "unhandled %s in %s %s request_id=%s\n%s",
            type(error).__name__,
            spec.method,
            spec.path,
            request_id,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        response = problems.internal(request_id)
    log.info(
        "%s %s -> %s in %.1f ms request_id=%s",
        spec.method,
        spec.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
        request_id,
    )
    return response
