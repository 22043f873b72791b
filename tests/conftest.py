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
    import sqs_local

    db = dynamodb_local.start()
    queue = sqs_local.start()
    os.environ.update({**dynamodb_local.env_for(db.port), **sqs_local.env_for(queue)})
    try:
        yield os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    finally:
        db.stop()
        queue.stop()


@pytest.fixture(scope="session")
def dynamo_tables(dynamodb_endpoint: str) -> Iterator[str]:
    """Tables of this test run's own (a unique prefix), deleted at the end."""
    from chalicelib.storage import sqs, tables

    prefix = f"t{uuid.uuid4().hex[:8]}-"
    os.environ["HEALTHCODE_TABLE_PREFIX"] = prefix
    os.environ["HEALTHCODE_TASK_QUEUE"] = f"{prefix}tasks"  # kept by fresh_ctx's tables
    tables.create_all()
    sqs.create_queues()
    try:
        yield prefix
    finally:
        tables.delete_all()
        sqs.delete_queues()


@pytest.fixture
def store(dynamo_tables: str) -> Iterator[object]:
    """The real store, on this run's DynamoDB Local tables."""
    from chalicelib.storage.dynamo import DynamoStore

    yield DynamoStore()


@pytest.fixture
def ctx(store: object) -> Iterator[object]:
    """The services' context on the real store, with SMS printed (not sent)."""
    from chalicelib.services.context import Context
    from chalicelib.services.sms import ConsoleSender

    yield Context(store, ConsoleSender())  # type: ignore[arg-type]


@pytest.fixture
def fresh_ctx(dynamo_tables: str) -> Iterator[object]:
    """A context on tables of this test's own (for rules over everything a table holds, such as
    which signing keys are published); ~2 s to create, so only where that matters."""
    from chalicelib.services.context import Context
    from chalicelib.services.sms import ConsoleSender
    from chalicelib.storage import tables
    from chalicelib.storage.dynamo import DynamoStore

    os.environ["HEALTHCODE_TABLE_PREFIX"] = f"f{uuid.uuid4().hex[:8]}-"
    tables.create_all()
    try:
        yield Context(DynamoStore(), ConsoleSender())
    finally:
        tables.delete_all()
        os.environ["HEALTHCODE_TABLE_PREFIX"] = dynamo_tables
        tables.configure()
