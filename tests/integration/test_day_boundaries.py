"""Where the services turn an instant into a day: a check-in, the expire job and purge, at 23:59
and 00:01 in Shanghai across a month end."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.model import Checkin, Color, Declaration, Risk
from chalicelib.security.fields import new_person_id
from chalicelib.services.checkins import check_in
from chalicelib.services.context import Context
from chalicelib.services.expire import expire
from chalicelib.services.purge import purge
from tests.holders import holder, shanghai

MEDIUM = "330106"


def test_check_ins_at_23_59_and_00_01_fall_on_two_days_and_a_second_one_replaces(
    ctx: Context,
) -> None:
    actor, person = holder(ctx, shanghai(2026, 11, 30, 9, 0))
    late = check_in(ctx, actor, person.person_id, 36.5, (), shanghai(2026, 11, 30, 23, 59))
    again = check_in(ctx, actor, person.person_id, 36.7, (), shanghai(2026, 11, 30, 23, 59))
    early = check_in(ctx, actor, person.person_id, 36.6, (), shanghai(2026, 12, 1, 0, 1))
    assert (late.answer["date"], late.first_of_the_day) == ("2026-11-30", True)
    assert (again.answer["date"], again.first_of_the_day) == ("2026-11-30", False)
    assert (early.answer["date"], early.first_of_the_day) == ("2026-12-01", True)
    assert early.answer["streak"] == 2
    kept = ctx.store.checkins.between(person.person_id, date(2026, 11, 1), date(2026, 12, 31))
    assert [c.temperature for c in kept] == [36.7, 36.6]


def test_a_14_day_state_ends_at_00_01_of_its_review_day_not_at_23_59_the_evening_before(
    fresh_ctx: Context,
) -> None:
    ctx = fresh_ctx  # the expire job's own watermark
    ctx.store.epidemic.put_region(MEDIUM, Risk.MEDIUM, by="admin", at=shanghai(2026, 11, 1, 0, 0))
    # Declared on 16 November: the window counts 17–30 November (days.last_day: D+1 … D+14), so
    # the last yellow day is 30 November and the review day 1 December. (Declared on 17 November
    # with D+13 as the last day before issue 11 item 9.)
    _, person = holder(ctx, shanghai(2026, 11, 16, 10, 0), Declaration(visited_regions=(MEDIUM,)))
    assert person.color is Color.YELLOW
    evening = expire(ctx, shanghai(2026, 11, 30, 23, 59))
    assert (evening["due"], evening["changed"]) == (0, 0)
    assert evening["watermark"] == "2026-11-29"  # the day is not over: it is read again
    night = expire(ctx, shanghai(2026, 12, 1, 0, 1))
    assert (night["due"], night["changed"], night["days_read"]) == (1, 1, 2)
    after = ctx.store.persons.get(person.person_id)
    assert after is not None and after.color is Color.GREEN


def test_purge_takes_a_day_of_check_ins_at_00_01_twenty_eight_days_later(
    fresh_ctx: Context,
) -> None:
    ctx, pid = fresh_ctx, new_person_id()
    store = ctx.store
    store.checkins.put(pid, Checkin(date(2026, 11, 30), 36.5), shanghai(2026, 11, 30, 23, 59))
    store.checkins.put(pid, Checkin(date(2026, 12, 1), 36.5), shanghai(2026, 12, 1, 0, 1))
    for kind in ("scans", "checkins", "otps"):
        store.jobs.set_watermark(f"purge:{kind}", "2026-11-20")
    evening = purge(ctx, shanghai(2026, 12, 28, 23, 59))  # keeps 1–28 December
    assert evening["removed"]["checkins"] == 1 and evening["kept_from"] == "2026-12-01"
    assert purge(ctx, shanghai(2026, 12, 29, 0, 1))["removed"]["checkins"] == 1
    assert store.checkins.between(pid, date(2026, 11, 1), date(2026, 12, 31)) == []
