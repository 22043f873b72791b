"""The purge job deletes scans past retention, reads only due days, and is safe to re-run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.entities import Scan
from chalicelib.domain.model import Color
from chalicelib.security.fields import new_person_id
from chalicelib.services.context import Context
from chalicelib.services.purge import purge
from chalicelib.services.sms import ConsoleSender

# The DynamoDB tables live for the whole test run and the watermark only moves forward, so each
# test lives in a later year than the one before.
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture(params=["memory", "dynamodb"])
def ctx(request: pytest.FixtureRequest) -> Iterator[Context]:
    if request.param == "memory":
        from chalicelib.storage.memory import MemoryStore

        yield Context(MemoryStore(), ConsoleSender())
    else:
        request.getfixturevalue("dynamo_tables")
        from chalicelib.storage.dynamo import DynamoStore

        store = DynamoStore()
        yield Context(store, ConsoleSender())


def _scan(at: datetime) -> Scan:
    return Scan(new_person_id(), at, "acc", "gate", True, True, Color.GREEN, None, None)


def test_scans_older_than_28_days_go_and_newer_ones_stay(ctx: Context) -> None:
    ctx.store.set_watermark("purge:scans", "2026-09-01")
    old = [_scan(NOW - timedelta(days=d)) for d in (29, 30, 45)]
    kept = [_scan(NOW - timedelta(days=d)) for d in (0, 1, 27)]
    for scan in old + kept:
        ctx.store.add_scan(scan)
    report = purge(ctx, NOW)
    assert report["scans_deleted"] == 3 and report["complete"] is True
    assert report["kept_from"] == "2026-10-26"
    again = purge(ctx, NOW)
    assert again == {**again, "scans_deleted": 0, "days_purged": 0}


def test_the_boundary_is_the_shanghai_calendar_day(ctx: Context) -> None:
    now = NOW.replace(year=2027)
    ctx.store.set_watermark("purge:scans", "2027-10-01")
    # 2027-10-25 23:59 and 2027-10-26 00:01 in Shanghai.
    last_purged = datetime(2027, 10, 25, 15, 59, tzinfo=UTC)
    first_kept = datetime(2027, 10, 25, 16, 1, tzinfo=UTC)
    ctx.store.add_scan(_scan(last_purged))
    ctx.store.add_scan(_scan(first_kept))
    assert purge(ctx, now)["scans_deleted"] == 1
    assert ctx.store.delete_scans_of_day(first_kept.date() + timedelta(days=1)) == 1


def test_a_run_out_of_time_resumes_where_it_stopped(ctx: Context) -> None:
    now = NOW.replace(year=2028)
    ctx.store.set_watermark("purge:scans", "2028-10-20")
    first = purge(ctx, now, budget_seconds=0)
    assert first["complete"] is False and first["days_purged"] == 0
    assert purge(ctx, now)["days_purged"] == 5  # 10-21 … 10-25
