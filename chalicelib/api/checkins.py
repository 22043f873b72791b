"""Daily health check-ins (健康打卡) of a person, by the holder or their guardian."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import Req, WithStatus, route

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/v1/persons/{person_id}/checkins",
    summary="Check in for today (201); a second check-in the same day replaces it (200)",
    body="CheckinIn",
    response="CheckinOut",
    status=201,
    also=(200,),
)
def check_in(req: Req, person_id: str) -> dict[str, Any] | WithStatus:
    from chalicelib.services.checkins import check_in as record

    form = req.body()
    done = record(req.ctx, req.actor, person_id, form.temperature, tuple(form.symptoms), req.now)
    return done.answer if done.first_of_the_day else WithStatus(done.answer, 200)


@route(
    bp,
    "GET",
    "/v1/persons/{person_id}/checkins",
    summary="The check-ins kept (28 days), newest first",
    response="CheckinsOut",
)
def checkins(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.checkins import history

    return history(req.ctx, req.actor, person_id, req.now)
