"""Issue 12 item 7: no personal data in logs or error bodies.

A sentinel name, ID number, phone and address go through a holder's journey (good requests) and
through every route with bad requests (as a resident and as an admin, in paths, queries and
bodies). Every log line (the app's at DEBUG, every library's at INFO, as Lambda would keep them),
everything printed, and every error body is searched for them. The holder's own views may show
the holder's data; nothing else may. (What reaches the database is checked in clear by the
encryption-at-rest tests.)
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.api import schemas
from chalicelib.api.http import ROUTES
from tests.e2e.conftest import Api
from tests.e2e.test_epidemic_database import _rid, row
from tests.e2e.test_journey import application
from tests.ids import resident_id

NAME = "哨兵甲乙丙"
ADDRESS = "哨兵省测试市泄露路99号"
PARAM = re.compile(r"\{[a-z_]+\}")


@pytest.fixture
def sentinels(new_phone: Callable[[], str]) -> dict[str, str]:
    return {
        "name": NAME,
        "id_number": resident_id(),
        "phone": new_phone(),
        "address": ADDRESS,
    }


def _value(field: str, sentinels: dict[str, str]) -> str:
    return sentinels.get(field) or sentinels["name"]


def _bad_body(body: str | None, sentinels: dict[str, str]) -> dict[str, Any]:
    """Every field of the route's body set to a sentinel (mostly of the wrong type or form), and
    one field the schema does not know, holding the ID number. (An unknown field is named in the
    error, as the client spelt it: a key, not a value.)"""
    fields = getattr(schemas, body).model_fields if body else {}
    bad = {name: _value(name, sentinels) for name in fields}
    return {**bad, "not_a_field": sentinels["id_number"]}


def _journey(api: Api, sentinels: dict[str, str], admin: str, checker: str) -> str:
    """A holder's life with the sentinel identity: apply, look, check in, appeal, be scanned,
    be found by phone, be recorded by the authority, be deleted. Returns the holder's token."""
    token = api.login(sentinels["phone"])
    body = application(sentinels["id_number"])
    body.update(name=sentinels["name"], address=sentinels["address"])
    status, created = api.json("POST", "/v1/applications", body, token=token)
    assert status == 201, created
    person_id = created["person_id"]
    for path in ("/v1/me", f"/v1/persons/{person_id}/code", f"/v1/persons/{person_id}/history"):
        assert api.json("GET", path, token=token)[0] == 200
    checkin = {"temperature": 36.6, "symptoms": []}
    assert api.json("POST", f"/v1/persons/{person_id}/checkins", checkin, token=token)[0] == 201
    appeal = {"message": f"{sentinels['name']}，电话{sentinels['phone']}，住{sentinels['address']}"}
    assert api.json("POST", f"/v1/persons/{person_id}/appeals", appeal, token=token)[0] == 201
    scan = {"token": created["code"]["token"]}
    assert api.json("POST", "/v1/verify", scan, token=checker)[0] == 200
    found = api.json("POST", "/v1/verify/by-phone", {"phone": sentinels["phone"]}, token=checker)
    assert found[0] == 200
    batch = {"records": [row(_rid(), sentinels["id_number"], "close_contact")]}
    assert api.json("POST", "/v1/admin/records", batch, token=admin)[0] == 200
    assert api.json("GET", "/v1/admin/appeals", token=admin)[0] == 200
    assert api.json("GET", f"/v1/admin/persons/{person_id}/history", token=admin)[0] == 200
    assert api.call("DELETE", f"/v1/persons/{person_id}", token=token).status_code == 204
    return token


def _bad_requests(api: Api, sentinels: dict[str, str], tokens: dict[str, str]) -> list[str]:
    """Every route, with a sentinel in each path parameter, the query and every body field, as a
    resident and as an admin; returns the bodies of the error answers."""
    errors = []
    query = "?" + "&".join(
        f"{key}={sentinels['id_number']}" for key in ("region_code", "since", "status", "format")
    )
    for spec in ROUTES:
        path = PARAM.sub(sentinels["id_number"], spec.path) + query
        for token in tokens.values():
            response = api.call(
                spec.method, path, body=_bad_body(spec.body, sentinels), token=token
            )
            assert response.status_code < 500, (spec.method, spec.path, response.body)
            if response.status_code >= 400:
                errors.append(response.body.decode() if isinstance(response.body, bytes) else "")
    return errors


def test_no_sentinel_reaches_a_log_line_a_print_or_an_error_body(
    api: Api,
    admin_token: str,
    checker_token: str,
    sentinels: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.clear()
    with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, logger="healthcode"):
        resident = _journey(api, sentinels, admin_token, checker_token)
        errors = _bad_requests(api, sentinels, {"resident": resident, "admin": admin_token})
    printed = capsys.readouterr()
    logged = [record.getMessage() for record in caplog.records]
    logged += [record.exc_text or "" for record in caplog.records]
    assert len(errors) >= len(ROUTES), "the bad requests were not refused"
    assert len(logged) > 100, "nothing was logged: the capture did not work"
    for kind, value in sentinels.items():
        for text in (*logged, printed.out, printed.err):
            assert value not in text, f"the {kind} was logged or printed: …{_around(text, value)}…"
        for body in errors:
            assert value not in body, f"the {kind} is in an error body: {body[:300]}"


def test_every_route_was_called_with_bad_input(
    api: Api, admin_token: str, sentinels: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="healthcode.api"):
        _bad_requests(api, sentinels, {"admin": admin_token})
    called = {
        tuple(record.getMessage().split(" ")[:2])
        for record in caplog.records
        if record.name == "healthcode.api" and " -> " in record.getMessage()
    }
    assert {(spec.method, spec.path) for spec in ROUTES} <= called


def _around(text: str, value: str) -> str:
    at = text.find(value)
    return json.dumps(text[max(0, at - 60) : at + len(value) + 60], ensure_ascii=False)
