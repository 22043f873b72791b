"""Issue 12 item 14: reports cannot be flooded. One yellow holder made 1,001 visits in 0.7 s and
pushed a genuine report out of the authority's list. Repeat visits or scans of one person at
one place within an hour make one report; visits are limited per person; the report and appeal
lists page with a cursor (`next`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.domain.clock import shanghai_date, utcnow
from tests.e2e.conftest import Api
from tests.e2e.test_places import holder, register, scanned_place_token, visits_path

FLOOD_REGION = "370281"  # this module's places only


def _reports(api: Api, admin: str, cursor: str | None = None) -> dict[str, object]:
    today = shanghai_date(utcnow()).isoformat()
    query = f"/v1/admin/reports?region_code={FLOOD_REGION}&since={today}"
    status, answer = api.json("GET", query + (f"&cursor={cursor}" if cursor else ""), token=admin)
    assert status == 200, answer
    return answer


def test_a_holder_visiting_and_scanned_again_and_again_makes_one_report_of_each(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    place_id = register(api, admin_token, name="泛滥测试广场", region=FLOOD_REGION)
    place_token = scanned_place_token(api, admin_token, place_id)
    token, person_id, code = holder(api, new_phone(), symptoms=["dry_cough"])
    for _ in range(5):
        body = {"place_token": place_token}
        assert api.json("POST", visits_path(person_id), body, token=token)[0] == 201
    checker_phone = new_phone()
    enrol = {"phone": checker_phone, "name": "钱检查", "place_id": place_id}
    assert api.json("POST", "/v1/admin/checkers", enrol, token=admin_token)[0] == 201
    checker = api.login(checker_phone)
    for _ in range(5):
        assert api.json("POST", "/v1/verify", {"token": code["token"]}, token=checker)[0] == 200
    mine = [r for r in _reports(api, admin_token)["reports"] if r["person_id"] == person_id]
    assert sorted(r["kind"] for r in mine) == ["scan", "visit"]


def test_visits_are_limited_per_person(
    api: Api, admin_token: str, new_phone: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_VISITS_HOURLY_CAP", "3")
    place_token = scanned_place_token(
        api, admin_token, register(api, admin_token, name="限流测试", region=FLOOD_REGION)
    )
    token, person_id, _ = holder(api, new_phone())
    statuses = []
    for _ in range(4):
        response = api.call(
            "POST", visits_path(person_id), {"place_token": place_token}, token=token
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429]
    assert int(response.headers["Retry-After"]) >= 1


def test_reports_page_with_a_cursor_without_losing_or_repeating_one(
    api: Api, admin_token: str, new_phone: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    place_id = register(api, admin_token, name="分页测试", region=FLOOD_REGION)
    place_token = scanned_place_token(api, admin_token, place_id)
    for _ in range(5):
        token, person_id, _ = holder(api, new_phone(), symptoms=["dry_cough"])
        assert (
            api.json("POST", visits_path(person_id), {"place_token": place_token}, token=token)[0]
            == 201
        )
    monkeypatch.setenv("HEALTHCODE_REPORTS_LIMIT", "100000")
    everything = _reports(api, admin_token)["reports"]
    monkeypatch.setenv("HEALTHCODE_REPORTS_LIMIT", "2")
    seen, cursor, pages = [], None, 0
    while True:
        page = _reports(api, admin_token, cursor)
        seen += page["reports"]
        pages += 1
        cursor = page["next"]
        assert page["truncated"] is (cursor is not None)
        if cursor is None:
            break
    assert seen == everything and pages == (len(everything) + 1) // 2


def test_a_forged_cursor_is_a_clear_400(api: Api, admin_token: str) -> None:
    for path in (
        f"/v1/admin/reports?region_code={FLOOD_REGION}&cursor=garbage",
        "/v1/admin/appeals?cursor=2026-11-28T00:00:00Z",
        # Found by the fuzzing: the right form, a day that does not exist (was a 500).
        "/v1/admin/appeals?cursor=2026-13-45T99:00:00.000000Z~0123456789abcdef",
    ):
        status, problem = api.json("GET", path, token=admin_token)
        assert (status, problem["code"]) == (400, "invalid_cursor") and problem["detail_zh"]


def test_a_cursor_from_before_since_is_an_empty_page_not_an_error(
    api: Api, admin_token: str
) -> None:
    # Found by the fuzzing: DynamoDB refuses a start key outside the query's range (was a 500).
    old = "2020-01-01T00:00:00.000000Z~0123456789abcdef"
    answer = _reports(api, admin_token, old)
    assert (answer["reports"], answer["next"]) == ([], None)


def test_appeals_page_with_a_cursor(
    api: Api, admin_token: str, new_phone: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import appeals

    for _ in range(3):
        token, person_id, _ = holder(api, new_phone())
        body = {"message": "颜色不对"}
        assert api.json("POST", f"/v1/persons/{person_id}/appeals", body, token=token)[0] == 201
    monkeypatch.setattr(appeals, "PAGE", 10**6)
    everything = api.json("GET", "/v1/admin/appeals", token=admin_token)[1]["appeals"]
    monkeypatch.setattr(appeals, "PAGE", 2)
    seen, cursor = [], None
    while True:
        suffix = f"?cursor={cursor}" if cursor else ""
        page = api.json("GET", "/v1/admin/appeals" + suffix, token=admin_token)[1]
        seen += page["appeals"]
        cursor = page["next"]
        if cursor is None:
            break
    assert [a["appeal_id"] for a in seen] == [a["appeal_id"] for a in everything]
