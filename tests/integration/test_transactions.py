"""The one transaction helper: each item names the error its condition means, the items go in
the order they were added, and nothing is written when one fails."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.entities import Link
from chalicelib.domain.errors import AlreadyApplied, AlreadyBound, NotFound
from chalicelib.security.fields import new_person_id
from chalicelib.services.ports import Store
from chalicelib.storage import tables as t
from chalicelib.storage.attributes import DateAttribute
from chalicelib.storage.dynamo.common import Db, get
from chalicelib.storage.dynamo.transactions import Transaction

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def _marker(key: str) -> t.MarkerItem:
    return t.MarkerItem(key, target="someone", created_at=NOW)


def test_the_item_whose_condition_failed_raises_its_own_error(store: Store) -> None:
    taken = "test:" + new_person_id()
    _marker(taken).save()
    free = "test:" + new_person_id()
    tx = Transaction()
    tx.put(_marker(free), condition=t.MarkerItem.key.does_not_exist(), fails=AlreadyBound)
    tx.put(_marker(taken), condition=t.MarkerItem.key.does_not_exist(), fails=AlreadyApplied)
    with pytest.raises(AlreadyApplied):
        tx.commit(Db().connection())
    assert get(t.MarkerItem, free, consistent_read=True) is None  # all or nothing


def test_items_are_sent_as_added_whatever_their_kind(store: Store) -> None:
    missing = "test:" + new_person_id()
    taken = "test:" + new_person_id()
    _marker(taken).save()
    tx = Transaction()
    # An update added before a put: pynamodb's own TransactWrite would send the put first.
    tx.update(
        t.MarkerItem(missing),
        [t.MarkerItem.hits.add(1)],
        condition=t.MarkerItem.key.exists(),
        fails=NotFound,
    )
    tx.put(_marker(taken), condition=t.MarkerItem.key.does_not_exist(), fails=AlreadyApplied)
    assert [next(iter(r)) for r in tx.requests()] == ["Update", "Put"]
    with pytest.raises(NotFound):  # both fail: the first added wins
        tx.commit(Db().connection())


def test_a_transaction_whose_conditions_hold_writes_every_item(store: Store) -> None:
    keys = ["test:" + new_person_id() for _ in range(3)]
    tx = Transaction()
    for key in keys:
        tx.put(_marker(key), condition=t.MarkerItem.key.does_not_exist(), fails=AlreadyApplied)
    tx.commit(Db().connection())
    assert all(get(t.MarkerItem, key, consistent_read=True) for key in keys)


def test_a_calendar_date_is_stored_as_iso_text_and_read_back_as_a_date(store: Store) -> None:
    attribute = DateAttribute()
    assert attribute.serialize(date(2026, 2, 3)) == "2026-02-03"
    assert attribute.deserialize("2026-02-03") == date(2026, 2, 3)
    pid = new_person_id()
    t.CheckinItem(pid, date(2026, 2, 3), health_enc="x", at=NOW, day_shard="2026-02-03#0").save()
    raw = t.CheckinItem._get_connection().get_item(pid, "2026-02-03", consistent_read=True)
    assert raw["Item"]["day"] == {"S": "2026-02-03"}
    found = t.CheckinItem.query(
        pid, t.CheckinItem.day.between(date(2026, 2, 1), date(2026, 2, 28)), consistent_read=True
    )
    assert [item.day for item in found] == [date(2026, 2, 3)]


def test_an_item_with_a_condition_must_name_its_error_and_only_then() -> None:
    tx = Transaction()
    with pytest.raises(TypeError):
        tx.put(_marker("test:x"), condition=t.MarkerItem.key.does_not_exist())
    with pytest.raises(TypeError):
        tx.put(_marker("test:x"), fails=AlreadyApplied)
    assert tx.requests() == []


def test_a_new_person_without_its_id_key_is_refused_before_any_write() -> None:
    from dataclasses import replace

    from chalicelib.services.ports import NewPerson
    from tests.integration.test_store_contract import NOW as WHEN
    from tests.integration.test_store_contract import a_person, first_entry

    person = a_person()
    link = Link("acc", person.person_id, "self", WHEN)
    assert NewPerson(person, link, (), first_entry(person)).person.id_key
    with pytest.raises(ValueError):
        NewPerson(replace(person, id_key=""), link, ("id:",), first_entry(person))
