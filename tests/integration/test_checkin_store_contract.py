"""The store contract for check-ins, due persons and purging login states on DynamoDB Local."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.model import Checkin, Color, Symptom
from chalicelib.domain.otp import OtpState
from chalicelib.security.fields import new_person_id
from chalicelib.services.context import Context
from tests.holders import holder, shanghai
from tests.integration.test_store_contract import a_person, person_marker, store_person

NOW = datetime(2029, 3, 10, 4, 0, tzinfo=UTC)


def test_one_check_in_per_day_the_second_replaces_the_first(ctx: Context) -> None:
    store, pid = ctx.store, new_person_id()
    first = Checkin(date(2029, 3, 10), 36.5, ())
    assert store.checkins.put(pid, first, NOW) is True
    second = Checkin(date(2029, 3, 10), 37.8, (Symptom.FEVER, Symptom.DRY_COUGH))
    assert store.checkins.put(pid, second, NOW + timedelta(hours=1)) is False
    assert store.checkins.between(pid, date(2029, 3, 10), date(2029, 3, 10)) == [second]


def test_check_ins_come_back_oldest_first_within_the_days_asked(ctx: Context) -> None:
    store, pid = ctx.store, new_person_id()
    days = [date(2029, 2, 27), date(2029, 3, 1), date(2029, 2, 28), date(2029, 3, 2)]
    for n, day in enumerate(days):
        store.checkins.put(pid, Checkin(day, 36.0 + n / 10), NOW)
    found = store.checkins.between(pid, date(2029, 2, 28), date(2029, 3, 1))
    assert [c.day for c in found] == [date(2029, 2, 28), date(2029, 3, 1)]
    assert store.checkins.between(new_person_id(), date(2029, 1, 1), date(2029, 12, 31)) == []


def test_deleting_a_day_of_check_ins_leaves_the_other_days(ctx: Context) -> None:
    store = ctx.store
    day, next_day = date(2029, 4, 30), date(2029, 5, 1)
    people = [new_person_id() for _ in range(12)]  # over every shard
    for pid in people:
        store.checkins.put(pid, Checkin(day, 36.4), NOW)
        store.checkins.put(pid, Checkin(next_day, 36.4), NOW)
    assert store.checkins.delete_of_day(day) == 12
    assert store.checkins.delete_of_day(day) == 0
    for pid in people:
        assert [c.day for c in store.checkins.between(pid, day, next_day)] == [next_day]


def test_login_states_go_by_the_day_of_their_last_activity(ctx: Context) -> None:
    store = ctx.store
    # Sent at 23:49 on 31 May (Shanghai), the code dies at 23:59; another sent at 00:01.
    may = int(shanghai(2029, 5, 31, 23, 49).timestamp())
    june = int(shanghai(2029, 6, 1, 0, 1).timestamp())
    old_key, new_key = "otp-" + new_person_id(), "otp-" + new_person_id()
    store.logins.save(old_key, OtpState("h", may + 600, 0, (may,)), 0)
    store.logins.save(new_key, OtpState("h", june + 600, 0, (june,)), 0)
    assert store.logins.delete_of_day(date(2029, 5, 31)) == 1
    assert store.logins.get(old_key) == (None, 0)
    assert store.logins.get(new_key)[1] == 1
    assert store.logins.delete_of_day(date(2029, 6, 1)) == 1
    assert store.logins.get(new_key) == (None, 0)


def test_a_login_state_used_again_is_not_deleted_with_its_old_day(ctx: Context) -> None:
    store, key = ctx.store, "otp-" + new_person_id()
    old = int(shanghai(2029, 7, 1, 12, 0).timestamp())
    store.logins.save(key, OtpState("h", old + 600, 0, (old,)), 0)
    later = int(shanghai(2029, 7, 20, 12, 0).timestamp())
    store.logins.save(key, OtpState("h2", later + 600, 0, (later,)), 1)
    assert store.logins.delete_of_day(date(2029, 7, 1)) == 0
    assert store.logins.get(key)[1] == 2


def test_due_persons_come_whole_from_the_index_for_their_review_day(ctx: Context) -> None:
    store = ctx.store
    day = date(2029, 8, 15)
    due = [store_person(store, a_person(), (f"id:{person_marker()}",), due=day) for _ in range(3)]
    store_person(store, a_person(), (f"id:{person_marker()}",), due=day + timedelta(days=1))
    store_person(store, a_person(), (f"id:{person_marker()}",), due=None)
    found = sorted(store.persons.due(day), key=lambda p: p.person_id)
    assert found == sorted(due, key=lambda p: p.person_id)


def test_a_due_person_leaves_the_day_once_reassessed(ctx: Context) -> None:
    store = ctx.store
    day = date(2029, 9, 1)
    person = store_person(store, a_person(), (f"id:{person_marker()}",), due=day)
    store.persons.save_assessment(replace(person, color=Color.GREEN, version=1), 0, None, None)
    assert [p.person_id for p in store.persons.due(day)] == []


def test_a_holder_check_in_is_seen_by_the_next_evaluation(ctx: Context) -> None:
    from chalicelib.services.checkins import check_in

    actor, person = holder(ctx, shanghai(2029, 10, 1, 9, 0))
    done = check_in(ctx, actor, person.person_id, 36.4, (), shanghai(2029, 10, 1, 20, 0))
    assert done.answer == {
        "date": "2029-10-01",
        "temperature": 36.4,
        "symptoms": [],
        "streak": 1,
        "color": "green",
    }


def test_a_check_in_is_ciphertext_at_rest_bound_to_its_person_and_day(dynamo_tables: str) -> None:
    import json

    import boto3

    from chalicelib import config
    from chalicelib.security.fields import decrypt
    from chalicelib.storage.dynamo import DynamoStore

    pid = new_person_id()
    DynamoStore().checkins.put(pid, Checkin(date(2029, 11, 2), 38.6, (Symptom.DIARRHEA,)), NOW)
    client = boto3.client("dynamodb", region_name=config.aws_region())
    item = client.get_item(
        TableName=f"{dynamo_tables}checkins",
        Key={"person_id": {"S": pid}, "day": {"S": "2029-11-02"}},
    )["Item"]
    raw = json.dumps(item)
    assert "38.6" not in raw and "diarrhea" not in raw and "temperature" not in raw
    sealed = item["health_enc"]["S"]
    assert json.loads(decrypt(sealed, f"checkins:health:{pid}:2029-11-02"))["temperature"] == 38.6
    with pytest.raises(Exception):  # noqa: B017 (any failure: the tag does not match)
        decrypt(sealed, f"checkins:health:{pid}:2029-11-03")
