"""Scheduled functions, and the admin endpoint that runs the same jobs on demand.

One Chalice schedule per entry of the jobs table (chalicelib.services.jobs.JOBS), made here
rather than written out: adding a job to the table schedules it. `make run` runs the same table
locally, because `chalice local` never runs schedules."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Rate

from chalicelib.api.http import ADMIN, LONG_DEADLINE, Req, route
from chalicelib.services.jobs import JOBS, Job

bp = Blueprint(__name__)
log = logging.getLogger("healthcode.jobs")

_UNITS = ((86400, Rate.DAYS), (3600, Rate.HOURS), (60, Rate.MINUTES))


def rate(every_seconds: int) -> Rate:
    """The Chalice rate for an interval, in its largest whole unit (`rate(1 hour)`)."""
    for seconds, unit in _UNITS:
        if every_seconds > 0 and every_seconds % seconds == 0:
            return Rate(every_seconds // seconds, unit=unit)
    raise ValueError(f"a schedule runs every whole number of minutes, not {every_seconds} s")


def _run(name: str) -> dict[str, Any]:
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.errors import Unavailable
    from chalicelib.services import jobs
    from chalicelib.services.context import default

    try:
        report = jobs.run(default(), name, utcnow())
    except Unavailable:
        # A clean stop: what is done is saved (watermarks, states); the next run resumes.
        log.warning("job %s stopped: the database is unavailable; the next run resumes", name)
        return {"job": name, "stopped": "service_unavailable"}
    log.info("job %s: %s", name, report)  # counts only
    return report


def _scheduled(job: Job) -> Callable[..., Any]:
    def handler(event: Any) -> dict[str, Any]:
        return _run(job.name)

    # Chalice points the function's Lambda handler at `chalicelib.api.jobs.<__name__>`, so the
    # handler carries the job's name and is kept under that name in this module (below).
    handler.__name__ = handler.__qualname__ = job.name
    schedule: Callable[..., Any] = bp.schedule(rate(job.every_seconds), name=job.name)
    return schedule(handler)


SCHEDULED = {name: _scheduled(job) for name, job in JOBS.items()}
globals().update(SCHEDULED)


@route(
    bp,
    "POST",
    "/v1/admin/jobs/{job_id}",
    summary=f"Run a scheduled job now ({', '.join(JOBS)}): job_id is its name",
    roles=ADMIN,
    deadline=LONG_DEADLINE,
)
def run_job(req: Req, job_id: str) -> dict[str, Any]:
    from chalicelib.services import jobs

    return jobs.run(req.ctx, job_id, req.now, asked=True)


@route(
    bp,
    "GET",
    "/v1/admin/jobs/{job_id}",
    summary="A batch job's progress (a region change, a recompare pass, an import's queue)",
    roles=ADMIN,
    response="JobOut",
)
def job_progress(req: Req, job_id: str) -> dict[str, Any]:
    from chalicelib.services.jobs import progress

    return progress(req.ctx, job_id, req.now)
