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
from collections.abc import Callable
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
from chalicelib.services import tasks
from chalicelib.services.applications import id_key
from chalicelib.services.assessment import active_policy, gather, reassess
from chalicelib.services.context import Context
from chalicelib.services.ports import Store

REGION_BUDGET_SECONDS = 15.0  # listing visitors within the request; the rest is queued
# An import stops starting new work after this long (the route's deadline is 25 s and API
# Gateway's 29 s): what it has not done is reported (`complete: false`, `resume_at`).
IMPORT_BUDGET_SECONDS = 18.0
# A guard reservation still open after this long belongs to a request that died: its room is
# given back by the admin's next import (the gateway gives up at 29 s, the function at 28 s).
STALE_RESERVATION = timedelta(seconds=90)
CHUNK = 32  # rows or persons per round of the worker pool: the budget is checked between rounds
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
    index: int = 0  # the row's place in the request, for `resume_at`

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


def dry_run(
    ctx: Context,
    actor: AccessClaims,
    rows: list[RecordRow],
    errors: list[dict[str, Any]],
    sent: int,
    now: datetime,
) -> dict[str, Any]:
    """What importing the rows would do now, writing nothing: the rows' errors, how many name a
    person who applied, the colour changes by transition, and whether the mass-recolouring
    guard would ask for a second admin (docs/decisions/0036). Advisory: other imports or
    applications meanwhile may change the outcome; the import decides again."""
    persons = ctx.store.persons.for_id_keys({row.key for row in rows})
    transitions = _would_recolour(ctx.store, persons, rows, now) if persons else {}
    would, total = sum(transitions.values()), ctx.store.persons.count()
    minimum, fraction = config.guard_minimum(), config.guard_fraction()
    limit = max(minimum, int(total * fraction))
    earlier = ctx.store.counters.value(_day_count(actor, now))
    # The import's guard passes at once when the persons named fit the minimum, else when the
    # persons it would recolour fit the limit (_guard).
    guarded = earlier + len(persons) > minimum and earlier + would > limit
    matched = sum(1 for row in rows if row.key in persons)
    return {
        "records": sent,
        "valid": len(rows),
        "errors": errors,
        "matched": matched,
        "unmatched": len(rows) - matched,
        "persons": len(persons),
        "would_recolour": would,
        "transitions": transitions,
        "total_persons": total,
        "threshold": {"fraction": fraction, "minimum": minimum},
        "recoloured_earlier_today": earlier,
        "needs_confirmation": guarded,
    }


def _day_count(actor: AccessClaims, now: datetime) -> str:
    return f"guard-count:{actor.account_id}:{shanghai_date(now).isoformat()}"


def _open_key(actor: AccessClaims) -> str:
    return f"guard-open:{actor.account_id}"


def _open(ctx: Context, actor: AccessClaims) -> dict[str, Any]:
    return dict(json.loads(ctx.store.jobs.get_state(_open_key(actor)) or "{}"))


def _hold(ctx: Context, actor: AccessClaims, reserved: int, now: datetime) -> str:
    """Notes a reservation until the import settles it, so that a request that dies before
    settling has its room given back by the next one (`_settle_stale`)."""
    request = secrets.token_hex(6)
    held = _open(ctx, actor)
    held[request] = {"key": _day_count(actor, now), "amount": reserved, "at": now.isoformat()}
    ctx.store.jobs.put_state(_open_key(actor), json.dumps(held))
    return request


def _release(ctx: Context, actor: AccessClaims, request: str) -> None:
    held = _open(ctx, actor)
    held.pop(request, None)
    ctx.store.jobs.put_state(_open_key(actor), json.dumps(held))


def _settle_stale(ctx: Context, actor: AccessClaims, now: datetime) -> int:
    """Gives back the room of this admin's reservations whose requests died; returns how much.
    What such a request did recolour before dying goes uncounted (at most one batch)."""
    held = _open(ctx, actor)
    stale = {
        request: entry
        for request, entry in held.items()
        if datetime.fromisoformat(entry["at"]) + STALE_RESERVATION <= now
    }
    given = 0
    for request, entry in stale.items():
        ctx.store.counters.hit(entry["key"], None, now + timedelta(days=2), -entry["amount"])
        given += entry["amount"]
        held.pop(request)
    if stale:
        ctx.store.jobs.put_state(_open_key(actor), json.dumps(held))
        log.warning("import: gave back the room of %d reservation(s) of a dead request", len(stale))
    return given


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
    out_of_time: Callable[[], bool],
) -> list[bool | None]:
    """Stores the records (True: new, False: kept already, None: not reached in the budget),
    clearances last so that they end the batch's own records even when a cut-off batch is
    re-sent; the answer keeps the rows' order."""

    def store(row: RecordRow) -> bool:
        # Stamped when written, not when the request began: a clearance stored meanwhile (an
        # appeal) must not end a record it never saw.
        written = max(now, utcnow())
        return ctx.store.epidemic.put_record(row.key, row.record(), by=actor.account_id, at=written)

    done: dict[int, bool] = {}
    for clearances in (False, True):
        batch = [i for i, r in enumerate(rows) if (r.category is Category.CLEARED) is clearances]
        for start in range(0, len(batch), CHUNK):
            if out_of_time():
                return [done.get(i) for i in range(len(rows))]
            chunk = batch[start : start + CHUNK]
            done.update(zip(chunk, pool.map(store, [rows[i] for i in chunk]), strict=True))
    return [done.get(i) for i in range(len(rows))]


_NOT_REACHED = "not reached"


def _recolour_all(
    ctx: Context,
    pool: ThreadPoolExecutor,
    actor: AccessClaims,
    rows: list[RecordRow],
    stored: list[bool | None],
    persons: dict[str, str],
    now: datetime,
    out_of_time: Callable[[], bool],
) -> dict[str, bool | None | str]:
    """Re-evaluates the persons of the stored rows, in the rows' order, while there is time:
    True recoloured, False not, None failed, _NOT_REACHED when the budget ran out first."""

    def recolour(item: tuple[str, list[str]]) -> bool | None:
        person_id, record_ids = item
        cause = Cause(ActorKind.AUTHORITY, actor.account_id, "record:" + ",".join(record_ids))
        try:
            return reassess(ctx.store, person_id, cause, now).changed
        except Exception as error:  # one person must not stop the batch; re-sending retries
            log.warning("import: re-evaluation failed (%s)", type(error).__name__)
            return None

    touched: dict[str, list[str]] = defaultdict(list)  # in the order of the rows
    for row, kept in zip(rows, stored, strict=True):
        if row.key in persons and kept is not None:
            # Duplicates too: re-sending a batch that was cut off repairs its persons.
            touched[persons[row.key]].append(row.record_id)
    items = list(touched.items())
    outcomes: dict[str, bool | None | str] = {}
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        if out_of_time():
            outcomes.update((person_id, _NOT_REACHED) for person_id, _ in chunk)
            continue
        outcomes.update(zip((p for p, _ in chunk), pool.map(recolour, chunk), strict=True))
    return outcomes


def _settle(
    ctx: Context,
    actor: AccessClaims,
    now: datetime,
    reserved: int | None,
    hold: str | None,
    recoloured: int,
) -> None:
    """Corrects the day's count from what was reserved to what was recoloured, and closes the
    reservation."""
    if reserved is not None:
        _count_day(ctx, actor, now, recoloured - reserved)
    if hold is not None:
        _release(ctx, actor, hold)


def import_records(
    ctx: Context,
    actor: AccessClaims,
    rows: list[RecordRow],
    errors: list[dict[str, Any]],
    confirm: str | None,
    now: datetime,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Stores the rows and re-evaluates their persons within IMPORT_BUDGET_SECONDS. What does not
    fit is reported, not lost: `complete: false` and `resume_at`, the index of the first row to
    send again (records are idempotent: what was stored comes back as duplicates and its persons
    are re-evaluated again)."""
    started = clock()

    def out_of_time() -> bool:
        return clock() - started > IMPORT_BUDGET_SECONDS

    _settle_stale(ctx, actor, now)
    keys = {row.key for row in rows}
    reserved = _guard(ctx, actor, rows, ctx.store.persons.for_id_keys(keys), confirm, now)
    hold = _hold(ctx, actor, reserved, now) if reserved else None

    # Requests to DynamoDB mostly wait on the network: several at a time.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        try:
            stored = _store_rows(ctx, pool, actor, rows, now, out_of_time)
            # Looked up after the writes, so a person who applied meanwhile is found (the
            # application, for its part, re-reads the records after it is stored).
            persons = ctx.store.persons.for_id_keys(keys)
            outcomes = _recolour_all(ctx, pool, actor, rows, stored, persons, now, out_of_time)
        except BaseException:
            _settle(ctx, actor, now, reserved, hold, recoloured=0)  # nothing recoloured
            raise
    applied = sum(1 for kept in stored if kept)
    unmatched = sum(
        1 for row, new in zip(rows, stored, strict=True) if new and row.key not in persons
    )
    recoloured = sum(1 for outcome in outcomes.values() if outcome is True)
    failed = sum(1 for outcome in outcomes.values() if outcome is None)
    # Persons whose records are stored but who were not re-evaluated in time: queued, so the
    # answer need not wait for them (chalicelib/services/tasks.py). The guard keeps their room
    # reserved as if each recoloured: the workers recolour them outside this count.
    late = [person_id for person_id, outcome in outcomes.items() if outcome == _NOT_REACHED]
    _settle(ctx, actor, now, reserved, hold, recoloured + len(late))
    job = tasks.queue_persons(
        ctx, "import", late, Cause(ActorKind.AUTHORITY, actor.account_id, "import"), now
    )
    resume_at = next(
        (row.index for row, kept in zip(rows, stored, strict=True) if kept is None), None
    )
    if resume_at is not None:
        log.info("import: cut at its time budget; resume at row %d of %d", resume_at, len(rows))
    return {
        "applied": applied,
        "duplicates": sum(1 for kept in stored if kept is False),
        "unmatched": unmatched,
        "errors": errors,
        "recoloured": recoloured,
        "failed": failed,
        "complete": resume_at is None,
        "resume_at": resume_at,
        "queued": len(late),
        "job_id": job,
    }


def risky_regions(ctx: Context) -> dict[str, Any]:
    """The regions whose risk is medium or high, by code, with their names."""
    from chalicelib.validation import region_name

    return {
        "regions": [
            {
                "region_code": code,
                "name": region_name(code),
                "risk": risk.value,
                "updated_at": at.isoformat(timespec="seconds"),
            }
            for code, risk, at in ctx.store.epidemic.risky_regions()
        ]
    }


def set_region(
    ctx: Context, actor: AccessClaims, code: str, risk: Risk, now: datetime
) -> dict[str, Any]:
    """Records the risk (who and when) and starts a job that re-evaluates everyone whose declared
    visit to the region still counts: the first visitors here and now (a small region's change
    is in the answer), the others queued a page per message, listed within REGION_BUDGET_SECONDS
    and handed on in a continuation message beyond (chalicelib/services/tasks.py)."""
    ctx.store.epidemic.put_region(code, risk, by=actor.account_id, at=now)
    started = time.monotonic()
    job = tasks.new_job(ctx, "region", now, lists=1)
    cause = Cause(ActorKind.AUTHORITY, actor.account_id, f"region:{code}")
    listing = tasks.Listing(job, code, cause)
    try:
        tasks.list_region(
            ctx,
            listing,
            now,
            lambda: time.monotonic() - started > REGION_BUDGET_SECONDS,
            inline_persons=config.region_inline_persons(),
        )
    except Exception:
        # Nothing delivers a request again: hand on what is left to the workers before the
        # error answer (best effort; pages already counted count once).
        try:
            tasks.send(ctx, [listing.message()])
        except Exception as error:
            log.warning("region: handing on the listing failed (%s)", type(error).__name__)
        raise
    return {
        "region_code": code,
        "risk": risk.value,
        "updated_at": now.isoformat(timespec="seconds"),
        "reevaluated": listing.inline.done,
        "recoloured": listing.inline.recoloured,
        "deferred": listing.queued,
        "failed": listing.inline.failed,
        "job_id": job,
    }
