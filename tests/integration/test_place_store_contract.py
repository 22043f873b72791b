"""The store contract for places, place visits and reports, over the in-memory store and
DynamoDB Local alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Color
from chalicelib.domain.places import Place, PlaceType, PlaceVisit, Report, ReportKind
from chalicelib.security import signing
from chalicelib.security.fields import new_person_id
from chalicelib.services import keys
from chalicelib.services.context import Context
from chalicelib.services.reports import new_id
from tests.holders import contexts

NOW = datetime(2031, 3, 10, 4, 0, 0, 250000, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture(params=["memory", "dynamodb"])
def ctx(request: pytest.FixtureRequest) -> Iterator[Context]:
    yield from contexts(request)


def a_place(ctx: Context, region: str = "370102") -> Place:
    kid = ctx.place_keys.signer(NOW).kid
    place = Place(
        new_id(), "银座商城", PlaceType.MALL, region, "泺源大街66号", NOW, "admin", kid, "tok", "j1"
    )
    ctx.store.add_place(place)
    return place


def a_visit(person_id: str, at: datetime, color: Color = Color.GREEN) -> PlaceVisit:
    place_id = "0123456789abcdef"
    return PlaceVisit(new_id(), person_id, at, place_id, "银座商城", PlaceType.MALL, color)


def a_report(region: str, at: datetime, color: Color = Color.RED) -> Report:
    return Report(new_id(), at, ReportKind.SCAN, region, "gate-1", color, new_person_id())


def test_a_place_comes_back_as_stored_and_closes_once(ctx: Context) -> None:
    place = a_place(ctx)
    assert ctx.store.get_place(place.place_id) == place
    assert ctx.store.place_key_in_use(place.kid) is True
    closed = ctx.store.close_place(place.place_id, NOW + timedelta(hours=1))
    assert closed is not None and closed.closed_at == NOW + timedelta(hours=1)
    again = ctx.store.close_place(place.place_id, NOW + timedelta(hours=2))
    assert again == closed  # the first closing time stays
    assert ctx.store.get_place(place.place_id) == closed
    assert ctx.store.close_place(new_id(), NOW) is None
    assert ctx.store.get_place(new_id()) is None


def test_a_key_is_in_use_only_while_an_open_place_holds_it(ctx: Context) -> None:
    # A key of this test's own, older than any other, so it never becomes the signer.
    key = signing.new_key("place", datetime(2001, 1, 1, tzinfo=UTC))
    ctx.store.add_signing_key(key)
    assert ctx.store.place_key_in_use(key.kid) is False
    first, second = (
        Place(new_id(), "x", PlaceType.OTHER, "370102", "y", NOW, "admin", key.kid, "t", "j")
        for _ in range(2)
    )
    ctx.store.add_place(first)
    ctx.store.add_place(second)
    ctx.store.close_place(first.place_id, NOW)
    assert ctx.store.place_key_in_use(key.kid) is True
    ctx.store.close_place(second.place_id, NOW)
    assert ctx.store.place_key_in_use(key.kid) is False


def test_a_place_signed_with_a_retired_key_is_not_stored(ctx: Context) -> None:
    kid = ctx.place_keys.signer(NOW).kid
    keys.rotate(ctx.store, "place", NOW)
    ctx.store.retire_signing_key("place", kid, NOW)
    place = Place(new_id(), "x", PlaceType.OTHER, "370102", "y", NOW, "admin", kid, "t", "j")
    with pytest.raises(Conflict):
        ctx.store.add_place(place)
    assert ctx.store.get_place(place.place_id) is None


def test_place_visits_come_back_newest_first_from_an_instant_on(ctx: Context) -> None:
    pid = new_person_id()
    visits = [a_visit(pid, NOW - timedelta(days=d, microseconds=d)) for d in (3, 0, 30, 1)]
    for visit in visits:
        ctx.store.add_place_visit(visit, None)
    since = NOW - timedelta(days=3)
    found = ctx.store.place_visits_of(pid, since)
    assert found == sorted([v for v in visits if v.at >= since], key=lambda v: v.at, reverse=True)
    assert ctx.store.place_visits_of(new_person_id(), since) == []


def test_a_yellow_visit_is_stored_with_its_report(ctx: Context) -> None:
    pid, region = new_person_id(), "371002"
    visit = a_visit(pid, NOW, Color.YELLOW)
    report = Report(new_id(), NOW, ReportKind.VISIT, region, visit.place_id, Color.YELLOW, pid)
    ctx.store.add_place_visit(visit, report)
    assert ctx.store.place_visits_of(pid, NOW) == [visit]
    assert ctx.store.reports_for(region, NOW, 10) == [report]


def test_deleting_one_person_s_place_visits_leaves_the_others(ctx: Context) -> None:
    gone, kept = new_person_id(), new_person_id()
    for n in range(30):  # more than one batch of 25
        ctx.store.add_place_visit(a_visit(gone, NOW - timedelta(hours=n)), None)
    ctx.store.add_place_visit(a_visit(kept, NOW), None)
    assert ctx.store.delete_place_visits_of(gone) == 30
    assert ctx.store.delete_place_visits_of(gone) == 0
    assert ctx.store.place_visits_of(gone, NOW - timedelta(days=5)) == []
    assert len(ctx.store.place_visits_of(kept, NOW - timedelta(days=5))) == 1


def test_deleting_a_day_of_place_visits_and_reports_leaves_the_other_days(ctx: Context) -> None:
    day = date(2031, 3, 1)  # 2031-03-01 in Shanghai: 2031-02-28 16:00 to 2031-03-01 16:00 UTC
    first = datetime(2031, 2, 28, 16, 0, tzinfo=UTC)
    last = datetime(2031, 3, 1, 15, 59, 59, tzinfo=UTC)
    after = datetime(2031, 3, 1, 16, 0, tzinfo=UTC)
    people = [new_person_id() for _ in range(12)]  # over every shard
    for pid in people:
        for at in (first, last, after):
            ctx.store.add_place_visit(a_visit(pid, at), None)
    for at in (first, last, after):
        ctx.store.add_report(a_report("371003", at))
    assert ctx.store.delete_place_visits_of_day(day) == 24
    assert ctx.store.delete_reports_of_day(day) == 2
    assert ctx.store.delete_place_visits_of_day(day) == 0
    for pid in people:
        assert [v.at for v in ctx.store.place_visits_of(pid, first)] == [after]
    assert [r.at for r in ctx.store.reports_for("371003", first, 10)] == [after]


def test_reports_are_read_by_region_from_an_instant_newest_first(ctx: Context) -> None:
    ours, theirs = "371102", "371103"
    made = [a_report(ours, NOW - timedelta(hours=h)) for h in (5, 1, 30, 2)]
    for report in made:
        ctx.store.add_report(report)
    ctx.store.add_report(a_report(theirs, NOW))
    since = NOW - timedelta(hours=5)
    found = ctx.store.reports_for(ours, since, 10)
    assert found == sorted([r for r in made if r.at >= since], key=lambda r: r.at, reverse=True)
    assert ctx.store.reports_for(ours, since, 2) == found[:2]
