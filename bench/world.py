"""The benchmark's own world: tables under a unique prefix, one holder and one checker."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stdnum.cn import ric

from chalicelib.domain.clock import utcnow
from chalicelib.domain.model import Color, Declaration, IdType, Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services import auth
from chalicelib.services.applications import Application, apply_for_self
from chalicelib.services.context import Context
from chalicelib.services.sms import ConsoleSender
from chalicelib.storage import sqs, tables
from chalicelib.storage.dynamo import DynamoStore

PLACE = "gate-1"


@dataclass(frozen=True)
class World:
    ctx: Context
    prefix: str
    person_id: str
    color: Color
    checker: AccessClaims


@contextmanager
def local_tables() -> Iterator[str]:
    """Stage local, a temporary data folder and tables of this run's own, deleted at the end."""
    if not os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"):
        raise SystemExit(
            "AWS_ENDPOINT_URL_DYNAMODB is not set: run `make bench`, or\n"
            "  python tools/dynamodb_local.py exec -- python -m bench"
        )
    prefix = f"bench{uuid.uuid4().hex[:8]}-"
    with tempfile.TemporaryDirectory(prefix="healthcode-bench-") as data:
        os.environ.update(
            HEALTHCODE_STAGE="local",
            HEALTHCODE_DATA_DIR=data,
            HEALTHCODE_TABLE_PREFIX=prefix,
            HEALTHCODE_TASK_QUEUE=f"{prefix}tasks",
        )
        tables.configure()
        tables.create_all()
        sqs.create_queues()
        try:
            yield prefix
        finally:
            tables.delete_all()
            sqs.delete_queues()


def _resident_id() -> str:
    body = "37010219800101123"
    return body + ric.calc_check_digit(body + "0")


def populate(prefix: str) -> World:
    """One resident who applied (through the services) and one checker at PLACE."""
    ctx = Context(DynamoStore(), ConsoleSender())
    now = utcnow()
    holder = auth.account_for(ctx, "13800138000", now)
    form = Application(
        name="张三丰",
        id_type=IdType.RESIDENT_ID,
        id_number=_resident_id(),
        nationality="CHN",
        address="山东省济南市历下区泉城路1号",
        region_code="370102",
        declaration=Declaration(temperature=36.5),
    )
    resident = AccessClaims(holder.account_id, holder.roles, None)
    person = apply_for_self(ctx, resident, form, now)
    checker = auth.account_for(ctx, "13900001111", now)
    granted = ctx.store.accounts.grant_role(
        checker.account_id, Role.CHECKER, name="李四", place_id=PLACE
    )
    claims = AccessClaims(granted.account_id, granted.roles, granted.place_id)
    return World(ctx, prefix, person.person_id, person.color, claims)
