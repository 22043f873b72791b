"""The authority's epidemic database: region risks, records per ID document (by its blind index)
and the declared region visits that say whom a region's change re-evaluates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from chalicelib.domain.model import Category, Record, Risk
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import (
    Page,
    Repository,
    day_key,
    day_shard,
    delete_day,
    delete_page_still_on_day,
    held,
)


class DynamoEpidemic(Repository):
    def region_risks(self, codes: Iterable[str]) -> dict[str, Risk]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        # Consistent: a region's change re-evaluates its visitors at once and must be seen.
        found = t.RegionItem.batch_get(wanted, consistent_read=True)
        return {item.region_code: Risk(item.risk) for item in found}

    def put_region(self, code: str, risk: Risk, *, by: str, at: datetime) -> None:
        t.RegionItem(code, risk=risk.value, updated_by=by, updated_at=at).save()

    def risky_regions(self) -> list[tuple[str, Risk, datetime]]:
        R = t.RegionItem
        found = R.scan(R.risk != Risk.LOW.value, consistent_read=True)
        return sorted((item.region_code, Risk(item.risk), item.updated_at) for item in found)

    def records_for(self, id_key: str) -> list[Record]:
        return [_record(item) for item in t.RecordItem.query(id_key, consistent_read=True)]

    def put_record(self, id_key: str, record: Record, *, by: str, at: datetime) -> bool:
        item = record_item(id_key, record, by=by, at=at)
        return held(lambda: item.save(condition=t.RecordItem.record_id.does_not_exist()))

    def persons_visiting(self, region_code: str, today: date) -> list[str]:
        found = t.VisitItem.query(region_code, filter_condition=t.VisitItem.until >= today)
        return [item.person_id for item in found]

    def visitors(
        self, region_code: str, today: date, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        page = t.VisitItem.query(
            region_code,
            filter_condition=t.VisitItem.until >= today,
            limit=limit,
            last_evaluated_key=(
                {"region_code": {"S": region_code}, "person_id": {"S": start}} if start else None
            ),
        )
        ids = [item.person_id for item in page]
        last = page.last_evaluated_key
        return ids, (last["person_id"]["S"] if last else None)

    def delete_visits_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        # Only if no later declaration moved its end on since.
        V = t.VisitItem
        return delete_page_still_on_day(
            V.by_until,
            V.until_shard,
            lambda k: V(k.region_code, k.person_id),
            day_key(day, shard),
            after,
            limit,
        )

    def delete_visits_until_day(self, day: date) -> int:
        return delete_day(self.delete_visits_page, day, "visits")


def visit_item(region: str, person_id: str, until: date) -> t.VisitItem:
    return t.VisitItem(
        region, person_id, until=until, until_shard=day_shard(until, person_id, "visits")
    )


def record_item(id_key: str, record: Record, *, by: str, at: datetime) -> t.RecordItem:
    return t.RecordItem(
        id_key,
        record.record_id,
        category=record.category.value,
        since=record.since,
        until=record.until,
        imported_by=by,
        imported_at=at,
        note_enc=encrypt(record.note, _note_context(id_key, record.record_id))
        if record.note
        else None,
    )


def _note_context(id_key: str, record_id: str) -> str:
    return f"records:note:{id_key}:{record_id}"


def _record(item: t.RecordItem) -> Record:
    return Record(
        record_id=item.record_id,
        category=Category(item.category),
        since=item.since,
        until=item.until,
        imported_at=item.imported_at,
        note=decrypt(item.note_enc, _note_context(item.id_key, item.record_id))
        if item.note_enc
        else None,
    )
