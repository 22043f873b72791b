"""Changing a kind's shard count keeps what was written before readable: the purge job still
finds and deletes old days, and the expire job still finds who is due, whether the count was
raised or lowered (with the read floor). The tables live for the whole test run and purge
watermarks only move forward: each test has its own year, later than test_purge.py's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.entities import Scan
from chalicelib.domain.model import Checkin, Color
from chalicelib.security.fields import new_person_id
from chalicelib.services.context import Context
from chalicelib.services.purge import KINDS, purge, watermark
from chalicelib.storage import tables as t
from tests.integration.test_store_contract import a_person, store_person


def _scan(at: datetime) -> Scan:
    return Scan(new_person_id(), at, "acc", "gate", True, True, Color.GREEN, None, None)


def _shards_holding(day: date, keys: list[str]) -> set[int]:
    return {int(key.partition("#")[2]) for key in keys if key.startswith(day.isoformat())}


def _purged_through(ctx: Context, day: str) -> None:
    for kind in KINDS:
        ctx.store.jobs.set_watermark(watermark(kind), day)


def test_scans_and_check_ins_written_over_64_shards_are_purged_after_the_count_goes_back_to_8(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2040, 11, 22, 4, 0, tzinfo=UTC)  # cutoff 2040-10-25
    busy = datetime(2040, 10, 20, 4, 0, tzinfo=UTC)
    _purged_through(ctx, "2040-10-19")
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS", "64")
    monkeypatch.setenv("HEALTHCODE_CHECKINS_SHARDS", "64")
    scans = [_scan(busy) for _ in range(40)]
    for scan in scans:
        ctx.store.scans.add(scan)
    people = [new_person_id() for _ in range(40)]
    for pid in people:
        ctx.store.checkins.put(pid, Checkin(busy.date(), 36.5), busy)
    stored = [i.day_shard for i in t.ScanItem.scan(t.ScanItem.day_shard.startswith("2040-10-20"))]
    assert max(_shards_holding(busy.date(), stored)) >= 8  # beyond the old 8

    monkeypatch.delenv("HEALTHCODE_SCANS_SHARDS")  # back to stage local's 8...
    monkeypatch.setenv("HEALTHCODE_CHECKINS_SHARDS", "4")  # ...and below it
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS_READ_FLOOR", "64")
    monkeypatch.setenv("HEALTHCODE_CHECKINS_SHARDS_READ_FLOOR", "64")
    report = purge(ctx, now, budget_seconds=120)
    assert report["removed"]["scans"] == 40 and report["removed"]["checkins"] == 40
    assert report["complete"] is True
    for pid in people:
        assert ctx.store.checkins.between(pid, date(2040, 10, 1), date(2040, 10, 31)) == []


def test_without_the_read_floor_a_lowered_count_would_leave_the_higher_shards_unread(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = date(2035, 10, 20)
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS", "64")
    for _ in range(40):
        ctx.store.scans.add(_scan(datetime(2035, 10, 20, 4, 0, tzinfo=UTC)))
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS", "8")
    first = ctx.store.scans.delete_of_day(day)  # reads shards 0-7 only
    assert first < 40
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS_READ_FLOOR", "64")
    assert ctx.store.scans.delete_of_day(day) == 40 - first


def test_scans_written_with_the_old_8_shards_are_purged_after_the_count_is_raised(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2041, 11, 22, 4, 0, tzinfo=UTC)
    _purged_through(ctx, "2041-10-19")
    for _ in range(20):
        ctx.store.scans.add(_scan(datetime(2041, 10, 20, 4, 0, tzinfo=UTC)))
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS", "128")
    report = purge(ctx, now, budget_seconds=120)
    assert report["removed"]["scans"] == 20 and report["complete"] is True


def test_persons_due_on_a_day_are_all_found_when_the_due_count_changes(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = date(2037, 3, 15)
    monkeypatch.setenv("HEALTHCODE_DUE_SHARDS", "64")
    wide = {store_person(ctx.store, a_person(), (), due).person_id for _ in range(24)}
    monkeypatch.setenv("HEALTHCODE_DUE_SHARDS", "8")
    narrow = {store_person(ctx.store, a_person(), (), due).person_id for _ in range(8)}
    monkeypatch.setenv("HEALTHCODE_DUE_SHARDS_READ_FLOOR", "64")
    assert {p.person_id for p in ctx.store.persons.due(due)} == wide | narrow
    monkeypatch.setenv("HEALTHCODE_DUE_SHARDS", "256")  # raised: the floor no longer matters
    monkeypatch.delenv("HEALTHCODE_DUE_SHARDS_READ_FLOOR")
    assert {p.person_id for p in ctx.store.persons.due(due)} == wide | narrow
    assert not list(ctx.store.persons.due(due + timedelta(days=1)))
