"""The expire job over DynamoDB Local: it reads only who is due, ends 14-day states once, and a
run that is cut short, repeated or doubled changes nobody twice.

The tables live for the whole test run, so each test has its own days (a year of its own) and
its own watermark name."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.entities import Person
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.model import Category, Color, Declaration, Record, Risk
from chalicelib.security.fields import new_person_id
from chalicelib.services.assessment import reassess
from chalicelib.services.context import Context
from chalicelib.services.expire import expire
from chalicelib.services.sms import ConsoleSender
from chalicelib.storage.dynamo import DynamoStore
from tests.holders import holder, shanghai

MEDIUM = "330106"


@pytest.fixture
def ctx(dynamo_tables: str) -> Iterator[Context]:
    yield Context(DynamoStore(), ConsoleSender())


@pytest.fixture
def mark() -> str:
    return "expire-test-" + new_person_id()


def yellow_holders(ctx: Context, count: int, declared: datetime) -> list[Person]:
    """Holders who declared a medium-risk region at `declared` (day D): yellow through D+14
    (`days.last_day`), due for review on D+15. The tests declare on the last day of a month, so
    the review day is the 15th of the next. (They declared on the 1st, with D+13 as the last
    day, before issue 11 item 9.)"""
    ctx.store.epidemic.put_region(MEDIUM, Risk.MEDIUM, by="test", at=declared)
    declaration = Declaration(visited_regions=(MEDIUM,))
    people = [holder(ctx, declared, declaration)[1] for _ in range(count)]
    assert all(p.color is Color.YELLOW for p in people)
    return people


def colours(ctx: Context, people: list[Person]) -> list[Color]:
    found = [ctx.store.persons.get(p.person_id, consistent=True) for p in people]
    return [p.color for p in found if p is not None]


def expiries(ctx: Context, person: Person) -> list[Any]:
    return [e for e in ctx.store.history.of(person.person_id) if e.source == "expiry"]


def counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    return report["due"], report["changed"], report["unchanged"], report["failed"]


def test_persons_due_today_turn_green_with_a_system_history_entry(ctx: Context, mark: str) -> None:
    people = yellow_holders(ctx, 3, shanghai(2031, 2, 28, 10, 0))
    ctx.store.jobs.set_watermark(mark, "2031-03-14")
    report = expire(ctx, shanghai(2031, 3, 15, 0, 5), watermark=mark)
    assert counts(report) == (3, 3, 0, 0) and report["complete"] is True
    assert report["recoloured"] == 3
    assert colours(ctx, people) == [Color.GREEN] * 3
    (entry,) = expiries(ctx, people[0])
    assert (entry.actor_kind, entry.actor, entry.from_color) == (
        ActorKind.SYSTEM,
        None,
        Color.YELLOW,
    )
    assert report["watermark"] == "2031-03-14"  # today is read again by the next hourly run
    assert counts(expire(ctx, shanghai(2031, 3, 15, 1, 5), watermark=mark)) == (0, 0, 0, 0)


def test_a_missed_run_catches_up_on_the_days_since_its_watermark(ctx: Context, mark: str) -> None:
    people = yellow_holders(ctx, 2, shanghai(2032, 4, 30, 10, 0))  # due on 15 May
    ctx.store.jobs.set_watermark(mark, "2032-05-14")
    report = expire(ctx, shanghai(2032, 5, 16, 3, 0), watermark=mark)  # nobody ran on the 15th
    assert counts(report) == (2, 2, 0, 0) and report["days_read"] == 2
    assert report["watermark"] == "2032-05-15"
    assert colours(ctx, people) == [Color.GREEN] * 2


def test_persons_not_due_yet_are_not_read(ctx: Context, mark: str) -> None:
    people = yellow_holders(ctx, 2, shanghai(2033, 5, 31, 10, 0))  # due on 15 June
    ctx.store.jobs.set_watermark(mark, "2033-06-13")
    report = expire(ctx, shanghai(2033, 6, 14, 23, 59), watermark=mark)
    assert counts(report) == (0, 0, 0, 0)
    assert colours(ctx, people) == [Color.YELLOW] * 2
    assert counts(expire(ctx, shanghai(2033, 6, 15, 0, 1), watermark=mark)) == (2, 2, 0, 0)


def test_two_runs_at_once_change_each_person_exactly_once(ctx: Context, mark: str) -> None:
    people = yellow_holders(ctx, 8, shanghai(2034, 6, 30, 10, 0))
    ctx.store.jobs.set_watermark(mark, "2034-07-14")
    now = shanghai(2034, 7, 15, 1, 0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: expire(ctx, now, watermark=mark), range(2)))
    assert sum(r["changed"] for r in reports) == 8
    assert sum(r["failed"] for r in reports) == 0
    assert colours(ctx, people) == [Color.GREEN] * 8
    for person in people:
        history = ctx.store.history.of(person.person_id)
        assert [e.seq for e in history] == [1, 2] and len(expiries(ctx, person)) == 1
    again = expire(ctx, now + timedelta(minutes=5), watermark=mark)
    assert counts(again) == (0, 0, 0, 0)


def test_a_run_out_of_time_hands_the_rest_of_its_days_to_the_queue_workers(
    ctx: Context, mark: str
) -> None:
    from chalicelib.services.jobs import progress
    from chalicelib.services.tasks import drain

    drain(ctx)
    people = yellow_holders(ctx, 5, shanghai(2035, 7, 31, 10, 0))
    ctx.store.jobs.set_watermark(mark, "2035-08-13")
    now = shanghai(2035, 8, 15, 2, 0)  # the 14th (nobody due) and the 15th (five due)
    ticks = itertools.count()  # a clock that advances a second per look: before each day and
    # each person; the fifth look is out of time
    half = expire(ctx, now, watermark=mark, budget_seconds=5, clock=lambda: next(ticks))
    assert counts(half) == (2, 2, 0, 0) and half["complete"] is False
    assert half["watermark"] == "2035-08-14"  # the 14th was read to the end, the 15th was not
    assert half["queued_job"] is not None
    waiting = expire(ctx, now, watermark=mark)  # the workers have not started yet
    assert waiting["running"] == half["queued_job"] and counts(waiting) == (0, 0, 0, 0)
    drain(ctx)
    job = progress(ctx, half["queued_job"])
    assert (job["state"], job["kind"], job["done"], job["recoloured"]) == ("done", "expire", 3, 3)
    assert colours(ctx, people) == [Color.GREEN] * 5
    assert all(len(expiries(ctx, p)) == 1 for p in people)
    rest = expire(ctx, now, watermark=mark)  # the 15th again: nobody left
    assert counts(rest) == (0, 0, 0, 0) and rest["complete"] is True


def test_a_run_with_no_time_at_all_queues_every_day_it_should_read(ctx: Context, mark: str) -> None:
    from chalicelib.services.tasks import drain

    drain(ctx)
    people = yellow_holders(ctx, 3, shanghai(2036, 7, 31, 10, 0))
    ctx.store.jobs.set_watermark(mark, "2036-08-13")
    none = expire(ctx, shanghai(2036, 8, 15, 2, 0), watermark=mark, budget_seconds=0)
    assert counts(none) == (0, 0, 0, 0) and none["complete"] is False
    assert none["watermark"] == "2036-08-13" and none["days_read"] == 0
    drain(ctx)
    assert colours(ctx, people) == [Color.GREEN] * 3


class LaggingIndex:
    """The persons port, except that the due index still serves copies read before a change."""

    def __init__(self, persons: Any, copies: dict[date, list[Person]]) -> None:
        self._persons, self._copies = persons, copies

    def due(self, day: date) -> Iterator[Person]:
        return iter(self._copies.get(day, []))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._persons, name)


def test_a_person_no_longer_due_behind_a_lagging_index_is_left_alone(
    ctx: Context, mark: str
) -> None:
    (person,) = yellow_holders(ctx, 1, shanghai(2036, 8, 31, 10, 0))  # due on 15 September
    day = date(2036, 9, 15)
    stale = list(ctx.store.persons.due(day))
    ctx.store.jobs.set_watermark(mark, "2036-09-14")
    assert expire(ctx, shanghai(2036, 9, 15, 1, 0), watermark=mark)["changed"] == 1
    lagging_store = replace(ctx.store, persons=LaggingIndex(ctx.store.persons, {day: stale}))
    lagging = Context(lagging_store, ConsoleSender())
    report = expire(lagging, shanghai(2036, 9, 15, 2, 0), watermark=mark)
    assert counts(report) == (1, 0, 1, 0)
    assert len(expiries(ctx, person)) == 1
    assert ctx.store.history.of(person.person_id)[-1].to_color is Color.GREEN


def test_a_red_code_loses_its_ended_yellow_reason_and_stays_red(ctx: Context, mark: str) -> None:
    declared = shanghai(2037, 9, 30, 10, 0)
    (person,) = yellow_holders(ctx, 1, declared)  # the region's reason ends on 14 October
    confirmed = Record("R-" + new_person_id(), Category.CONFIRMED, date(2037, 10, 2))
    ctx.store.epidemic.put_record(person.id_key, confirmed, by="test", at=declared)
    cause = Cause(ActorKind.AUTHORITY, "admin", f"record:{confirmed.record_id}")
    assert reassess(ctx.store, person.person_id, cause, shanghai(2037, 10, 2, 9, 0)).changed
    ctx.store.jobs.set_watermark(mark, "2037-10-14")
    report = expire(ctx, shanghai(2037, 10, 15, 0, 30), watermark=mark)
    assert counts(report) == (1, 1, 0, 0) and report["recoloured"] == 0
    after = ctx.store.persons.get(person.person_id, consistent=True)
    assert after is not None and after.color is Color.RED
    assert [r.code for r in after.reasons] == ["confirmed_case"]
    assert expiries(ctx, person) == []  # no colour change, no history entry
