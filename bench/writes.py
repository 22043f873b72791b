"""Counts the DynamoDB items written, on every botocore client the store uses.

pynamodb gives each model class its own connection (and so its own botocore client), and the
store keeps one more for transactions and the verify path. One handler on each client's
`before-parameter-build.dynamodb.<Operation>` event sees the call's own parameters (at
`before-call` the body is already serialised JSON) and counts the items it writes:
1 per PutItem, UpdateItem and DeleteItem, len(TransactItems) per TransactWriteItems (its
ConditionCheck entries counted apart: they write nothing), and the requests of a BatchWriteItem.
Reads are counted too, by operation, for the breakdown. A retried call is counted once.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from bench.reads import store_clients
from chalicelib import config
from chalicelib.storage.dynamo import Db

SINGLE_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
HANDLER_ID = "healthcode-bench-write-counter"


class WriteCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()  # API calls by operation
        self.items: Counter[str] = Counter()  # items written, by "Operation:table"

    def attach(self, db: Db) -> None:
        """Hooks every client the store and the models use (creating them now if need be)."""
        for client in store_clients(db):
            client.meta.events.register(
                "before-parameter-build.dynamodb", self._before_call, unique_id=HANDLER_ID
            )

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.items.clear()

    @property
    def written(self) -> int:
        return sum(self.items.values())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "items_written": sum(self.items.values()),
                "items_by_operation_and_table": dict(sorted(self.items.items())),
                "calls_by_operation": dict(sorted(self.calls.items())),
            }

    def _before_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        operation = model.name
        body = params
        written: Counter[str] = Counter()
        if operation in SINGLE_WRITES:
            written[f"{operation}:{_table(body.get('TableName'))}"] += 1
        elif operation == "TransactWriteItems":
            for entry in body.get("TransactItems", []):
                for kind, request in entry.items():
                    if kind != "ConditionCheck":
                        written[f"Transact.{kind}:{_table(request.get('TableName'))}"] += 1
        elif operation == "BatchWriteItem":
            for table, requests in body.get("RequestItems", {}).items():
                written[f"BatchWriteItem:{_table(table)}"] += len(requests)
        with self._lock:
            self.calls[operation] += 1
            self.items.update(written)


def _table(name: str | None) -> str:
    """The table's name without the run's prefix (e.g. `persons`)."""
    return (name or "?").removeprefix(config.table_prefix())
