"""The crowd the epidemic benchmarks work on: `size` persons who applied, made by the real
application service, with only the store's last step done in bulk.

Every person goes through `applications.create` (blind index of the ID, assessment against the
policy, encrypted fields, the first history entry, the review day). The first one is stored by
the real `Persons.create` (one transaction); for the others, `create` only collects its
`NewPerson`, and the same items that transaction would put (the same mapping
functions of chalicelib.storage.dynamo) are written with BatchWriteItem, 25 a call. The records
and regions tables are checked empty first, so the reads `create` would make there (records of
the ID, risks of the regions) are answered empty without asking. At the end the items of a
bulk-made person are compared, attribute by attribute (names and types), with those of the one
made through the store.

The persons are those of apply_for_self (an `id:` and a `self:` marker, relation `self`), each
with an account id of their own; the account rows themselves are not written (nothing the
benchmarks run reads them).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import boto3
from pynamodb.models import Model
from stdnum.cn import ric

from chalicelib import config
from chalicelib.domain.entities import Person
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.model import Declaration, IdType, Record, Risk
from chalicelib.services.applications import Application, create
from chalicelib.services.context import Context
from chalicelib.services.ports import NewPerson, Persons, Store
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.epidemic import visit_item
from chalicelib.storage.dynamo.family import link_item
from chalicelib.storage.dynamo.history import history_item
from chalicelib.storage.dynamo.persons import person_item

REGION = "610112"  # declared visited by every tenth person (i % 10 == 0)
FEVERISH = 37.5  # declared by persons i % 20 == 19: yellow from the start


@dataclass(frozen=True)
class Crowd:
    ctx: Context
    id_numbers: list[str]  # resident ID numbers, person i's at index i
    person_ids: list[str]
    seconds: float  # to make them all


class _CollectingPersons:
    """The persons port with `create` collecting instead of writing; the rest goes to the real
    one."""

    def __init__(self, persons: Persons) -> None:
        self._persons = persons
        self.created: list[NewPerson] = []

    def create(self, new: NewPerson) -> None:
        self.created.append(new)

    def get(self, person_id: str, *, consistent: bool = False) -> Person | None:
        # create() re-reads the person it just stored (to see records that arrived meanwhile).
        last = self.created[-1].person if self.created else None
        if last is not None and last.person_id == person_id:
            return last
        return self._persons.get(person_id, consistent=consistent)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._persons, name)


class _Empty:
    """Records, regions and check-ins as they are on tables known to be empty of them."""

    def records_for(self, id_key: str) -> list[Record]:
        return []

    def region_risks(self, codes: Iterable[str]) -> dict[str, Risk]:
        return {}

    def between(self, person_id: str, first: date, last: date) -> list[Any]:
        return []


def _collecting(store: Store) -> tuple[Store, _CollectingPersons]:
    """The store as `applications.create` sees it on tables known to be empty of records and
    regions; creating a person collects instead of writing."""
    persons = _CollectingPersons(store.persons)
    empty: Any = _Empty()
    return replace(store, persons=persons, epidemic=empty, checkins=empty), persons


def resident_id(i: int) -> str:
    """A valid resident ID number, different for every i: birth day i // 1000, serial i % 1000."""
    born = date(1950, 1, 1) + timedelta(days=i // 1000)
    body = f"370102{born:%Y%m%d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def declaration(i: int, visit_every: int = 10) -> Declaration:
    if i % visit_every == 0:
        return Declaration(visited_regions=(REGION,))
    if i % 20 == 19:
        return Declaration(temperature=FEVERISH)
    return Declaration()


def _apply(ctx: Context, i: int, account_id: str, now: datetime, visit_every: int = 10) -> Person:
    """What apply_for_self does for a resident with an account of their own."""
    form = Application(
        name="王小明",
        id_type=IdType.RESIDENT_ID,
        id_number=resident_id(i),
        nationality="CHN",
        address="山东省济南市历下区泉城路1号",
        region_code="370102",
        declaration=declaration(i, visit_every),
    )
    cause = Cause(ActorKind.SELF, account_id, "application")
    phone = f"139{i:08d}"
    return create(ctx, form, phone, account_id, "self", (f"self:{account_id}",), cause, now)


def _items(c: NewPerson) -> dict[type[Model], list[Model]]:
    """The items the persons port's create puts in its transaction, by table."""
    p = c.person
    return {
        t.MarkerItem: [
            t.MarkerItem(key, target=p.person_id, created_at=p.created_at) for key in c.markers
        ],
        t.PersonItem: [person_item(p)],
        t.LinkItem: [link_item(c.link)],
        t.HistoryItem: [history_item(c.entry)],
        t.VisitItem: [
            visit_item(region, p.person_id, c.visits_until)
            for region in c.visits
            if c.visits_until is not None
        ],
    }


def _write(model: type[Model], items: list[Model]) -> None:
    with model.batch_write() as batch:
        for item in items:
            batch.save(item)


def _check_empty(*models: type[Model]) -> None:
    for model in models:
        count = int(model.describe_table().get("ItemCount", 0))
        if count:
            raise SystemExit(f"{model.Meta.table_name} is not empty ({count} items)")


def make(ctx: Context, size: int, now: datetime, visit_every: int = 10) -> Crowd:
    """`size` persons; every `visit_every`-th declared a visit to REGION."""
    _check_empty(t.RecordItem, t.RegionItem, t.PersonItem)
    started = time.perf_counter()
    accounts = [secrets.token_hex(8) for _ in range(size)]
    first = _apply(ctx, 0, accounts[0], now, visit_every)  # the real store: one transaction
    bulk_store, collecting = _collecting(ctx.store)
    bulk_ctx = Context(bulk_store, ctx.sms)
    people = [first] + [_apply(bulk_ctx, i, accounts[i], now, visit_every) for i in range(1, size)]
    by_table: dict[type[Model], list[Model]] = {}
    for creation in collecting.created:
        for model, items in _items(creation).items():
            by_table.setdefault(model, []).extend(items)
    with ThreadPoolExecutor(max_workers=len(by_table)) as pool:
        list(pool.map(lambda kv: _write(*kv), by_table.items()))
    seconds = time.perf_counter() - started
    if size > 10:
        # both i % 10 == 0: the same kind of declaration
        _same_shape((first, accounts[0]), (people[10], accounts[10]))
    return Crowd(ctx, [resident_id(i) for i in range(size)], [p.person_id for p in people], seconds)


def _shape(item: dict[str, Any]) -> dict[str, str]:
    return {name: next(iter(value)) for name, value in item.items()}


def _same_shape(real: tuple[Person, str], bulk: tuple[Person, str]) -> None:
    """The items of a bulk-made person have the attributes (and types) of one made by the store."""
    client = boto3.client("dynamodb", region_name=config.aws_region())
    prefix = config.table_prefix()

    def items(made: tuple[Person, str]) -> dict[str, dict[str, str]]:
        person, account_id = made
        keys = {
            "persons": {"person_id": {"S": person.person_id}},
            "markers": {"key": {"S": f"id:{person.id_key}"}},
            "history": {"person_id": {"S": person.person_id}, "seq": {"N": "1"}},
            "visits": {"region_code": {"S": REGION}, "person_id": {"S": person.person_id}},
            "links": {"account_id": {"S": account_id}, "person_id": {"S": person.person_id}},
        }
        found = {}
        for table, key in keys.items():
            got = client.get_item(TableName=prefix + table, Key=key, ConsistentRead=True)
            found[table] = _shape(got.get("Item", {}))
        return found

    expected, got = items(real), items(bulk)
    for table, shape in expected.items():
        if not shape or shape != got[table]:
            raise SystemExit(f"bulk-made {table} item differs: {got[table]} vs {shape}")
