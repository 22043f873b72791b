"""Hourly limits per account (lookups by phone, share-code tries): one atomic counter per
account and clock hour, so parallel requests cannot pass the limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.clock import end_of_day, shanghai_date
from chalicelib.domain.errors import RateLimited
from chalicelib.services.ports import Store


def per_hour(store: Store, what: str, account_id: str, limit: int, now: datetime) -> None:
    """Counts one use of `what` by the account this hour; RateLimited (429, with the seconds to
    the next hour) when `limit` uses were counted already."""
    hour = int(now.timestamp()) // 3600
    if not store.counters.hit(f"rate:{what}:{account_id}:{hour}", limit, now + timedelta(hours=1)):
        raise RateLimited(3600 - int(now.timestamp()) % 3600)


def per_day(store: Store, what: str, account_id: str, limit: int, now: datetime) -> None:
    """Counts one use of `what` by the account this Asia/Shanghai day; RateLimited (429, with the
    seconds to the next Shanghai midnight) when `limit` uses were counted already."""
    day = shanghai_date(now)
    ends = end_of_day(day)
    if not store.counters.hit(f"rate:{what}:{account_id}:{day.isoformat()}", limit, ends):
        raise RateLimited(max(1, int((ends - now).total_seconds())))
