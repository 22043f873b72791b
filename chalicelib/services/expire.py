"""The `expire` job (hourly): ends the 14-day states that are over.

Every assessment stores the person's review day: the first day the colour may change by itself
(a reason's last day + 1, or a known record's start). The job reads only the persons whose review
day has come, from the persons' `by_due` index, day by day from the day after its watermark up
to today (Asia/Shanghai), and re-evaluates each through `reassess`, the one path that moves
colours. Reassessing moves a person's review day forward, so reading a day again yields only the
persons not done yet: a run that reaches its time budget stops between two persons, and the next
run carries on. Writes are conditional on the version read, so two runs at once, or a re-run,
change nobody twice. A run that reaches its budget hands the rest to the queue workers (a `due`
task per index partition of each day left, chalicelib/services/tasks.py), and the next runs wait
until they are done. See docs/decisions/0006-review-days-and-jobs.md and 0030-queue.md.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import days_to_review, finished_through
from chalicelib.domain.entities import Person
from chalicelib.domain.errors import NotFound, Unavailable
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.services.assessment import reassess
from chalicelib.services.context import Context

WATERMARK = "expire"
FIRST_RUN_LOOKBACK_DAYS = 60
BUDGET_SECONDS = 20.0  # scheduled functions time out at 28 s (.chalice/config.json)
CAUSE = Cause(ActorKind.SYSTEM, None, "expiry")

log = logging.getLogger("healthcode.jobs.expire")


class _Run:
    def __init__(self, ctx: Context, now: datetime, deadline: float, clock: Callable[[], float]):
        self.ctx, self.now, self.deadline, self.clock = ctx, now, deadline, clock
        # changed: the code was rewritten (its colour, or its reasons and their end dates);
        # recoloured: among those, the colour moved (a history entry was written).
        self.counts = {"due": 0, "changed": 0, "unchanged": 0, "failed": 0, "recoloured": 0}

    def out_of_time(self) -> bool:
        return self.clock() >= self.deadline

    def day(self, day: date) -> bool | None:
        """Re-evaluates the persons due on `day`: True when all went well, False when some
        failed, None when the budget ran out first."""
        if self.out_of_time():
            return None
        failed = self.counts["failed"]
        for person in self.ctx.store.persons.due(day):
            if self.out_of_time():
                return None
            self.counts["due"] += 1
            for outcome in self.one(person):
                self.counts[outcome] += 1
        return self.counts["failed"] == failed

    def one(self, person: Person) -> tuple[str, ...]:
        try:
            outcome = reassess(self.ctx.store, person.person_id, CAUSE, self.now, known=person)
        except NotFound:
            return ("unchanged",)  # deleted meanwhile: nothing left to expire
        except Unavailable:
            raise  # the database, not this person: stop; the next run resumes here
        except Exception as error:  # one person must not stop the others; the next run retries
            log.warning("expire: re-evaluation failed (%s)", type(error).__name__)
            return ("failed",)
        if not outcome.stored:
            return ("unchanged",)
        return ("changed", "recoloured") if outcome.changed else ("changed",)


def expire(
    ctx: Context,
    now: datetime,
    *,
    budget_seconds: float = BUDGET_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    watermark: str = WATERMARK,
) -> dict[str, Any]:
    """Runs once; returns the counts `{due, changed, unchanged, failed, recoloured}` with the
    days read, whether it got through them all (`complete`) and the watermark it leaves."""
    run = _Run(ctx, now, clock() + budget_seconds, clock)
    today = shanghai_date(now)
    done = ctx.store.jobs.get_watermark(watermark)
    queued = json.loads(ctx.store.jobs.get_state(f"{watermark}:queued") or "null")
    found = ctx.store.progress.get(queued["job"]) if queued else None
    if found is not None and not found.finished and not found.abandoned(now):
        # The rest of an earlier run is still with the workers: let them finish it first.
        return {**run.counts, "days_read": 0, "complete": False, "running": found.job_id}
    reviewed = days_to_review(
        date.fromisoformat(done) if done else None, today, FIRST_RUN_LOOKBACK_DAYS
    )
    read: list[date] = []
    clean: set[date] = set()
    job = None
    for day in reviewed:
        result = run.day(day)
        if result is None:  # a busy day: the workers take the rest, a task per partition
            job = _queue_rest(ctx, reviewed[len(read) :], now, watermark)
            break
        read.append(day)
        if result:
            clean.add(day)
    mark = finished_through(read, clean, today)
    if mark is not None:
        ctx.store.jobs.set_watermark(watermark, mark.isoformat())
    return {
        **run.counts,
        "days_read": len(read),
        "complete": len(read) == len(reviewed),
        "watermark": mark.isoformat() if mark else done,
        "queued_job": job,
    }


def _queue_rest(ctx: Context, days: list[date], now: datetime, watermark: str) -> str:
    """A job of `due` tasks, one per index partition of each day left, sent by a worker from one
    `partitions` message (the days are read again by the next run once it is done, and hold only
    what is left: reassessing a person moves them off the day)."""
    from chalicelib.services import tasks

    shards = len(ctx.store.persons.due_partitions(days[0]))
    job = tasks.make_job_id("expire")
    message = tasks.partitions_message(job, "due", days[0], days[-1], shards)
    tasks.new_job(ctx, "expire", now, lists=tasks.partitions_count(message), job_id=job)
    ctx.store.jobs.put_state(f"{watermark}:queued", json.dumps({"job": job}))  # before sending
    tasks.send(ctx, [message])
    return job
