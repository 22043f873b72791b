"""Small named things kept as markers: job states and watermarks, and rate counters."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.expressions.update import Action

from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, get, held


class DynamoJobs(Repository):
    def get_state(self, name: str) -> str | None:
        item = get(t.MarkerItem, f"state:{name}", consistent_read=True)
        return item.target if item else None

    def put_state(self, name: str, value: str) -> None:
        t.MarkerItem(f"state:{name}", target=value, created_at=datetime.now(UTC)).save()

    def take_state(self, name: str) -> str | None:
        item = get(t.MarkerItem, f"state:{name}", consistent_read=True)
        if item is None:
            return None
        taken = held(lambda: item.delete(condition=t.MarkerItem.target == item.target))
        return item.target if taken else None  # or someone else took it

    def swap_state(self, name: str, expected: str | None, value: str) -> bool:
        M = t.MarkerItem
        item = M(f"state:{name}", target=value, created_at=datetime.now(UTC))
        condition = M.key.does_not_exist() if expected is None else M.target == expected
        return held(lambda: item.save(condition=condition))

    def get_watermark(self, name: str) -> str | None:
        item = get(t.MarkerItem, f"watermark:{name}", consistent_read=True)
        return item.target if item else None

    def set_watermark(self, name: str, value: str) -> None:
        M = t.MarkerItem
        item = t.MarkerItem(f"watermark:{name}", target=value, created_at=datetime.now(UTC))
        held(lambda: item.save(condition=M.key.does_not_exist() | (M.target < value)))


class DynamoCounters(Repository):
    def hit(self, key: str, limit: int | None, expires_at: datetime, amount: int = 1) -> bool:
        M = t.MarkerItem
        expires = int(expires_at.timestamp())
        if limit is not None and amount > limit:
            return False
        actions: list[Action] = [
            M.hits.add(amount),
            M.target.set("counter"),
            M.created_at.set(M.created_at | datetime.now(UTC)),
            M.expires_at.set(expires),
            M.ttl.set(expires + 3600),
        ]
        below = None if limit is None else M.hits.does_not_exist() | (M.hits <= limit - amount)
        return held(lambda: M(key).update(actions=actions, condition=below))

    def value(self, key: str) -> int:
        item = get(t.MarkerItem, key, consistent_read=True)
        return int(item.hits or 0) if item else 0
