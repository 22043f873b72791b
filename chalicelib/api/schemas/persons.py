"""Holders: applications, the code view, history, appeals and daily check-ins."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictFloat,
    StrictStr,
    field_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.api.schemas.common import (
    Answer,
    IdentifiedBody,
    Nationality,
    RegionCode,
    RequestBody,
    Text,
    document_number,
)
from chalicelib.domain.model import Declaration, IdType, Symptom


class DeclarationIn(RequestBody):
    """The 14-day contact history and health (every answer is required)."""

    visited_regions: Annotated[list[RegionCode], Field(max_length=50)]
    contact_with_case: StrictBool
    fever_clinic_visit: StrictBool
    symptoms: Annotated[list[Symptom], Field(max_length=7)]
    temperature: Annotated[float | None, Field(ge=34.0, le=43.0, description="°C")]
    from_abroad: StrictBool

    def to_domain(self) -> Declaration:
        return Declaration(
            visited_regions=tuple(dict.fromkeys(self.visited_regions)),
            contact_with_case=self.contact_with_case,
            fever_clinic_visit=self.fever_clinic_visit,
            symptoms=tuple(dict.fromkeys(self.symptoms)),
            temperature=self.temperature,
            from_abroad=self.from_abroad,
        )


class ApplicationIn(IdentifiedBody):
    """The seven items and the commitment (承诺信息真实)."""

    name: Annotated[Text, Field(max_length=50)]
    id_type: IdType
    id_number: Annotated[StrictStr, Field(max_length=64)]
    nationality: Nationality
    address: Annotated[Text, Field(max_length=200)]
    region_code: RegionCode
    declaration: DeclarationIn
    commitment: Literal[True]

    _id_number = field_validator("id_number")(document_number)

    def to_domain(self) -> Any:
        from chalicelib.services.applications import Application

        return Application(
            name=self.name,
            id_type=self.id_type,
            id_number=self.id_number,
            nationality=self.nationality,
            address=self.address,
            region_code=self.region_code,
            declaration=self.declaration.to_domain(),
        )


class AppealIn(RequestBody):
    message: Annotated[Text, Field(max_length=1000)]


CHECKIN_TEMPERATURE = (35.0, 42.0)


def _body_temperature(value: float) -> float:
    low, high = CHECKIN_TEMPERATURE
    if not low <= value <= high:  # also refuses NaN
        raise PydanticCustomError(
            "temperature_out_of_range",
            f"the temperature must be between {low} and {high} °C",
            {"message_zh": f"体温须在 {low}℃ 至 {high}℃ 之间"},
        )
    return value


def _distinct(symptoms: list[Symptom]) -> list[Symptom]:
    if len(set(symptoms)) != len(symptoms):
        raise PydanticCustomError(
            "duplicate_symptom", "each symptom may be listed once", {"message_zh": "症状不可重复"}
        )
    return symptoms


class CheckinIn(RequestBody):
    """Today's check-in (健康打卡)."""

    temperature: Annotated[
        StrictFloat,
        Field(
            description="°C, 35.0 to 42.0",
            examples=[36.6],
            json_schema_extra={
                "minimum": CHECKIN_TEMPERATURE[0],
                "maximum": CHECKIN_TEMPERATURE[1],
            },
        ),
        AfterValidator(_body_temperature),
    ]
    symptoms: Annotated[
        list[Symptom],
        Field(max_length=7, json_schema_extra={"uniqueItems": True}),
        AfterValidator(_distinct),
    ]


class ReasonOut(Answer):
    code: str
    rule: str
    color: Literal["green", "yellow", "red"]
    message: str
    message_zh: str
    until: str | None = Field(description="last day (inclusive, Asia/Shanghai) it holds")
    note: str | None = Field(
        None, description="the health authority's note on the records behind it, for the holder"
    )


class CodeView(Answer):
    person_id: str
    color: Literal["green", "yellow", "red"]
    masked_name: str
    reasons: list[ReasonOut]
    since: str
    valid_until: str | None
    profile: str
    rules_version: str
    token: str = Field(
        description="the code token: a v1 JWT, or the v2 `HC2:` text when v1 issuing is off"
    )
    compact_token: str = Field(
        pattern=r"^HC2:[0-9A-Z $%*+\-./:]+$",
        description="the same code as a compact v2 token (`HC2:` + base45 of a COSE_Sign1 CWT),"
        " what the QR image holds",
    )
    token_expires_at: str


class ApplicationOut(Answer):
    person_id: str
    code: CodeView


class PersonSummary(Answer):
    person_id: str
    masked_name: str
    relation: str
    color: Literal["green", "yellow", "red"]


class MeOut(Answer):
    phone: str
    roles: list[str]
    persons: list[PersonSummary]


class RevokedOut(Answer):
    revoked_before: str = Field(description="paper codes printed before this verify as revoked")


class Change(Answer):
    at: str
    from_: Literal["green", "yellow", "red"] | None = Field(alias="from")
    to: Literal["green", "yellow", "red"]
    reasons: list[str]
    rule: str
    rules_version: str
    actor_kind: Literal["system", "authority", "self", "guardian", "checker"]
    note: str | None = Field(None, description="the health authority's note behind the change")


class HistoryOut(Answer):
    changes: list[Change]


class AppealOut(Answer):
    appeal_id: str
    status: Literal["open", "resolved"]


class CheckinView(Answer):
    date: str = Field(description="Asia/Shanghai calendar day")
    temperature: float
    symptoms: list[str]


class CheckinOut(CheckinView):
    streak: int = Field(description="consecutive days with a check-in, up to today")
    color: Literal["green", "yellow", "red"]


class CheckinsOut(Answer):
    checkins: list[CheckinView] = Field(description="newest first, within retention")
