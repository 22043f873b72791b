"""The OpenAPI document covers every route and agrees with the contract in docs/api.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API_MD = ROOT / "docs" / "api.md"


def _contract() -> set[tuple[str, str]]:
    text = API_MD.read_text()
    found = re.findall(r"\b(GET|POST|PUT|DELETE|PATCH) (/[^\s|?`]+)", text)
    return {(method, path.rstrip(".,")) for method, path in found}


@pytest.fixture(scope="module")
def document() -> dict[str, object]:
    import app  # noqa: F401  (registers every blueprint)
    from chalicelib.api.openapi import document

    return document()


def _documented(document: dict[str, object]) -> set[tuple[str, str]]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {(m.upper(), p) for p, ops in paths.items() for m in ops}


def test_every_route_of_the_app_is_in_the_document(document: dict[str, object]) -> None:
    from app import app
    from chalicelib.api.pages import PAGE_PATHS

    routes = {(m, path) for path, entry in app.routes.items() for m in entry}
    pages = {("GET", path) for path in PAGE_PATHS}  # the phone pages: HTML, not the API
    assert pages <= routes
    assert routes - pages == _documented(document)


def test_the_document_agrees_with_api_md(document: dict[str, object]) -> None:
    contract = _contract()
    assert ("POST", "/v1/verify") in contract  # the parser reads the file
    documented = _documented(document)
    assert documented - contract == set(), "routes missing from docs/api.md"
    assert contract - documented == set(), "paths of docs/api.md not built"


def test_every_schema_reference_resolves(document: dict[str, object]) -> None:
    import json

    text = json.dumps(document)
    schemas = document["components"]["schemas"]  # type: ignore[index]
    for name in re.findall(r'"#/components/schemas/([^"]+)"', text):
        assert name in schemas


def test_a_request_schema_forbids_unknown_fields(document: dict[str, object]) -> None:
    schemas = document["components"]["schemas"]  # type: ignore[index]
    assert schemas["ApplicationIn"]["additionalProperties"] is False
