"""Benchmark 7: batch work on the task queue with local worker processes (`manage worker`, as
under `make run`), on a crowd of its own (5,000 persons, every second one a declared visitor of
one region: 2,500 visitors).

- Region change: seconds from `records.set_region` (what PUT /v1/admin/regions/{code} runs,
  with its default inline share) until the job's progress says every visitor is re-evaluated,
  with 1 and with 2 workers (green -> red each time; the region is set back, untimed, between).
- Recompare: persons per second of a full pass (`tasks.start_pass`, RECOMPARE_SEGMENTS
  segments) with 1 and with 2 workers, per worker, and the wall time it projects for
  100,000,000 persons with the workers of docs/capacity.md (PROJECTED_WORKERS).

On this machine the workers, DynamoDB Local and the queue share 2 cores: a second worker adds
what the cores leave, not a worker's worth. Figures for information (no target).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import crowd
from bench.world import local_tables
from chalicelib.domain.clock import utcnow
from chalicelib.domain.model import Risk, Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.context import Context
from chalicelib.services.jobs import progress
from chalicelib.services.records import set_region
from chalicelib.services.sms import ConsoleSender
from chalicelib.services.tasks import start_pass
from chalicelib.storage.dynamo import DynamoStore

ROOT = Path(__file__).resolve().parent.parent
PERSONS = 5_000
VISIT_EVERY = 2  # 2,500 visitors
RECOMPARE_SEGMENTS = 4
PROVINCE = 100_000_000
PROJECTED_WORKERS = 96  # docs/capacity.md: HEALTHCODE_RECOMPARE_SEGMENTS in AWS
ADMIN = AccessClaims("bench-admin", frozenset({Role.ADMIN}), None)
POLL = 0.1
TIMEOUT = 900.0


@contextmanager
def workers(count: int) -> Iterator[None]:
    """`count` worker processes on this run's queue (they inherit its environment)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import dynamodb_local

    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "chalicelib.manage", "worker"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            **dynamodb_local.child_options(),
        )
        for _ in range(count)
    ]
    time.sleep(2.0)  # imports and the first receive: not part of the figure
    try:
        yield
    finally:
        for proc in procs:
            dynamodb_local.stop_process_group(proc)


def _wait(ctx: Context, job: str, began: float) -> tuple[float, dict[str, Any]]:
    while time.perf_counter() - began < TIMEOUT:
        found = progress(ctx, job)
        if found["state"] == "done":
            return time.perf_counter() - began, found
        time.sleep(POLL)
    raise RuntimeError(f"job {job} not done after {TIMEOUT:.0f} s: {progress(ctx, job)}")


def _region(ctx: Context, count: int) -> dict[str, Any]:
    with workers(count):
        began = time.perf_counter()
        answer = set_region(ctx, ADMIN, crowd.REGION, Risk.HIGH, utcnow())
        seconds, found = _wait(ctx, answer["job_id"], began)
        back = set_region(ctx, ADMIN, crowd.REGION, Risk.LOW, utcnow())
        _wait(ctx, back["job_id"], time.perf_counter())
    return {
        "workers": count,
        "seconds": round(seconds, 2),
        "inline": answer["reevaluated"],
        "visitors": found["total"],
        "recoloured": found["recoloured"],
        "failed": found["failed"],
    }


def _recompare(ctx: Context, count: int) -> dict[str, Any]:
    with workers(count):
        began = time.perf_counter()
        job = start_pass(ctx, utcnow(), segments=RECOMPARE_SEGMENTS)
        seconds, found = _wait(ctx, job, began)
    rate = found["done"] / seconds
    return {
        "workers": count,
        "persons": found["done"],
        "seconds": round(seconds, 2),
        "persons_per_second": round(rate, 1),
        "persons_per_second_per_worker": round(rate / count, 1),
    }


def run() -> dict[str, Any]:
    with local_tables():
        ctx = Context(DynamoStore(), ConsoleSender())
        crowd.make(ctx, PERSONS, utcnow(), visit_every=VISIT_EVERY)
        regions = [_region(ctx, n) for n in (1, 2)]
        passes = [_recompare(ctx, n) for n in (1, 2)]
    per_worker = passes[0]["persons_per_second_per_worker"]
    hours = PROVINCE / (per_worker * PROJECTED_WORKERS) / 3600
    return {
        "region_change": regions,
        "recompare": passes,
        "projection": {
            "persons": PROVINCE,
            "workers": PROJECTED_WORKERS,
            "persons_per_second_per_worker": per_worker,
            "hours": round(hours, 2),
        },
    }


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    if "fanout" not in results:
        return []
    f = results["fanout"]
    r1, r2 = f["region_change"]
    p1, p2 = f["recompare"]
    p = f["projection"]
    return [
        (
            f"region change, {r1['visitors']} visitors: all re-evaluated",
            f"{r1['seconds']:.1f} s with 1 worker, {r2['seconds']:.1f} s with 2",
            "minutes",
            "PASS" if max(r1["seconds"], r2["seconds"]) < 300 else "MISS",
        ),
        (
            "recompare, persons/s per worker",
            f"{p1['persons_per_second_per_worker']:.0f} (1 worker),"
            f" {p2['persons_per_second_per_worker']:.0f} each (2 workers)",
            "info",
            "",
        ),
        (
            f"recompare, {p['persons'] // 1_000_000}M persons, {p['workers']} workers",
            f"{p['hours']:.1f} h projected at {p['persons_per_second_per_worker']:.0f}/s/worker",
            "<= 2 h",
            "PASS" if p["hours"] <= 2 else "MISS",
        ),
    ]
