"""The `purge` job (hourly): deletes what is past retention (`config.retention_days()`, default
28 days): scans, check-ins, login (OTP) states, place visits, reports, and declared region visits
(by the last day they counted).

It reads only what is due: whole Asia/Shanghai days older than the retention window, through
each kind's day-keyed partitions (every shard the kind may have been written to:
`config.shards_read`), from the day after the last one it finished for that kind (a watermark
per kind) up to the cutoff, so its cost follows the items to delete, not the size of the tables.

A busy day does not fit in one run: each kind deletes a page at a time and keeps a cursor (the
day, the shard and DynamoDB's LastEvaluatedKey, in the job state `purge:<kind>`), saved after
every page that deleted something and when the run stops, so the next run resumes on that page,
never from the start of the day. A page is deleted before the cursor moves past it: a run that
dies in between reads that page again, and deleting is idempotent. Each kind may use the run's
time up to its own share of the budget (the time a kind leaves unused goes to the next), so one
kind's backlog (scans on a busy day) cannot starve the others. Safe to re-run and to run twice
at once (watermarks only move forward). DynamoDB's TTL on login states is a backstop only.
What a run cannot finish in its budget is handed to the queue workers, a task per kind, day and
shard (chalicelib/services/tasks.py), and the next runs wait until that job is done (or
abandoned: ports.JobProgress.abandoned) before they read again.
See docs/decisions/0031-i13-shards.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import retention_cutoff
from chalicelib.services.context import Context
from chalicelib.services.ports import Page, Store

FIRST_RUN_LOOKBACK_DAYS = 60
BUDGET_SECONDS = 20.0  # scheduled functions time out at 28 s (.chalice/config.json)
PAGE_SIZE = 200  # one Query and 8 BatchWriteItem calls of 25

DeletePage = Callable[[date, int, Page | None, int], tuple[int, Page | None]]


@dataclass(frozen=True)
class Kind:
    shards: str  # its key in config.SHARD_DEFAULTS
    pages: Callable[[Store], DeletePage]


# Kind -> where its days are. Each kind keeps its watermark and its cursor under `purge:<kind>`.
# Scans come last: they are the most, and take the time the others leave.
KINDS: dict[str, Kind] = {
    "otps": Kind("logins", lambda store: store.logins.delete_page),
    # Declared region visits, by the last day they counted (not personal, but they pile up).
    "declared_visits": Kind("visits", lambda store: store.epidemic.delete_visits_page),
    "checkins": Kind("checkins", lambda store: store.checkins.delete_page),
    # Places, visits, reports (docs/decisions/0009)
    "reports": Kind("reports", lambda store: store.reports.delete_page),
    "place_visits": Kind("place_visits", lambda store: store.places.delete_visits_page),
    "scans": Kind("scans", lambda store: store.scans.delete_page),
}


def watermark(kind: str) -> str:
    return f"purge:{kind}"


@dataclass
class Cursor:
    """Where a kind's purge stands: the next page is `after` in `day`'s partition `shard`."""

    day: date
    shard: int = 0
    after: Page | None = None

    def dumps(self) -> str:
        return json.dumps({"day": self.day.isoformat(), "shard": self.shard, "after": self.after})


def _first_day(ctx: Context, kind: str, cutoff: date) -> date:
    done = ctx.store.jobs.get_watermark(watermark(kind))
    if done:
        return date.fromisoformat(done) + timedelta(days=1)
    return cutoff - timedelta(days=FIRST_RUN_LOOKBACK_DAYS)


def cursor(ctx: Context, kind: str, first: date) -> Cursor:
    """The saved cursor when it is on `first` (the day after the watermark), else its start."""
    saved = ctx.store.jobs.get_state(watermark(kind))
    if saved:
        data = json.loads(saved)
        if data.get("day") == first.isoformat():
            return Cursor(first, int(data["shard"]), data.get("after"))
    return Cursor(first)


class _Run:
    def __init__(self, ctx: Context, clock: Callable[[], float], page_size: int) -> None:
        self.ctx, self.clock, self.page_size = ctx, clock, page_size
        self.removed = dict.fromkeys(KINDS, 0)
        self.finished: set[date] = set()

    def kind(self, name: str, cutoff: date, deadline: float) -> Cursor:
        """Deletes `name`'s due pages until the cutoff or the deadline; where it stopped."""
        kind, jobs = KINDS[name], self.ctx.store.jobs
        delete_page = kind.pages(self.ctx.store)
        at = cursor(self.ctx, name, _first_day(self.ctx, name, cutoff))
        shards = config.shards_read(kind.shards)
        while at.day <= cutoff:
            while at.shard < shards:
                if self.clock() >= deadline:
                    jobs.put_state(watermark(name), at.dumps())
                    return at
                removed, at.after = delete_page(at.day, at.shard, at.after, self.page_size)
                if at.after is None:
                    at.shard += 1
                if removed:
                    self.removed[name] += removed
                    jobs.put_state(watermark(name), at.dumps())
            jobs.set_watermark(watermark(name), at.day.isoformat())
            self.finished.add(at.day)
            at = Cursor(at.day + timedelta(days=1))
        return at


def purge(
    ctx: Context,
    now: datetime,
    *,
    budget_seconds: float = BUDGET_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    page_size: int = PAGE_SIZE,
) -> dict[str, Any]:
    """Runs once; returns what it removed per kind, the days it finished, the first day kept,
    whether every kind got through the cutoff (`complete`) and where the others stand
    (`resume`: `<day>#<shard>` per kind)."""
    started = clock()
    cutoff = retention_cutoff(shanghai_date(now), config.retention_days())
    run = _Run(ctx, clock, page_size)
    waiting = _handed_off(ctx, now)
    if waiting is not None:
        return {
            "removed": run.removed,
            "days_purged": 0,
            "kept_from": (cutoff + timedelta(days=1)).isoformat(),
            "complete": False,
            "resume": {},
            "running": waiting,
        }
    stopped: dict[str, Cursor] = {}
    for n, name in enumerate(KINDS, start=1):
        deadline = started + budget_seconds * n / len(KINDS)
        at = run.kind(name, cutoff, deadline)
        if at.day <= cutoff:
            stopped[name] = at
    job = _hand_off(ctx, stopped, cutoff, now) if stopped else None
    return {
        "removed": run.removed,
        "days_purged": len(run.finished),
        "kept_from": (cutoff + timedelta(days=1)).isoformat(),
        "complete": not stopped,
        "resume": {name: f"{at.day.isoformat()}#{at.shard}" for name, at in stopped.items()},
        "queued_job": job,
    }


HANDED_OFF = "purge:queued"


def _hand_off(ctx: Context, stopped: dict[str, Cursor], cutoff: date, now: datetime) -> str:
    """What the run could not delete goes to the queue workers: a task per kind, day and shard
    left (the first from the saved page on), sent by the workers from one `partitions` message
    per kind. The watermarks move once the job is done."""
    from chalicelib.services import tasks

    job = tasks.make_job_id("purge")
    messages = [
        tasks.partitions_message(
            job,
            f"purge:{name}",
            at.day,
            cutoff,
            config.shards_read(KINDS[name].shards),
            at.shard,
            at.after,
        )
        for name, at in stopped.items()
    ]
    tasks.new_job(ctx, "purge", now, lists=sum(map(tasks.partitions_count, messages)), job_id=job)
    marks = dict.fromkeys(stopped, cutoff.isoformat())
    # Saved before sending: a run that dies while sending is not followed by a second flood.
    ctx.store.jobs.put_state(HANDED_OFF, json.dumps({"job": job, "marks": marks}))
    tasks.send(ctx, messages)  # one per kind; the workers send the partitions' tasks
    return job


def _handed_off(ctx: Context, now: datetime) -> str | None:
    """The job still deleting what an earlier run handed off, if any; once it is done, its
    kinds' watermarks move to the cutoff it had."""
    saved = json.loads(ctx.store.jobs.get_state(HANDED_OFF) or "null")
    if saved is None:
        return None
    found = ctx.store.progress.get(saved["job"])
    if found is not None and not found.finished and not found.abandoned(now):
        return str(saved["job"])
    if found is not None and found.finished:
        for name, mark in saved["marks"].items():
            ctx.store.jobs.set_watermark(watermark(name), mark)
    if ctx.store.jobs.take_state(HANDED_OFF) is None:
        return str(saved["job"])  # another run took it meanwhile: let that one go on
    return None
