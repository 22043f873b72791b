"""Reports (上报) to the authority: every yellow or red scan at a checkpoint and every yellow or
red place visit, by the region of the place, so that staff no longer phone them in.

The region is the registered place's. A scan names the place the checker gave, or else the
checker's enrolled place; when that is not a registered place, the checker's enrolled place is
tried, and when neither is registered the report goes to the province this service serves
(config.province_code()): nothing yellow or red goes unreported. Reports hold no name: the
pseudonymous person id (None for partner provinces' codes), the place id, colour and time.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import SHANGHAI, shanghai_date
from chalicelib.domain.days import retention_cutoff
from chalicelib.domain.entities import Scan
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.places import REPORTED_COLORS, Place, PlaceVisit, Report, ReportKind
from chalicelib.services.context import Context
from chalicelib.services.pages import cursor_of, parse_cursor
from chalicelib.services.ports import Store

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def new_id() -> str:
    return secrets.token_hex(8)  # random: it picks the day shard (storage: shard_of)


def first_this_hour(
    store: Store, kind: ReportKind, person_id: str | None, place_id: str | None, at: datetime
) -> bool:
    """Whether this is the first report of its kind for the person at the place this hour:
    repeats make no more (a yellow holder scanning a door a thousand times makes one report).
    A partner's code names no person: each of its reports counts."""
    if person_id is None:
        return True
    return store.counters.hit(
        counter_key(kind, person_id, place_id, at), 1, at + timedelta(hours=1)
    )


def counter_key(kind: ReportKind, person_id: str, place_id: str | None, at: datetime) -> str:
    """The counter (a marker item) of one person's reports of a kind at a place in an hour."""
    return f"report:{kind.value}:{person_id}:{place_id}:{int(at.timestamp()) // 3600}"


def for_visit(store: Store, visit: PlaceVisit, place: Place) -> Report | None:
    """The report a place visit makes, or None for green or a repeat within the hour."""
    if visit.color not in REPORTED_COLORS:
        return None
    if not first_this_hour(store, ReportKind.VISIT, visit.person_id, place.place_id, visit.at):
        return None
    return Report(
        new_id(),
        visit.at,
        ReportKind.VISIT,
        place.region_code,
        place.place_id,
        visit.color,
        visit.person_id,
    )


def _registered(store: Store, place_id: str | None) -> Place | None:
    return store.places.get(place_id) if place_id else None


def report_scan(ctx: Context, scan: Scan, enrolled_place_id: str | None) -> None:
    """Reports a yellow or red scan (valid ones only carry a colour), or a fever measured at the
    gate whatever the colour; a green scan without fever makes none."""
    fever = scan.valid and scan.reason == ReportKind.FEVER_AT_GATE.value
    if scan.color is None or not (fever or scan.color in REPORTED_COLORS):
        return
    kind = ReportKind.FEVER_AT_GATE if fever else ReportKind.SCAN
    if not first_this_hour(ctx.store, kind, scan.person_id, scan.place_id, scan.at):
        return
    place = _registered(ctx.store, scan.place_id)
    if place is None and enrolled_place_id != scan.place_id:
        place = _registered(ctx.store, enrolled_place_id)
    ctx.store.reports.add(
        Report(
            new_id(),
            scan.at,
            kind,
            place.region_code if place else config.province_code(),
            place.place_id if place else scan.place_id,
            scan.color,
            scan.person_id,
        )
    )


def first_kept_day(now: datetime) -> date:
    return retention_cutoff(shanghai_date(now), config.retention_days()) + timedelta(days=1)


def start_of(day: date) -> datetime:
    """00:00 of an Asia/Shanghai calendar day."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def _query(region_code: str | None, since: str | None, now: datetime) -> tuple[str, date]:
    # python-stdnum's region data only for the admin's query, not on the verify path.
    from chalicelib.validation import InvalidValue, check_region_code

    if not region_code:
        raise InvalidInput(
            "region_code is required: the 6-digit GB/T 2260 code of the region.",
            "缺少 region_code：须为6位行政区划代码。",
            code="invalid_region_code",
        )
    try:
        region = check_region_code(region_code)
    except InvalidValue as bad:
        raise InvalidInput(bad.message, bad.message_zh, code=bad.code) from None
    if since is None:
        return region, first_kept_day(now)
    try:
        day = date.fromisoformat(since) if _DATE.match(since) else None
    except ValueError:
        day = None
    if day is None or day > shanghai_date(now):
        raise InvalidInput(
            "since must be a date (YYYY-MM-DD, Asia/Shanghai) no later than today.",
            "since 须为不晚于今天的日期（YYYY-MM-DD，北京时间）。",
            code="invalid_since",
        )
    return region, day


def listing(
    ctx: Context,
    region_code: str | None,
    since: str | None,
    now: datetime,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The region's reports from `since` (default: the first day still kept), newest first, a
    page at a time: `next` names the page after this one (null on the last)."""
    region, day = _query(region_code, since, now)
    before = parse_cursor(cursor)
    limit = config.reports_limit()
    if before is not None and before[0] < start_of(day):
        found = []  # the cursor lies before `since`: nothing comes after it in the range
    else:
        found = ctx.store.reports.of_region(region, start_of(day), limit + 1, before)
    page = found[:limit]
    following = cursor_of(page[-1].at, page[-1].report_id) if len(found) > limit else None
    return {
        "reports": [
            {
                "at": r.at.isoformat(timespec="seconds"),
                "kind": r.kind.value,
                "place_id": r.place_id,
                "region_code": r.region_code,
                "color": r.color.value,
                "person_id": r.person_id,
            }
            for r in page
        ],
        "truncated": following is not None,
        "next": following,
    }
