"""The import service on DynamoDB Local: clearances are stored after the batch's own
records, and a failed import gives the guard's reservation back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.api.schemas import parse_rows
from chalicelib.domain.model import Record, Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.context import Context
from chalicelib.services.ports import Epidemic, Store
from chalicelib.services.records import _day_count, import_records
from chalicelib.services.sms import ConsoleSender
from tests.ids import resident_id

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
ADMIN = AccessClaims("admin-1", frozenset({Role.ADMIN}), None)


def rows(*categories: str) -> list[Any]:
    id_number = resident_id()
    raw = [
        {
            "record_id": f"R-{n}",
            "id_type": "resident_id",
            "id_number": id_number,
            "category": category,
            "since": "2026-11-10",
            "until": None,
        }
        for n, category in enumerate(categories)
    ]
    valid, errors = parse_rows(raw)
    assert errors == []
    return valid


class Recording:
    """The epidemic port, noting the order records are stored in (and failing on one)."""

    def __init__(self, port: Epidemic, fail_on: str | None = None) -> None:
        self._port = port
        self.order: list[str] = []
        self.fail_on = fail_on

    def put_record(self, id_key: str, record: Record, *, by: str, at: datetime) -> bool:
        if record.record_id == self.fail_on:
            raise RuntimeError("throttled")
        self.order.append(record.category.value)
        return self._port.put_record(id_key, record, by=by, at=at)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._port, name)


def recording(store: Store, fail_on: str | None = None) -> tuple[Store, Recording]:
    noted = Recording(store.epidemic, fail_on)
    return replace(store, epidemic=noted), noted


def test_clearances_are_stored_after_the_batch_s_own_records(store: Store) -> None:
    store, noted = recording(store)
    batch = rows("cleared", "confirmed", "close_contact")
    answer = import_records(Context(store, ConsoleSender()), ADMIN, batch, [], None, NOW)
    assert noted.order == ["confirmed", "close_contact", "cleared"]
    assert answer["applied"] == 3 and answer["unmatched"] == 3


def test_a_failed_import_gives_the_guard_s_room_back(store: Store) -> None:
    from tests.integration.test_store_contract import a_person, store_person

    store, _ = recording(store, fail_on="R-1")
    ctx = Context(store, ConsoleSender())
    batch = rows("confirmed", "confirmed")
    person = replace(a_person(), id_key=batch[0].key)
    store_person(store, person, (f"id:{person.id_key}",))  # one person named: 1 reserved
    with pytest.raises(RuntimeError):
        import_records(ctx, ADMIN, batch, [], None, NOW)
    assert store.counters.value(_day_count(ADMIN, NOW)) == 0
    answer = import_records(ctx, ADMIN, rows("confirmed"), [], None, NOW)
    assert answer["applied"] == 1  # and a working import still counts (nobody recoloured)


class Clock:
    """A clock that jumps past the import's budget after `calls` readings."""

    def __init__(self, calls: int) -> None:
        self.calls, self.now = calls, 0.0

    def __call__(self) -> float:
        self.calls -= 1
        if self.calls < 0:
            self.now = 1000.0
        return self.now


def many_people(store: Store, count: int) -> list[Any]:
    """`count` rows, one per applicant (each with a person of their own)."""
    from tests.integration.test_store_contract import a_person, store_person

    batch = []
    for n in range(count):
        [row] = rows("close_contact")
        row = replace(row, record_id=f"R-many-{n}", index=n)
        person = replace(a_person(), id_key=row.key)
        store_person(store, person, (f"id:{person.id_key}",))
        batch.append(row)
    return batch


def test_an_import_cut_while_storing_says_where_to_resume_and_the_resumption_completes(
    store: Store,
) -> None:
    from chalicelib.services.jobs import progress
    from chalicelib.services.tasks import drain

    ctx = Context(store, ConsoleSender())
    drain(ctx)
    batch = many_people(store, 40)  # more than one round of 32
    # Budget checks: settle, then one per round of stores: the second round is cut.
    cut = import_records(ctx, ADMIN, batch, [], None, NOW, clock=Clock(calls=2))
    assert cut["complete"] is False and cut["resume_at"] == 32
    # Out of time before re-evaluating: the stored rows' persons are queued, not left out.
    assert cut["recoloured"] == 0 and cut["queued"] == 32
    drain(ctx)
    assert progress(ctx, cut["job_id"])["recoloured"] == 32
    rest = import_records(ctx, ADMIN, batch[32:], [], None, NOW)
    assert (rest["complete"], rest["resume_at"]) == (True, None)
    assert rest["applied"] == 8 and rest["recoloured"] == 8
    again = import_records(ctx, ADMIN, batch, [], None, NOW)  # all done once already
    assert again["duplicates"] == 40 and again["recoloured"] == 0


def test_persons_an_import_cannot_re_evaluate_in_its_budget_are_queued_and_done(
    store: Store,
) -> None:
    from chalicelib.services.jobs import progress
    from chalicelib.services.tasks import drain

    ctx = Context(store, ConsoleSender())
    drain(ctx)
    batch = many_people(store, 40)
    # settle, two rounds of stores, one round of re-evaluations (32), then out of time.
    cut = import_records(ctx, ADMIN, batch, [], None, NOW, clock=Clock(calls=4))
    assert (cut["complete"], cut["resume_at"]) == (True, None)  # every row is stored
    assert cut["recoloured"] == 32 and cut["queued"] == 8 and cut["job_id"]
    assert progress(ctx, cut["job_id"])["state"] == "running"
    drain(ctx)
    job = progress(ctx, cut["job_id"])
    assert (job["state"], job["total"], job["done"], job["recoloured"]) == ("done", 8, 8, 8)


def test_a_reservation_of_a_request_that_died_is_given_back_by_the_next_import(
    store: Store,
) -> None:
    from datetime import timedelta

    from chalicelib.services.records import STALE_RESERVATION, _hold

    ctx = Context(store, ConsoleSender())
    admin = AccessClaims("admin-dead-request", frozenset({Role.ADMIN}), None)
    day = _day_count(admin, NOW)
    store.counters.hit(day, None, NOW + timedelta(days=2), amount=7)  # reserved ...
    _hold(ctx, admin, 7, NOW)  # ... and the request died before settling
    soon = NOW + timedelta(seconds=30)
    import_records(ctx, admin, rows("confirmed"), [], None, soon)
    assert store.counters.value(day) == 7  # still running, perhaps: kept
    later = NOW + STALE_RESERVATION + timedelta(seconds=1)
    import_records(ctx, admin, rows("confirmed"), [], None, later)
    assert store.counters.value(day) == 0  # given back
