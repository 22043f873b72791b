"""Which Asia/Shanghai calendar days check-ins, retention and the scheduled jobs look at.

Pure date arithmetic; callers turn their `now` into `today` with `clock.shanghai_date` once.
Every range here is inclusive of both ends.
"""

from __future__ import annotations

from datetime import date, timedelta


def last_day(start: date, days: int) -> date:
    """The last day of a `days`-day state that starts on `start` (a declaration, an arrival, a
    record's `since`, an abnormal check-in, a paper code's issue day).

    The one day-counting convention of the system: a period in days counts from the day after
    its start, as the Civil Code (article 201) counts periods, so a 14-day state that starts on
    D covers D+1 … D+14. The state holds from D through D+14 and is over on D+15.
    """
    return start + timedelta(days=days)


# The check-ins the colour rules see: the last four weeks, today included.
CHECKIN_FACT_DAYS = 28


def recent(today: date, days: int) -> tuple[date, date]:
    """The first and last day of the `days` days that end with `today`."""
    return today - timedelta(days=days - 1), today


def retention_cutoff(today: date, retention_days: int) -> date:
    """The newest day past retention: data of this day and earlier may go; the
    `retention_days` days after it (today included) are kept."""
    return today - timedelta(days=retention_days)


def days_to_review(done: date | None, today: date, first_run_lookback: int) -> list[date]:
    """The review days a run of the expire job reads, oldest first.

    From the day after `done` (the last day known to be finished) to `today`; without `done`,
    from `first_run_lookback` days back. Today is always read, even when `done` says otherwise
    (a clock that moved back): a day is only finished once it is over.
    """
    start = done + timedelta(days=1) if done else today - timedelta(days=first_run_lookback)
    start = min(start, today)
    return [start + timedelta(days=n) for n in range((today - start).days + 1)]


def finished_through(reviewed: list[date], clean: set[date], today: date) -> date | None:
    """The new watermark after reading `reviewed` (oldest first): the last day of its unbroken
    run of `clean` days (read to the end, nothing failed), never `today` or later, since
    persons may still turn up as due today (the index lags a moment). None: no progress."""
    mark = None
    for day in reviewed:
        if day >= today or day not in clean:
            break
        mark = day
    return mark
