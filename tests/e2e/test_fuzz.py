"""Issue 12 item 6: fuzzing in `make test`. schemathesis sends requests generated from the served
`/openapi.json`, valid and invalid ones, to the API over HTTP (`chalice local`'s server as
tools/local_api.py runs it), as an admin and as a resident, a bounded number per operation: no
answer is a 5xx, and every 4xx is a problem document (RFC 9457, with `code` and `detail_zh`).
Unknown paths and methods, TRACE included, answer as API Gateway's template does: 404 not_found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from tests.e2e.test_schema_acceptance import PLACE_CODES, _document, _late_bound
from tests.live_server import ADMIN_PHONE, LiveServer, serve

MAX_EXAMPLES = 4  # per operation, mode and role: bounded, so `make test` stays short
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code", "detail_zh", "errors"}

fuzzed = schemathesis.openapi.from_dict(_document())
fuzzed.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES
)
fuzzed.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(scope="module")
def live(dynamo_tables: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server and tables of its own: what the fuzzing writes (an admin's own application, a
    region's risk) must not change what other tests expect."""
    with serve(tmp_path_factory.mktemp("fuzz")) as server:
        yield server


@pytest.fixture(scope="module")
def tokens(live: LiveServer) -> dict[str, str]:
    if not PLACE_CODES:  # no place seeded by the acceptance test: any string stands for one
        PLACE_CODES.append("not.a.place-code")
    return {"admin": live.login(ADMIN_PHONE), "resident": live.login("13912340099")}


def assert_problem(status: int, content_type: str, body: bytes, where: str) -> None:
    assert status < 500, f"{where}: {status} {body[:300]!r}"
    if status < 400:
        return
    assert content_type.startswith("application/problem+json"), f"{where}: {content_type}"
    problem = json.loads(body)
    assert PROBLEM_MEMBERS <= problem.keys(), f"{where}: {problem}"
    assert problem["status"] == status and problem["code"] and problem["detail_zh"], where


@pytest.mark.parametrize("role", ["admin", "resident"])
@fuzzed.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_is_a_5xx_and_every_4xx_is_a_problem_document(
    case: Any, role: str, live: LiveServer, tokens: dict[str, str]
) -> None:
    case.body = _late_bound(case.body)
    response = case.call(
        base_url=live.base_url, headers={"Authorization": f"Bearer {tokens[role]}"}
    )
    where = f"{case.method} {case.formatted_path} as {role}"
    headers = {name.lower(): values for name, values in response.headers.items()}
    content_type = (headers.get("content-type") or [""])[0]
    assert_problem(response.status_code, content_type, response.content, where)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("TRACE", "/v1/policy", id="TRACE"),
        pytest.param("PROPFIND", "/", id="PROPFIND"),
        pytest.param("DELETE", "/v1/policy", id="a method the path does not have"),
        pytest.param("GET", "/v1/no-such-thing", id="an unknown path"),
    ],
)
def test_what_no_route_matches_answers_as_api_gateway_does(
    live: LiveServer, method: str, path: str
) -> None:
    import urllib.request

    request = urllib.request.Request(live.base_url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    assert status == 404, body
    assert_problem(status, headers.get("Content-Type", ""), body, f"{method} {path}")
    assert json.loads(body)["code"] == "not_found"
