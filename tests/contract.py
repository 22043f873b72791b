"""Answers against the document: every 2xx JSON body must match the response schema its route
declares in /openapi.json, with a status the route declares. The e2e tests' Api helper runs this
on every response, so docs/api.md, /openapi.json and the real answers cannot drift apart."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator


class ContractViolation(AssertionError):
    pass


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    statuses: frozenset[int]
    validator: Draft202012Validator | None  # None: no JSON body declared


@functools.lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    import app  # noqa: F401  (registers every blueprint)
    from chalicelib.api.openapi import document

    doc = document()
    found = []
    for template, methods in doc["paths"].items():
        regex = re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)) + "$")
        for method, op in methods.items():
            statuses, validator = set(), None
            for code, answer in op["responses"].items():
                if not code.startswith("2"):
                    continue
                statuses.add(int(code))
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    root = {**schema, "components": doc["components"]}
                    validator = Draft202012Validator(
                        root, format_checker=Draft202012Validator.FORMAT_CHECKER
                    )
            found.append(Operation(method.upper(), template, regex, frozenset(statuses), validator))
    # Literal paths before templated ones (/v1/verify/by-phone before a {param} sibling).
    return tuple(sorted(found, key=lambda o: o.template.count("{")))


def operation_for(method: str, path: str) -> Operation:
    bare = path.split("?", 1)[0]
    for op in operations():
        if op.method == method.upper() and op.pattern.match(bare):
            return op
    raise ContractViolation(f"{method} {bare} is not in the OpenAPI document")


def check_answer(method: str, path: str, status: int, content_type: str, body: bytes) -> None:
    """Raises ContractViolation when a 2xx answer does not match what the document declares."""
    if not 200 <= status < 300:
        return
    op = operation_for(method, path)
    if status not in op.statuses:
        raise ContractViolation(f"{method} {op.template} answered {status}, declares {op.statuses}")
    if op.validator is None or not content_type.startswith("application/json"):
        return
    answer = json.loads(body) if body else None
    problems = sorted(op.validator.iter_errors(answer), key=lambda e: list(e.absolute_path))
    if problems:
        where = "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in problems[:5]
        )
        raise ContractViolation(
            f"{method} {op.template} {status} does not match its schema: {where}"
        )


def check_response(method: str, path: str, response: Any) -> None:
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    body = response.body if isinstance(response.body, bytes) else str(response.body).encode()
    check_answer(method, path, response.status_code, headers.get("content-type", ""), body)
