"""Small named things kept as markers: job states and watermarks, and rate counters."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Db, condition_failed, get


class DynamoJobs:
    def __init__(self, db: Db) -> None:
        self._db = db

    def get_state(self, name: str) -> str | None:
        item = get(t.MarkerItem, f"state:{name}", consistent_read=True)
        return item.target if item else None

    def put_state(self, name: str, value: str) -> None:
        t.MarkerItem(f"state:{name}", target=value, created_at=datetime.now(UTC)).save()

    def take_state(self, name: str) -> str | None:
        item = get(t.MarkerItem, f"state:{name}", consistent_read=True)
        if item is None:
            return None
        try:
            item.delete(condition=t.MarkerItem.target == item.target)
        except DeleteError as error:
            if condition_failed(error):
                return None  # someone else took it
            raise
        return item.target

    def get_watermark(self, name: str) -> str | None:
        item = get(t.MarkerItem, f"watermark:{name}", consistent_read=True)
        return item.target if item else None

    def set_watermark(self, name: str, value: str) -> None:
        item = t.MarkerItem(f"watermark:{name}", target=value, created_at=datetime.now(UTC))
        try:
            item.save(condition=t.MarkerItem.key.does_not_exist() | (t.MarkerItem.target < value))
        except PutError as error:
            if not condition_failed(error):
                raise


class DynamoCounters:
    def __init__(self, db: Db) -> None:
        self._db = db

    def hit(self, key: str, limit: int | None, expires_at: datetime, amount: int = 1) -> bool:
        M = t.MarkerItem
        expires = int(expires_at.timestamp())
        if limit is not None and amount > limit:
            return False
        try:
            M(key).update(
                actions=[
                    M.hits.add(amount),
                    M.target.set("counter"),
                    M.created_at.set(M.created_at | datetime.now(UTC)),
                    M.expires_at.set(expires),
                    M.ttl.set(expires + 3600),
                ],
                condition=None
                if limit is None
                else M.hits.does_not_exist() | (M.hits <= limit - amount),
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def value(self, key: str) -> int:
        item = get(t.MarkerItem, key, consistent_read=True)
        return int(item.hits or 0) if item else 0
