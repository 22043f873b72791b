"""How fast one sequential purge run deletes a busy day (DynamoDB Local, stage local's shards).

A day past retention holds `count` scans (stored in bulk with the store's own `scan_item`); the
purge job runs with a short budget, again and again, each run resuming on the page its cursor
saved, until the day is gone. Printed: scans deleted per second of run time and the runs it
took. On AWS a page's calls take longer than on a local database; the figure bounds what one
sequential run can do, and note 0031 says what that means for a province's day of scans.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from bench.world import World
from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.entities import Scan
from chalicelib.domain.model import Color
from chalicelib.security.fields import new_person_id
from chalicelib.services.purge import KINDS, purge, watermark
from chalicelib.services.verify import new_scan_id
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.scans import scan_item

BUDGET_SECONDS = 2.0


def run(world: World, count: int = 20_000) -> dict[str, Any]:
    ctx = world.ctx
    now = utcnow()
    busy_day = shanghai_date(now) - timedelta(days=40)
    busy = now - timedelta(days=40)
    for kind in KINDS:  # every kind done through yesterday of the busy day, others through today
        done = busy_day - timedelta(days=1) if kind == "scans" else shanghai_date(now)
        ctx.store.jobs.set_watermark(watermark(kind), done.isoformat())
    with t.ScanItem.batch_write() as batch:
        for _ in range(count):
            pid = new_person_id()
            scan = Scan(new_scan_id(), busy, "bench", "gate-1", True, True, Color.GREEN, None, pid)
            batch.save(scan_item(scan))
    runs, removed, seconds = 0, 0, 0.0
    while runs < 1000:
        started = time.perf_counter()
        report = purge(ctx, now, budget_seconds=BUDGET_SECONDS)
        seconds += time.perf_counter() - started
        runs += 1
        removed += report["removed"]["scans"]
        if report["complete"]:
            break
    return {
        "scans": count,
        "removed": removed,
        "runs": runs,
        "budget_seconds": BUDGET_SECONDS,
        "per_second": round(removed / seconds) if seconds else 0,
    }


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    p = results.get("purge")
    if not p:
        return []
    return [
        (
            "purge: a busy day, one sequential run",
            f"{p['per_second']:,} scans/s  ({p['removed']:,} of {p['scans']:,} in {p['runs']}"
            f" runs of {p['budget_seconds']:.0f} s, each resuming on its saved page)",
            "none",
            "info",
        )
    ]
