"""Calendar dates that people live by are Asia/Shanghai dates."""

from __future__ import annotations

import time as monotonic
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The one clock read of the app; everything below takes `now` as an argument."""
    return datetime.now(UTC)


def shanghai_date(instant: datetime) -> date:
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    """The first instant after the Asia/Shanghai calendar day `day`."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


# --- the request's deadline ---------------------------------------------------------------------

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Work inside must not start a call to a dependency after `seconds` from now (None: no
    deadline): the storage layer checks `past_deadline` before each call it sends."""
    token = _deadline.set(None if seconds is None else monotonic.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def past_deadline() -> bool:
    limit = _deadline.get()
    return limit is not None and monotonic.monotonic() >= limit
