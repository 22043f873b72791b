"""Scheduled work, run the same way by the Chalice schedules, POST /v1/admin/jobs/{name} and
`python -m chalicelib.manage run-job NAME`.

`JOBS` is the one list of jobs: the Chalice schedules (chalicelib/api/jobs.py) and `make run`'s
local scheduler (tools/devserver.py) are made from it, so a new job is one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import NotFound

if TYPE_CHECKING:  # the app imports this table at cold start; the context loads on a run
    from chalicelib.services.context import Context


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int  # whole minutes: a Chalice rate expression (and the local scheduler)
    run: Callable[[Context, datetime], dict[str, Any]]
    # What an admin's POST /v1/admin/jobs/{name} (or `manage run-job`) runs, if not `run`.
    asked: Callable[[Context, datetime], dict[str, Any]] | None = None


def _purge(ctx: Context, now: datetime) -> dict[str, Any]:
    from chalicelib.services.purge import purge

    return purge(ctx, now)


def _recompare(ctx: Context, now: datetime) -> dict[str, Any]:
    from chalicelib.services.recompare import recompare

    return recompare(ctx, now)


def _recompare_now(ctx: Context, now: datetime) -> dict[str, Any]:
    from chalicelib.services.recompare import recompare

    return recompare(ctx, now, force=True)


def _expire(ctx: Context, now: datetime) -> dict[str, Any]:
    from chalicelib.services.expire import expire

    return expire(ctx, now)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("expire", 3600, _expire),
        Job("purge", 3600, _purge),
        Job("recompare", 3600, _recompare, asked=_recompare_now),
    )
}

# How often each job runs, for make run's local scheduler.
SCHEDULES = {name: job.every_seconds for name, job in JOBS.items()}


def run(ctx: Context, name: str, now: datetime, *, asked: bool = False) -> dict[str, Any]:
    """Runs a job as its schedule does, or as an admin asked for it (`asked`: a recompare pass
    starts whether or not one is due)."""
    job = JOBS.get(name)
    if job is None:
        known = ", ".join(JOBS)  # never the name asked for: error bodies repeat no input
        raise NotFound(f"There is no such job (jobs: {known}).", f"没有该任务（任务：{known}）。")
    run = job.asked if asked and job.asked else job.run
    return {"job": name, **run(ctx, now)}


def progress(ctx: Context, job_id: str, now: datetime | None = None) -> dict[str, Any]:
    """A batch job's progress: `running` until every piece of its work is listed and done;
    `abandoned` when still unfinished hours later (a message went to the dead-letter queue)."""
    found = ctx.store.progress.get(job_id) if len(job_id) <= 64 else None
    if found is None:
        raise NotFound("There is no such job.", "没有该任务。")
    state = "done" if found.finished else "running"
    if now is not None and found.abandoned(now):
        state = "abandoned"
    return {
        "job_id": found.job_id,
        "kind": found.kind,
        "state": state,
        "started_at": found.started_at.isoformat(timespec="seconds"),
        "total": found.total,
        "done": found.done,
        "recoloured": found.recoloured,
        "failed": found.failed,
    }
