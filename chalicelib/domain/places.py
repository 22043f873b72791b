"""Places (场所码), the visits holders record by scanning them, and the reports the authority
reads of every yellow or red scan or visit. Plain values: no names in visits or reports.

"Place visits" are scans of a place code; they are not the *declared* visits to regions of an
application (entities kept in the `visits` table), which drive region risk re-evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.model import Color


class PlaceType(StrEnum):
    COMMUNITY = "community"
    RESTAURANT = "restaurant"
    MALL = "mall"
    HOSPITAL = "hospital"
    HOTEL = "hotel"
    TRANSPORT = "transport"
    TOURISM = "tourism"
    OFFICE = "office"
    OTHER = "other"


class ReportKind(StrEnum):
    SCAN = "scan"
    VISIT = "visit"
    FEVER_AT_GATE = "fever_at_gate"  # a checkpoint measured 37.3 °C or more, whatever the colour


REPORTED_COLORS = frozenset({Color.YELLOW, Color.RED})


@dataclass(frozen=True)
class Place:
    """A registered place and the one token its QR holds (signed by the key `kid`)."""

    place_id: str
    name: str
    type: PlaceType
    region_code: str
    address: str
    created_at: datetime
    created_by: str
    kid: str
    token: str
    jti: str
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class PlaceVisit:
    """A holder scanned a place's code. The place's name and type are copied (they are not
    personal) so listing visits needs no read of the places."""

    visit_id: str
    person_id: str
    at: datetime
    place_id: str
    place_name: str
    place_type: PlaceType
    color: Color


@dataclass(frozen=True)
class Report:
    """A yellow or red scan or place visit, for the authority of a region. `person_id` is the
    pseudonymous person id, None for partner provinces' codes."""

    report_id: str
    at: datetime
    kind: ReportKind
    region_code: str
    place_id: str | None
    color: Color
    person_id: str | None


class InvalidPlaceCode(InvalidInput):
    code = "invalid_place_code"
    message = "This is not a valid place code of this service."
    message_zh = "该码不是本系统有效的场所码。"


class PlaceClosed(InvalidInput):
    code = "place_closed"
    message = "This place is closed; its code no longer works."
    message_zh = "该场所已关闭，场所码已失效。"


class ClosedPlaceNotFound(NotFound):
    code = "place_closed"
    message = "This place is closed; it has no code any more."
    message_zh = "该场所已关闭，不再提供场所码。"
