"""The OpenAPI 3.1 document, generated from the routes' declarations and the pydantic schemas."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic.json_schema import models_json_schema

from chalicelib.api import schemas
from chalicelib.api.http import ROUTES, RouteSpec

_REF = "#/components/schemas/{model}"
_ERRORS = {
    "400": "Invalid request (problem details)",
    "401": "Not signed in",
    "403": "Role not allowed",
    "404": "Not found, or not yours",
    "409": "Conflict",
    "413": "Body too large",
    "429": "Too many requests",
    "503": "A dependency is failing: retry after Retry-After seconds",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A retry with the same key and body within 24 hours gets the first answer "
    "again; the same key with another body is 422 idempotency_key_reused",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
}


def _schema_names() -> list[str]:
    names = {"Problem"}
    for spec in ROUTES:
        names.update(n for n in (spec.body, spec.response) if n)
    return sorted(names)


def _operation(spec: RouteSpec) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', spec.path.lower())}",
        "tags": [spec.tag],
        "parameters": [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": dict(spec.path_params[name].schema)
                if name in spec.path_params
                else {"type": "string", "minLength": 1},
            }
            for name in re.findall(r"{(\w+)}", spec.path)
        ]
        + [
            {"name": name, "in": "query", "required": param.required, "schema": dict(param.schema)}
            for name, param in spec.query.items()
        ]
        + ([IDEMPOTENCY_KEY] if spec.idempotent else []),
    }
    if spec.roles is not None:
        op["security"] = [{"bearer": []}]
        op["x-roles"] = [role.value for role in spec.roles] or ["any"]
    if spec.body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _REF.format(model=spec.body)}}},
        }
    ok: dict[str, Any] = {"description": "OK"}
    if spec.response:
        ok["content"] = {"application/json": {"schema": {"$ref": _REF.format(model=spec.response)}}}
    elif spec.produces != ("application/json",):
        ok["content"] = {kind: {} for kind in spec.produces}
    problem = {"application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}}
    errors = {**_ERRORS, **({"422": "Idempotency key reused"} if spec.idempotent else {})}
    op["responses"] = {str(code): ok for code in (spec.status, *spec.also)} | {
        code: {"description": text, "content": problem} for code, text in sorted(errors.items())
    }
    return op


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    models: Any = [(getattr(schemas, name), "validation") for name in _schema_names()]
    _, defs = models_json_schema(models, ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {
            # ASCII: client generators turn the title into a package name.
            "title": "healthcode API",
            "version": "1",
            "description": "健康通行码 (health code): provincial health codes: apply, show, "
            "verify. The contract in words is docs/api.md.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
