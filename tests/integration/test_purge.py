"""The purge job deletes scans, check-ins, login states, place visits and reports past retention,
reads only due days, and is safe to re-run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.entities import Scan
from chalicelib.domain.model import Checkin, Color
from chalicelib.domain.otp import OtpState
from chalicelib.security.fields import new_person_id
from chalicelib.services.context import Context
from chalicelib.services.ports import NewPerson
from chalicelib.services.purge import KINDS, purge, watermark

# The DynamoDB tables live for the whole test run and the watermark only moves forward, so each
# test lives in a later year than the one before.
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def _scan(at: datetime) -> Scan:
    return Scan(new_person_id(), at, "acc", "gate", True, True, Color.GREEN, None, None)


def _purged_through(ctx: Context, day: str) -> None:
    for kind in KINDS:
        ctx.store.jobs.set_watermark(watermark(kind), day)


def test_scans_older_than_28_days_go_and_newer_ones_stay(ctx: Context) -> None:
    _purged_through(ctx, "2026-10-01")
    old = [_scan(NOW - timedelta(days=d)) for d in (29, 30, 45)]
    kept = [_scan(NOW - timedelta(days=d)) for d in (0, 1, 27)]
    for scan in old + kept:
        ctx.store.scans.add(scan)
    # 24 days of 6 kinds: time enough on a busy test machine (the budget has its own test).
    report = purge(ctx, NOW, budget_seconds=120)
    assert report["removed"]["scans"] == 3  # (other tests may leave check-ins of those days)
    assert report["complete"] is True
    assert report["kept_from"] == "2026-10-26"
    again = purge(ctx, NOW, budget_seconds=120)
    assert again == {**again, "removed": dict.fromkeys(KINDS, 0), "days_purged": 0}


def test_the_boundary_is_the_shanghai_calendar_day(ctx: Context) -> None:
    now = NOW.replace(year=2027)
    _purged_through(ctx, "2027-10-01")
    # 2027-10-25 23:59 and 2027-10-26 00:01 in Shanghai.
    last_purged = datetime(2027, 10, 25, 15, 59, tzinfo=UTC)
    first_kept = datetime(2027, 10, 25, 16, 1, tzinfo=UTC)
    ctx.store.scans.add(_scan(last_purged))
    ctx.store.scans.add(_scan(first_kept))
    assert purge(ctx, now)["removed"]["scans"] == 1
    assert ctx.store.scans.delete_of_day(first_kept.date() + timedelta(days=1)) == 1


def test_a_run_out_of_time_hands_its_days_to_the_workers_and_the_next_run_waits(
    ctx: Context,
) -> None:
    from chalicelib.services.tasks import drain

    drain(ctx)
    now = NOW.replace(year=2028)
    _purged_through(ctx, "2028-10-20")
    old = [_scan(datetime(2028, 10, 22, 4, 0, tzinfo=UTC)) for _ in range(3)]
    for scan in old:
        ctx.store.scans.add(scan)
    first = purge(ctx, now, budget_seconds=0)
    assert first["complete"] is False and first["days_purged"] == 0
    assert purge(ctx, now)["running"] == first["queued_job"]
    drain(ctx)
    assert ctx.store.scans.delete_of_day(date(2028, 10, 22)) == 0  # the workers deleted them
    after = purge(ctx, now)
    assert after["complete"] is True and after["days_purged"] == 0  # 10-21 … 10-25 were done
    for kind in KINDS:
        assert ctx.store.jobs.get_watermark(watermark(kind)) == "2028-10-25"


def test_check_ins_and_login_states_past_retention_go_per_kind(ctx: Context) -> None:
    now = NOW.replace(year=2029)  # cutoff 2029-10-25
    _purged_through(ctx, "2029-10-10")
    people = [new_person_id() for _ in range(4)]
    for n, pid in enumerate(people):
        ctx.store.checkins.put(pid, Checkin(date(2029, 10, 20 + n), 36.5), now)  # 20th … 23rd
        ctx.store.checkins.put(pid, Checkin(date(2029, 10, 26), 36.5), now)  # kept
    sent = int(datetime(2029, 10, 24, 2, 0, tzinfo=UTC).timestamp())
    ctx.store.logins.save("otp-" + new_person_id(), OtpState(None, sent + 600, 0, (sent,)), 0)
    recent = int((now - timedelta(days=1)).timestamp())
    kept_key = "otp-" + new_person_id()
    ctx.store.logins.save(kept_key, OtpState(None, recent + 600, 0, (recent,)), 0)
    report = purge(ctx, now)
    assert report["removed"] == {
        "scans": 0,
        "checkins": 4,
        "otps": 1,
        "place_visits": 0,
        "reports": 0,
        "declared_visits": 0,
    }
    assert report["days_purged"] == 15 and report["complete"] is True
    assert ctx.store.logins.get(kept_key)[1] == 1
    for pid in people:
        left = ctx.store.checkins.between(pid, date(2029, 10, 1), date(2029, 10, 31))
        assert [c.day for c in left] == [date(2029, 10, 26)]


def test_each_kind_resumes_from_its_own_watermark(ctx: Context) -> None:
    now = NOW.replace(year=2030)  # cutoff 2030-10-25
    _purged_through(ctx, "2030-10-20")
    ctx.store.jobs.set_watermark(watermark("scans"), "2030-10-25")
    ctx.store.jobs.set_watermark(watermark("otps"), "2030-10-25")
    ctx.store.checkins.put(new_person_id(), Checkin(date(2030, 10, 22), 36.5), now)
    report = purge(ctx, now)
    assert report["days_purged"] == 5 and report["removed"]["checkins"] == 1


def test_place_visits_and_reports_past_retention_go(ctx: Context) -> None:
    from chalicelib.domain.places import PlaceType, PlaceVisit, Report, ReportKind

    now = NOW.replace(year=2031)  # cutoff 2031-10-25
    _purged_through(ctx, "2031-10-10")
    people = [new_person_id() for _ in range(4)]

    def visit(pid: str, at: datetime) -> PlaceVisit:
        return PlaceVisit(new_person_id(), pid, at, "p" * 16, "商场", PlaceType.MALL, Color.RED)

    def report(at: datetime) -> Report:
        return Report(new_person_id(), at, ReportKind.VISIT, "371202", "p" * 16, Color.RED, None)

    old = [datetime(2031, 10, 20 + n, 4, 0, tzinfo=UTC) for n in range(4)]  # 20th … 23rd
    kept = datetime(2031, 10, 25, 16, 30, tzinfo=UTC)  # 2031-10-26 00:30 in Shanghai
    for pid, at in zip(people, old, strict=True):
        ctx.store.places.add_visit(visit(pid, at), report(at))
        ctx.store.places.add_visit(visit(pid, kept), None)
    ctx.store.reports.add(report(kept))
    result = purge(ctx, now)
    assert result["removed"]["place_visits"] == 4 and result["removed"]["reports"] == 4
    for pid in people:
        assert [v.at for v in ctx.store.places.visits_of(pid, old[0])] == [kept]
    assert [r.at for r in ctx.store.reports.of_region("371202", old[0], 10)] == [kept]


def test_declared_region_visits_go_once_they_stopped_counting_past_retention(
    ctx: Context,
) -> None:
    from dataclasses import replace

    from chalicelib.domain.entities import Link
    from tests.integration.test_store_contract import a_person, first_entry

    now = NOW.replace(year=2032)  # cutoff 2032-10-25
    _purged_through(ctx, "2032-10-10")
    ended, counting = date(2032, 10, 22), date(2032, 10, 27)
    people = []
    for until in (ended, counting):
        person = a_person()
        person = replace(person, declaration=replace(person.declaration, visited_regions=()))
        entry = first_entry(person)
        person = replace(person, history_seq=1, history_hash=entry.hash)
        link = Link("acc", person.person_id, "self", now)
        regions = ("330106", "420100")
        ctx.store.persons.create(NewPerson(person, link, (), entry, regions, until))
        people.append(person.person_id)
    report = purge(ctx, now)
    assert report["removed"]["declared_visits"] == 2
    assert people[0] not in ctx.store.epidemic.persons_visiting("330106", ended)
    assert people[1] in ctx.store.epidemic.persons_visiting("330106", counting)


def _only_scans_due(ctx: Context, scans_through: str, others_through: str) -> None:
    for kind in KINDS:
        mark = scans_through if kind == "scans" else others_through
        ctx.store.jobs.set_watermark(watermark(kind), mark)


class _Ticks:
    """A clock that moves one second each time the job looks at it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_a_busy_day_cut_by_the_budget_goes_to_the_workers_from_the_saved_page(
    ctx: Context,
) -> None:
    import json

    from chalicelib.services.jobs import progress
    from chalicelib.services.tasks import drain

    drain(ctx)
    now = NOW.replace(year=2033)  # cutoff 2033-10-25
    busy = datetime(2033, 10, 25, 4, 0, tzinfo=UTC)  # the last day past retention
    first_kept = datetime(2033, 10, 25, 16, 30, tzinfo=UTC)  # 10-26 00:30 in Shanghai
    _only_scans_due(ctx, "2033-10-24", "2033-10-25")
    old = [_scan(busy) for _ in range(60)]
    kept = [_scan(first_kept) for _ in range(5)]
    for scan in old + kept:
        ctx.store.scans.add(scan)

    pages: list[tuple[int, object]] = []
    delete_page = ctx.store.scans.delete_page

    def counted(day: date, shard: int, after: object, limit: int) -> tuple[int, object]:
        pages.append((shard, after))
        return delete_page(day, shard, after, limit)  # type: ignore[arg-type]

    ctx.store.scans.delete_page = counted  # type: ignore[method-assign]
    cut = purge(ctx, now, budget_seconds=6, clock=_Ticks(), page_size=4)
    assert cut["complete"] is False and cut["queued_job"]
    saved = json.loads(ctx.store.jobs.get_state(watermark("scans")) or "{}")
    assert saved["day"] == "2033-10-25"  # mid-day, with its shard and page
    assert cut["resume"] == {"scans": f"2033-10-25#{saved['shard']}"}
    in_run = len(pages)
    assert 0 < cut["removed"]["scans"] < 60
    waiting = purge(ctx, now)  # the workers have not started: the next run waits
    assert waiting["running"] == cut["queued_job"] and waiting["removed"]["scans"] == 0
    drain(ctx)
    # The workers went on from the saved page (not from the start of its shard), and every
    # page was read once over the run and the workers together.
    assert pages[in_run] == (saved["shard"], saved["after"])
    assert len(pages) == len(set(map(repr, pages)))
    job = progress(ctx, cut["queued_job"])
    assert (job["state"], job["kind"]) == ("done", "purge")
    assert cut["removed"]["scans"] + job["done"] == 60
    assert ctx.store.scans.delete_of_day(date(2033, 10, 25)) == 0
    again = purge(ctx, now)
    assert again["complete"] is True and again["removed"]["scans"] == 0
    assert ctx.store.jobs.get_watermark(watermark("scans")) == "2033-10-25"
    # Nothing newer than the retention cut: the next day's scans are all there.
    assert ctx.store.scans.delete_of_day(date(2033, 10, 26)) == len(kept)


def test_a_cursor_left_on_an_older_day_is_ignored(ctx: Context) -> None:
    import json

    now = NOW.replace(year=2038)
    _only_scans_due(ctx, "2038-10-23", "2038-10-25")
    stale = {"day": "2038-10-22", "shard": 7, "after": {"x": {"S": "y"}}}
    ctx.store.jobs.put_state(watermark("scans"), json.dumps(stale))
    for _ in range(10):
        ctx.store.scans.add(_scan(datetime(2038, 10, 24, 4, 0, tzinfo=UTC)))
    assert purge(ctx, now)["removed"]["scans"] == 10
