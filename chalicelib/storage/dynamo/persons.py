"""Code holders: the person item (personal fields encrypted, the colour plain for verify), its
uniqueness markers, its assessment and review day, its latest arrival and paper-code revocation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from datetime import date, datetime

from pynamodb.expressions.update import Action

from chalicelib import config
from chalicelib.domain.entities import Person, Status
from chalicelib.domain.errors import AlreadyApplied, Conflict, NotFound, TooManyDependents
from chalicelib.domain.history import HistoryEntry
from chalicelib.domain.model import (
    Arrival,
    Color,
    Declaration,
    IdType,
    Reason,
    Risk,
    Symptom,
    TestResult,
    VerifiedOrigin,
)
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.services.ports import NewPerson
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.accounts import count_dependent
from chalicelib.storage.dynamo.common import (
    Repository,
    day_key,
    day_of_key,
    day_shard,
    get,
    held,
)
from chalicelib.storage.dynamo.epidemic import visit_item
from chalicelib.storage.dynamo.family import link_item
from chalicelib.storage.dynamo.history import history_item
from chalicelib.storage.dynamo.transactions import Transaction


class DynamoPersons(Repository):
    def create(self, new: NewPerson) -> None:
        person, link = new.person, new.link
        tx = Transaction()
        for key in new.markers:
            marker = t.MarkerItem(key, target=person.person_id, created_at=person.created_at)
            tx.put(marker, condition=t.MarkerItem.key.does_not_exist(), fails=AlreadyApplied)
        if link.relation != "self" and new.dependent_limit is not None:
            count_dependent(tx, link.account_id, new.dependent_limit, fails=TooManyDependents)
        tx.put(
            person_item(person), condition=t.PersonItem.person_id.does_not_exist(), fails=Conflict
        )
        tx.put(link_item(link))
        tx.put(
            history_item(new.entry), condition=t.HistoryItem.seq.does_not_exist(), fails=Conflict
        )
        if new.visits_until is not None:
            for region in new.visits:
                tx.put(visit_item(region, person.person_id, new.visits_until))
        # Another transaction holding an item (a guardian's count, a marker) is worth a retry.
        tx.commit(self._db.connection(), retries=3)

    def get(self, person_id: str, *, consistent: bool = False) -> Person | None:
        item = get(t.PersonItem, person_id, consistent_read=consistent)
        return _person(item) if item else None

    # The verify path talks to the client directly: pynamodb asks for the consumed capacity on
    # every call, which nobody reads here and which costs DynamoDB Local ~0.4 ms a request.

    def status(self, person_id: str) -> Status | None:
        found = self._db.connection().client.get_item(
            TableName=t.PersonItem.Meta.table_name,
            Key={"person_id": {"S": person_id}},
            ConsistentRead=True,
            ProjectionExpression="color, name_enc, paper_not_before",
        )
        item = found.get("Item")
        if item is None:
            return None
        name = decrypt(item["name_enc"]["S"], f"persons:name:{person_id}")
        revoked = item.get("paper_not_before", {}).get("S")
        paper_not_before = t.PersonItem.paper_not_before.deserialize(revoked) if revoked else None
        return Status(person_id, Color(item["color"]["S"]), name, paper_not_before)

    def for_id_keys(self, id_keys: Iterable[str]) -> dict[str, str]:
        wanted = sorted({f"id:{key}" for key in id_keys})
        found = t.MarkerItem.batch_get(wanted, consistent_read=True) if wanted else []
        return {item.key.removeprefix("id:"): item.target for item in found}

    def save_assessment(
        self,
        person: Person,
        expected_version: int,
        entry: HistoryEntry | None,
        due: date | None,
        *,
        arrival_fixed: bool = False,
    ) -> None:
        due_key = review_key(person.person_id, due)
        P = t.PersonItem
        actions: list[Action] = [
            P.color.set(person.color.value),
            P.reasons.set(_reasons_json(person.reasons)),
            P.reason_notes_enc.set(notes)
            if (notes := _notes_sealed(person.person_id, person.reasons))
            else P.reason_notes_enc.remove(),
            P.since.set(person.since),
            P.profile.set(person.profile),
            P.rules_version.set(person.rules_version),
            P.version.set(person.version),
            P.history_seq.set(person.history_seq),
            P.due_key.set(due_key) if due_key else P.due_key.remove(),
        ]
        if person.history_hash is not None:
            actions.append(P.history_hash.set(person.history_hash))
        if arrival_fixed and person.arrival is not None:
            sealed = encrypt(_arrival_json(person.arrival), f"persons:arrival:{person.person_id}")
            actions.append(P.arrival_enc.set(sealed))
        tx = Transaction()
        # Someone else's write came first: Conflict, and the caller re-reads.
        tx.update(
            P(person.person_id), actions, condition=P.version == expected_version, fails=Conflict
        )
        if entry is not None:
            tx.put(
                history_item(entry), condition=t.HistoryItem.seq.does_not_exist(), fails=Conflict
            )
        tx.commit(self._db.connection())

    def save_arrival(
        self,
        person_id: str,
        arrival: Arrival,
        visits: tuple[str, ...],
        visits_until: date,
        *,
        version: int | None = None,
    ) -> None:
        P = t.PersonItem
        sealed = encrypt(_arrival_json(arrival), f"persons:arrival:{person_id}")
        tx = Transaction()
        condition = P.person_id.exists()
        fails: type[NotFound | Conflict] = NotFound
        if version is not None:
            condition, fails = condition & (P.version == version), Conflict
        tx.update(
            P(person_id),
            [P.arrival_enc.set(sealed), P.version.add(1)],
            condition=condition,
            fails=fails,
        )
        for region in visits:
            tx.put(visit_item(region, person_id, visits_until))
        tx.commit(self._db.connection())

    def revoke_paper_codes(self, person_id: str, before: datetime) -> None:
        P = t.PersonItem
        revoke: list[Action] = [P.paper_not_before.set(before)]
        if not held(lambda: P(person_id).update(actions=revoke, condition=P.person_id.exists())):
            raise NotFound()

    def due(self, day: date) -> Iterator[Person]:
        # The index projects whole items: one read per due person, page by page.
        for partition in self.due_partitions(day):
            for item in t.PersonItem.by_due.query(partition):
                yield _person(item)

    def due_partitions(self, day: date) -> list[str]:
        # Every shard a day may have been written to, with this count or an earlier one.
        return [day_key(day, shard) for shard in range(config.shards_read("due"))]

    def due_page(
        self, partition: str, start: str | None, limit: int
    ) -> tuple[list[Person], str | None]:
        page = t.PersonItem.by_due.query(
            partition,
            limit=limit,
            last_evaluated_key=(
                {"due_key": {"S": partition}, "person_id": {"S": start}} if start else None
            ),
        )
        persons = [_person(item) for item in page]
        last = page.last_evaluated_key
        return persons, (last["person_id"]["S"] if last else None)

    def count(self) -> int:
        # DescribeTable's ItemCount: refreshed about every six hours on AWS, exact locally.
        return int(t.PersonItem.describe_table().get("ItemCount", 0))

    def ids(
        self, segment: int, segments: int, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        page = t.PersonItem.scan(
            segment=segment,
            total_segments=segments,
            limit=limit,
            last_evaluated_key={"person_id": {"S": start}} if start else None,
            attributes_to_get=["person_id"],
        )
        ids = [item.person_id for item in page]
        last = page.last_evaluated_key
        return ids, (last["person_id"]["S"] if last else None)


def review_key(person_id: str, due: date | None) -> str | None:
    """The person's `by_due` partition: the review day and a shard of the person id, so that
    one busy day is spread over several index partitions; None without a review day."""
    return day_shard(due, person_id, "due") if due else None


def person_item(person: Person) -> t.PersonItem:
    pid = person.person_id

    def seal(field: str, value: str) -> str:
        return encrypt(value, f"persons:{field}:{pid}")

    return t.PersonItem(
        pid,
        name_enc=seal("name", person.name),
        id_type=person.id_type.value,
        id_number_enc=seal("id_number", person.id_number),
        id_key=person.id_key,
        phone_enc=seal("phone", person.phone),
        nationality=person.nationality,
        address_enc=seal("address", person.address),
        region_code=person.region_code,
        declaration_enc=seal("declaration", json.dumps(asdict(person.declaration))),
        declared_on=person.declared_on,
        color=person.color.value,
        reasons=_reasons_json(person.reasons),
        reason_notes_enc=_notes_sealed(pid, person.reasons),
        since=person.since,
        profile=person.profile,
        rules_version=person.rules_version,
        created_at=person.created_at,
        version=person.version,
        history_seq=person.history_seq,
        history_hash=person.history_hash,
        due_key=review_key(person.person_id, person.due),
        self_held=person.self_held,
        guardians=person.guardians,
        paper_not_before=person.paper_not_before,
        arrival_enc=seal("arrival", _arrival_json(person.arrival)) if person.arrival else None,
    )


def _person(item: t.PersonItem) -> Person:
    pid = item.person_id

    def open_(field: str, value: str) -> str:
        return decrypt(value, f"persons:{field}:{pid}")

    declared = json.loads(open_("declaration", item.declaration_enc))
    declaration = Declaration(
        visited_regions=tuple(declared["visited_regions"]),
        contact_with_case=declared["contact_with_case"],
        fever_clinic_visit=declared["fever_clinic_visit"],
        symptoms=tuple(Symptom(s) for s in declared["symptoms"]),
        temperature=declared["temperature"],
        from_abroad=declared["from_abroad"],
    )
    return Person(
        person_id=pid,
        name=open_("name", item.name_enc),
        id_type=IdType(item.id_type),
        id_number=open_("id_number", item.id_number_enc),
        phone=open_("phone", item.phone_enc),
        nationality=item.nationality,
        address=open_("address", item.address_enc),
        region_code=item.region_code,
        declaration=declaration,
        declared_on=item.declared_on,
        color=Color(item.color),
        reasons=_with_notes(
            tuple(_reason(r) for r in json.loads(item.reasons)),
            open_("reason_notes", item.reason_notes_enc) if item.reason_notes_enc else None,
        ),
        since=item.since,
        profile=item.profile,
        rules_version=item.rules_version,
        created_at=item.created_at,
        version=int(item.version),
        history_seq=int(item.history_seq or 0),
        history_hash=item.history_hash,
        id_key=item.id_key,
        due=day_of_key(item.due_key) if item.due_key else None,
        self_held=item.self_held is None or bool(item.self_held),  # None: stored before family
        guardians=int(item.guardians or 0),
        paper_not_before=item.paper_not_before,
        arrival=_arrival(open_("arrival", item.arrival_enc)) if item.arrival_enc else None,
    )


def _notes_sealed(person_id: str, reasons: tuple[Reason, ...]) -> str | None:
    """The reasons' notes (by position), encrypted; None when no reason has one."""
    notes = [r.note for r in reasons]
    if not any(notes):
        return None
    return encrypt(json.dumps(notes, ensure_ascii=False), f"persons:reason_notes:{person_id}")


def _with_notes(reasons: tuple[Reason, ...], notes_json: str | None) -> tuple[Reason, ...]:
    if notes_json is None:
        return reasons
    notes = json.loads(notes_json)
    return tuple(replace(r, note=n) for r, n in zip(reasons, notes, strict=False))


def _reasons_json(reasons: tuple[Reason, ...]) -> str:
    return json.dumps([_reason_dict(r) for r in reasons], ensure_ascii=False)


def _reason_dict(reason: Reason) -> dict[str, str | None]:
    return {
        "code": reason.code,
        "rule": reason.rule,
        "color": reason.color.value,
        "message": reason.message,
        "message_zh": reason.message_zh,
        "until": _iso(reason.until),
    }


def _reason(data: dict[str, str | None]) -> Reason:
    return Reason(
        code=str(data["code"]),
        rule=str(data["rule"]),
        color=Color(str(data["color"])),
        message=str(data["message"]),
        message_zh=str(data["message_zh"]),
        until=_day(data.get("until")),
    )


# Days inside encrypted or JSON fields (reasons, arrivals) travel as ISO text, like DateAttribute.


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _arrival_json(arrival: Arrival) -> str:
    return json.dumps(
        {
            "origin_province": arrival.origin_province,
            "origin_region": arrival.origin_region,
            "arrival_date": _iso(arrival.arrival_date),
            "transport": arrival.transport,
            "origin_color": arrival.origin_color.value if arrival.origin_color else None,
            "origin_issuer": arrival.origin_issuer,
            "quarantine_end": _iso(arrival.quarantine_end),
            "test_result": arrival.test_result.value,
            "test_date": _iso(arrival.test_date),
            "origin_risk": arrival.origin_risk.value if arrival.origin_risk else None,
            "held": _held_json(arrival.held),
        },
        ensure_ascii=False,
    )


def _arrival(text: str) -> Arrival:
    data = json.loads(text)
    return Arrival(
        origin_province=data["origin_province"],
        origin_region=data["origin_region"],
        arrival_date=date.fromisoformat(data["arrival_date"]),
        transport=data["transport"],
        origin_color=Color(data["origin_color"]) if data["origin_color"] else None,
        origin_issuer=data["origin_issuer"],
        quarantine_end=_day(data.get("quarantine_end")),
        test_result=TestResult(data["test_result"]),
        test_date=_day(data.get("test_date")),
        origin_risk=Risk(data["origin_risk"]) if data.get("origin_risk") else None,
        held=_held(data.get("held")),
    )


def _held_json(held: VerifiedOrigin | None) -> dict[str, str] | None:
    if held is None:
        return None
    return {
        "color": held.color.value,
        "issuer": held.issuer,
        "arrival_date": held.arrival_date.isoformat(),
    }


def _held(data: dict[str, str] | None) -> VerifiedOrigin | None:
    """Absent in arrivals stored before it existed: nothing held."""
    if not data:
        return None
    return VerifiedOrigin(
        Color(data["color"]), data["issuer"], date.fromisoformat(data["arrival_date"])
    )
