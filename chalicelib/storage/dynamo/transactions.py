"""One way to write a transaction: every item says which domain error its condition means, and
`CancellationReasons` are read here only, item by item, in the order the items were added (sent
as written: no reordering by kind, so nothing depends on pynamodb's internal order)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import VerboseClientError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.domain.errors import Conflict

Failure = Callable[[], Exception]  # a domain error that takes no arguments, e.g. AlreadyApplied
_CANCELLED = "TransactionCanceledException"
_FAILED = "ConditionalCheckFailed"
_BUSY = "TransactionConflict"


@dataclass(frozen=True)
class _Entry:
    request: dict[str, Any]
    fails: Failure | None


@dataclass
class Transaction:
    """Items to write all at once or not at all. `fails` is the error raised when that item's
    condition does not hold (items without a condition cannot fail on their own)."""

    _entries: list[_Entry] = field(default_factory=list)

    def put(
        self, item: Model, *, condition: Condition | None = None, fails: Failure | None = None
    ) -> None:
        self._add("Put", item.get_save_kwargs_from_instance(condition=condition), condition, fails)

    def update(
        self,
        item: Model,
        actions: list[Action],
        *,
        condition: Condition | None = None,
        fails: Failure | None = None,
    ) -> None:
        kwargs = item.get_update_kwargs_from_instance(actions=actions, condition=condition)
        self._add("Update", kwargs, condition, fails)

    def delete(
        self, item: Model, *, condition: Condition | None = None, fails: Failure | None = None
    ) -> None:
        kwargs = item.get_delete_kwargs_from_instance(condition=condition)
        self._add("Delete", kwargs, condition, fails)

    def check(
        self,
        model: type[Model],
        hash_key: str,
        range_key: str | None = None,
        *,
        condition: Condition,
        fails: Failure,
    ) -> None:
        kwargs = model.get_operation_kwargs_from_class(hash_key, range_key, condition=condition)
        self._add("ConditionCheck", kwargs, condition, fails)

    def _add(
        self, kind: str, kwargs: dict[str, Any], condition: Condition | None, fails: Failure | None
    ) -> None:
        if (condition is None) != (fails is None):
            raise TypeError("an item names the error of its condition, and only with a condition")
        self._entries.append(_Entry({kind: kwargs}, fails))

    def commit(self, connection: Connection, *, retries: int = 0) -> None:
        """Writes every item or none. The first item (in the order added) whose condition failed
        raises its error; when another transaction held an item, tries again up to `retries`
        times, then raises Conflict. Any other failure is raised as it came."""
        if not self._entries:
            return
        for attempt in range(retries + 1):
            try:
                connection.dispatch("TransactWriteItems", {"TransactItems": self.requests()})
                return
            except VerboseClientError as error:
                codes = _reason_codes(error)
                for entry, code in zip(self._entries, codes):
                    if code == _FAILED and entry.fails is not None:
                        raise entry.fails() from error
                if _BUSY not in codes:
                    raise
                if attempt == retries:
                    raise Conflict() from error
                time.sleep(0.02 * (attempt + 1))

    def requests(self) -> list[dict[str, Any]]:
        """The TransactItems as sent (for tests and benchmarks)."""
        return [entry.request for entry in self._entries]


def _reason_codes(error: VerboseClientError) -> list[str | None]:
    if error.response.get("Error", {}).get("Code") != _CANCELLED:
        return []
    return [reason.code if reason is not None else None for reason in error.cancellation_reasons]
