"""The `purge` job: deletes what is past retention (`config.retention_days()`, default 28 days):
scans, check-ins, login (OTP) states, place visits, reports, and declared region visits (by the
last day they counted).

It reads only what is due: whole Asia/Shanghai days older than the retention window, through
each kind's day-keyed index, from the day after the last one it finished for that kind (a
watermark per kind) up to the cutoff, so its cost follows the days and items to delete, not the
size of the tables. Safe to re-run and to run twice at once (deleting is idempotent; watermarks
only move forward). DynamoDB's TTL on login states is a backstop only, never relied upon.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import retention_cutoff
from chalicelib.services.context import Context
from chalicelib.services.ports import Store

FIRST_RUN_LOOKBACK_DAYS = 60

# Kind -> how to delete one day of it. Each kind keeps its watermark `purge:<kind>`.
KINDS: dict[str, Callable[[Store, date], int]] = {
    "scans": lambda store, day: store.scans.delete_of_day(day),
    "checkins": lambda store, day: store.checkins.delete_of_day(day),
    "otps": lambda store, day: store.logins.delete_of_day(day),
    # Declared region visits, by the last day they counted (not personal, but they pile up).
    "declared_visits": lambda store, day: store.epidemic.delete_visits_until_day(day),
    # Places, visits, reports (docs/decisions/0009)
    "place_visits": lambda store, day: store.places.delete_visits_of_day(day),
    "reports": lambda store, day: store.reports.delete_of_day(day),
}


def watermark(kind: str) -> str:
    return f"purge:{kind}"


def _first_day(ctx: Context, kind: str, cutoff: date) -> date:
    done = ctx.store.jobs.get_watermark(watermark(kind))
    if done:
        return date.fromisoformat(done) + timedelta(days=1)
    return cutoff - timedelta(days=FIRST_RUN_LOOKBACK_DAYS)


def purge(ctx: Context, now: datetime, *, budget_seconds: float = 20.0) -> dict[str, Any]:
    started = time.monotonic()
    cutoff = retention_cutoff(shanghai_date(now), config.retention_days())
    due = {kind: _first_day(ctx, kind, cutoff) for kind in KINDS}
    removed = dict.fromkeys(KINDS, 0)
    purged: set[date] = set()
    day = min(due.values())  # every kind's next day is this day or later
    while day <= cutoff:
        for kind in KINDS:
            if due[kind] != day or time.monotonic() - started >= budget_seconds:
                continue
            removed[kind] += KINDS[kind](ctx.store, day)
            ctx.store.jobs.set_watermark(watermark(kind), day.isoformat())
            due[kind] = day + timedelta(days=1)
            purged.add(day)
        if any(due[kind] == day for kind in KINDS):
            break  # out of time: the next run resumes from each kind's watermark
        day += timedelta(days=1)
    return {
        "removed": removed,
        "days_purged": len(purged),
        "kept_from": (cutoff + timedelta(days=1)).isoformat(),
        "complete": all(first > cutoff for first in due.values()),
    }
