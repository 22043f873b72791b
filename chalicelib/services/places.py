"""Places (场所码): the authority registers a place and prints its QR; a holder (or guardian)
scans it at the door, which records a place visit and shows the screen for the door: place,
time, colour and masked name. Closing a place makes its code stop working at once.

Place visits are not the declared visits to regions (the `visits` table of applications)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.masking import mask_name
from chalicelib.domain.places import (
    ClosedPlaceNotFound,
    InvalidPlaceCode,
    Place,
    PlaceClosed,
    PlaceType,
    PlaceVisit,
)
from chalicelib.security.place_tokens import issue_place, verify_place
from chalicelib.security.tokens import AccessClaims
from chalicelib.services import reports
from chalicelib.services.access import person_for
from chalicelib.services.context import Context
from chalicelib.services.keys import retire_idle_place_keys
from chalicelib.services.limits import per_hour

PLACE_ID = re.compile(r"^[0-9a-f]{16}$")


def _iso(instant: datetime) -> str:
    return instant.isoformat(timespec="seconds")


def register(
    ctx: Context,
    actor: AccessClaims,
    name: str,
    kind: PlaceType,
    region_code: str,
    address: str,
    now: datetime,
) -> Place:
    place_id = secrets.token_hex(8)
    for attempt in range(2):
        token, claims = issue_place(ctx.place_keys, place_id, now)
        place = Place(
            place_id,
            name,
            kind,
            region_code,
            address,
            created_at=now,
            created_by=actor.account_id,
            kid=claims.kid,
            token=token,
            jti=claims.jti,
        )
        try:
            ctx.store.places.add(place)
            return place
        except Conflict:
            if attempt:
                raise
            ctx.place_keys.forget()  # the key retired meanwhile: sign with the current one
    raise AssertionError("unreachable")


PAGE = 100


def listing(ctx: Context, cursor: str | None) -> dict[str, Any]:
    """The registered places a page at a time, by place id (open and closed; `next`: the
    cursor of the next page, null on the last)."""
    if cursor is not None and not PLACE_ID.match(cursor):
        raise InvalidInput(
            "cursor must be the `next` of the previous page, unchanged.",
            "cursor 须原样使用上一页返回的 next。",
            code="invalid_cursor",
        )
    places, following = ctx.store.places.page(cursor, PAGE)
    return {
        "places": [
            {
                "place_id": p.place_id,
                "name": p.name,
                "type": p.type.value,
                "region_code": p.region_code,
                "address": p.address,
                "created_at": _iso(p.created_at),
                "closed_at": _iso(p.closed_at) if p.closed_at else None,
            }
            for p in places
        ],
        "next": following,
    }


def _place(ctx: Context, place_id: str) -> Place:
    place = ctx.store.places.get(place_id) if PLACE_ID.match(place_id) else None
    if place is None:
        raise NotFound()
    return place


def qr_image(ctx: Context, place_id: str, fmt: str) -> bytes | str:
    from chalicelib import qr  # segno only for the requests that draw

    place = _place(ctx, place_id)
    if not place.is_open:
        raise ClosedPlaceNotFound()
    return qr.render(place.token, "place", fmt, caption=place.name)


def close(ctx: Context, place_id: str, now: datetime) -> None:
    if not PLACE_ID.match(place_id) or ctx.store.places.close(place_id, now) is None:
        raise NotFound()
    retire_idle_place_keys(ctx.store, now)


def visit(
    ctx: Context, actor: AccessClaims, person_id: str, place_token: str, now: datetime
) -> dict[str, Any]:
    person, _ = person_for(ctx.store, actor, person_id, consistent=True)
    per_hour(ctx.store, "visits", person.person_id, config.visits_hourly_cap(), now)
    claims = verify_place(ctx.place_keys, place_token, now)
    place = ctx.store.places.get(claims.place_id) if PLACE_ID.match(claims.place_id) else None
    if place is None or (place.jti, place.kid) != (claims.jti, claims.kid):
        raise InvalidPlaceCode()  # not a token this place holds
    if not place.is_open:
        raise PlaceClosed()
    recorded = PlaceVisit(
        visit_id=reports.new_id(),
        person_id=person.person_id,
        at=now,
        place_id=place.place_id,
        place_name=place.name,
        place_type=place.type,
        color=person.color,
    )
    ctx.store.places.add_visit(recorded, reports.for_visit(ctx.store, recorded, place))
    return {
        "place": {"name": place.name, "type": place.type.value},
        "at": _iso(now),
        "color": person.color.value,
        "masked_name": mask_name(person.name),
    }


def visits(ctx: Context, actor: AccessClaims, person_id: str, now: datetime) -> dict[str, Any]:
    person, _ = person_for(ctx.store, actor, person_id)
    since = reports.start_of(reports.first_kept_day(now))
    return {
        "visits": [
            {
                "place_id": v.place_id,
                "place": {"name": v.place_name, "type": v.place_type.value},
                "at": _iso(v.at),
                "color": v.color.value,
            }
            for v in ctx.store.places.visits_of(person.person_id, since)
        ]
    }
