"""A failing database is the caller's 503, never a 500 and never a long wait.

Every port of the store is wrapped (`guarded`) so that throttling, an unreachable or silent
endpoint, DynamoDB's own 5xx and a request past its deadline all leave the storage layer as the
domain's `Unavailable` (503 with Retry-After). The deadline (`clock.deadline`, set per request by
the API) is checked before every HTTP attempt botocore sends, retries included, through a handler
every botocore session registers: a request stops calling the database once its time is up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from botocore import handlers
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from chalicelib.domain.clock import past_deadline
from chalicelib.domain.errors import Unavailable

# DynamoDB's (and SQS's) answers that say "not now" rather than "not this".
UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        # SQS's
        "RequestThrottled",
        "AWS.SimpleQueueService.ServiceUnavailable",
        "InternalError",
    }
)
T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The request's deadline passed before a call to the database was sent."""


def _check_deadline(**_: Any) -> None:
    if past_deadline():
        raise DeadlineExceeded()


# Registered by every botocore session made from now on (pynamodb makes one per connection).
handlers.BUILTIN_HANDLERS.append(("before-send.dynamodb.*", _check_deadline))
handlers.BUILTIN_HANDLERS.append(("before-send.sqs.*", _check_deadline))


def is_unavailable(error: BaseException) -> bool:
    """Whether `error`, or any error it was raised from, says the database cannot answer now."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DeadlineExceeded | HTTPClientError | BotoConnectionError):
            return True
        if isinstance(seen, ClientError):
            if seen.response.get("Error", {}).get("Code") in UNAVAILABLE_CODES:
                return True
        cause = getattr(seen, "cause", None)  # pynamodb keeps botocore's error (a ClientError)
        seen = (
            seen.__cause__ or seen.__context__ or (cause if isinstance(cause, Exception) else None)
        )
    return False


def _translated(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            result = call(*args, **kwargs)
        except Exception as error:
            if is_unavailable(error):
                raise Unavailable() from error
            raise
        return _iterated(result) if isinstance(result, Iterator) else result

    return run


def _iterated(items: Iterator[T]) -> Iterator[T]:
    """A lazy result (a query read page by page) fails while it is read: translate there too."""
    try:
        yield from items
    except Exception as error:
        if is_unavailable(error):
            raise Unavailable() from error
        raise


class _Guarded:
    """A port whose every method translates database faults (see the module's docstring)."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value
        wrapped = _translated(value)
        setattr(self, name, wrapped)  # found directly next time: no second lookup
        return wrapped


def guarded(port: T) -> T:
    return _Guarded(port)  # type: ignore[return-value]
