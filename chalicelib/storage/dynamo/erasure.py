"""Deleting a person's data (注销): everything kept about them, across the tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Link, Person
from chalicelib.domain.errors import Conflict
from chalicelib.domain.history import HistoryEntry
from chalicelib.services.ports import Markers
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, delete_all
from chalicelib.storage.dynamo.family import DynamoFamily
from chalicelib.storage.dynamo.history import history_item
from chalicelib.storage.dynamo.places import DynamoPlaces
from chalicelib.storage.dynamo.transactions import Transaction


class DynamoErasure(Repository):
    def record(self, person_id: str, at: datetime) -> None:
        at_person = f"{at.isoformat()}#{person_id}"
        t.ErasureItem(shanghai_date(at), at_person, person_id=person_id, at=at).save()

    def erased_between(self, first: date, last: date) -> list[tuple[str, datetime]]:
        found = []
        day = first
        while day <= last:
            found += [(item.person_id, item.at) for item in t.ErasureItem.query(day)]
            day += timedelta(days=1)
        return found

    def erase(
        self, person: Person, links: list[Link], markers: Markers, anonymous: list[HistoryEntry]
    ) -> dict[str, int]:
        pid = person.person_id
        C, S, A, V, H = t.CheckinItem, t.ScanItem, t.AppealItem, t.VisitItem, t.HistoryItem
        gone = {
            "checkins": delete_all(C, C.query(pid, attributes_to_get=["person_id", "day"])),
            "scans": delete_all(S, (S(k.day_shard, k.at_id) for k in S.by_person.query(pid))),
            "appeals": delete_all(A, (A(k.appeal_id) for k in A.by_person.query(pid))),
            "place_visits": DynamoPlaces(self._db).delete_visits_of(pid),
            "declared_visits": delete_all(
                V, (V(k.region_code, pid) for k in V.by_person.query(pid))
            ),
        }
        # The anonymous copy first, then the original: an interruption leaves a copy at most.
        with H.batch_write() as batch:
            for entry in anonymous:
                batch.save(history_item(entry))
        gone["history"] = delete_all(H, H.query(pid, attributes_to_get=["person_id", "seq"]))
        for attempt in range(3):
            try:
                self._delete_person(pid, links, markers)
                break
            except Conflict:
                # A link went (an unbinding at the same moment): read them again, so that no
                # guardian's count goes down twice.
                if attempt == 2:
                    raise
                links = DynamoFamily(self._db).links_to(pid)
        gone["links"] = len(links)
        return gone

    def _delete_person(self, pid: str, links: list[Link], markers: Markers) -> None:
        L, A, M = t.LinkItem, t.AccountItem, t.MarkerItem
        # Only markers that still name this person: the ID may have applied again already.
        mine = [m.key for m in M.batch_get(list(markers), consistent_read=True) if m.target == pid]
        tx = Transaction()
        tx.delete(t.PersonItem(pid))
        for key in mine:
            tx.delete(M(key), condition=M.key.does_not_exist() | (M.target == pid), fails=Conflict)
        for link in links:
            tx.delete(L(link.account_id, pid), condition=L.person_id.exists(), fails=Conflict)
            if link.relation != "self":
                tx.update(A(link.account_id), [A.dependents.add(-1)])
        tx.commit(self._db.connection())
