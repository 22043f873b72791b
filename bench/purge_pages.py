"""How fast purge deletes a busy day: one run, then one queue worker (DynamoDB Local, stage local).

A day past retention holds `count` scans (stored in bulk with the store's own `scan_item`); the
purge job runs once with a short budget and hands the rest to the task queue from the page its
cursor saved (a task per shard), drained here by one worker. Printed: scans deleted per second
of run and worker time. With N workers in AWS the shards' tasks run N at a time; a page's calls
take longer there than on a local database. Note 0031 says what that means for a province.
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
from chalicelib.services.jobs import progress
from chalicelib.services.purge import KINDS, purge, watermark
from chalicelib.services.tasks import drain
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
    started = time.perf_counter()
    report = purge(ctx, now, budget_seconds=BUDGET_SECONDS)
    in_run = report["removed"]["scans"]
    drain(ctx)  # what the run handed to the queue, by one worker in this process
    seconds = time.perf_counter() - started
    job = progress(ctx, report["queued_job"]) if report["queued_job"] else None
    removed = in_run + (job["done"] if job else 0)
    if job is not None and job["state"] != "done":
        raise RuntimeError(f"the purge job did not finish: {job}")
    return {
        "scans": count,
        "removed": removed,
        "in_run": in_run,
        "budget_seconds": BUDGET_SECONDS,
        "per_second": round(removed / seconds) if seconds else 0,
    }


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    p = results.get("purge")
    if not p:
        return []
    return [
        (
            "purge: a busy day, the run then one queue worker",
            f"{p['per_second']:,} scans/s  ({p['removed']:,} of {p['scans']:,}: {p['in_run']:,}"
            f" in the {p['budget_seconds']:.0f} s run, the rest by the worker from its page)",
            "none",
            "info",
        )
    ]
