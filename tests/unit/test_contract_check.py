"""The check the e2e tests run on every answer (tests/contract.py) finds drift between what the
server answers and what /openapi.json declares."""

from __future__ import annotations

import json

import pytest

from tests.contract import ContractViolation, check_answer, operations

ME = {"phone": "139****5678", "roles": ["resident"], "persons": []}
# Routes answering JSON whose body the document leaves open: the OpenAPI document itself and a
# job's report (its counts per job). The policy has a model (PolicyOut); its `when` stays open.
FREE_FORM = {
    ("GET", "/openapi.json"),
    ("POST", "/v1/admin/jobs/{job_id}"),
}


def _check(status: int, body: object, path: str = "/v1/me", method: str = "GET") -> None:
    check_answer(method, path, status, "application/json", json.dumps(body).encode())


def test_an_answer_with_the_declared_fields_passes() -> None:
    _check(200, ME)


def test_an_answer_missing_a_declared_field_is_a_violation() -> None:
    with pytest.raises(ContractViolation, match="'persons' is a required property"):
        _check(200, {k: v for k, v in ME.items() if k != "persons"})


def test_an_answer_with_a_field_the_document_lacks_is_a_violation() -> None:
    with pytest.raises(ContractViolation, match="'nickname' was unexpected"):
        _check(200, {**ME, "nickname": "小张"})


def test_an_answer_with_a_wrong_type_or_value_is_a_violation() -> None:
    summary = {"person_id": "p1", "masked_name": "张*丰", "relation": "self", "color": "blue"}
    with pytest.raises(ContractViolation, match="persons/0/color"):
        _check(200, {**ME, "persons": [summary]})


def test_a_success_status_the_route_does_not_declare_is_a_violation() -> None:
    with pytest.raises(ContractViolation, match="answered 201"):
        _check(201, ME)


def test_a_path_the_document_does_not_know_is_a_violation() -> None:
    with pytest.raises(ContractViolation, match="not in the OpenAPI document"):
        _check(200, {}, path="/v1/nowhere")


def test_errors_are_not_checked_against_the_success_schema() -> None:
    _check(404, {"code": "not_found"})


def test_every_route_answering_json_declares_its_schema_but_the_free_form_ones() -> None:
    from chalicelib.api.http import ROUTES

    undeclared = {
        (spec.method, spec.path)
        for spec in ROUTES
        if spec.response is None and spec.status != 204 and spec.produces == ("application/json",)
    }
    assert undeclared == FREE_FORM
    assert all(
        op.validator is not None
        for op in operations()
        if op.statuses != {204}
        and (op.method, op.template) not in FREE_FORM
        and op.template not in _binary_paths()
    )


def _binary_paths() -> set[str]:
    from chalicelib.api.http import ROUTES

    return {spec.path for spec in ROUTES if spec.produces != ("application/json",)}
