"""HEALTHCODE_IMPORT_BATCH_LIMIT bounds the records of one import, in the request schema and in
the published document alike (checked in a fresh interpreter: the schemas read it once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

_PROBE = """
import json
import app  # noqa: F401
from chalicelib.api import schemas
from chalicelib.api.openapi import document
from chalicelib.domain.errors import InvalidInput

def accepted(count):
    try:
        schemas.parse(schemas.RecordsIn, {"records": [{}] * count})
    except InvalidInput as refused:
        return [e.field for e in refused.errors]
    return True

records = document()["components"]["schemas"]["RecordsIn"]["properties"]["records"]
found = {"max_items": records["maxItems"], "at": accepted(LIMIT), "over": accepted(LIMIT + 1)}
print(json.dumps(found))
"""


def _probe(limit: int | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "HEALTHCODE_IMPORT_BATCH_LIMIT"}
    if limit is not None:
        env["HEALTHCODE_IMPORT_BATCH_LIMIT"] = str(limit)
    code = _PROBE.replace("LIMIT", str(limit or 1000))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("limit", [3, 250])
def test_the_configured_batch_limit_is_the_schema_s_and_the_document_s_max_items(
    limit: int,
) -> None:
    found = _probe(limit)
    assert found == {"max_items": limit, "at": True, "over": ["records"]}


def test_without_configuration_an_import_carries_up_to_1000_records() -> None:
    assert _probe(None) == {"max_items": 1000, "at": True, "over": ["records"]}


def test_a_batch_limit_below_one_is_refused_at_start() -> None:
    from chalicelib import config

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEALTHCODE_IMPORT_BATCH_LIMIT", "0")
        with pytest.raises(ValueError, match="at least 1"):
            config.import_batch_limit()
