"""A region change reaches every visitor by itself, over real HTTP: the server (chalice local)
queues the visitors and its queue worker (`manage worker`, as under `make run`) re-evaluates
them; GET /v1/admin/jobs/{job_id} follows the job to the end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_journey import application
from tests.ids import resident_id
from tests.live_server import ADMIN_PHONE, LiveServer, serve

REGION = "650102"
VISITORS = 6


@pytest.fixture(scope="module")
def queued_server(
    dynamo_tables: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server that re-evaluates nobody within the request: every visitor goes to the queue."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HEALTHCODE_REGION_INLINE_PERSONS", "0")
        with serve(tmp_path_factory.mktemp("fanout")) as server:
            yield server


def followed(api: LiveServer, admin: str, job_id: str, within: float = 60) -> dict[str, Any]:
    """GET /v1/admin/jobs/{job_id} until it is done (or `within` seconds passed)."""
    deadline = time.monotonic() + within
    while True:
        status, job = api.call("GET", f"/v1/admin/jobs/{job_id}", token=admin)
        assert status == 200, job
        if job["state"] == "done" or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.2)


@pytest.fixture(scope="module")
def admin(queued_server: LiveServer) -> str:
    return queued_server.login(ADMIN_PHONE)


def test_a_region_change_reaches_every_visitor_through_the_queue_worker(
    queued_server: LiveServer, admin: str
) -> None:
    api = queued_server
    holders = []
    for n in range(VISITORS):
        token = api.login(f"1370000{n:04d}")
        body = application(resident_id(), visited_regions=[REGION])
        status, created = api.call("POST", "/v1/applications", body, token=token)
        assert status == 201, created
        holders.append((token, created["person_id"]))
    status, changed = api.call("PUT", f"/v1/admin/regions/{REGION}", {"risk": "high"}, admin)
    assert status == 200, changed
    assert (changed["reevaluated"], changed["deferred"]) == (0, VISITORS)
    job = followed(api, admin, changed["job_id"])
    assert {k: job[k] for k in ("kind", "state", "total", "done", "recoloured", "failed")} == {
        "kind": "region",
        "state": "done",
        "total": VISITORS,
        "done": VISITORS,
        "recoloured": VISITORS,
        "failed": 0,
    }
    for token, person_id in holders:
        status, code = api.call("GET", f"/v1/persons/{person_id}/code", token=token)
        assert status == 200 and code["color"] == "red", code


def test_an_unknown_job_is_a_404_problem_without_echoing_it(
    queued_server: LiveServer, admin: str
) -> None:
    status, problem = queued_server.call("GET", "/v1/admin/jobs/region-0123456789ab", token=admin)
    assert status == 404 and problem["code"] == "not_found"
    assert "0123456789ab" not in str(problem)


def test_an_admin_asks_for_a_recompare_pass_and_follows_it_to_the_end(
    queued_server: LiveServer, admin: str
) -> None:
    api = queued_server
    status, report = api.call("POST", "/v1/admin/jobs/recompare", token=admin)
    assert status == 200 and report["reason"] == "asked", report
    job = followed(api, admin, report["started"])
    assert job["kind"] == "recompare" and job["state"] == "done"
    assert job["total"] == job["done"] >= 1 and job["failed"] == 0
