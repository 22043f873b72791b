"""Login: an SMS code, then an access token."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictStr,
)

from chalicelib.api.schemas.common import (
    Answer,
    Phone,
    RequestBody,
)


class OtpIn(RequestBody):
    phone: Phone


class TokenIn(RequestBody):
    phone: Phone
    code: Annotated[StrictStr, Field(pattern=r"^[0-9]{6}$")]


class OtpOut(Answer):
    retry_after: int
    dev_code: str | None = Field(None, description="stage local only")


class TokenOut(Answer):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    roles: list[str]
