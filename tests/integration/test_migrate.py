"""`create-tables` on a database kept from an earlier version adds the indexes a table lacks and
rebuilds one whose projection changed (make run's DynamoDB Local keeps its data in .data/)."""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib import config
from chalicelib.storage.migrate import sync_indexes


def _models(name: str) -> tuple[type[Model], type[Model]]:
    class OldByDay(GlobalSecondaryIndex[Any]):
        class Meta:
            index_name = "by_day"
            projection = KeysOnlyProjection()

        day = UnicodeAttribute(hash_key=True)

    class Old(Model):
        class Meta:
            table_name = name
            region = config.aws_region()
            billing_mode = "PAY_PER_REQUEST"

        key = UnicodeAttribute(hash_key=True)
        day = UnicodeAttribute(null=True)
        by_day = OldByDay()

    class NewByDay(GlobalSecondaryIndex[Any]):
        class Meta:
            index_name = "by_day"
            projection = AllProjection()

        day = UnicodeAttribute(hash_key=True)

    class NewByKind(GlobalSecondaryIndex[Any]):
        class Meta:
            index_name = "by_kind"
            projection = KeysOnlyProjection()

        kind = UnicodeAttribute(hash_key=True)

    class New(Model):
        class Meta:
            table_name = name
            region = config.aws_region()
            billing_mode = "PAY_PER_REQUEST"

        key = UnicodeAttribute(hash_key=True)
        day = UnicodeAttribute(null=True)
        kind = UnicodeAttribute(null=True)
        note = UnicodeAttribute(null=True)
        by_day = NewByDay()
        by_kind = NewByKind()

    return Old, New


def test_missing_and_changed_indexes_are_brought_in_line_and_the_data_stays(
    dynamo_tables: str,
) -> None:
    name = f"{dynamo_tables}migrate-{uuid.uuid4().hex[:6]}"
    old, new = _models(name)
    old.create_table(wait=True)
    try:
        old("a", day="2026-11-22").save()
        assert sorted(sync_indexes(new)) == [f"{name}/by_day", f"{name}/by_kind"]
        assert sync_indexes(new) == []  # in line now: nothing to do
        new("b", day="2026-11-22", kind="k", note="kept whole").save()
        found = {item.key: item.note for item in new.by_day.query("2026-11-22")}
        assert found == {"a": None, "b": "kept whole"}  # the index projects whole items now
        assert [item.key for item in new.by_kind.query("k")] == ["b"]
    finally:
        new.delete_table()


def test_an_index_whose_range_key_sorts_before_its_hash_key_is_added(dynamo_tables: str) -> None:
    """pynamodb lists an index's keys by name (`account_id` before `staff`); UpdateTable wants
    the hash key first (make run on kept data failed to add the accounts' checkers index)."""

    class ByStaff(GlobalSecondaryIndex[Any]):
        class Meta:
            index_name = "by_staff"
            projection = AllProjection()

        staff = UnicodeAttribute(hash_key=True)
        account_id = UnicodeAttribute(range_key=True)

    name = f"{dynamo_tables}migrate-{uuid.uuid4().hex[:6]}"

    class Before(Model):
        class Meta:
            table_name = name
            region = config.aws_region()
            billing_mode = "PAY_PER_REQUEST"

        account_id = UnicodeAttribute(hash_key=True)

    class After(Model):
        class Meta:
            table_name = name
            region = config.aws_region()
            billing_mode = "PAY_PER_REQUEST"

        account_id = UnicodeAttribute(hash_key=True)
        staff = UnicodeAttribute(null=True)
        by_staff = ByStaff()

    Before.create_table(wait=True)
    try:
        assert sync_indexes(After) == [f"{name}/by_staff"]
        After("a1", staff="checker").save()
        assert [item.account_id for item in After.by_staff.query("checker")] == ["a1"]
    finally:
        Before.delete_table()
