"""Benchmark 6: the hourly expire job reads only who is due.

Two worlds in tables of their own: 10 due persons among 1,000, and 10 among 10,000. The crowd
is bench/crowd.py's (the application service, stored in bulk; a twentieth of it is yellow from a
declared fever and due in 15 days, the rest green with no review day). The 10 due persons are
made through `applications.create` and the real persons port's `create`, as applicants who
declared a fever 15 days ago: yellow through yesterday (D through D+14), due today. Each round
makes 10 fresh ones and times one `expire.expire` run from yesterday's watermark (what every
hourly run after the first of the day does), which must turn exactly those 10 green. The worlds'
rounds alternate.

Targets: DynamoDB items read (bench/reads.py, every table and index) at most 1.1x the due count
in both worlds; the run times of the two worlds within 1.2x of each other (the median of the
ratios of runs made back to back, in either direction).
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench import crowd
from bench.reads import ReadCounter
from bench.stats import median, ms
from bench.world import local_tables
from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.model import Declaration, IdType
from chalicelib.services.applications import Application, create
from chalicelib.services.context import Context
from chalicelib.services.expire import expire
from chalicelib.services.sms import ConsoleSender
from chalicelib.storage import tables
from chalicelib.storage.dynamo import Db, DynamoStore

DUE = 10
SIZES = (1_000, 10_000)
READS_TARGET = 1.1  # items read per due person
TIME_TARGET = 1.2  # run time of one world over the other's, either way
WATERMARK = "bench-expire"


def _due_today(ctx: Context, now: datetime, serial: int) -> None:
    """DUE applicants who declared a fever 15 days ago: yellow from D through D+14 (yesterday),
    due today (`days.last_day`)."""
    declared = now - timedelta(days=15)
    for n in range(DUE):
        i = 1_000_000 + serial * DUE + n  # ID numbers the crowd does not use
        account_id = secrets.token_hex(8)
        form = Application(
            name="李小红",
            id_type=IdType.RESIDENT_ID,
            id_number=crowd.resident_id(i),
            nationality="CHN",
            address="山东省济南市历下区泉城路1号",
            region_code="370102",
            declaration=Declaration(temperature=crowd.FEVERISH),
        )
        cause = Cause(ActorKind.SELF, account_id, "application")
        phone = f"138{i:08d}"
        create(ctx, form, phone, account_id, "self", (f"self:{account_id}",), cause, declared)


@dataclass
class _World:
    size: int
    prefix: str
    crowd_seconds: float = 0.0
    times: list[float] = field(default_factory=list)
    reads: list[int] = field(default_factory=list)
    snapshot: dict[str, Any] = field(default_factory=dict)


def _use(world: _World, db: Db, counter: ReadCounter) -> None:
    """Points every model at the world's tables, with their clients made and counted (outside
    any timing: a new client costs tens of milliseconds)."""
    os.environ["HEALTHCODE_TABLE_PREFIX"] = world.prefix
    tables.configure()
    counter.attach(db)


@contextmanager
def _second_tables(first: str) -> Iterator[str]:
    prefix = f"bench{uuid.uuid4().hex[:8]}-"
    os.environ["HEALTHCODE_TABLE_PREFIX"] = prefix
    tables.create_all()
    try:
        yield prefix
    finally:
        os.environ["HEALTHCODE_TABLE_PREFIX"] = prefix
        tables.delete_all()
        os.environ["HEALTHCODE_TABLE_PREFIX"] = first  # local_tables deletes its own
        tables.configure()


def _round(
    world: _World, ctx: Context, db: Db, counter: ReadCounter, now: datetime, n: int
) -> None:
    _use(world, db, counter)
    _due_today(ctx, now, n)
    counter.reset()
    started = time.perf_counter()
    report = expire(ctx, now, watermark=WATERMARK)
    elapsed = time.perf_counter() - started
    if (report["due"], report["changed"], report["failed"]) != (DUE, DUE, 0):
        raise RuntimeError(f"expire did not turn exactly the {DUE} due persons: {report}")
    if n:  # the first round of each world warms up
        world.times.append(elapsed)
        world.reads.append(counter.read)
        world.snapshot = counter.snapshot()


def _summary(world: _World) -> dict[str, Any]:
    times = world.times
    return {
        "persons": world.size,
        "due": DUE,
        "crowd_setup_seconds": round(world.crowd_seconds, 1),
        "rounds": len(times),
        "run_ms": {"median": ms(median(times)), "min": ms(min(times)), "max": ms(max(times))},
        "items_read": max(world.reads),
        "reads_per_due": round(max(world.reads) / DUE, 3),
        "items_by_table": world.snapshot["items_by_table"],
        "read_calls": world.snapshot["read_calls"],
    }


def run(rounds: int = 11) -> dict[str, Any]:
    """Both worlds live side by side; their rounds alternate (which goes first too), so that
    DynamoDB Local warming up or the machine's load does not favour either."""
    db = Db()
    ctx = Context(DynamoStore(db), ConsoleSender())
    counter = ReadCounter()
    now = utcnow()
    yesterday = (shanghai_date(now) - timedelta(days=1)).isoformat()
    with local_tables() as first_prefix, _second_tables(first_prefix) as second_prefix:
        worlds = [_World(size, p) for size, p in zip(SIZES, (first_prefix, second_prefix))]
        for world in worlds:
            _use(world, db, counter)
            world.crowd_seconds = crowd.make(ctx, world.size - DUE, now).seconds
            ctx.store.jobs.set_watermark(WATERMARK, yesterday)
        for n in range(rounds + 1):
            for world in worlds if n % 2 == 0 else worlds[::-1]:
                _round(world, ctx, db, counter, now, n)
    small, large = (_summary(world) for world in worlds)
    # Each round times both worlds back to back: the median of the rounds' ratios compares them
    # under the same load (other work on the machine comes and goes over a run of minutes).
    paired = median([b / a for a, b in zip(worlds[0].times, worlds[1].times, strict=True)])
    time_ratio = max(paired, 1 / paired)
    worst_reads = max(small["reads_per_due"], large["reads_per_due"])
    return {
        "worlds": [small, large],
        "reads_target": READS_TARGET,
        "reads_pass": worst_reads <= READS_TARGET,
        "time_ratio": round(time_ratio, 3),
        "time_target": TIME_TARGET,
        "time_pass": time_ratio <= TIME_TARGET,
    }


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    if "expire" not in results:
        return []
    e = results["expire"]
    small, large = e["worlds"]

    def reads(w: dict[str, Any]) -> str:
        return f"{w['items_read']} items for {w['due']} due among {w['persons']:,}"

    return [
        (
            "expire: items read per due person",
            f"{max(small['reads_per_due'], large['reads_per_due']):.2f}x  ({reads(small)};"
            f" {reads(large)})",
            f"<= {e['reads_target']}x",
            "PASS" if e["reads_pass"] else "MISS",
        ),
        (
            "expire: run time, 10,000 vs 1,000 persons",
            f"{e['time_ratio']:.2f}x  (median of {small['rounds']} paired runs;"
            f" {large['run_ms']['median']:.0f} / {small['run_ms']['median']:.0f} ms medians)",
            f"<= {e['time_target']}x",
            "PASS" if e["time_pass"] else "MISS",
        ),
    ]


def notes(results: dict[str, Any]) -> list[str]:
    if "expire" not in results:
        return []
    small, large = results["expire"]["worlds"]
    tables = ", ".join(f"{k} {v}" for k, v in large["items_by_table"].items() if v)
    calls = ", ".join(f"{k} {v}" for k, v in large["read_calls"].items())
    return [
        f"expire: items read per run by table: {tables}; read calls: {calls}"
        f" (crowds made in {small['crowd_setup_seconds']:.0f} s and"
        f" {large['crowd_setup_seconds']:.0f} s)",
    ]
