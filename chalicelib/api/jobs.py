"""Scheduled functions, and the admin endpoint that runs the same jobs on demand.

Chalice schedules them in AWS; `make run` runs them locally on the same intervals
(chalicelib.services.jobs.SCHEDULES), because `chalice local` never does."""

from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint, Rate

from chalicelib.api.http import ADMIN, Req, route

bp = Blueprint(__name__)
log = logging.getLogger("healthcode.jobs")


def _run(name: str) -> dict[str, Any]:
    from chalicelib.domain.clock import utcnow
    from chalicelib.services import jobs
    from chalicelib.services.context import default

    report = jobs.run(default(), name, utcnow())
    log.info("job %s: %s", name, report)  # counts only
    return report


@bp.schedule(Rate(1, unit=Rate.DAYS))
def purge(event: Any) -> dict[str, Any]:
    return _run("purge")


@bp.schedule(Rate(1, unit=Rate.DAYS))
def recompare(event: Any) -> dict[str, Any]:
    return _run("recompare")


@bp.schedule(Rate(1, unit=Rate.HOURS))
def expire(event: Any) -> dict[str, Any]:
    return _run("expire")


@route(
    bp,
    "POST",
    "/v1/admin/jobs/{name}",
    summary="Run a scheduled job now (expire, recompare, purge)",
    roles=ADMIN,
)
def run_job(req: Req, name: str) -> dict[str, Any]:
    from chalicelib.services import jobs

    return jobs.run(req.ctx, name, req.now)
