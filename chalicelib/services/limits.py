"""Hourly limits per account (lookups by phone, share-code tries): one atomic counter per
account and clock hour, so parallel requests cannot pass the limit."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Cap:
    """At most `limit` uses counted under `key` until `until` (when the key's window ends);
    a limit of 0 is no cap."""

    key: str
    limit: int
    until: datetime


def take_all(store: Store, caps: list[Cap], now: datetime) -> list[Cap]:
    """Counts one use against every cap, each atomically; when one is full, the uses already
    counted are given back and RateLimited says how long until that cap's window ends."""
    taken: list[Cap] = []
    for cap in caps:
        if cap.limit <= 0:
            continue
        if not store.counters.hit(cap.key, cap.limit, cap.until + timedelta(hours=1)):
            give_back(store, taken, now)
            raise RateLimited(max(1, int((cap.until - now).total_seconds())))
        taken.append(cap)
    return taken


def give_back(store: Store, taken: list[Cap], now: datetime) -> None:
    for cap in taken:
        store.counters.hit(cap.key, None, cap.until + timedelta(hours=1), amount=-1)


def per_day(store: Store, what: str, account_id: str, limit: int, now: datetime) -> None:
    """Counts one use of `what` by the account this Asia/Shanghai day; RateLimited (429, with the
    seconds to the next Shanghai midnight) when `limit` uses were counted already."""
    day = shanghai_date(now)
    ends = end_of_day(day)
    if not store.counters.hit(f"rate:{what}:{account_id}:{day.isoformat()}", limit, ends):
        raise RateLimited(max(1, int((ends - now).total_seconds())))
