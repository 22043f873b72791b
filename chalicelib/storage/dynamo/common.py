"""What every repository on DynamoDB shares: the one low-level connection (transactions and the
few calls made on the client directly), reads that may find nothing, day shards and deletions."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PynamoDBException
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from chalicelib import config
from chalicelib.storage import tables as t

M = TypeVar("M", bound=Model)
CONDITION_FAILED = "ConditionalCheckFailedException"
# A page of a day's partition: DynamoDB's LastEvaluatedKey, as it travels in a saved cursor.
Page = dict[str, dict[str, str]]


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


def shard_of(key: str, shards: int) -> int:
    """The shard of an id (a scan's, report's or visit's random id, a person id, a phone's blind
    index): its CRC-32 modulo the count, uniform for any count (the last two hex digits, used
    before, allowed at most 256). Only writers call it: the shard is stored in the key, and
    readers query every shard a day may have."""
    return zlib.crc32(key.encode()) % shards


def day_key(day: date, shard: int) -> str:
    """`<day>#<shard>`: the key of one of a day's index partitions."""
    return f"{day.isoformat()}#{shard}"


def day_of_key(key: str) -> date:
    return date.fromisoformat(key.partition("#")[0])


def day_shard(day: date, key: str, kind: str) -> str:
    """The partition of `day` for an item of `kind`: one day's items spread over the kind's
    configured count (config.shards)."""
    return day_key(day, shard_of(key, config.shards(kind)))


def at_id(at: datetime, item_id: str) -> str:
    """`<UTC instant, fixed width>#<id>`: sorts by time as text; `at_id(t, "")` starts at t."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "#" + item_id


def at_of(value: str) -> datetime:
    return datetime.strptime(value.partition("#")[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def page_of(
    query: Callable[..., ResultIterator[M]], key: str, after: Page | None, limit: int
) -> tuple[list[M], Page | None]:
    """One page of a partition (a table's or an index's `query`): up to `limit` items after
    `after`, and where the next page starts (None: the partition is done)."""
    found = query(key, limit=limit, page_size=limit, last_evaluated_key=after)
    items = list(found)
    return items, (found.last_evaluated_key if items else None)


def delete_page_of_day(
    model: type[M],
    index: GlobalSecondaryIndex[M],
    item_of: Callable[[M], M],
    key: str,
    after: Page | None,
    limit: int,
) -> tuple[int, Page | None]:
    """Deletes one page of a day-sharded index's partition `key` (batch deletes)."""
    found, following = page_of(index.query, key, after, limit)
    return delete_all(model, (item_of(k) for k in found)), following


def delete_page_still_on_day(
    index: GlobalSecondaryIndex[M],
    shard_attribute: UnicodeAttribute,
    item_of: Callable[[M], M],
    key: str,
    after: Page | None,
    limit: int,
) -> tuple[int, Page | None]:
    """Deletes one page of what a day-sharded index holds under `key`, each item only if it is
    still on that day: the index may lag behind a later write that moved it to another day."""
    found, following = page_of(index.query, key, after, limit)
    removed = 0
    for item in found:
        removed += held(partial(item_of(item).delete, condition=shard_attribute == key))
    return removed, following


def delete_day(delete_page: Callable[..., tuple[int, Page | None]], day: date, kind: str) -> int:
    """A whole day of `kind`, page by page over every shard it may have (tests and small days;
    the purge job pages itself, with a saved cursor)."""
    removed = 0
    for shard in range(config.shards_read(kind)):
        after: Page | None = None
        while True:
            count, after = delete_page(day, shard, after, 100)
            removed += count
            if after is None:
                break
    return removed


def delete_all(model: type[M], items: Iterable[M]) -> int:
    removed = 0
    with model.batch_write() as batch:
        for item in items:
            batch.delete(item)
            removed += 1
    return removed
