"""Issue 12 item 4: the database failing is a 503 with Retry-After, fast.

The API runs under `chalice local` against DynamoDB endpoints that throttle, answer 500, accept
connections and never answer, or refuse them. Every request that needs the database answers 503
`service_unavailable` with `Retry-After` within 10 s (a request starts no database call after its
6-second deadline, and one call waits at most 1 s to connect and 3 s to read, retried once); a
route that needs no database still answers. Jobs stop cleanly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib.domain.clock import deadline
from chalicelib.domain.errors import Unavailable
from chalicelib.services.ports import Store
from tests.failing_dynamodb import (
    MODES,
    SILENT,
    FailingDynamo,
    closed_port_url,
    failing_dynamodb,
)
from tests.live_server import ROOT, LiveServer, serve_against

ANSWER_WITHIN = 10.0  # seconds, end to end (API Gateway gives up at 29 s)


@pytest.fixture(scope="module")
def fake() -> Iterator[FailingDynamo]:
    with failing_dynamodb() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(fake: FailingDynamo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_against(tmp_path_factory.mktemp("faults"), fake.url) as server:
        yield server


REQUESTS = [
    pytest.param("POST", "/v1/auth/otp", {"phone": "13912345678"}, None, id="send a login code"),
    pytest.param("GET", "/v1/me", None, "e30.e30.c2ln", id="a bearer token (keys are read)"),
]


def assert_unavailable(answer: tuple[int, dict[str, object], dict[str, str], float]) -> None:
    status, problem, headers, took = answer
    assert status == 503, problem
    assert problem["code"] == "service_unavailable" and problem["detail_zh"]
    assert int(headers["Retry-After"]) >= 1
    assert headers["Content-Type"] == "application/problem+json"
    assert took < ANSWER_WITHIN, f"answered after {took:.1f} s"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("method", "path", "body", "token"), REQUESTS)
def test_a_failing_database_is_a_fast_503_with_retry_after(
    server: LiveServer,
    fake: FailingDynamo,
    mode: str,
    method: str,
    path: str,
    body: object,
    token: str | None,
) -> None:
    fake.mode = mode
    fake.requests.clear()
    assert_unavailable(server.timed(method, path, body, token))
    assert fake.requests, "the request never reached the database"
    if mode != SILENT:
        assert len(fake.requests) <= 2  # one retry, no more


def test_an_unreachable_database_is_a_fast_503(tmp_path: Path) -> None:
    with serve_against(tmp_path, closed_port_url()) as server:
        assert_unavailable(server.timed("POST", "/v1/auth/otp", {"phone": "13912345678"}))


def test_what_needs_no_database_still_answers(server: LiveServer, fake: FailingDynamo) -> None:
    fake.mode = SILENT
    status, policy, _, took = server.timed("GET", "/v1/policy")
    assert status == 200 and policy["profile"] and took < ANSWER_WITHIN


def test_a_scheduled_job_stops_cleanly_when_the_database_fails(fake: FailingDynamo) -> None:
    fake.mode = "throttled"
    script = "import json; from chalicelib.api.jobs import _run; print(json.dumps(_run('expire')))"
    env = {"AWS_ENDPOINT_URL_DYNAMODB": fake.url, "HEALTHCODE_STAGE": "local"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "job": "expire",
        "stopped": "service_unavailable",
    }
    assert "Traceback" not in done.stderr


def _base_env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT), "HEALTHCODE_TABLE_PREFIX": "faults-"}


def test_no_database_call_starts_after_the_deadline(store: Store) -> None:
    assert store.persons.get("nobody") is None  # the real database answers
    with deadline(0), pytest.raises(Unavailable):
        store.persons.get("nobody")
    with deadline(60):
        assert store.persons.get("nobody") is None


def test_a_lazy_read_past_the_deadline_is_unavailable_too(store: Store) -> None:
    from datetime import date

    with deadline(0), pytest.raises(Unavailable):
        list(store.persons.due(date(2026, 11, 28)))
