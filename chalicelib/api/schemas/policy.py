"""The public policy document (GET /v1/policy): the rules, each with its basis (issue 11 item 8)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chalicelib.api.schemas.common import Answer


class PolicyReason(Answer):
    code: str
    en: str
    zh: str


class PolicyFallback(Answer):
    """The green answer when no rule matches; its basis as a rule's."""

    id: str
    color: Literal["red", "yellow", "green"]
    reason: PolicyReason
    basis: Literal["quoted", "inferred"] = Field(
        description="quoted: the notice says it (notice + quote); inferred: our reading (why)"
    )
    notice: str | None = Field(None, description="a file of docs/notices/")
    quote: str | None = Field(
        None, description="verbatim fragments of the notice, in its own script, joined by ……"
    )
    why: str | None = Field(None, description="an inferred rule's one line on our reading")
    source: str = Field(description="one line derived from basis, notice, quote and why")


class PolicyRule(PolicyFallback):
    when: dict[str, Any] = Field(description="the condition: `kind` and that kind's fields")


class PolicyDefaults(Answer):
    window_days: int
    record_days: dict[str, int]
    open_ended: list[str]


class PolicyOut(Answer):
    profile: str
    name: str
    issuer_region: str
    version: str
    source: str
    defaults: PolicyDefaults
    rules: list[PolicyRule]
    fallback: PolicyFallback
    records_fever_cases: bool
