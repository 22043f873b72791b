"""Shared fixtures. Unit tests need nothing; integration and e2e tests use the real DynamoDB Local
that `make test` started (AWS_ENDPOINT_URL_DYNAMODB), or start one themselves when run alone."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def local_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Stage local, a key file of the test run's own, and quiet SMS."""
    os.environ["HEALTHCODE_STAGE"] = "local"
    os.environ["HEALTHCODE_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    yield


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    if endpoint:
        yield endpoint
        return
    sys.path.insert(0, str(ROOT / "tools"))
    import dynamodb_local

    db = dynamodb_local.start()
    os.environ.update(dynamodb_local.env_for(db.port))
    try:
        yield os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    finally:
        db.stop()


@pytest.fixture(scope="session")
def dynamo_tables(dynamodb_endpoint: str) -> Iterator[str]:
    """Tables of this test run's own (a unique prefix), deleted at the end."""
    from chalicelib.storage import tables

    prefix = f"t{uuid.uuid4().hex[:8]}-"
    os.environ["HEALTHCODE_TABLE_PREFIX"] = prefix
    tables.create_all()
    try:
        yield prefix
    finally:
        tables.delete_all()
