"""Daily health check-ins (健康打卡) as the colour rules and the check-in service read them.

Pure functions over `Checkin` values. Days are Asia/Shanghai calendar dates: turning an instant
into a day (a check-in at 23:59 or 00:01) is the caller's job, done before anything here runs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date, timedelta

from chalicelib.domain.model import Checkin, Symptom

_ONE_DAY = timedelta(days=1)


def is_abnormal(
    checkin: Checkin, temperature_at_least: float, symptoms_any_of: Collection[Symptom]
) -> bool:
    """A temperature of at least `temperature_at_least` °C, or any of `symptoms_any_of`."""
    return checkin.temperature >= temperature_at_least or any(
        s in symptoms_any_of for s in checkin.symptoms
    )


def by_day(checkins: Iterable[Checkin], today: date) -> dict[date, Checkin]:
    """The check-in of each day up to `today`; when a day has several, the last one given wins
    (a second check-in the same day replaces the first). Days after `today` are left out."""
    return {c.day: c for c in checkins if c.day <= today}


def streak(
    checkins: Iterable[Checkin],
    today: date,
    counts: Callable[[Checkin], bool] | None = None,
) -> int:
    """How many consecutive calendar days have a check-in, ending `today`, or ending yesterday
    when there is no check-in for `today` yet (so the streak is not lost before the day is over).

    With `counts`, a day is part of the streak only if its check-in passes `counts` (e.g. "clean");
    a day whose check-in fails ends the streak like a missed day does. A failing check-in today
    makes the streak 0: it does not fall back to yesterday.

    `checkins` may come in any order; check-ins after `today` are ignored. 0 when there is none.
    """
    days = by_day(checkins, today)
    day = today if today in days else today - _ONE_DAY
    count = 0
    while day in days and (counts is None or counts(days[day])):
        count += 1
        day -= _ONE_DAY
    return count


def clean_streak(
    checkins: Iterable[Checkin],
    today: date,
    temperature_at_least: float,
    symptoms_any_of: Collection[Symptom],
) -> int:
    """`streak` counting only clean check-ins: below `temperature_at_least` °C and none of
    `symptoms_any_of`. An abnormal check-in breaks the streak."""
    return streak(
        checkins, today, lambda c: not is_abnormal(c, temperature_at_least, symptoms_any_of)
    )


def checked_in(checkins: Iterable[Checkin], day: date) -> bool:
    """Whether there is a check-in for `day`."""
    return any(c.day == day for c in checkins)
