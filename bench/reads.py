"""Counts the DynamoDB items read, on every botocore client the store uses.

pynamodb gives each model class its own connection (and botocore client) and the store keeps one
more, so a handler goes on each. `before-parameter-build.dynamodb` notes the table (and index)
of the call in its request context; `after-call.dynamodb` counts the items in the answer:
GetItem 1 (when found), Query and Scan their `Count`, BatchGetItem and TransactGetItems the items
returned. Writes that return old values (PutItem with ReturnValues) are not reads.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from chalicelib import config
from chalicelib.storage import tables
from chalicelib.storage.dynamo import Db

HANDLER_ID = "healthcode-bench-read-counter"
_WHERE = "healthcode_bench_table"


def store_clients(db: Db) -> list[Any]:
    """Every botocore client the store and the models use (made now if need be): pynamodb gives
    each model class its own, and the store keeps one more for transactions and the verify path."""
    clients = [db.connection().client]
    return clients + [model._get_connection().connection.client for model in tables.ALL_TABLES]


class ReadCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: Counter[str] = Counter()  # items read, by "table" or "table/index"
        self.calls: Counter[str] = Counter()  # read calls, by operation

    def attach(self, db: Db) -> None:
        for client in store_clients(db):
            events = client.meta.events
            # (one unique id per handler: botocore keeps one handler per id, whatever the event)
            events.register(
                "before-parameter-build.dynamodb", self._note, unique_id=HANDLER_ID + "-note"
            )
            events.register("after-call.dynamodb", self._count, unique_id=HANDLER_ID + "-count")

    def reset(self) -> None:
        with self._lock:
            self.items.clear()
            self.calls.clear()

    @property
    def read(self) -> int:
        return sum(self.items.values())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "items_read": sum(self.items.values()),
                "items_by_table": dict(sorted(self.items.items())),
                "read_calls": dict(sorted(self.calls.items())),
            }

    def _note(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        table = _short(params.get("TableName"))
        context[_WHERE] = f"{table}/{params['IndexName']}" if "IndexName" in params else table

    def _count(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        operation, where = model.name, context.get(_WHERE, "?")
        found: Counter[str] = Counter()
        if operation == "GetItem":
            found[where] += 1 if "Item" in parsed else 0
        elif operation in ("Query", "Scan"):
            found[where] += int(parsed.get("Count", 0))
        elif operation == "BatchGetItem":
            for table, items in parsed.get("Responses", {}).items():
                found[_short(table)] += len(items)
        elif operation == "TransactGetItems":
            found["transaction"] += sum(1 for r in parsed.get("Responses", []) if r.get("Item"))
        else:
            return
        with self._lock:
            self.calls[operation] += 1
            self.items.update(found)


def _short(name: str | None) -> str:
    """The table's name without the run's prefix (e.g. `persons`)."""
    return (name or "?").removeprefix(config.table_prefix())
