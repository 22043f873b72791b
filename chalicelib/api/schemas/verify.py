"""Checkpoints: verifying a code, lookups by a guardian's phone, the public keys."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictFloat,
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
    token: Token = Field(
        description="a code token as scanned: v1 (a JWT) or v2 (`HC2:` + base45), ours or a"
        " trusted partner's"
    )
    place_id: PlaceId | None = None
    temperature: Annotated[
        StrictFloat | None,
        Field(
            ge=34.0,
            le=43.0,
            description="°C measured at the checkpoint; 37.3 or more stops the code "
            "(reason fever_at_gate) and is reported to the region",
            examples=[36.5],
        ),
    ] = None


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
