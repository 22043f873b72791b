"""The `purge` job: deletes scan records past retention (default 28 days).

It reads only what is due: whole Asia/Shanghai days older than the retention window, from the day
after the last one it finished (a watermark) up to the cutoff, so its cost follows the days and
scans to delete, not the size of the tables. Safe to re-run and to run twice at once (deleting is
idempotent; the watermark only moves forward). DynamoDB's TTL is not relied upon.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
from chalicelib.services.context import Context

WATERMARK = "purge:scans"
FIRST_RUN_LOOKBACK_DAYS = 60


def purge(ctx: Context, now: datetime, *, budget_seconds: float = 20.0) -> dict[str, Any]:
    started = time.monotonic()
    cutoff = shanghai_date(now) - timedelta(days=config.scan_retention_days())
    done = ctx.store.get_watermark(WATERMARK)
    day = (
        date.fromisoformat(done) + timedelta(days=1)
        if done
        else cutoff - timedelta(days=FIRST_RUN_LOOKBACK_DAYS)
    )
    days = deleted = 0
    while day <= cutoff and time.monotonic() - started < budget_seconds:
        deleted += ctx.store.delete_scans_of_day(day)
        ctx.store.set_watermark(WATERMARK, day.isoformat())
        days, day = days + 1, day + timedelta(days=1)
    return {
        "days_purged": days,
        "scans_deleted": deleted,
        "kept_from": (cutoff + timedelta(days=1)).isoformat(),
        "complete": day > cutoff,
    }
