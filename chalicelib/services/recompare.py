"""The `recompare` job (每天通过省疫情相关数据库进行动态比对): re-evaluates every person
against the current epidemic database, e.g. daily, or at once after a region turns high-risk.

The persons table is read in parallel segments, a page at a time; each segment's cursor is
saved after every page, so a run that reaches its time budget stops cleanly and the next run
continues the same pass. A run after a finished pass starts a new one. Every write goes through
`reassess`, which is conditional on the version it read, so re-runs and parallel runs are safe.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import Unavailable
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.services.assessment import reassess
from chalicelib.services.context import Context

SEGMENTS = 4
log = logging.getLogger("healthcode.jobs.recompare")
PAGE = 100
CAUSE = Cause(ActorKind.SYSTEM, None, "recompare")


def _segment(
    ctx: Context, segment: int, pass_id: str, now: datetime, deadline: float
) -> dict[str, int]:
    name = f"recompare:{segment}"
    state = json.loads(ctx.store.jobs.get_state(name) or "null")
    if state is None or state["pass"] != pass_id:
        state = {"pass": pass_id, "start": None, "done": False}
    counts = {"persons": 0, "changed": 0, "unchanged": 0, "failed": 0}
    while not state["done"] and time.monotonic() < deadline:
        ids, state["start"] = ctx.store.persons.ids(segment, SEGMENTS, state["start"], PAGE)
        for person_id in ids:
            counts["persons"] += 1
            try:
                changed = reassess(ctx.store, person_id, CAUSE, now).changed
            except Unavailable:
                raise  # the database, not this person: stop; the saved state resumes
            except Exception as error:  # one person must not stop the pass; the next one retries
                log.warning("recompare: re-evaluation failed (%s)", type(error).__name__)
                counts["failed"] += 1
                continue
            counts["changed" if changed else "unchanged"] += 1
        state["done"] = state["start"] is None
        ctx.store.jobs.put_state(name, json.dumps(state))
    return counts


def recompare(ctx: Context, now: datetime, *, budget_seconds: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + budget_seconds
    current = json.loads(ctx.store.jobs.get_state("recompare:pass") or "null")
    if current is None or current["done"]:
        current = {"pass": secrets.token_hex(6), "started_at": now.isoformat(), "done": False}
        ctx.store.jobs.put_state("recompare:pass", json.dumps(current))
    with ThreadPoolExecutor(max_workers=SEGMENTS) as pool:
        parts = list(
            pool.map(lambda s: _segment(ctx, s, current["pass"], now, deadline), range(SEGMENTS))
        )
    segments_done = [
        json.loads(ctx.store.jobs.get_state(f"recompare:{s}") or "null") for s in range(SEGMENTS)
    ]
    complete = all(
        s is not None and s["pass"] == current["pass"] and s["done"] for s in segments_done
    )
    if complete:
        ctx.store.jobs.put_state("recompare:pass", json.dumps({**current, "done": True}))
    totals = {key: sum(part[key] for part in parts) for key in parts[0]}
    return {**totals, "pass": current["pass"], "complete": complete}
