"""Scheduled work, run the same way by the Chalice schedules, POST /v1/admin/jobs/{name} and
`python -m chalicelib.manage run-job NAME`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.services.context import Context


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[Context, datetime], dict[str, Any]]


def _purge(ctx: Context, now: datetime) -> dict[str, Any]:
    from chalicelib.services.purge import purge

    return purge(ctx, now)


def _recompare(ctx: Context, now: datetime) -> dict[str, Any]:
    from chalicelib.services.recompare import recompare

    return recompare(ctx, now)


def _expire(ctx: Context, now: datetime) -> dict[str, Any]:
    from chalicelib.services.expire import expire

    return expire(ctx, now)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("expire", 3600, _expire),
        Job("purge", 86400, _purge),
        Job("recompare", 86400, _recompare),
    )
}

# How often each job runs; make run's local scheduler and the Chalice schedules read this.
SCHEDULES = {name: job.every_seconds for name, job in JOBS.items()}


def run(ctx: Context, name: str, now: datetime) -> dict[str, Any]:
    job = JOBS.get(name)
    if job is None:
        raise NotFound(f"There is no job named {name!r}.", f"没有名为 {name!r} 的任务。")
    return {"job": name, **job.run(ctx, now)}
