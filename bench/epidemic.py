"""Benchmarks 4 and 5, on a crowd of persons (bench/crowd.py; 10,000 by default) in tables of
their own:

4. Records import: one record per person, in batches of 1,000 (the API's limit) through
   `records.import_records`, with the mass-recolouring guard as in production: each batch
   recolours more than 1% of all persons, so the first admin's call is refused with a report
   (after the guard's dry run) and a second admin confirms it. Target: at most 3 DynamoDB items
   written per applied record (the record, the person's update and the history entry when the
   colour changes), counted on the botocore clients (bench/writes.py), the guard's own state
   included. Time and records per second for information.
5. Recompare: a complete pass (`tasks.start_pass`, 4 segments on the task queue, drained by one
   worker in this process) over the same persons after a region the crowd's tenth declared turns
   high-risk without the admin endpoint (a bulk load), then a second pass in which nothing
   changes; persons per second per worker, for information (no target; bench/fanout.py runs
   worker processes).

The records, by person i % 20: 0-9 a fever-clinic visit two days ago (green -> yellow), 10
confirmed (-> red), 11-13 cleared (no change), 14-18 a fever-clinic visit 30 days ago (expired:
no change), 19 a fever-clinic visit two days ago for a person already yellow from a declared
temperature (same colour, one more reason).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from bench import crowd
from bench.world import local_tables
from bench.writes import WriteCounter
from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.errors import MassRecolouring
from chalicelib.domain.model import Category, IdType, Risk, Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services import auth
from chalicelib.services.context import Context
from chalicelib.services.jobs import progress
from chalicelib.services.records import RecordRow, import_records
from chalicelib.services.sms import ConsoleSender
from chalicelib.services.tasks import drain, start_pass
from chalicelib.storage.dynamo import Db, DynamoStore

TARGET = 3.0  # items written per applied record
BATCH = 1000  # records per import call: the API's limit (HEALTHCODE_IMPORT_BATCH_LIMIT)
SEGMENTS = 4  # scan segments of the pass (all drained by the one worker here)


def record_rows(id_numbers: list[str], today: date) -> list[RecordRow]:
    rows = []
    for i, id_number in enumerate(id_numbers):
        kind = i % 20
        if kind <= 9 or kind == 19:
            category, since = Category.FEVER_CLINIC, today - timedelta(days=2)
        elif kind == 10:
            category, since = Category.CONFIRMED, today - timedelta(days=1)
        elif kind <= 13:
            category, since = Category.CLEARED, today - timedelta(days=1)
        else:
            category, since = Category.FEVER_CLINIC, today - timedelta(days=30)
        rows.append(
            RecordRow(f"BENCH-{i:07d}", IdType.RESIDENT_ID, id_number, category, since, None)
        )
    return rows


def _admin(ctx: Context, phone: str) -> AccessClaims:
    account = auth.account_for(ctx, phone, utcnow())
    granted = ctx.store.accounts.grant_role(
        account.account_id, Role.ADMIN, name="管理员", place_id=None
    )
    return AccessClaims(granted.account_id, granted.roles, None)


def _import(ctx: Context, rows: list[RecordRow], counter: WriteCounter) -> dict[str, Any]:
    first, second = _admin(ctx, "13700000001"), _admin(ctx, "13700000002")
    totals = {"applied": 0, "duplicates": 0, "unmatched": 0, "recoloured": 0}
    guard_seconds = apply_seconds = 0.0
    confirmed = 0
    counter.reset()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        began = time.perf_counter()
        try:
            report = import_records(ctx, first, batch, [], None, utcnow())
        except MassRecolouring as refused:
            guard_seconds += time.perf_counter() - began
            began = time.perf_counter()
            report_id = str(refused.extra["report"]["report_id"])  # type: ignore[index]
            report = import_records(ctx, second, batch, [], report_id, utcnow())
            confirmed += 1
        apply_seconds += time.perf_counter() - began
        for key in totals:
            totals[key] += report[key]
    writes = counter.snapshot()
    seconds = guard_seconds + apply_seconds
    per_record = writes["items_written"] / max(totals["applied"], 1)
    return {
        "records": len(rows),
        "batches": -(-len(rows) // BATCH),
        "batches_confirmed_by_second_admin": confirmed,
        **totals,
        "seconds": round(seconds, 2),
        "records_per_second": round(len(rows) / seconds, 1),
        "guard_dry_run_seconds": round(guard_seconds, 2),
        "apply_seconds": round(apply_seconds, 2),
        "writes_per_applied_record": round(per_record, 3),
        "target": TARGET,
        "pass": per_record <= TARGET,
        **writes,
    }


def _pass(ctx: Context, counter: WriteCounter) -> dict[str, Any]:
    """A full pass on the task queue, drained by one worker in this process."""
    counter.reset()
    began = time.perf_counter()
    job = start_pass(ctx, utcnow(), segments=SEGMENTS)
    drain(ctx)
    seconds = time.perf_counter() - began
    found = progress(ctx, job)
    if found["state"] != "done":
        raise RuntimeError(f"the recompare pass did not finish: {found}")
    writes = counter.snapshot()
    return {
        "persons": found["done"],
        "changed": found["recoloured"],
        "unchanged": found["done"] - found["recoloured"] - found["failed"],
        "failed": found["failed"],
        "seconds": round(seconds, 2),
        "persons_per_second": round(found["done"] / seconds, 1),
        **writes,
    }


def run(size: int) -> dict[str, dict[str, Any]]:
    with local_tables():
        db = Db()
        ctx = Context(DynamoStore(db), ConsoleSender())
        counter = WriteCounter()
        counter.attach(db)
        made = crowd.make(ctx, size, utcnow())
        rows = record_rows(made.id_numbers, shanghai_date(utcnow()))
        imported = _import(ctx, rows, counter)
        imported["persons"] = size
        imported["persons_setup_seconds"] = round(made.seconds, 2)
        # The region a tenth of the crowd declared turns high-risk behind the visit index.
        ctx.store.epidemic.put_region(crowd.REGION, Risk.HIGH, by="bench", at=utcnow())
        first = _pass(ctx, counter)
        second = _pass(ctx, counter)
        if second["changed"]:
            raise RuntimeError(f"a second recompare pass changed colours: {second}")
    return {"records_import": imported, "recompare": {"full_pass": first, "unchanged_pass": second}}


def rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    if "records_import" not in results:
        return []
    r, c = results["records_import"], results["recompare"]
    full, same = c["full_pass"], c["unchanged_pass"]
    return [
        (
            "records import: items written per applied record",
            f"{r['writes_per_applied_record']:.2f}  ({r['items_written']} items for"
            f" {r['applied']} records, {r['recoloured']} recoloured; {r['seconds']:.0f} s,"
            f" {r['records_per_second']:.0f} records/s)",
            f"<= {r['target']:g}",
            "PASS" if r["pass"] else "MISS",
        ),
        (
            "recompare: persons per second",
            f"{full['persons_per_second']:.0f}/s full pass ({full['changed']} changed),"
            f" {same['persons_per_second']:.0f}/s nothing to change ({full['persons']} persons)",
            "none",
            "info",
        ),
    ]


def notes(results: dict[str, dict[str, Any]]) -> list[str]:
    if "records_import" not in results:
        return []
    r, c = results["records_import"], results["recompare"]
    full, same = c["full_pass"], c["unchanged_pass"]
    by_table = ", ".join(f"{k} {v}" for k, v in r["items_by_operation_and_table"].items())
    return [
        f"records import: {r['persons']} persons made in {r['persons_setup_seconds']:.0f} s"
        f" (bench/crowd.py); {r['batches']} batches of {BATCH},"
        f" {r['batches_confirmed_by_second_admin']} refused by the guard and confirmed by a"
        f" second admin: guard dry runs {r['guard_dry_run_seconds']:.0f} s, applying"
        f" {r['apply_seconds']:.0f} s",
        f"records import writes: {by_table}",
        f"recompare: full pass {full['seconds']:.0f} s ({full['items_written']} items written),"
        f" unchanged pass {same['seconds']:.0f} s ({same['items_written']} items written:"
        " the passes' own state)",
    ]
