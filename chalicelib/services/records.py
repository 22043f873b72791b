"""The epidemic database: importing the authority's records and setting regions' risk.

Records are matched to persons through the blind index of the ID document; records for people
who have not applied yet are kept and apply when they do. Each record is written once (a
conditional write on its id), so a batch can be re-sent, or sent twice at once, safely. Affected
persons are re-evaluated at once, through the one path that moves colours (assessment.reassess).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import secrets
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.errors import MassRecolouring, ReportMismatch, SecondAdminRequired
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.model import Category, IdType, Record, Risk
from chalicelib.domain.rules import evaluate
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.applications import id_key
from chalicelib.services.assessment import active_policy, gather, reassess
from chalicelib.services.context import Context
from chalicelib.services.ports import Store

REGION_BUDGET_SECONDS = 20.0
WORKERS = 8
log = logging.getLogger("healthcode.records")


@dataclass(frozen=True)
class RecordRow:
    """One validated row of an import."""

    record_id: str
    id_type: IdType
    id_number: str
    category: Category
    since: date
    until: date | None
    note: str | None = None

    @functools.cached_property
    def key(self) -> str:
        """The blind index of the ID document (computed once: an HMAC per row is not free)."""
        return id_key(self.id_type, self.id_number)

    def record(self, imported_at: datetime | None = None) -> Record:
        return Record(self.record_id, self.category, self.since, self.until, imported_at, self.note)


def _digest(rows: list[RecordRow]) -> str:
    canonical = sorted(
        [r.record_id, r.key, r.category.value, r.since.isoformat(), str(r.until), r.note or ""]
        for r in rows
    )
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def _would_recolour(
    store: Store, persons: dict[str, str], rows: list[RecordRow], now: datetime
) -> dict[str, int]:
    """Dry run: how many persons would change colour, by transition (e.g. green->red)."""
    today = shanghai_date(now)
    by_key: dict[str, list[Record]] = defaultdict(list)
    for row in rows:
        by_key[row.key].append(row.record(imported_at=now))
    policy = active_policy()

    def transition(key: str, person_id: str) -> str | None:
        person = store.persons.get(person_id, consistent=True)
        if person is None:
            return None
        facts = gather(
            store,
            person.declaration,
            person.declared_on,
            key,
            person.color,
            person_id=person_id,
            today=today,
        )
        known = {r.record_id for r in facts.records}
        extra = tuple(r for r in by_key[key] if r.record_id not in known)
        after = evaluate(policy, replace(facts, records=facts.records + extra), today).color
        return None if after is person.color else f"{person.color.value}->{after.value}"

    transitions: dict[str, int] = defaultdict(int)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for found in pool.map(transition, persons.keys(), persons.values()):
            if found is not None:
                transitions[found] += 1
    return dict(transitions)


def _guard(
    ctx: Context,
    actor: AccessClaims,
    rows: list[RecordRow],
    persons: dict[str, str],
    confirm: str | None,
    now: datetime,
) -> int | None:
    """An import that would recolour more than both guard_fraction of all persons and
    guard_minimum persons needs a second admin's confirmation of the same batch. What one admin
    recoloured earlier the same day counts too, so splitting a large import into small
    batches does not get round it: the batch's recolourings are reserved in the admin's day
    count atomically, so two imports at the same moment cannot both pass on the same room.
    Returns how many it reserved (None when confirmed); the caller corrects the count to what
    the import did recolour."""
    minimum = config.guard_minimum()
    day, expires = _day_count(actor, now), now + timedelta(days=2)
    if confirm is None and ctx.store.counters.hit(day, minimum, expires, amount=len(persons)):
        return len(persons)  # it cannot recolour more persons than it names
    digest = _digest(rows)
    if confirm is not None:
        pending = ctx.store.jobs.get_state(f"guard:{confirm}")
        report = json.loads(pending) if pending else None
        if report is None or report["batch"] != digest:
            raise ReportMismatch()
        if report["admin"] == actor.account_id:
            raise SecondAdminRequired()
        if ctx.store.jobs.take_state(f"guard:{confirm}") is None:
            raise ReportMismatch()  # another confirmation used it first
        return None
    transitions = _would_recolour(ctx.store, persons, rows, now)
    would, total = sum(transitions.values()), ctx.store.persons.count()
    limit = max(minimum, int(total * config.guard_fraction()))
    if ctx.store.counters.hit(day, limit, expires, amount=would):
        return would
    earlier = ctx.store.counters.value(day)
    report_id = secrets.token_hex(8)
    report = {
        "report_id": report_id,
        "would_recolour": would,
        "transitions": transitions,
        "total_persons": total,
        "threshold": {"fraction": config.guard_fraction(), "minimum": minimum},
        "records": len(rows),
        "recoloured_earlier_today": earlier,
        "created_at": now.isoformat(timespec="seconds"),
    }
    ctx.store.jobs.put_state(
        f"guard:{report_id}", json.dumps({**report, "batch": digest, "admin": actor.account_id})
    )
    raise MassRecolouring(report)


def _day_count(actor: AccessClaims, now: datetime) -> str:
    return f"guard-count:{actor.account_id}:{shanghai_date(now).isoformat()}"


def _count_day(ctx: Context, actor: AccessClaims, now: datetime, correction: int) -> None:
    if correction:
        day, expires = _day_count(actor, now), now + timedelta(days=2)
        ctx.store.counters.hit(day, None, expires, amount=correction)


def _store_rows(
    ctx: Context,
    pool: ThreadPoolExecutor,
    actor: AccessClaims,
    rows: list[RecordRow],
    now: datetime,
) -> list[bool]:
    """Stores the records (True: new), clearances last so that they end the batch's own records
    even when a cut-off batch is re-sent; the answer keeps the rows' order."""

    def store(row: RecordRow) -> bool:
        # Stamped when written, not when the request began: a clearance stored meanwhile (an
        # appeal) must not end a record it never saw.
        written = max(now, utcnow())
        return ctx.store.epidemic.put_record(row.key, row.record(), by=actor.account_id, at=written)

    done: dict[int, bool] = {}
    for clearances in (False, True):
        batch = [i for i, r in enumerate(rows) if (r.category is Category.CLEARED) is clearances]
        done.update(zip(batch, pool.map(store, [rows[i] for i in batch]), strict=True))
    return [done[i] for i in range(len(rows))]


def import_records(
    ctx: Context,
    actor: AccessClaims,
    rows: list[RecordRow],
    errors: list[dict[str, Any]],
    confirm: str | None,
    now: datetime,
) -> dict[str, Any]:
    keys = {row.key for row in rows}
    reserved = _guard(ctx, actor, rows, ctx.store.persons.for_id_keys(keys), confirm, now)

    def recolour(item: tuple[str, list[str]]) -> bool | None:
        person_id, record_ids = item
        cause = Cause(ActorKind.AUTHORITY, actor.account_id, "record:" + ",".join(record_ids))
        try:
            return reassess(ctx.store, person_id, cause, now).changed
        except Exception as error:  # one person must not stop the batch; re-sending retries
            log.warning("import: re-evaluation failed (%s)", type(error).__name__)
            return None

    # Requests to DynamoDB mostly wait on the network: several at a time.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        try:
            stored = _store_rows(ctx, pool, actor, rows, now)
        except BaseException:
            _count_day(ctx, actor, now, -(reserved or 0))  # nothing recoloured: room back
            raise
        # Looked up after the writes, so a person who applied meanwhile is found (the
        # application, for its part, re-reads the records after it is stored).
        persons = ctx.store.persons.for_id_keys(keys)
        touched: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            if row.key in persons:
                # Duplicates too: re-sending a batch that was cut off repairs its persons.
                touched[persons[row.key]].append(row.record_id)
        outcomes = list(pool.map(recolour, touched.items()))
    applied = sum(stored)
    unmatched = sum(1 for row, new in zip(rows, stored) if new and row.key not in persons)
    recoloured = sum(1 for outcome in outcomes if outcome)
    failed = sum(1 for outcome in outcomes if outcome is None)
    if reserved is not None:  # the day's count: what it did recolour
        _count_day(ctx, actor, now, recoloured - reserved)
    return {
        "applied": applied,
        "duplicates": len(rows) - applied,
        "unmatched": unmatched,
        "errors": errors,
        "recoloured": recoloured,
        "failed": failed,
    }


def set_region(
    ctx: Context, actor: AccessClaims, code: str, risk: Risk, now: datetime
) -> dict[str, Any]:
    """Records the risk (who and when) and re-evaluates at once everyone whose declared visit to
    the region still counts; what does not fit the time budget is left to `recompare`."""
    ctx.store.epidemic.put_region(code, risk, by=actor.account_id, at=now)
    started = time.monotonic()
    visitors = ctx.store.epidemic.persons_visiting(code, shanghai_date(now))
    cause = Cause(ActorKind.AUTHORITY, actor.account_id, f"region:{code}")
    done = recoloured = failed = 0
    for person_id in visitors:
        if time.monotonic() - started > REGION_BUDGET_SECONDS:
            break
        try:
            recoloured += reassess(ctx.store, person_id, cause, now).changed
        except Exception as error:  # one visitor must not stop the others; recompare retries
            log.warning("region: re-evaluation failed (%s)", type(error).__name__)
            failed += 1
        done += 1
    return {
        "region_code": code,
        "risk": risk.value,
        "updated_at": now.isoformat(timespec="seconds"),
        "reevaluated": done,
        "recoloured": recoloured,
        "deferred": len(visitors) - done,
        "failed": failed,
    }
