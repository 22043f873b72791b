"""Daily check-ins over HTTP, and the hourly expire job ending a 14-day yellow code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import time_machine
from chalice.test import Client

from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.model import Checkin, Risk, Symptom
from chalicelib.services.context import default
from tests.e2e.conftest import Api
from tests.e2e.test_journey import application
from tests.ids import resident_id

MEDIUM = "330106"


def apply(api: Api, phone: str, **declaration: object) -> tuple[str, str, dict[str, object]]:
    token = api.login(phone)
    body = application(resident_id(), **declaration)
    status, created = api.json("POST", "/v1/applications", body, token=token)
    assert status == 201, created
    return token, created["person_id"], created["code"]


def checkins_path(person_id: str) -> str:
    return f"/v1/persons/{person_id}/checkins"


def test_the_first_check_in_of_the_day_is_201_and_a_second_one_replaces_it_with_200(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = apply(api, new_phone())
    first = {"temperature": 36.5, "symptoms": []}
    status, done = api.json("POST", checkins_path(person_id), first, token=token)
    assert status == 201, done
    today = shanghai_date(utcnow()).isoformat()
    assert done == {
        "date": today,
        "temperature": 36.5,
        "symptoms": [],
        "streak": 1,
        "color": "green",
    }
    status, again = api.json(
        "POST", checkins_path(person_id), {"temperature": 36.8, "symptoms": []}, token=token
    )
    assert status == 200 and again["temperature"] == 36.8 and again["streak"] == 1
    status, listed = api.json("GET", checkins_path(person_id), token=token)
    assert status == 200
    assert listed == {"checkins": [{"date": today, "temperature": 36.8, "symptoms": []}]}


def test_a_temperature_outside_35_to_42_degrees_is_a_clear_400(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = apply(api, new_phone())
    for temperature in (42.5, 34.9, "37"):
        body = {"temperature": temperature, "symptoms": []}
        status, problem = api.json("POST", checkins_path(person_id), body, token=token)
        assert status == 400, problem
        assert problem["errors"][0]["field"] == "temperature"
    status, problem = api.json(
        "POST", checkins_path(person_id), {"temperature": 42.5, "symptoms": []}, token=token
    )
    assert problem["code"] == "temperature_out_of_range"
    assert "42.0" in problem["errors"][0]["message"] and problem["errors"][0]["message_zh"]
    duplicated = {"temperature": 36.5, "symptoms": ["cough", "cough"]}
    status, problem = api.json("POST", checkins_path(person_id), duplicated, token=token)
    assert (status, problem["code"]) == (400, "duplicate_symptom")
    unknown = {"temperature": 36.5, "symptoms": ["sneezing"]}
    assert api.json("POST", checkins_path(person_id), unknown, token=token)[0] == 400
    coloured = {"temperature": 36.5, "symptoms": [], "color": "green"}
    assert api.json("POST", checkins_path(person_id), coloured, token=token)[0] == 400
    status, listed = api.json("GET", checkins_path(person_id), token=token)
    assert listed == {"checkins": []}


def test_someone_elses_person_is_404_for_check_ins_both_ways(
    api: Api, new_phone: Callable[[], str]
) -> None:
    _, person_id, _ = apply(api, new_phone())
    stranger = api.login(new_phone())
    body = {"temperature": 36.5, "symptoms": []}
    status, problem = api.json("POST", checkins_path(person_id), body, token=stranger)
    assert (status, problem["code"]) == (404, "not_found")
    assert api.json("GET", checkins_path(person_id), token=stranger)[0] == 404
    assert api.json("GET", checkins_path("0" * 16), token=stranger)[0] == 404


def test_a_fever_check_in_turns_the_code_yellow_with_the_holder_as_the_cause(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token, person_id, code = apply(api, new_phone())
    assert code["color"] == "green"
    fever = {"temperature": 38.2, "symptoms": ["fever", "dry_cough"]}
    status, done = api.json("POST", checkins_path(person_id), fever, token=token)
    assert status == 201 and done["color"] == "yellow"
    status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)
    assert view["color"] == "yellow"
    assert "checkin_fever_or_symptoms" in [r["code"] for r in view["reasons"]]
    status, history = api.json("GET", f"/v1/persons/{person_id}/history", token=token)
    assert status == 200, history
    last = history["changes"][-1]
    assert (last["from"], last["to"], last["actor_kind"]) == ("green", "yellow", "self")


def test_check_ins_are_listed_newest_first_within_retention(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = apply(api, new_phone())
    now = utcnow()
    today = shanghai_date(now)
    store = default().store
    for back in (1, 2, 28):  # 28 days back is past retention (28 days, today included)
        store.checkins.put(person_id, Checkin(today - timedelta(days=back), 36.4), now)
    body = {"temperature": 36.6, "symptoms": ["fatigue"]}
    assert api.json("POST", checkins_path(person_id), body, token=token)[0] == 201
    status, listed = api.json("GET", checkins_path(person_id), token=token)
    days = [c["date"] for c in listed["checkins"]]
    assert days == [(today - timedelta(days=back)).isoformat() for back in (0, 1, 2)]
    assert listed["checkins"][0]["symptoms"] == [Symptom.FATIGUE.value]


def test_a_medium_risk_holder_is_yellow_then_green_when_the_hourly_job_runs_15_days_later(
    api: Api, client: Client, new_phone: Callable[[], str]
) -> None:
    now = utcnow()
    default().store.epidemic.put_region(MEDIUM, Risk.MEDIUM, by="e2e", at=now)
    token, person_id, code = apply(api, new_phone(), visited_regions=[MEDIUM])
    assert code["color"] == "yellow"
    # declared on D: D+1 … D+14 (days.last_day); D+13 before issue 11 item 9
    assert code["valid_until"] == (shanghai_date(now) + timedelta(days=14)).isoformat()

    def scheduled_run(days_later: int) -> dict[str, object]:
        event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
        with time_machine.travel(now + timedelta(days=days_later), tick=False):
            answer = client.lambda_.invoke("expire", event)
        assert isinstance(answer.payload, dict)
        return answer.payload

    scheduled_run(14)  # D+14, the last day of the window: still yellow
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["color"] == "yellow"
    report = scheduled_run(15)
    assert report["job"] == "expire" and report["failed"] == 0
    assert isinstance(report["changed"], int) and report["changed"] >= 1
    status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)
    assert (status, view["color"]) == (200, "green")
    status, history = api.json("GET", f"/v1/persons/{person_id}/history", token=token)
    assert [(c["to"], c["actor_kind"]) for c in history["changes"]] == [
        ("yellow", "self"),
        ("green", "system"),
    ]
