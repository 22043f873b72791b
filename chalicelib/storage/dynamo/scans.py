"""Checkpoint scans (by day and shard, for retention) and the authority's reports of yellow and
red scans and place visits (by region and time)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Scan
from chalicelib.domain.model import Color
from chalicelib.domain.places import Report, ReportKind
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import (
    Page,
    Repository,
    at_id,
    at_of,
    day_key,
    day_shard,
    delete_all,
    delete_day,
    delete_page_of_day,
    page_of,
)


class DynamoScans(Repository):
    def add(self, scan: Scan) -> None:
        # On the verify path: one call on the client (see persons.DynamoPersons.status).
        self._db.connection().client.put_item(
            TableName=t.ScanItem.Meta.table_name, Item=scan_item(scan).serialize()
        )

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        S, keys = t.ScanItem, ["day_shard", "at_id"]
        query = partial(S.query, attributes_to_get=keys)
        found, following = page_of(query, day_key(day, shard), after, limit)
        return delete_all(S, found), following

    def delete_of_day(self, day: date) -> int:
        return delete_day(self.delete_page, day, "scans")


def scan_item(scan: Scan) -> t.ScanItem:
    """A scan as stored: under its Asia/Shanghai day and a shard of its random id."""
    return t.ScanItem(
        day_shard(shanghai_date(scan.at), scan.scan_id, "scans"),
        f"{scan.at.isoformat()}#{scan.scan_id}",
        checker_id=scan.checker_id,
        place_id=scan.place_id,
        valid=scan.valid,
        passed=scan.passed,
        color=scan.color.value if scan.color else None,
        reason=scan.reason,
        person_id=scan.person_id,
        via=scan.via if scan.via != "token" else None,
    )


class DynamoReports(Repository):
    def add(self, report: Report) -> None:
        report_item(report).save()

    def of_region(
        self,
        region_code: str,
        since: datetime,
        limit: int,
        before: tuple[datetime, str] | None = None,
    ) -> list[Report]:
        R = t.ReportItem
        start = (
            None
            if before is None
            else {
                "region_code": {"S": region_code},
                "at_id": {"S": at_id(*before)},
            }
        )
        found = R.query(
            region_code,
            R.at_id >= at_id(since, ""),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
        )
        return [_report(item) for item in found]

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        R = t.ReportItem
        return delete_page_of_day(
            R, R.by_day, lambda k: R(k.region_code, k.at_id), day_key(day, shard), after, limit
        )

    def delete_of_day(self, day: date) -> int:
        return delete_day(self.delete_page, day, "reports")


def report_item(report: Report) -> t.ReportItem:
    return t.ReportItem(
        report.region_code,
        at_id(report.at, report.report_id),
        kind=report.kind.value,
        place_id=report.place_id,
        color=report.color.value,
        person_id=report.person_id,
        day_shard=day_shard(shanghai_date(report.at), report.report_id, "reports"),
    )


def _report(item: t.ReportItem) -> Report:
    return Report(
        report_id=item.at_id.partition("#")[2],
        at=at_of(item.at_id),
        kind=ReportKind(item.kind),
        region_code=item.region_code,
        place_id=item.place_id,
        color=Color(item.color),
        person_id=item.person_id,
    )
