"""Holders made through the services (no HTTP), at any instant: for job and check-in tests."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.clock import SHANGHAI
from chalicelib.domain.entities import Account, Person
from chalicelib.domain.model import Declaration, IdType, Role
from chalicelib.security.fields import new_person_id
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.applications import Application, apply_for_self
from chalicelib.services.context import Context
from tests.ids import resident_id


def shanghai(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """An Asia/Shanghai wall-clock time, as the UTC instant a server clock would read."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def holder(
    ctx: Context, at: datetime, declaration: Declaration | None = None
) -> tuple[AccessClaims, Person]:
    """A fresh account that applied for its own code at `at`."""
    account = Account(new_person_id(), "13912340000", frozenset({Role.RESIDENT}), at)
    ctx.store.accounts.create(account, "phone-" + account.account_id)
    form = Application(
        "王小明",
        IdType.RESIDENT_ID,
        resident_id(),
        "CHN",
        "山东省济南市历下区泉城路1号",
        "370102",
        declaration or Declaration(temperature=36.5),
    )
    actor = AccessClaims(account.account_id, account.roles, None)
    return actor, apply_for_self(ctx, actor, form, at)
