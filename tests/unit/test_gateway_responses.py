"""API Gateway's own answers (infra/api-gateway-responses.yaml) are problem documents too."""

from __future__ import annotations

import json

import yaml

from tests.conftest import ROOT
from tests.unit.test_infra_tables import _CfnLoader


def _responses() -> dict[str, dict[str, object]]:
    text = (ROOT / "infra" / "api-gateway-responses.yaml").read_text()
    resources = yaml.load(text, Loader=_CfnLoader)["Resources"]
    return {r["Properties"]["ResponseType"]: r["Properties"] for r in resources.values()}


def test_an_unknown_path_is_404_not_found_like_anything_not_yours() -> None:
    unknown = _responses()["MISSING_AUTHENTICATION_TOKEN"]
    assert unknown["StatusCode"] == "404"
    body = json.loads(unknown["ResponseTemplates"]["application/json"])  # type: ignore[index]
    assert body["code"] == "not_found" and body["detail_zh"] and body["status"] == 404


def test_every_gateway_answer_is_problem_json_with_the_request_id() -> None:
    for kind, response in _responses().items():
        params = response["ResponseParameters"]
        assert params["gatewayresponse.header.Content-Type"] == "'application/problem+json'"  # type: ignore[index]
        body = json.loads(response["ResponseTemplates"]["application/json"])  # type: ignore[index]
        assert {"type", "title", "detail", "code", "detail_zh", "request_id"} <= body.keys(), kind
        assert body["request_id"] == "$context.requestId"
