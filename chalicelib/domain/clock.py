"""Calendar dates that people live by are Asia/Shanghai dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The one clock read of the app; everything below takes `now` as an argument."""
    return datetime.now(UTC)


def shanghai_date(instant: datetime) -> date:
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    """The first instant after the Asia/Shanghai calendar day `day`."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)
