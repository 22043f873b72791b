"""Registered places (场所码) and the place codes people scanned (docs/decisions/0009)."""

from __future__ import annotations

from datetime import date, datetime

from pynamodb.expressions.update import Action

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Color
from chalicelib.domain.places import Place, PlaceType, PlaceVisit, Report
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
    get,
    held,
)
from chalicelib.storage.dynamo.scans import report_item
from chalicelib.storage.dynamo.transactions import Transaction


class DynamoPlaces(Repository):
    def add(self, place: Place) -> None:
        tx = Transaction()
        tx.put(_place_item(place), condition=t.PlaceItem.place_id.does_not_exist(), fails=Conflict)
        tx.check(
            t.KeyItem,
            "place",
            place.kid,
            condition=t.KeyItem.kid.exists() & t.KeyItem.retire_at.does_not_exist(),
            fails=Conflict,
        )
        tx.commit(self._db.connection())

    def get(self, place_id: str) -> Place | None:
        item = get(t.PlaceItem, place_id, consistent_read=True)
        return _place(item) if item else None

    def close(self, place_id: str, at: datetime) -> Place | None:
        item = t.PlaceItem(place_id)
        P = t.PlaceItem
        closing: list[Action] = [P.closed_at.set(at), P.open_kid.remove()]
        still_open = P.place_id.exists() & P.closed_at.does_not_exist()
        if not held(lambda: item.update(actions=closing, condition=still_open)):
            return self.get(place_id)  # unknown (None) or closed before
        return _place(item)

    def key_in_use(self, kid: str) -> bool:
        return any(True for _ in t.PlaceItem.by_kid.query(kid, limit=1))

    def page(self, after: str | None, limit: int) -> tuple[list[Place], str | None]:
        found = t.PlaceItem.scan(
            limit=limit,
            consistent_read=True,
            last_evaluated_key={"place_id": {"S": after}} if after else None,
        )
        places = [_place(item) for item in found]
        last = found.last_evaluated_key
        return places, (last["place_id"]["S"] if last else None)

    def add_visit(self, visit: PlaceVisit, report: Report | None) -> None:
        item = t.PlaceVisitItem(
            visit.person_id,
            at_id(visit.at, visit.visit_id),
            place_id=visit.place_id,
            place_name=visit.place_name,
            place_type=visit.place_type.value,
            color=visit.color.value,
            day_shard=day_shard(shanghai_date(visit.at), visit.visit_id, "place_visits"),
        )
        if report is None:
            item.save()
            return
        tx = Transaction()
        tx.put(item)
        tx.put(report_item(report))
        tx.commit(self._db.connection())

    def visits_of(self, person_id: str, since: datetime) -> list[PlaceVisit]:
        found = t.PlaceVisitItem.query(
            person_id,
            t.PlaceVisitItem.at_id >= at_id(since, ""),
            consistent_read=True,
            scan_index_forward=False,
        )
        return [_place_visit(item) for item in found]

    def delete_visits_of(self, person_id: str) -> int:
        keys = t.PlaceVisitItem.query(person_id, attributes_to_get=["person_id", "at_id"])
        return delete_all(t.PlaceVisitItem, keys)

    def delete_visits_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        V = t.PlaceVisitItem
        return delete_page_of_day(
            V, V.by_day, lambda k: V(k.person_id, k.at_id), day_key(day, shard), after, limit
        )

    def delete_visits_of_day(self, day: date) -> int:
        return delete_day(self.delete_visits_page, day, "place_visits")


def _place_item(place: Place) -> t.PlaceItem:
    return t.PlaceItem(
        place.place_id,
        name=place.name,
        type=place.type.value,
        region_code=place.region_code,
        address=place.address,
        created_at=place.created_at,
        created_by=place.created_by,
        kid=place.kid,
        token=place.token,
        jti=place.jti,
        closed_at=place.closed_at,
        open_kid=place.kid if place.closed_at is None else None,
    )


def _place(item: t.PlaceItem) -> Place:
    return Place(
        place_id=item.place_id,
        name=item.name,
        type=PlaceType(item.type),
        region_code=item.region_code,
        address=item.address,
        created_at=item.created_at,
        created_by=item.created_by,
        kid=item.kid,
        token=item.token,
        jti=item.jti,
        closed_at=item.closed_at,
    )


def _place_visit(item: t.PlaceVisitItem) -> PlaceVisit:
    return PlaceVisit(
        visit_id=item.at_id.partition("#")[2],
        person_id=item.person_id,
        at=at_of(item.at_id),
        place_id=item.place_id,
        place_name=item.place_name,
        place_type=PlaceType(item.place_type),
        color=Color(item.color),
    )
