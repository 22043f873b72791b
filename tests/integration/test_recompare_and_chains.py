"""Recompare re-evaluates everyone against the database; the chain check finds edited entries."""

from __future__ import annotations

import boto3

from chalicelib import config
from chalicelib.domain.clock import utcnow
from chalicelib.domain.model import Declaration, Risk, Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.context import Context
from chalicelib.services.history import verify_chains
from chalicelib.services.jobs import progress
from chalicelib.services.recompare import recompare
from chalicelib.services.sms import ConsoleSender
from chalicelib.services.tasks import drain
from chalicelib.storage.dynamo import DynamoStore
from tests.holders import holder


def _apply(ctx: Context, regions: tuple[str, ...] = ()) -> str:
    return holder(ctx, utcnow(), Declaration(visited_regions=regions))[1].person_id


def test_recompare_catches_a_region_change_made_behind_the_index(dynamo_tables: str) -> None:
    ctx = Context(DynamoStore(), ConsoleSender())
    drain(ctx)
    person_id = _apply(ctx, ("610112",))
    # The risk changes without the admin endpoint (e.g. a bulk load): nothing recolours yet.
    ctx.store.epidemic.put_region("610112", Risk.MEDIUM, by="loader", at=utcnow())
    assert ctx.store.persons.get(person_id, consistent=True).color.value == "green"
    report = recompare(ctx, utcnow(), force=True)
    drain(ctx)
    assert ctx.store.persons.get(person_id, consistent=True).color.value == "yellow"
    assert progress(ctx, report["started"])["recoloured"] >= 1
    again = recompare(ctx, utcnow(), force=True)
    drain(ctx)
    assert progress(ctx, again["started"])["recoloured"] == 0  # safe to re-run
    ctx.store.epidemic.put_region("610112", Risk.LOW, by="loader", at=utcnow())


def test_the_chain_check_finds_an_entry_edited_in_the_table(dynamo_tables: str) -> None:
    ctx = Context(DynamoStore(), ConsoleSender())
    person_id = _apply(ctx)
    assert person_id not in verify_chains(ctx.store)["broken"]
    client = boto3.client("dynamodb", region_name=config.aws_region())
    client.update_item(
        TableName=f"{dynamo_tables}history",
        Key={"person_id": {"S": person_id}, "seq": {"N": "1"}},
        UpdateExpression="SET to_color = :c",
        ExpressionAttributeValues={":c": {"S": "red"}},
    )
    assert verify_chains(ctx.store)["broken"][person_id] == [1]


def test_a_record_dated_to_start_later_turns_the_code_on_its_first_day(
    dynamo_tables: str,
) -> None:
    from datetime import timedelta

    from chalicelib.domain.clock import shanghai_date
    from chalicelib.domain.model import Category
    from chalicelib.services.expire import expire
    from chalicelib.services.records import RecordRow, import_records

    ctx = Context(DynamoStore(), ConsoleSender())
    person_id = _apply(ctx)
    person = ctx.store.persons.get(person_id, consistent=True)
    now = utcnow()
    starts = shanghai_date(now) + timedelta(days=3)
    row = RecordRow(
        "R-later-" + person_id,
        person.id_type,
        person.id_number,
        Category.CLOSE_CONTACT,
        starts,
        None,
    )
    admin = AccessClaims("admin-1", frozenset({Role.ADMIN}), None)
    report = import_records(ctx, admin, [row], [], None, now)
    assert report["applied"] == 1 and report["recoloured"] == 0  # not yet active
    assert person_id in [p.person_id for p in ctx.store.persons.due(starts)]
    expire(ctx, now + timedelta(days=3), watermark="expire-later-test")
    assert ctx.store.persons.get(person_id, consistent=True).color.value == "red"
