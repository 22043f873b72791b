"""Checkpoint scans (by day and shard, for retention) and the authority's reports of yellow and
red scans and place visits (by region and time)."""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Scan
from chalicelib.domain.model import Color
from chalicelib.domain.places import Report, ReportKind
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import (
    SCAN_SHARDS,
    Repository,
    at_id,
    at_of,
    day_key,
    day_shard,
    delete_all,
    keys_of_day,
)


class DynamoScans(Repository):
    def add(self, scan: Scan) -> None:
        item = t.ScanItem(
            day_shard(shanghai_date(scan.at), scan.scan_id, SCAN_SHARDS),
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
        # On the verify path: one call on the client (see persons.DynamoPersons.status).
        self._db.connection().client.put_item(
            TableName=t.ScanItem.Meta.table_name, Item=item.serialize()
        )

    def delete_of_day(self, day: date) -> int:
        S, keys = t.ScanItem, ["day_shard", "at_id"]
        shards = (day_key(day, shard) for shard in range(SCAN_SHARDS))
        return sum(delete_all(S, S.query(key, attributes_to_get=keys)) for key in shards)


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

    def delete_of_day(self, day: date) -> int:
        keys = keys_of_day(t.ReportItem.by_day, day)
        return delete_all(t.ReportItem, (t.ReportItem(k.region_code, k.at_id) for k in keys))


def report_item(report: Report) -> t.ReportItem:
    return t.ReportItem(
        report.region_code,
        at_id(report.at, report.report_id),
        kind=report.kind.value,
        place_id=report.place_id,
        color=report.color.value,
        person_id=report.person_id,
        day_shard=day_shard(shanghai_date(report.at), report.report_id),
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
