"""Places (场所码), visits and reports (docs/decisions/0009)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
)

from chalicelib.api.schemas.common import (
    Answer,
    PlaceCode,
    RegionCode,
    RequestBody,
    Text,
)
from chalicelib.domain.places import PlaceType


class PlaceIn(RequestBody):
    """A place that puts up a place code (场所码)."""

    name: Annotated[Text, Field(max_length=100)]
    type: PlaceType
    region_code: RegionCode
    address: Annotated[Text, Field(max_length=200)]


class PlaceOut(Answer):
    place_id: str


class PlaceView(Answer):
    place_id: str
    name: str
    type: PlaceType
    region_code: str
    address: str
    created_at: str
    closed_at: str | None = Field(description="null while the place is open")


class PlacesOut(Answer):
    places: list[PlaceView] = Field(description="a page of registered places, by place id")
    next: str | None = Field(None, description="send as ?cursor= for the next page; null: last")


class VisitIn(RequestBody):
    place_token: PlaceCode


class VisitPlace(Answer):
    name: str
    type: PlaceType


class VisitOut(Answer):
    """The screen the holder shows at the door."""

    place: VisitPlace
    at: str
    color: Literal["green", "yellow", "red"]
    masked_name: str


class VisitView(Answer):
    place_id: str
    place: VisitPlace
    at: str
    color: Literal["green", "yellow", "red"] = Field(description="the colour at the visit")


class VisitsOut(Answer):
    visits: list[VisitView] = Field(description="newest first, within retention (28 days)")


class ReportView(Answer):
    at: str
    kind: Literal["scan", "visit", "fever_at_gate"] = Field(
        description="fever_at_gate: 37.3 °C or more measured at a checkpoint, whatever the colour"
    )
    place_id: str | None
    region_code: str
    color: Literal["green", "yellow", "red"] = Field(
        description="yellow or red, except for fever_at_gate (any colour)"
    )
    person_id: str | None = Field(description="pseudonymous; null for partner provinces' codes")


class ReportsOut(Answer):
    reports: list[ReportView] = Field(description="newest first")
    truncated: bool = Field(description="more reports than this page: see `next`")
    next: str | None = Field(None, description="send as ?cursor= for the next page; null: last")
