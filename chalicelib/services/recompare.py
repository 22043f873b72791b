"""The `recompare` job (每天通过省疫情相关数据库进行动态比对): re-evaluates every person
against the current epidemic database once a day, and at once when a new policy version is
active.

The job itself only decides and starts: a full pass is a batch job on the task queue, one task
per parallel scan segment of the persons table (`config.recompare_segments()`), each going on in
continuation messages until its segment is done (chalicelib/services/tasks.py); its progress is
GET /v1/admin/jobs/{job_id}. The job runs hourly and starts a pass when the Asia/Shanghai day has
no pass yet (and the last one finished), or when the active policy version is not the one the
last pass applied (whatever is running: the new rules must reach everyone). Every write goes
through `reassess`, conditional on the version it read, so overlapping passes are safe.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.domain.clock import shanghai_date
from chalicelib.services import tasks
from chalicelib.services.assessment import active_policy
from chalicelib.services.context import Context

STATE = "recompare:pass"


def _why(last: dict[str, Any] | None, finished: bool, policy: str, today: str) -> str | None:
    if last is None:
        return "first pass"
    if last["policy"] != policy:
        return "new policy version"
    if last["day"] < today and finished:
        return "daily pass"
    return None


def recompare(ctx: Context, now: datetime, *, force: bool = False) -> dict[str, Any]:
    """Starts a pass when one is due (or `force`); reports the last pass's progress."""
    raw = ctx.store.jobs.get_state(STATE)
    last = json.loads(raw or "null")
    progress = ctx.store.progress.get(last["job"]) if last else None
    # A pass whose record expired is over; one stuck on a dead letter is abandoned.
    finished = progress is None or progress.finished or progress.abandoned(now)
    policy, today = active_policy().version, shanghai_date(now).isoformat()
    why = "asked" if force else _why(last, finished, policy, today)
    if why is not None:
        job = tasks.make_job_id("recompare")
        state = json.dumps({"job": job, "policy": policy, "day": today})
        if not ctx.store.jobs.swap_state(STATE, raw, state):  # another run decided first
            return {
                "started": None,
                "running": json.loads(ctx.store.jobs.get_state(STATE) or "{}").get("job"),
                "policy": policy,
            }
        tasks.start_pass(ctx, now, job=job)
        return {"started": job, "reason": why, "policy": policy}
    assert last is not None
    return {
        "started": None,
        "running": None if finished else last["job"],
        "last": last["job"],
        "policy": policy,
    }
