"""Checkpoints: verifying a code, lookups by a guardian's phone, the public keys."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from chalicelib.api.schemas.common import (
    Answer,
    Phone,
    PlaceId,
    RequestBody,
    Token,
)


class ByPhoneIn(RequestBody):
    phone: Phone
    place_id: PlaceId | None = None


class VerifyIn(RequestBody):
    token: Token
    place_id: PlaceId | None = None


class PersonAtCheckpoint(Answer):
    masked_name: str
    color: Literal["green", "yellow", "red"]
    pass_: bool = Field(alias="pass")


class ByPhoneOut(Answer):
    people: list[PersonAtCheckpoint]


class VerifyOut(Answer):
    valid: bool
    pass_: bool = Field(alias="pass")
    color: Literal["green", "yellow", "red"] | None
    masked_name: str | None
    reason: str | None
    checked_at: str
    issuer: str | None = Field(None, description="who issued the code (ours or a partner's)")
    province_code: str | None = Field(None, description="the issuing province, e.g. 110000")


class JwksOut(Answer):
    keys: list[dict[str, str]]
