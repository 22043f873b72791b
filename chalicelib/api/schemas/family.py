"""Family members (为家人代办) and share codes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictStr,
    field_validator,
)

from chalicelib.api.schemas.common import (
    Answer,
    IdentifiedBody,
    RequestBody,
    Text,
    document_number,
)
from chalicelib.api.schemas.persons import ApplicationIn, PersonSummary
from chalicelib.domain.model import IdType


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


class ClaimIn(IdentifiedBody):
    """The ID's owner claims the person someone else made with their ID."""

    id_type: IdType
    id_number: Annotated[StrictStr, Field(max_length=64)]
    name: Annotated[Text, Field(max_length=50)]
    message: Annotated[Text, Field(max_length=1000)]

    _id_number = field_validator("id_number")(document_number)


class ClaimOut(Answer):
    claim_id: str
    status: Literal["open", "resolved"]


class ClaimView(Answer):
    claim_id: str
    status: Literal["open", "resolved"]
    masked_name: str
    masked_id_number: str
    message: str
    created_at: str
    registered: bool = Field(description="whether a person holds this ID now")
    decision: Literal["transfer", "reject"] | None
    note: str | None
    resolved_at: str | None


class ClaimsOut(Answer):
    claims: list[ClaimView]


class ClaimResolveIn(RequestBody):
    decision: Literal["transfer", "reject"]
    note: Annotated[Text, Field(max_length=500)]
