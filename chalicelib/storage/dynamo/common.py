"""What every repository on DynamoDB shares: the one low-level connection (transactions and the
few calls made on the client directly), reads that may find nothing, day shards and deletions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PynamoDBException
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib import config
from chalicelib.storage import tables as t

M = TypeVar("M", bound=Model)
CONDITION_FAILED = "ConditionalCheckFailedException"
SCAN_SHARDS = 8
DUE_SHARDS = 8
DAY_SHARDS = 8  # check-ins, login states, place visits, reports and visits by day


class Db:
    """The shared connection, made on first use (a cold start pays only for what it needs)."""

    def __init__(self) -> None:
        t.configure()
        self._conn: Connection | None = None

    def connection(self) -> Connection:
        if self._conn is None:
            connect, read, attempts = config.ddb_timeouts()
            self._conn = Connection(
                region=config.aws_region(),
                connect_timeout_seconds=connect,
                read_timeout_seconds=read,
                max_retry_attempts=attempts,
            )
        return self._conn

    def put_returning_old(self, item: Model) -> bool:
        """Writes the item whole (replacing any); True when there was none before. One call on
        the client: pynamodb would ask for the consumed capacity, which nobody reads here."""
        answer = self.connection().client.put_item(
            TableName=type(item).Meta.table_name,
            Item=item.serialize(),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" not in answer


class Repository:
    """A port's implementation: everything it needs is the shared connection."""

    def __init__(self, db: Db) -> None:
        self._db = db


def get(
    model: type[M], hash_key: Any, range_key: Any = None, consistent_read: bool = False
) -> M | None:
    try:
        return model.get(hash_key, range_key, consistent_read=consistent_read)
    except DoesNotExist:
        return None


def condition_failed(error: PynamoDBException) -> bool:
    return error.cause_response_code == CONDITION_FAILED


def held(write: Callable[[], object]) -> bool:
    """Runs one conditional write (a save, update or delete): True when it was written, False
    when its condition did not hold. Any other failure is raised."""
    try:
        write()
    except PynamoDBException as error:
        if condition_failed(error):
            return False
        raise
    return True


def shard_of(hex_key: str, shards: int) -> int:
    return int(hex_key[-2:], 16) % shards


def day_key(day: date, shard: int) -> str:
    """`<day>#<shard>`: the key of one of a day's index partitions."""
    return f"{day.isoformat()}#{shard}"


def day_of_key(key: str) -> date:
    return date.fromisoformat(key.partition("#")[0])


def day_shard(day: date, hex_key: str, shards: int = DAY_SHARDS) -> str:
    """The partition of `day` for an item: one day's items spread over `shards` partitions."""
    return day_key(day, shard_of(hex_key, shards))


def at_id(at: datetime, item_id: str) -> str:
    """`<UTC instant, fixed width>#<id>`: sorts by time as text; `at_id(t, "")` starts at t."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "#" + item_id


def at_of(value: str) -> datetime:
    return datetime.strptime(value.partition("#")[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def keys_of_day(index: GlobalSecondaryIndex[M], day: date) -> Iterator[M]:
    """The keys a day-sharded `by_day` index holds for one Asia/Shanghai day."""
    for shard in range(DAY_SHARDS):
        yield from index.query(day_key(day, shard))


def delete_still_on_day(
    index: GlobalSecondaryIndex[M],
    shard_attribute: UnicodeAttribute,
    day: date,
    item_of: Callable[[M], M],
) -> int:
    """Deletes what a day-sharded index holds for `day`, each item only if it is still on that
    day: the index may lag behind a later write that moved the item to another day."""
    removed = 0
    for shard in range(DAY_SHARDS):
        key = day_key(day, shard)
        for found in index.query(key):
            removed += held(partial(item_of(found).delete, condition=shard_attribute == key))
    return removed


def delete_all(model: type[M], items: Iterable[M]) -> int:
    removed = 0
    with model.batch_write() as batch:
        for item in items:
            batch.delete(item)
            removed += 1
    return removed
