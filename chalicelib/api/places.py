"""Places (场所码): registering and closing places and their QR (admins), place visits (holders
and guardians), and the reports of yellow and red scans and visits (admins)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api import formats
from chalicelib.api.formats import CURSOR
from chalicelib.api.http import ADMIN, QR_TYPES, Binary, Param, Req, format_param, route

bp = Blueprint(__name__)
PLACE_CURSOR = {
    "type": "string",
    "pattern": "^[0-9a-f]{16}$",
    "description": "the `next` of the previous page (a place id), sent back unchanged",
}


@route(
    bp,
    "POST",
    "/v1/admin/places",
    summary="Register a place that puts up a place code",
    roles=ADMIN,
    body="PlaceIn",
    response="PlaceOut",
    status=201,
)
def register(req: Req) -> dict[str, Any]:
    from chalicelib.services.places import register as run

    form = req.body()
    place = run(req.ctx, req.actor, form.name, form.type, form.region_code, form.address, req.now)
    return {"place_id": place.place_id}


@route(
    bp,
    "GET",
    "/v1/admin/places",
    summary="The registered places, a page at a time",
    roles=ADMIN,
    query={"cursor": Param(PLACE_CURSOR)},
    response="PlacesOut",
)
def listing(req: Req) -> dict[str, Any]:
    from chalicelib.services.places import listing as run

    return run(req.ctx, req.query("cursor"))


@route(
    bp,
    "GET",
    "/v1/admin/places/{place_id}/qr",
    summary="The place's QR (a place token, valid until the place is closed)",
    roles=ADMIN,
    query=format_param(QR_TYPES),
    produces=tuple(QR_TYPES.values()),
)
def place_qr(req: Req, place_id: str) -> Binary:
    from chalicelib.services.places import qr_image

    fmt = req.format(QR_TYPES)
    return Binary(qr_image(req.ctx, place_id, fmt), QR_TYPES[fmt])


@route(
    bp,
    "DELETE",
    "/v1/admin/places/{place_id}",
    summary="Close a place: its code stops working at once",
    roles=ADMIN,
    status=204,
)
def close(req: Req, place_id: str) -> None:
    from chalicelib.services.places import close as run

    run(req.ctx, place_id, req.now)


@route(
    bp,
    "POST",
    "/v1/persons/{person_id}/visits",
    summary="Record a visit by scanning a place code; the screen to show at the door",
    body="VisitIn",
    response="VisitOut",
    status=201,
)
def visit(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.places import visit as record

    return record(req.ctx, req.actor, person_id, req.body().place_token, req.now)


@route(
    bp,
    "GET",
    "/v1/persons/{person_id}/visits",
    summary="The holder's place visits within retention, newest first",
    response="VisitsOut",
)
def visits(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.places import visits as listing

    return listing(req.ctx, req.actor, person_id, req.now)


@route(
    bp,
    "GET",
    "/v1/admin/reports",
    summary="Yellow and red scans and visits of a region since a date",
    roles=ADMIN,
    query={
        "region_code": Param(formats.REGION_CODE, required=True),
        "since": Param(formats.DAY_UNTIL_TODAY),
        "cursor": Param(CURSOR),
    },
    response="ReportsOut",
)
def reports(req: Req) -> dict[str, Any]:
    from chalicelib.services.reports import listing

    query = (req.query("region_code"), req.query("since"))
    return listing(req.ctx, *query, req.now, req.query("cursor"))
