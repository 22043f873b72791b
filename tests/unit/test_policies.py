"""The functions' IAM policies grant what the storage code does, and no more Scan than that."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

DYNAMO = "\n".join(p.read_text() for p in (ROOT / "chalicelib" / "storage" / "dynamo").glob("*.py"))
# Scans that run in the functions (request paths and jobs); `accounts` is scanned only by the
# management command `create-admin --if-none`, with the operator's credentials. `regions` and
# `places`: the console's listings (docs/decisions/0036).
FUNCTION_SCANS = {
    "PersonItem": "persons",
    "IssuerItem": "issuers",
    "RegionItem": "regions",
    "PlaceItem": "places",
}


def _scan_grants(stage: str) -> set[str]:
    policy = json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text())
    tables = set()
    for statement in policy["Statement"]:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if "dynamodb:Scan" in actions:
            tables |= {r.rsplit("/", 1)[-1] for r in statement["Resource"]}
    return tables


def test_every_scan_in_the_storage_code_is_known() -> None:
    scanned = set(re.findall(r"t\.(\w+)\.scan\(", DYNAMO))
    assert scanned == set(FUNCTION_SCANS) | {"AccountItem"}


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_policy_grants_scan_on_exactly_those_tables(stage: str) -> None:
    assert _scan_grants(stage) == {f"healthcode-{stage}-{t}" for t in FUNCTION_SCANS.values()}
