"""The epidemic database drives the colours, always with a reason and a history."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import Api, Holder
from tests.e2e.test_journey import application
from tests.ids import resident_id


def row(
    record_id: str,
    id_number: str,
    category: str,
    since: str = "2026-11-20",
    until: str | None = None,
) -> dict[str, object]:
    return {
        "record_id": record_id,
        "id_type": "resident_id",
        "id_number": id_number,
        "category": category,
        "since": since,
        "until": until,
    }


def _rid() -> str:
    return "R-" + os.urandom(6).hex()


def test_a_close_contact_record_turns_the_code_red_at_once_with_a_reason_and_history(
    api: Api, holder: Holder, admin_token: str
) -> None:
    token, person_id, id_number = holder
    record_id = _rid()
    status, report = api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row(record_id, id_number, "close_contact")]},
        token=admin_token,
    )
    assert status == 200, report
    assert report == {
        "applied": 1,
        "duplicates": 0,
        "unmatched": 0,
        "errors": [],
        "recoloured": 1,
        "failed": 0,
        "complete": True,
        "resume_at": None,
        "queued": 0,
        "job_id": None,
    }
    view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]
    assert view["color"] == "red"
    assert view["reasons"][0]["code"] == "close_contact" and view["reasons"][0]["until"] is None
    changes = api.json("GET", f"/v1/persons/{person_id}/history", token=token)[1]["changes"]
    assert [(c["from"], c["to"], c["actor_kind"]) for c in changes] == [
        (None, "green", "self"),
        ("green", "red", "authority"),
    ]
    assert "actor" not in changes[1] and "source" not in changes[1]
    admin_view = api.json("GET", f"/v1/admin/persons/{person_id}/history", token=admin_token)[1]
    assert admin_view["intact"] is True
    assert admin_view["changes"][1]["source"] == f"record:{record_id}"
    assert admin_view["changes"][1]["actor"]


def test_importing_the_same_batch_twice_applies_it_once(
    api: Api, holder: Holder, admin_token: str
) -> None:
    batch = {"records": [row(_rid(), holder[2], "fever_clinic")]}
    first = api.json("POST", "/v1/admin/records", batch, token=admin_token)[1]
    again = api.json("POST", "/v1/admin/records", batch, token=admin_token)[1]
    assert (first["applied"], first["recoloured"]) == (1, 1)
    assert again == {
        "applied": 0,
        "duplicates": 1,
        "unmatched": 0,
        "errors": [],
        "recoloured": 0,
        "failed": 0,
        "complete": True,
        "resume_at": None,
        "queued": 0,
        "job_id": None,
    }


def test_overlapping_batches_at_once_apply_each_record_exactly_once(
    api: Api, new_phone: Callable[[], str], admin_token: str
) -> None:
    ids = [resident_id() for _ in range(6)]
    rows = [row(_rid(), n, "fever_clinic") for n in ids]
    batches = [{"records": rows[0:4]}, {"records": rows[2:6]}, {"records": rows[1:5]}]

    def send(batch: dict[str, object]) -> dict[str, int]:
        return api.json("POST", "/v1/admin/records", batch, token=admin_token)[1]

    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = list(pool.map(send, batches))
    assert sum(r["applied"] for r in reports) == 6
    assert sum(r["duplicates"] for r in reports) == 12 - 6
    assert sum(r["unmatched"] for r in reports) == 6


def test_a_record_for_someone_who_has_not_applied_applies_when_they_do(
    api: Api, new_phone: Callable[[], str], admin_token: str
) -> None:
    id_number = resident_id()
    report = api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row(_rid(), id_number, "confirmed")]},
        token=admin_token,
    )[1]
    assert report["unmatched"] == 1
    token = api.login(new_phone())
    created = api.json("POST", "/v1/applications", application(id_number), token=token)[1]
    assert created["code"]["color"] == "red"
    assert created["code"]["reasons"][0]["code"] == "confirmed_case"


def test_a_bad_row_is_reported_and_does_not_stop_the_others(
    api: Api, holder: Holder, admin_token: str
) -> None:
    good = row(_rid(), holder[2], "suspected")
    bad = row(
        "R-bad", holder[2][:-1] + "0" if holder[2][-1] != "0" else holder[2][:-1] + "1", "suspected"
    )
    worse = {**row("R-worse", holder[2], "alien"), "colour": "green"}
    status, report = api.json(
        "POST", "/v1/admin/records", {"records": [bad, good, worse]}, token=admin_token
    )
    assert status == 200 and report["applied"] == 1 and report["recoloured"] == 1
    problems = {(e["index"], e["field"], e["code"]) for e in report["errors"]}
    assert problems == {
        (0, "id_number", "invalid_id_number"),
        (2, "category", "invalid_value"),
        (2, "colour", "unknown_field"),
    }


def test_a_cleared_record_turns_the_code_green_again(
    api: Api, holder: Holder, admin_token: str
) -> None:
    token, person_id, id_number = holder
    api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row(_rid(), id_number, "suspected", "2026-11-01")]},
        token=admin_token,
    )
    api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row(_rid(), id_number, "cleared", "2026-11-10")]},
        token=admin_token,
    )
    view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]
    assert view["color"] == "green"


def test_a_region_turning_high_risk_recolours_its_visitors_at_once(
    api: Api, new_phone: Callable[[], str], admin_token: str
) -> None:
    token = api.login(new_phone())
    body = application(resident_id(), visited_regions=["420106"])
    person_id = api.json("POST", "/v1/applications", body, token=token)[1]["person_id"]
    status, answer = api.json(
        "PUT", "/v1/admin/regions/420106", {"risk": "high"}, token=admin_token
    )
    assert status == 200 and answer["reevaluated"] >= 1 and answer["recoloured"] >= 1
    view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]
    assert view["color"] == "red" and view["reasons"][0]["code"] == "visited_high_risk_region"
    api.json("PUT", "/v1/admin/regions/420106", {"risk": "low"}, token=admin_token)
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["color"] == "green"


def test_a_region_code_that_does_not_exist_is_a_400(api: Api, admin_token: str) -> None:
    status, problem = api.json(
        "PUT", "/v1/admin/regions/999999", {"risk": "high"}, token=admin_token
    )
    assert status == 400 and problem["code"] == "invalid_region_code"


def test_there_is_no_way_to_set_a_colour_by_hand(
    api: Api, holder: Holder, admin_token: str
) -> None:
    from app import app

    assert not [path for path in app.routes if "color" in path or "colour" in path]
    status, problem = api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row(_rid(), holder[2], "confirmed")], "color": "green"},
        token=admin_token,
    )
    assert status == 400 and problem["code"] == "unknown_field"


def test_residents_cannot_use_the_authority_endpoints(api: Api, holder: Holder) -> None:
    status, problem = api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row(_rid(), holder[2], "confirmed")]},
        token=holder[0],
    )
    assert status == 403


@pytest.fixture
def small_guard() -> Iterator[None]:
    os.environ["HEALTHCODE_GUARD_MINIMUM"] = "2"
    os.environ["HEALTHCODE_GUARD_FRACTION"] = "0.0001"
    yield
    del os.environ["HEALTHCODE_GUARD_MINIMUM"], os.environ["HEALTHCODE_GUARD_FRACTION"]


def test_a_mass_recolouring_waits_for_a_second_admin(
    api: Api,
    new_phone: Callable[[], str],
    admin_token: str,
    second_admin_token: str,
    small_guard: None,
) -> None:
    people = []
    for _ in range(3):
        token, id_number = api.login(new_phone()), resident_id()
        person_id = api.json("POST", "/v1/applications", application(id_number), token=token)[1][
            "person_id"
        ]
        people.append((token, person_id, id_number))
    batch = {"records": [row(_rid(), n, "confirmed") for _, _, n in people]}
    status, problem = api.json("POST", "/v1/admin/records", batch, token=admin_token)
    assert status == 409 and problem["code"] == "mass_recolouring"
    report = problem["report"]
    assert report["would_recolour"] == 3 and report["transitions"] == {"green->red": 3}
    for token, person_id, _ in people:  # nothing was applied
        assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["color"] == "green"
    confirmed = {**batch, "confirm": report["report_id"]}
    status, problem = api.json("POST", "/v1/admin/records", confirmed, token=admin_token)
    assert status == 403 and problem["code"] == "second_admin_required"
    status, done = api.json("POST", "/v1/admin/records", confirmed, token=second_admin_token)
    assert status == 200 and done["recoloured"] == 3
    status, problem = api.json("POST", "/v1/admin/records", confirmed, token=second_admin_token)
    assert status == 409 and problem["code"] == "report_mismatch"  # a report serves once


def test_an_appeal_that_is_upheld_clears_the_record_through_the_normal_path(
    api: Api, holder: Holder, admin_token: str
) -> None:
    token, person_id, id_number = holder
    api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row(_rid(), id_number, "close_contact", "2026-11-01")]},
        token=admin_token,
    )
    status, filed = api.json(
        "POST",
        f"/v1/persons/{person_id}/appeals",
        {"message": "我没有接触过确诊病例，请核实。"},
        token=token,
    )
    assert status == 201 and filed["status"] == "open"
    listed = api.json("GET", "/v1/admin/appeals", token=admin_token)[1]["appeals"]
    mine = [a for a in listed if a["appeal_id"] == filed["appeal_id"]]
    assert mine and mine[0]["color"] == "red" and mine[0]["message"].startswith("我没有")
    status, decided = api.json(
        "POST",
        f"/v1/admin/appeals/{filed['appeal_id']}/resolve",
        {"decision": "corrected", "reason": "经核实为误判"},
        token=admin_token,
    )
    assert status == 200 and decided["current_color"] == "green"
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["color"] == "green"
    source = api.json("GET", f"/v1/admin/persons/{person_id}/history", token=admin_token)[1][
        "changes"
    ][-1]["source"]
    assert source == f"appeal:{filed['appeal_id']}"
    status, problem = api.json(
        "POST",
        f"/v1/admin/appeals/{filed['appeal_id']}/resolve",
        {"decision": "rejected", "reason": "重复处理"},
        token=admin_token,
    )
    assert status == 409


def test_the_active_policy_is_public(api: Api) -> None:
    response = api.call("GET", "/v1/policy")
    policy = json.loads(response.body)
    assert response.status_code == 200 and policy["profile"] == "shandong"
    assert all(rule["id"] and rule["reason"]["zh"] for rule in policy["rules"])


def test_an_operators_profile_wins_over_the_stages(api: Api) -> None:
    os.environ["HEALTHCODE_PROFILE"] = "hainan"
    try:
        policy = json.loads(api.call("GET", "/v1/policy").body)
    finally:
        del os.environ["HEALTHCODE_PROFILE"]
    assert policy["profile"] == "hainan" and policy["issuer_region"] == "460000"
    assert json.loads(api.call("GET", "/v1/policy").body)["profile"] == "shandong"


def test_malformed_ids_on_admin_paths_are_not_found(api: Api, admin_token: str) -> None:
    for path in ("/v1/admin/persons/" + "x" * 3000 + "/history",):
        assert api.json("GET", path, token=admin_token)[0] == 404
    status, _ = api.json(
        "POST",
        "/v1/admin/appeals/" + "y" * 3000 + "/resolve",
        {"decision": "rejected", "reason": "无"},
        token=admin_token,
    )
    assert status == 404


def test_appeal_record_ids_are_reserved(api: Api, holder: Holder, admin_token: str) -> None:
    report = api.json(
        "POST",
        "/v1/admin/records",
        {"records": [row("appeal-0001", holder[2], "cleared")]},
        token=admin_token,
    )[1]
    assert report["applied"] == 0 and report["errors"][0]["field"] == "record_id"


def test_splitting_a_mass_recolouring_into_small_batches_still_trips_the_guard(
    api: Api, client: object, new_phone: Callable[[], str], small_guard: None
) -> None:
    from tests.e2e.conftest import _admin

    admin = _admin(client, "13800000002")  # type: ignore[arg-type]
    people = []
    for _ in range(3):
        id_number = resident_id()
        api.json("POST", "/v1/applications", application(id_number), token=api.login(new_phone()))
        people.append(id_number)
    first = {"records": [row(_rid(), n, "confirmed") for n in people[:2]]}
    status, report = api.json("POST", "/v1/admin/records", first, token=admin)
    assert status == 200 and report["recoloured"] == 2  # 2 is within the guard's minimum
    second = {"records": [row(_rid(), people[2], "confirmed")]}
    status, problem = api.json("POST", "/v1/admin/records", second, token=admin)
    assert status == 409 and problem["code"] == "mass_recolouring"
    assert problem["report"]["recoloured_earlier_today"] == 2


def test_two_imports_by_one_admin_at_the_same_moment_cannot_both_pass_the_guard(
    api: Api, new_phone: Callable[[], str], small_guard: None
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.api.schemas import parse_rows
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.errors import MassRecolouring
    from chalicelib.domain.model import Role
    from chalicelib.security.tokens import AccessClaims
    from chalicelib.services.context import default
    from chalicelib.services.records import import_records

    people = []
    for _ in range(4):
        id_number = resident_id()
        api.json("POST", "/v1/applications", application(id_number), token=api.login(new_phone()))
        people.append(id_number)
    admin = AccessClaims("guard-race-" + _rid(), frozenset({Role.ADMIN}), None)
    batches = [
        parse_rows([row(_rid(), n, "confirmed") for n in pair])[0]
        for pair in (people[:2], people[2:])
    ]

    def run(rows: list[object]) -> str:
        try:
            import_records(default(), admin, rows, [], None, utcnow())  # type: ignore[arg-type]
            return "applied"
        except MassRecolouring:
            return "guarded"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(run, batches))
    # Each batch fits the guard's minimum (2) alone; together they would recolour 4.
    assert outcomes == ["applied", "guarded"]
