"""Family members (为家人代办) and share codes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictStr,
)

from chalicelib.api.schemas.common import Answer
from chalicelib.api.schemas.persons import ApplicationIn, PersonSummary


class FamilyIn(ApplicationIn):
    """An application for a family member, and how they are related to the caller. With
    `share_code` (from the holder or a current guardian) it binds a person who already holds a
    code instead; the ID number and name must be theirs."""

    relation: Annotated[
        Literal["parent", "child", "spouse", "grandparent", "grandchild", "sibling", "other"],
        Field(description="the family member is the caller's … (parent: 父母, child: 子女, …)"),
    ]
    share_code: Annotated[
        StrictStr | None,
        Field(
            pattern=r"^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$",
            examples=["K7QX-M2PD"],
            description="one issued for this person (POST /v1/persons/{person_id}/share-codes), "
            "unused and unexpired; otherwise 400 invalid_share_code",
        ),
    ] = None


class FamilyOut(Answer):
    family: list[PersonSummary]


class ShareCodeOut(Answer):
    share_code: str
    expires_at: str


class Guardian(Answer):
    guardian_id: Annotated[str, Field(description="the guardian's account (opaque)")]
    masked_phone: str
    relation: Annotated[str, Field(description="the holder is the guardian's … (as bound)")]
    since: Annotated[str, Field(description="when the guardian was bound (ISO 8601)")]


class GuardiansOut(Answer):
    guardians: list[Guardian]
