"""Fever at the gate and Hubei's fever cases, over HTTP.

Hubei (002_1926158bff427f0a.txt): 持“紅碼”者為確診(含臨床診斷)、疑似、發熱病例 and
“綠碼”人員經過卡口時,自覺接受測溫,無發熱癥狀準予通行. A fever is 37.3 °C or more
(004_c9687e30082c0c46.txt: 发热（体温大于或等于37.3℃）). How a fever case ends is inferred:
the authority's `cleared` record (note 0017).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib import config
from chalicelib.domain.clock import shanghai_date, utcnow
from tests.e2e.conftest import Api
from tests.e2e.test_epidemic_database import _rid, row
from tests.e2e.test_journey import application
from tests.ids import resident_id

Holder = tuple[str, str, str, dict[str, Any]]  # access token, person id, id number, code


@pytest.fixture
def hubei(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This deployment under Hubei's policy; its issuer id kept, so the session's admin and
    checker tokens stay valid (the issuer otherwise follows the profile)."""
    monkeypatch.setenv("HEALTHCODE_ISSUER", config.issuer())
    monkeypatch.setenv("HEALTHCODE_PROFILE", "hubei")
    yield


def apply(api: Api, phone: str, **declaration: object) -> Holder:
    token, id_number = api.login(phone), resident_id()
    body = application(id_number, **declaration)
    status, created = api.json("POST", "/v1/applications", body, token=token)
    assert status == 201, created
    return token, created["person_id"], id_number, created["code"]


def scan(api: Api, checker: str, code: dict[str, Any], **extra: object) -> dict[str, Any]:
    body = {"token": code["token"], **extra}
    status, answer = api.json("POST", "/v1/verify", body, token=checker)
    assert status == 200, answer
    return answer


def colour(api: Api, holder: Holder) -> tuple[str, list[str]]:
    token, person_id, _, _ = holder
    status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)
    assert status == 200, view
    return view["color"], [r["code"] for r in view["reasons"]]


def reports_of(api: Api, admin: str, person_id: str) -> list[tuple[str, str]]:
    today = shanghai_date(utcnow()).isoformat()
    query = f"/v1/admin/reports?region_code={config.province_code()}&since={today}"
    status, answer = api.json("GET", query, token=admin)
    assert status == 200, answer
    return [(r["kind"], r["color"]) for r in answer["reports"] if r["person_id"] == person_id]


@pytest.mark.parametrize(
    ("temperature", "passes", "reason"),
    [
        pytest.param(36.5, True, None, id="36.5 °C: 無發熱癥狀準予通行"),
        pytest.param(37.2, True, None, id="37.2 °C: below 37.3 is no fever"),
        pytest.param(37.3, False, "fever_at_gate", id="37.3 °C: 发热（体温大于或等于37.3℃）"),
        pytest.param(39, False, "fever_at_gate", id="39 °C as a whole number"),
    ],
)
def test_a_green_code_passes_the_gate_only_without_fever(
    api: Api,
    new_phone: Callable[[], str],
    checker_token: str,
    admin_token: str,
    temperature: float,
    passes: bool,
    reason: str | None,
) -> None:
    holder = apply(api, new_phone())
    answer = scan(api, checker_token, holder[3], temperature=temperature)
    assert (answer["valid"], answer["pass"], answer["reason"]) == (True, passes, reason)
    assert answer["color"] == "green" and answer["masked_name"] == "张*丰"
    reported = [] if passes else [("fever_at_gate", "green")]
    assert reports_of(api, admin_token, holder[1]) == reported
    # Shandong records no fever case: the code itself stays green.
    assert colour(api, holder) == ("green", ["no_risk_found"])


def test_a_scan_without_temperature_is_judged_by_the_colour_alone(
    api: Api, new_phone: Callable[[], str], checker_token: str, admin_token: str
) -> None:
    holder = apply(api, new_phone())
    answer = scan(api, checker_token, holder[3])
    assert (answer["pass"], answer["reason"]) == (True, None)
    assert reports_of(api, admin_token, holder[1]) == []


def test_a_yellow_code_with_fever_makes_one_fever_report(
    api: Api, new_phone: Callable[[], str], checker_token: str, admin_token: str
) -> None:
    holder = apply(api, new_phone(), symptoms=["dry_cough"])
    answer = scan(api, checker_token, holder[3], temperature=38.2)
    assert (answer["valid"], answer["pass"], answer["color"]) == (True, False, "yellow")
    assert answer["reason"] == "fever_at_gate"
    assert reports_of(api, admin_token, holder[1]) == [("fever_at_gate", "yellow")]


def test_an_invalid_code_keeps_its_own_reason_whatever_the_temperature(
    api: Api, checker_token: str
) -> None:
    status, answer = api.json(
        "POST", "/v1/verify", {"token": "not-a-token", "temperature": 38.5}, token=checker_token
    )
    assert status == 200
    assert (answer["valid"], answer["pass"], answer["reason"]) == (False, False, "malformed")


@pytest.mark.parametrize(
    "temperature",
    [
        pytest.param(33.9, id="below 34 °C"),
        pytest.param(43.1, id="above 43 °C"),
        pytest.param("38", id="a string"),
        pytest.param(True, id="a boolean"),
    ],
)
def test_an_implausible_gate_temperature_is_a_clear_400(
    api: Api, new_phone: Callable[[], str], checker_token: str, admin_token: str, temperature: Any
) -> None:
    holder = apply(api, new_phone())
    body = {"token": holder[3]["token"], "temperature": temperature}
    status, problem = api.json("POST", "/v1/verify", body, token=checker_token)
    assert status == 400, problem
    assert problem["errors"][0]["field"] == "temperature"
    assert problem["detail"] and problem["detail_zh"]
    assert reports_of(api, admin_token, holder[1]) == []  # nothing recorded


# --- Hubei: a fever case is red until the authority clears it ----------------------------------


def test_hubei_a_fever_at_the_gate_is_recorded_as_a_fever_case_and_the_code_turns_red(
    hubei: None, api: Api, new_phone: Callable[[], str], checker_token: str, admin_token: str
) -> None:
    holder = apply(api, new_phone())
    answer = scan(api, checker_token, holder[3], temperature=38.0)
    assert (answer["valid"], answer["pass"], answer["reason"]) == (True, False, "fever_at_gate")
    assert answer["color"] == "red"
    assert colour(api, holder) == ("red", ["fever_case"])
    assert reports_of(api, admin_token, holder[1]) == [("fever_at_gate", "red")]
    token, person_id, _, _ = holder
    status, history = api.json("GET", f"/v1/persons/{person_id}/history", token=token)
    assert status == 200
    assert history["changes"][-1]["actor_kind"] == "checker"
    assert (history["changes"][-1]["from"], history["changes"][-1]["to"]) == ("green", "red")
    # Scanned again the same day: the same fever case, not a second one.
    again = scan(api, checker_token, holder[3], temperature=38.1)
    assert again["color"] == "red" and again["pass"] is False
    assert len(api.json("GET", f"/v1/persons/{person_id}/history", token=token)[1]["changes"]) == (
        len(history["changes"])
    )


def test_hubei_a_fever_check_in_is_a_fever_case_that_a_correction_does_not_undo(
    hubei: None, api: Api, new_phone: Callable[[], str], admin_token: str
) -> None:
    holder = apply(api, new_phone())
    token, person_id, id_number, _ = holder
    path = f"/v1/persons/{person_id}/checkins"
    status, done = api.json("POST", path, {"temperature": 38.5, "symptoms": []}, token=token)
    assert (status, done["color"]) == (201, "red")
    status, done = api.json("POST", path, {"temperature": 36.5, "symptoms": []}, token=token)
    assert (status, done["color"]) == (200, "red")  # the case stands; only a check ends it
    assert colour(api, holder)[1][0] == "fever_case"
    # The authority checks and clears it: the fever case ends (the corrected check-in is clean).
    today = shanghai_date(utcnow()).isoformat()
    cleared = {"records": [row(_rid(), id_number, "cleared", since=today)]}
    status, report = api.json("POST", "/v1/admin/records", cleared, token=admin_token)
    assert (status, report["recoloured"]) == (200, 1), report
    assert colour(api, holder) == ("green", ["no_risk_found"])


@pytest.mark.parametrize(
    "declaration",
    [
        pytest.param({"temperature": 38.0}, id="declared 38.0 °C"),
        pytest.param({"symptoms": ["fever"]}, id="declared fever"),
        pytest.param({"fever_clinic_visit": True}, id="declared fever-clinic visit"),
    ],
)
def test_hubei_a_declared_fever_is_a_red_fever_case(
    hubei: None, api: Api, new_phone: Callable[[], str], declaration: dict[str, object]
) -> None:
    holder = apply(api, new_phone(), **declaration)
    assert holder[3]["color"] == "red"
    assert colour(api, holder)[1][0] == "fever_case_declared"


def test_hubei_publishes_that_it_records_fever_cases(hubei: None, api: Api) -> None:
    status, policy = api.json("GET", "/v1/policy")
    assert status == 200 and policy["records_fever_cases"] is True
    assert api.json("GET", "/v1/policy")[1]["profile"] == "hubei"
