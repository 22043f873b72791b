"""The store contract for places, place visits and reports, on DynamoDB Local."""

from __future__ import annotations

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

NOW = datetime(2031, 3, 10, 4, 0, 0, 250000, tzinfo=UTC)  # 12:00 in Shanghai


def a_place(ctx: Context, region: str = "370102") -> Place:
    kid = ctx.place_keys.signer(NOW).kid
    place = Place(
        new_id(), "银座商城", PlaceType.MALL, region, "泺源大街66号", NOW, "admin", kid, "tok", "j1"
    )
    ctx.store.places.add(place)
    return place


def a_visit(person_id: str, at: datetime, color: Color = Color.GREEN) -> PlaceVisit:
    place_id = "0123456789abcdef"
    return PlaceVisit(new_id(), person_id, at, place_id, "银座商城", PlaceType.MALL, color)


def a_report(region: str, at: datetime, color: Color = Color.RED) -> Report:
    return Report(new_id(), at, ReportKind.SCAN, region, "gate-1", color, new_person_id())


def test_a_place_comes_back_as_stored_and_closes_once(ctx: Context) -> None:
    place = a_place(ctx)
    assert ctx.store.places.get(place.place_id) == place
    assert ctx.store.places.key_in_use(place.kid) is True
    closed = ctx.store.places.close(place.place_id, NOW + timedelta(hours=1))
    assert closed is not None and closed.closed_at == NOW + timedelta(hours=1)
    again = ctx.store.places.close(place.place_id, NOW + timedelta(hours=2))
    assert again == closed  # the first closing time stays
    assert ctx.store.places.get(place.place_id) == closed
    assert ctx.store.places.close(new_id(), NOW) is None
    assert ctx.store.places.get(new_id()) is None


def test_a_key_is_in_use_only_while_an_open_place_holds_it(ctx: Context) -> None:
    # A key of this test's own, older than any other, so it never becomes the signer.
    key = signing.new_key("place", datetime(2001, 1, 1, tzinfo=UTC))
    ctx.store.keys.add(key)
    assert ctx.store.places.key_in_use(key.kid) is False
    first, second = (
        Place(new_id(), "x", PlaceType.OTHER, "370102", "y", NOW, "admin", key.kid, "t", "j")
        for _ in range(2)
    )
    ctx.store.places.add(first)
    ctx.store.places.add(second)
    ctx.store.places.close(first.place_id, NOW)
    assert ctx.store.places.key_in_use(key.kid) is True
    ctx.store.places.close(second.place_id, NOW)
    assert ctx.store.places.key_in_use(key.kid) is False


def test_a_place_signed_with_a_retired_key_is_not_stored(ctx: Context) -> None:
    kid = ctx.place_keys.signer(NOW).kid
    keys.rotate(ctx.store, "place", NOW)
    ctx.store.keys.retire("place", kid, NOW)
    place = Place(new_id(), "x", PlaceType.OTHER, "370102", "y", NOW, "admin", kid, "t", "j")
    with pytest.raises(Conflict):
        ctx.store.places.add(place)
    assert ctx.store.places.get(place.place_id) is None


def test_place_visits_come_back_newest_first_from_an_instant_on(ctx: Context) -> None:
    pid = new_person_id()
    visits = [a_visit(pid, NOW - timedelta(days=d, microseconds=d)) for d in (3, 0, 30, 1)]
    for visit in visits:
        ctx.store.places.add_visit(visit, None)
    since = NOW - timedelta(days=3)
    found = ctx.store.places.visits_of(pid, since)
    assert found == sorted([v for v in visits if v.at >= since], key=lambda v: v.at, reverse=True)
    assert ctx.store.places.visits_of(new_person_id(), since) == []


def test_a_yellow_visit_is_stored_with_its_report(ctx: Context) -> None:
    pid, region = new_person_id(), "371002"
    visit = a_visit(pid, NOW, Color.YELLOW)
    report = Report(new_id(), NOW, ReportKind.VISIT, region, visit.place_id, Color.YELLOW, pid)
    ctx.store.places.add_visit(visit, report)
    assert ctx.store.places.visits_of(pid, NOW) == [visit]
    assert ctx.store.reports.of_region(region, NOW, 10) == [report]


def test_deleting_one_person_s_place_visits_leaves_the_others(ctx: Context) -> None:
    gone, kept = new_person_id(), new_person_id()
    for n in range(30):  # more than one batch of 25
        ctx.store.places.add_visit(a_visit(gone, NOW - timedelta(hours=n)), None)
    ctx.store.places.add_visit(a_visit(kept, NOW), None)
    assert ctx.store.places.delete_visits_of(gone) == 30
    assert ctx.store.places.delete_visits_of(gone) == 0
    assert ctx.store.places.visits_of(gone, NOW - timedelta(days=5)) == []
    assert len(ctx.store.places.visits_of(kept, NOW - timedelta(days=5))) == 1


def test_deleting_a_day_of_place_visits_and_reports_leaves_the_other_days(ctx: Context) -> None:
    day = date(2031, 3, 1)  # 2031-03-01 in Shanghai: 2031-02-28 16:00 to 2031-03-01 16:00 UTC
    first = datetime(2031, 2, 28, 16, 0, tzinfo=UTC)
    last = datetime(2031, 3, 1, 15, 59, 59, tzinfo=UTC)
    after = datetime(2031, 3, 1, 16, 0, tzinfo=UTC)
    people = [new_person_id() for _ in range(12)]  # over every shard
    for pid in people:
        for at in (first, last, after):
            ctx.store.places.add_visit(a_visit(pid, at), None)
    for at in (first, last, after):
        ctx.store.reports.add(a_report("371003", at))
    assert ctx.store.places.delete_visits_of_day(day) == 24
    assert ctx.store.reports.delete_of_day(day) == 2
    assert ctx.store.places.delete_visits_of_day(day) == 0
    for pid in people:
        assert [v.at for v in ctx.store.places.visits_of(pid, first)] == [after]
    assert [r.at for r in ctx.store.reports.of_region("371003", first, 10)] == [after]


def test_reports_are_read_by_region_from_an_instant_newest_first(ctx: Context) -> None:
    ours, theirs = "371102", "371103"
    made = [a_report(ours, NOW - timedelta(hours=h)) for h in (5, 1, 30, 2)]
    for report in made:
        ctx.store.reports.add(report)
    ctx.store.reports.add(a_report(theirs, NOW))
    since = NOW - timedelta(hours=5)
    found = ctx.store.reports.of_region(ours, since, 10)
    assert found == sorted([r for r in made if r.at >= since], key=lambda r: r.at, reverse=True)
    assert ctx.store.reports.of_region(ours, since, 2) == found[:2]
