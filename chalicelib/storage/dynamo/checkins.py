"""Daily check-ins (健康打卡): one per person and Asia/Shanghai day, health data encrypted."""

from __future__ import annotations

import json
from datetime import date, datetime

from chalicelib.domain.model import Checkin, Symptom
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import (
    Page,
    Repository,
    day_key,
    day_shard,
    delete_day,
    delete_page_of_day,
)


class DynamoCheckins(Repository):
    def put(self, person_id: str, checkin: Checkin, at: datetime) -> bool:
        health = {"temperature": checkin.temperature, "symptoms": list(checkin.symptoms)}
        item = t.CheckinItem(
            person_id,
            checkin.day,
            health_enc=encrypt(json.dumps(health), _context(person_id, checkin.day)),
            at=at,
            day_shard=checkin_day_shard(person_id, checkin.day),
        )
        # One write that replaces the day's earlier check-in and says whether there was one.
        return self._db.put_returning_old(item)

    def between(self, person_id: str, first: date, last: date) -> list[Checkin]:
        found = t.CheckinItem.query(
            person_id, t.CheckinItem.day.between(first, last), consistent_read=True
        )
        return [_checkin(item) for item in found]

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        C = t.CheckinItem
        return delete_page_of_day(
            C, C.by_day, lambda k: C(k.person_id, k.day), day_key(day, shard), after, limit
        )

    def delete_of_day(self, day: date) -> int:
        return delete_day(self.delete_page, day, "checkins")


def checkin_day_shard(person_id: str, day: date) -> str:
    """A check-in's `by_day` partition: its day and a shard of the person id."""
    return day_shard(day, person_id, "checkins")


def _context(person_id: str, day: date) -> str:
    return f"checkins:health:{person_id}:{day.isoformat()}"


def _checkin(item: t.CheckinItem) -> Checkin:
    health = json.loads(decrypt(item.health_enc, _context(item.person_id, item.day)))
    return Checkin(
        day=item.day,
        temperature=float(health["temperature"]),
        symptoms=tuple(Symptom(s) for s in health["symptoms"]),
    )
