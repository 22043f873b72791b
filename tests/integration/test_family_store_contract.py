"""Family bindings, share codes, paper revocation, rate counters and erasure on DynamoDB Local."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.entities import Account, Appeal, Link, Scan
from chalicelib.domain.errors import (
    AlreadyApplied,
    AlreadyBound,
    InvalidShareCode,
    LastGuardian,
    NotFound,
    TooManyDependents,
    TooManyGuardians,
)
from chalicelib.domain.history import anonymised, broken_links
from chalicelib.domain.model import Arrival, Checkin, Color, Role
from chalicelib.security.fields import new_person_id
from chalicelib.services.ports import NewPerson, Store
from tests.integration.test_store_contract import NOW, a_person, first_entry, store_person


def account(store: Store) -> str:
    account_id = "acc-" + new_person_id()
    store.accounts.create(
        Account(account_id, "13900000000", frozenset({Role.RESIDENT}), NOW), "pk-" + account_id
    )
    return account_id


def dependent_of(store: Store, guardian: str, limit: int = 10) -> str:
    person = replace(a_person(), guardians=1, self_held=False)
    entry = first_entry(person)
    person = replace(person, history_seq=1, history_hash=entry.hash)
    link = Link(guardian, person.person_id, "parent", NOW)
    markers = (f"id:{person.id_key}",)
    store.persons.create(NewPerson(person, link, markers, entry, dependent_limit=limit))
    return person.person_id


def share(store: Store, person_id: str, hours: int = 24, by: str = "acc") -> str:
    key = "share:" + new_person_id()
    store.family.put_share(key, person_id, by, NOW + timedelta(hours=hours))
    return key


def bind(store: Store, guardian: str, person_id: str, key: str, **limits: int) -> None:
    store.family.bind(
        Link(guardian, person_id, "child", NOW),
        share_key=key,
        now=NOW,
        max_dependents=limits.get("max_dependents", 10),
        max_guardians=limits.get("max_guardians", 3),
    )


def test_a_guardian_is_counted_against_the_dependent_limit(store: Store) -> None:
    guardian = account(store)
    for _ in range(2):
        dependent_of(store, guardian, limit=2)
    with pytest.raises(TooManyDependents):
        dependent_of(store, guardian, limit=2)


def test_a_share_code_binds_once_for_its_person_until_it_expires(store: Store) -> None:
    holder = store_person(store, replace(a_person(), self_held=True), (f"id:{new_person_id()}",))
    guardian, other = account(store), account(store)
    key = share(store, holder.person_id)
    with pytest.raises(InvalidShareCode):
        bind(store, guardian, new_person_id(), key)  # someone else's person
    bind(store, guardian, holder.person_id, key)
    assert store.family.link(guardian, holder.person_id) == Link(
        guardian, holder.person_id, "child", NOW
    )
    stored = store.persons.get(holder.person_id, consistent=True)
    assert stored is not None and stored.guardians == 1
    with pytest.raises(InvalidShareCode):
        bind(store, other, holder.person_id, key)  # used
    with pytest.raises(InvalidShareCode):
        bind(store, other, holder.person_id, share(store, holder.person_id, hours=-1))  # expired
    with pytest.raises(AlreadyBound):
        bind(store, guardian, holder.person_id, share(store, holder.person_id))


def test_binding_respects_both_limits_even_in_parallel(store: Store) -> None:
    holder = store_person(store, replace(a_person(), self_held=True), (f"id:{new_person_id()}",))
    guardians = [account(store) for _ in range(5)]
    keys = [share(store, holder.person_id) for _ in guardians]

    def try_bind(pair: tuple[str, str]) -> str:
        try:
            bind(store, pair[0], holder.person_id, pair[1], max_guardians=3)
            return "bound"
        except TooManyGuardians:
            return "full"

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = sorted(pool.map(try_bind, zip(guardians, keys, strict=True)))
    assert outcomes == ["bound"] * 3 + ["full"] * 2
    assert len([link for link in store.family.links_to(holder.person_id)]) == 4  # holder + 3


def test_a_share_code_dies_with_the_binding_of_whoever_gave_it(store: Store) -> None:
    holder = store_person(store, replace(a_person(), self_held=True), (f"id:{new_person_id()}",))
    guardian, newcomer = account(store), account(store)
    bind(store, guardian, holder.person_id, share(store, holder.person_id))
    key = share(store, holder.person_id, by=guardian)  # the guardian passes consent on…
    store.family.unbind(guardian, holder.person_id)  # …and stops acting for the person
    with pytest.raises(InvalidShareCode):
        bind(store, newcomer, holder.person_id, key)
    assert store.family.link(newcomer, holder.person_id) is None


def test_unbinding_is_immediate_but_never_leaves_a_person_without_anyone(store: Store) -> None:
    guardian, second = account(store), account(store)
    person_id = dependent_of(store, guardian)
    with pytest.raises(LastGuardian):
        store.family.unbind(guardian, person_id)
    bind(store, second, person_id, share(store, person_id, by=guardian))
    store.family.unbind(guardian, person_id)
    assert store.family.link(guardian, person_id) is None
    with pytest.raises(NotFound):
        store.family.unbind(guardian, person_id)
    with pytest.raises(NotFound):
        store.family.unbind("acc", person_id)  # never bound
    # The guardian's count went down with the link: the limit counts current bindings only.
    for _ in range(10):
        dependent_of(store, guardian)


def test_the_paper_revocation_reaches_the_verify_read(store: Store) -> None:
    person = store_person(store, a_person(), (f"id:{new_person_id()}",))
    store.persons.revoke_paper_codes(person.person_id, NOW)
    status = store.persons.status(person.person_id)
    assert status is not None and status.paper_not_before == NOW
    with pytest.raises(NotFound):
        store.persons.revoke_paper_codes(new_person_id(), NOW)


def test_a_counter_admits_exactly_its_limit(store: Store) -> None:
    key = "rate:test:" + new_person_id()
    with ThreadPoolExecutor(max_workers=6) as pool:
        admitted = list(pool.map(lambda _: store.counters.hit(key, 4, NOW), range(10)))
    assert admitted.count(True) == 4


def test_erasing_a_person_removes_everything_personal_and_frees_the_id(store: Store) -> None:
    guardian = account(store)
    person_id = dependent_of(store, guardian)
    person = store.persons.get(person_id, consistent=True)
    assert person is not None
    store.checkins.put(person_id, Checkin(date(2026, 11, 22), 36.6, ()), NOW)
    store.scans.add(
        Scan("ab" * 4, NOW, "checker", "gate", True, False, Color.YELLOW, None, person_id)
    )
    store.appeals.add(
        Appeal("ap-" + person_id, person_id, guardian, "请核实", "open", NOW, person.color)
    )
    arrival = Arrival("310000", "310101", date(2026, 11, 20), "train", Color.GREEN)
    store.persons.save_arrival(person_id, arrival, arrival.origin_codes, date(2026, 12, 3))
    person = store.persons.get(person_id, consistent=True)
    assert person is not None and person_id in store.epidemic.persons_visiting(
        "310101", date(2026, 11, 22)
    )
    history = store.history.of(person_id)
    anonymous = anonymised(history, "erased-" + new_person_id())
    links = store.family.links_to(person_id)
    gone = store.erasure.erase(person, links, (f"id:{person.id_key}",), anonymous)
    assert gone["checkins"] == 1 and gone["scans"] == 1 and gone["appeals"] == 1
    assert gone["history"] == 1 and gone["links"] == 1
    assert store.persons.get(person_id, consistent=True) is None
    assert store.persons.status(person_id) is None
    assert store.family.link(guardian, person_id) is None
    assert store.history.of(person_id) == []
    assert store.checkins.between(person_id, date(2026, 11, 1), date(2026, 11, 30)) == []
    assert store.appeals.get("ap-" + person_id) is None
    for region in ("420100", "310101", "310000"):  # declared, and from the arrival
        assert person_id not in store.epidemic.persons_visiting(region, date(2026, 11, 22))
    kept = store.history.of(anonymous[0].person_id)
    assert kept == anonymous and broken_links(kept) == []
    assert all(entry.actor is None for entry in kept)  # the guardian's account is gone
    # The ID can apply again at once.
    again = replace(a_person(), id_key=person.id_key)
    try:
        store_person(store, again, (f"id:{person.id_key}",))
    except AlreadyApplied:  # pragma: no cover - the assertion below explains
        pytest.fail("the ID marker was not removed")


def test_a_person_stored_before_family_bindings_counts_as_holding_their_own_code(
    dynamo_tables: str,
) -> None:
    from chalicelib.storage import tables as t
    from chalicelib.storage.dynamo import DynamoStore

    dynamo = DynamoStore()
    holder = store_person(dynamo, a_person(), (f"id:{new_person_id()}",))
    P = t.PersonItem
    P(holder.person_id).update(actions=[P.self_held.remove(), P.guardians.remove()])
    stored = dynamo.persons.get(holder.person_id, consistent=True)
    assert stored is not None and stored.self_held
    guardian = account(dynamo)
    bind(dynamo, guardian, holder.person_id, share(dynamo, holder.person_id))
    dynamo.family.unbind(guardian, holder.person_id)  # the holder still acts for themself
    assert dynamo.family.link(guardian, holder.person_id) is None


def test_a_counter_reserves_amounts_within_its_limit_and_takes_corrections(store: Store) -> None:
    key = "rate:test:" + new_person_id()
    assert store.counters.hit(key, 5, NOW, amount=3)
    assert not store.counters.hit(key, 5, NOW, amount=3)  # 6 would pass the limit: nothing counted
    assert store.counters.value(key) == 3
    assert store.counters.hit(key, 5, NOW, amount=2)
    assert store.counters.hit(key, None, NOW, amount=-4)  # a correction, never refused
    assert store.counters.value(key) == 1
    assert not store.counters.hit("rate:test:" + new_person_id(), 2, NOW, amount=3)
    assert store.counters.value("rate:test:none") == 0


def test_presenting_ones_own_share_code_is_already_bound_not_an_error(store: Store) -> None:
    guardian = account(store)
    person_id = dependent_of(store, guardian)
    with pytest.raises(AlreadyBound):
        bind(store, guardian, person_id, share(store, person_id, by=guardian))


def test_erasing_keeps_the_markers_of_whoever_holds_the_id_now(store: Store) -> None:
    guardian = account(store)
    person_id = dependent_of(store, guardian)
    person = store.persons.get(person_id, consistent=True)
    assert person is not None
    links = store.family.links_to(person_id)
    store.erasure.erase(person, links, (f"id:{person.id_key}",), [])
    again = replace(a_person(), id_key=person.id_key)
    store_person(store, again, (f"id:{person.id_key}",))
    # A second erase of the first person (a double click) must not free the new one's ID.
    store.erasure.erase(person, links, (f"id:{person.id_key}",), [])
    assert store.persons.for_id_keys([person.id_key]) == {person.id_key: again.person_id}
