"""Applying for a code (通行码申请): seven items and a commitment; one ID, one code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Link, Person
from chalicelib.domain.errors import NotFound
from chalicelib.domain.model import Declaration, IdType
from chalicelib.security.fields import blind_index, new_person_id
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.assessment import assess
from chalicelib.services.context import Context


@dataclass(frozen=True)
class Application:
    """A validated application (the API's schema checked every field)."""

    name: str
    id_type: IdType
    id_number: str
    nationality: str
    address: str
    region_code: str
    declaration: Declaration


def id_key(id_type: IdType, id_number: str) -> str:
    return blind_index("id", f"{id_type.value}:{id_number}")


def apply_for_self(ctx: Context, actor: AccessClaims, form: Application, now: datetime) -> Person:
    account = ctx.store.get_account(actor.account_id)
    if account is None:
        raise NotFound()
    key = id_key(form.id_type, form.id_number)
    today = shanghai_date(now)
    assessment = assess(ctx.store, form.declaration, today, key, today)
    person = Person(
        person_id=new_person_id(),
        name=form.name,
        id_type=form.id_type,
        id_number=form.id_number,
        phone=account.phone,
        nationality=form.nationality,
        address=form.address,
        region_code=form.region_code,
        declaration=form.declaration,
        declared_on=today,
        color=assessment.color,
        reasons=assessment.reasons,
        since=now,
        profile=assessment.profile,
        rules_version=assessment.rules_version,
        created_at=now,
    )
    link = Link(account.account_id, person.person_id, "self", now)
    # One ID, one code; and one code of one's own per phone account.
    markers = (f"id:{key}", f"self:{account.account_id}")
    ctx.store.create_person(person, key, link, markers)
    return person
