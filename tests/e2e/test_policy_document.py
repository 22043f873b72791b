"""GET /v1/policy publishes each rule's basis (issue 11 item 8), so the public can tell the rule
from the reading: quoted rules with their notice and verbatim quote, inferred ones with why."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Api


@pytest.mark.parametrize("profile", ["shandong", "hubei", "hainan"])
def test_every_published_rule_shows_its_basis_and_a_source_line(
    api: Api, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    monkeypatch.setenv("HEALTHCODE_PROFILE", profile)
    status, policy = api.json("GET", "/v1/policy")
    assert status == 200 and policy["profile"] == profile
    for rule in [*policy["rules"], policy["fallback"]]:
        assert rule["basis"] in {"quoted", "inferred"}, rule["id"]
        assert rule["source"], rule["id"]
        if rule["basis"] == "quoted":
            assert rule["notice"].endswith(".txt") and rule["quote"] and "why" not in rule
        else:
            assert rule["why"] and rule["source"].startswith("推断 / inferred")
    kinds = {rule["basis"] for rule in [*policy["rules"], policy["fallback"]]}
    assert kinds == {"quoted", "inferred"}  # each policy has both, and says which is which
