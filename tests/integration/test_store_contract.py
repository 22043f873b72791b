"""The store contract on the real DynamoDB Local store."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.entities import Account, Link, Person, Scan, Status
from chalicelib.domain.errors import AlreadyApplied, Conflict
from chalicelib.domain.history import ActorKind, HistoryEntry, broken_links, next_entry
from chalicelib.domain.model import (
    Category,
    Color,
    Declaration,
    IdType,
    Reason,
    Record,
    Risk,
    Role,
    Symptom,
)
from chalicelib.domain.otp import OtpState
from chalicelib.security.fields import new_person_id
from chalicelib.services.ports import NewPerson, Store

NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


def a_person(**changes: object) -> Person:
    person = Person(
        person_id=new_person_id(),
        name="欧阳锋",
        id_type=IdType.RESIDENT_ID,
        id_number="11010519491231002X",
        phone="13912345678",
        nationality="CHN",
        address="海南省海口市",
        region_code="460100",
        declaration=Declaration(("420100",), False, True, (Symptom.COUGH,), 37.5, False),
        declared_on=date(2026, 11, 22),
        color=Color.YELLOW,
        reasons=(
            Reason("fever_temperature", "SD-Y-1", Color.YELLOW, "Fever", "发热", date(2026, 12, 5)),
        ),
        since=NOW,
        profile="shandong",
        rules_version="shandong-2020.1",
        created_at=NOW,
    )
    person = replace(person, id_key="key-" + person.person_id)
    return replace(person, **changes)  # type: ignore[arg-type]


def first_entry(person: Person) -> HistoryEntry:
    entry = HistoryEntry(
        person.person_id,
        0,
        NOW,
        None,
        person.color,
        ("fever_temperature",),
        "SD-Y-1",
        "shandong-2020.1",
        "shandong",
        ActorKind.SELF,
        "acc",
        "application",
        None,
    )
    return next_entry(0, None, entry)


def store_person(
    store: Store, person: Person, markers: tuple[str, ...], due: date | None = None
) -> Person:
    """Creates the person as an application would; returns it with its history head."""
    entry = first_entry(person)
    person = replace(person, history_seq=1, history_hash=entry.hash, due=due)
    link = Link("acc", person.person_id, "self", NOW)
    store.persons.create(NewPerson(person, link, markers, entry))
    return person


def test_a_person_comes_back_exactly_as_stored(store: Store) -> None:
    person = store_person(store, a_person(), (f"id:{person_marker()}",))
    assert store.persons.get(person.person_id, consistent=True) == person
    assert store.family.link("acc", person.person_id) == Link("acc", person.person_id, "self", NOW)
    assert store.family.link("other", person.person_id) is None
    assert store.persons.status(person.person_id) == Status(
        person.person_id, Color.YELLOW, "欧阳锋"
    )
    assert store.persons.status(new_person_id()) is None


def person_marker() -> str:
    return new_person_id()


def test_a_reassessment_is_stored_over_its_version_only_with_its_history_entry(
    store: Store,
) -> None:
    person = store_person(store, a_person(), (f"id:{person_marker()}",), due=date(2026, 12, 6))
    assert person.person_id in [p.person_id for p in store.persons.due(date(2026, 12, 6))]
    entry = next_entry(
        person.history_seq,
        person.history_hash,
        replace(
            first_entry(person),
            from_color=Color.YELLOW,
            to_color=Color.GREEN,
            actor_kind=ActorKind.SYSTEM,
            actor=None,
            source="expiry",
        ),
    )
    green = replace(
        person,
        color=Color.GREEN,
        reasons=(),
        version=1,
        history_seq=2,
        history_hash=entry.hash,
        due=None,
    )
    store.persons.save_assessment(green, 0, entry, None)
    with pytest.raises(Conflict):
        store.persons.save_assessment(green, 0, None, None)  # someone else's stale read
    assert store.persons.get(person.person_id, consistent=True) == green
    history = store.history.of(person.person_id)
    assert [e.seq for e in history] == [1, 2] and broken_links(history) == []
    assert person.person_id not in [p.person_id for p in store.persons.due(date(2026, 12, 6))]


def test_one_id_marker_admits_exactly_one_person_under_concurrency(store: Store) -> None:
    people = [a_person() for _ in range(6)]

    def create(person: Person) -> str:
        try:
            store_person(store, person, ("id:same-key-" + people[0].person_id,))
            return "created"
        except AlreadyApplied:
            return "refused"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(create, people))
    assert outcomes == ["created"] + ["refused"] * 5
    assert sum(store.persons.get(p.person_id) is not None for p in people) == 1


def test_otp_state_is_saved_only_over_the_version_it_was_read_at(store: Store) -> None:
    state = OtpState("h", 100, 0, (1,))
    assert store.logins.get("phone-a") == (None, 0)
    store.logins.save("phone-a", state, 0)
    assert store.logins.get("phone-a") == (state, 1)
    with pytest.raises(Conflict):
        store.logins.save("phone-a", state, 0)
    store.logins.save("phone-a", replace(state, attempts=1), 1)
    assert store.logins.get("phone-a")[0] == replace(state, attempts=1)


def test_an_account_is_created_once_per_phone_and_roles_are_added(store: Store) -> None:
    key = "phone-" + new_person_id()
    account = Account(new_person_id(), "13800001234", frozenset({Role.RESIDENT}), NOW)
    store.accounts.create(account, key)
    with pytest.raises(Conflict):
        store.accounts.create(replace(account, account_id=new_person_id()), key)
    assert store.accounts.for_phone(key) == account
    granted = store.accounts.grant_role(
        account.account_id, Role.CHECKER, name="李四", place_id="gate-9"
    )
    assert granted.roles == {Role.RESIDENT, Role.CHECKER}
    assert (granted.name, granted.place_id) == ("李四", "gate-9")
    assert store.accounts.get(account.account_id) == granted


def test_records_are_kept_once_per_record_id(store: Store) -> None:
    key = "id-" + new_person_id()
    record = Record("r-1", Category.CLOSE_CONTACT, date(2026, 11, 20), None)
    assert store.epidemic.put_record(key, record, by="admin", at=NOW) is True
    assert store.epidemic.put_record(key, record, by="admin", at=NOW.replace(hour=9)) is False
    assert store.epidemic.records_for(key) == [
        replace(record, imported_at=NOW)
    ]  # with when it came


def test_region_risks_come_back_only_for_known_regions(store: Store) -> None:
    store.epidemic.put_region("420100", Risk.HIGH, by="admin", at=NOW)
    assert store.epidemic.region_risks(["420100", "110101"]) == {"420100": Risk.HIGH}
    assert store.epidemic.region_risks([]) == {}


def test_scans_are_written(store: Store) -> None:
    store.scans.add(
        Scan(new_person_id(), NOW, "acc", "gate-1", True, True, Color.GREEN, None, new_person_id())
    )
    store.scans.add(Scan(new_person_id(), NOW, "acc", None, False, False, None, "expired", None))


def test_a_correction_stores_its_decision_and_cleared_record_together(store: Store) -> None:
    from chalicelib.domain.entities import Appeal

    person = store_person(store, a_person(), (f"id:{person_marker()}",))
    opened = Appeal(
        "ap-" + new_person_id(), person.person_id, "acc", "有误", "open", NOW, Color.RED
    )
    store.appeals.add(opened)
    cleared = Record("appeal-" + opened.appeal_id, Category.CLEARED, date(2026, 11, 22), None)
    # The record id is taken already: nothing is stored, the appeal stays open.
    store.epidemic.put_record(person.id_key, cleared, by="admin-1", at=NOW)
    decided = replace(opened, status="resolved", decision="corrected", resolved_by="admin-2")
    with pytest.raises(Conflict):
        store.appeals.resolve(decided, (person.id_key, cleared), at=NOW)
    kept = store.appeals.get(opened.appeal_id)
    assert kept is not None and kept.status == "open"
    fresh = replace(cleared, record_id=cleared.record_id + "-2")
    store.appeals.resolve(decided, (person.id_key, fresh), at=NOW)
    assert fresh.record_id in {r.record_id for r in store.epidemic.records_for(person.id_key)}
    with pytest.raises(Conflict):  # resolved once only
        store.appeals.resolve(decided, None, at=NOW)
