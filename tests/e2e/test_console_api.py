"""What the authority's console needs beyond the first contract (docs/decisions/0036): an
import's dry run that writes nothing, the list of risky regions, and the list of places."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.conftest import Api, Holder
from tests.e2e.test_epidemic_database import _rid, row, small_guard  # noqa: F401 (fixture)
from tests.e2e.test_journey import application
from tests.ids import resident_id

DRY_RUN = "/v1/admin/records/dry-run"
REGION = "530102"  # 昆明市五华区: no other test declares or sets it


def test_a_dry_run_reports_rows_matches_and_transitions_and_writes_nothing(
    api: Api, holder: Holder, admin_token: str
) -> None:
    token, person_id, id_number = holder
    good = {**row(_rid(), id_number, "other_medium_risk"), "note": "同行密接"}
    stranger = row(_rid(), resident_id(), "fever_clinic")
    bad = {**row(_rid(), id_number, "other_medium_risk"), "note": ""}
    batch = {"records": [good, stranger, bad]}
    status, report = api.json("POST", DRY_RUN, batch, token=admin_token)
    assert status == 200, report
    assert report["records"] == 3 and report["valid"] == 2
    assert [(e["index"], e["field"], e["code"]) for e in report["errors"]] == [
        (2, "note", "note_required")
    ]
    assert report["errors"][0]["message_zh"]
    assert (report["matched"], report["unmatched"], report["persons"]) == (1, 1, 1)
    assert report["would_recolour"] == 1 and report["transitions"] == {"green->yellow": 1}
    assert report["needs_confirmation"] is False
    assert report["threshold"]["minimum"] >= 1 and report["total_persons"] >= 1

    # Nothing was written: still green, no history entry, and the rows import as new.
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["color"] == "green"
    history = api.json("GET", f"/v1/admin/persons/{person_id}/history", token=admin_token)[1]
    assert len(history["changes"]) == 1
    status, done = api.json("POST", "/v1/admin/records", batch, token=admin_token)
    assert status == 200, done
    assert (done["applied"], done["duplicates"], done["recoloured"]) == (2, 0, 1)
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["color"] == "yellow"


def test_a_dry_run_says_when_the_import_would_wait_for_a_second_admin(
    api: Api,
    new_phone: Callable[[], str],
    admin_token: str,
    small_guard: None,  # noqa: F811
) -> None:
    numbers = []
    for _ in range(3):
        id_number = resident_id()
        token = api.login(new_phone())
        assert api.json("POST", "/v1/applications", application(id_number), token=token)[0] == 201
        numbers.append(id_number)
    batch = {"records": [row(_rid(), n, "confirmed") for n in numbers]}
    status, report = api.json("POST", DRY_RUN, batch, token=admin_token)
    assert status == 200 and report["needs_confirmation"] is True
    assert report["transitions"] == {"green->red": 3}
    status, problem = api.json("POST", "/v1/admin/records", batch, token=admin_token)
    assert status == 409 and problem["report"]["would_recolour"] == 3

    one = {"records": batch["records"][:1]}
    assert api.json("POST", DRY_RUN, one, token=admin_token)[1]["needs_confirmation"] is False


def test_a_dry_run_is_for_admins_and_checks_its_body(
    api: Api, holder: Holder, admin_token: str
) -> None:
    batch = {"records": [row(_rid(), holder[2], "fever_clinic")]}
    assert api.json("POST", DRY_RUN, batch, token=holder[0])[0] == 403
    for body in ({"records": []}, {"records": batch["records"], "confirm": None}, {}):
        status, problem = api.json("POST", DRY_RUN, body, token=admin_token)
        assert status == 400, (body, problem)


def test_the_regions_list_holds_the_medium_and_high_risk_ones_by_name(
    api: Api, admin_token: str, holder: Holder
) -> None:
    assert api.json("GET", "/v1/admin/regions", token=holder[0])[0] == 403
    status, _ = api.json("PUT", f"/v1/admin/regions/{REGION}", {"risk": "high"}, token=admin_token)
    assert status == 200
    try:
        status, listed = api.json("GET", "/v1/admin/regions", token=admin_token)
        assert status == 200
        mine = [r for r in listed["regions"] if r["region_code"] == REGION]
        assert len(mine) == 1 and mine[0]["risk"] == "high" and "五华区" in mine[0]["name"]
        assert all(r["risk"] in ("medium", "high") for r in listed["regions"])
        codes = [r["region_code"] for r in listed["regions"]]
        assert codes == sorted(codes)
    finally:
        api.json("PUT", f"/v1/admin/regions/{REGION}", {"risk": "low"}, token=admin_token)
    listed = api.json("GET", "/v1/admin/regions", token=admin_token)[1]
    assert REGION not in [r["region_code"] for r in listed["regions"]]


def _all_places(api: Api, token: str) -> list[dict[str, object]]:
    places, cursor = [], None
    for _ in range(100):
        path = "/v1/admin/places" + (f"?cursor={cursor}" if cursor else "")
        status, page = api.json("GET", path, token=token)
        assert status == 200, page
        places += page["places"]
        cursor = page["next"]
        if cursor is None:
            return places
    raise AssertionError("the pages never end")


def test_registered_places_are_listed_open_and_then_closed(
    api: Api, admin_token: str, holder: Holder
) -> None:
    body = {"name": "五华菜市场", "type": "mall", "region_code": REGION, "address": "华山南路"}
    status, created = api.json("POST", "/v1/admin/places", body, token=admin_token)
    assert status == 201
    place_id = created["place_id"]
    found = [p for p in _all_places(api, admin_token) if p["place_id"] == place_id]
    assert len(found) == 1
    assert {k: found[0][k] for k in body} == body and found[0]["closed_at"] is None
    assert api.json("DELETE", f"/v1/admin/places/{place_id}", token=admin_token)[0] == 204
    found = [p for p in _all_places(api, admin_token) if p["place_id"] == place_id]
    assert found[0]["closed_at"] is not None
    assert api.json("GET", "/v1/admin/places", token=holder[0])[0] == 403


def test_a_places_cursor_that_is_not_one_is_a_400(api: Api, admin_token: str) -> None:
    for cursor in ("x", "2026-11-20T00:00:00.000000Z~0123456789abcdef", "0123456789ABCDEF"):
        status, problem = api.json("GET", f"/v1/admin/places?cursor={cursor}", token=admin_token)
        assert status == 400 and problem["code"] == "invalid_cursor", (cursor, problem)
