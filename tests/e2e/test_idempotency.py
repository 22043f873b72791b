"""Issue 12 item 15: a retry is safe. Phones on a bad network retry; a retried application whose
first attempt succeeded answered 409 already_applied. With an `Idempotency-Key`, a retry by the
same account with the same key and body within 24 hours gets the first answer again."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import time_machine

from chalicelib.domain.clock import utcnow
from chalicelib.storage import tables as t
from tests.e2e.conftest import Api
from tests.e2e.test_journey import application
from tests.ids import resident_id


def _post(
    api: Api, path: str, body: object, token: str, key: str | None
) -> tuple[int, dict[str, object], dict[str, str]]:
    headers = {"Idempotency-Key": key} if key else {}
    response = api.call("POST", path, body, token=token, headers=headers)
    return response.status_code, json.loads(response.body), dict(response.headers)


def test_without_a_key_a_retried_application_is_409(api: Api, new_phone: Callable[[], str]) -> None:
    token, body = api.login(new_phone()), application(resident_id())
    assert _post(api, "/v1/applications", body, token, None)[0] == 201
    assert _post(api, "/v1/applications", body, token, None)[0] == 409  # the failure it fixes


def test_a_retried_application_with_its_key_gets_the_first_answer_again(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token, body = api.login(new_phone()), application(resident_id())
    status, first, _ = _post(api, "/v1/applications", body, token, "apply-1")
    assert status == 201
    status, again, headers = _post(api, "/v1/applications", body, token, "apply-1")
    assert (status, again) == (201, first)
    assert headers["Idempotent-Replayed"] == "true"
    assert len(api.json("GET", "/v1/me", token=token)[1]["persons"]) == 1  # applied once
    kept = [item.body_enc or "" for item in t.IdempotencyItem.scan()]
    assert kept and not any(str(first["person_id"]) in body for body in kept)  # encrypted


def test_the_same_key_with_another_body_is_422(api: Api, new_phone: Callable[[], str]) -> None:
    token = api.login(new_phone())
    assert _post(api, "/v1/applications", application(resident_id()), token, "k-2")[0] == 201
    status, problem, _ = _post(api, "/v1/applications", application(resident_id()), token, "k-2")
    assert (status, problem["code"]) == (422, "idempotency_key_reused") and problem["detail_zh"]


def test_a_key_belongs_to_its_account(api: Api, new_phone: Callable[[], str]) -> None:
    body = application(resident_id())
    first, second = api.login(new_phone()), api.login(new_phone())
    assert _post(api, "/v1/applications", body, first, "shared")[0] == 201
    status, problem, _ = _post(api, "/v1/applications", body, second, "shared")
    assert (status, problem["code"]) == (409, "already_applied")  # run, not replayed


def test_a_refusal_is_not_kept_so_the_retry_runs_again(
    api: Api, new_phone: Callable[[], str]
) -> None:
    token = api.login(new_phone())
    bad = {**application(resident_id()), "commitment": False}
    assert _post(api, "/v1/applications", bad, token, "k-4")[0] == 400
    good = application(resident_id())
    assert _post(api, "/v1/applications", bad, token, "k-4")[0] == 400
    # A refused request keeps nothing, so the key is free for a corrected body.
    assert _post(api, "/v1/applications", good, token, "k-4")[0] == 201


def test_after_24_hours_the_key_runs_again(api: Api, new_phone: Callable[[], str]) -> None:
    phone = new_phone()
    token, body = api.login(phone), application(resident_id())
    person_id = _post(api, "/v1/applications", body, token, None)[1]["person_id"]
    path, checkin = f"/v1/persons/{person_id}/checkins", {"temperature": 36.5, "symptoms": []}
    assert _post(api, path, checkin, token, "day-1")[0] == 201
    replayed = _post(api, path, checkin, token, "day-1")
    assert (replayed[0], replayed[2].get("Idempotent-Replayed")) == (201, "true")
    with time_machine.travel(utcnow().timestamp() + 25 * 3600, tick=False):
        later = api.login(phone)  # the first access token has expired by then
        status, _, headers = _post(api, path, checkin, later, "day-1")
    assert (status, headers.get("Idempotent-Replayed")) == (201, None)  # run: a new day's


def test_a_malformed_key_is_a_clear_400(api: Api, new_phone: Callable[[], str]) -> None:
    token = api.login(new_phone())
    status, problem, _ = _post(
        api, "/v1/applications", application(resident_id()), token, "bad key!"
    )
    assert (status, problem["code"]) == (400, "invalid_idempotency_key")
    assert api.json("GET", "/v1/me", token=token)[1]["persons"] == []


def test_parallel_retries_run_the_request_once(api: Api, new_phone: Callable[[], str]) -> None:
    token, body = api.login(new_phone()), application(resident_id())
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda _: _post(api, "/v1/applications", body, token, "par"), range(4))
        )
    statuses = sorted(a[0] for a in answers)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert all(a[1]["code"] == "in_progress" for a in answers if a[0] == 409)
    assert len(api.json("GET", "/v1/me", token=token)[1]["persons"]) == 1
