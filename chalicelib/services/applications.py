"""Applying for a code (通行码申请): seven items and a commitment; one ID, one code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import last_day
from chalicelib.domain.entities import Link, Person
from chalicelib.domain.errors import NotFound
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.model import Arrival, Declaration, IdType
from chalicelib.domain.rules import evaluate, next_review
from chalicelib.security.fields import blind_index, new_person_id
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.assessment import active_policy, gather, history_entry, reassess
from chalicelib.services.context import Context
from chalicelib.services.limits import per_day
from chalicelib.services.ports import NewPerson


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
    arrival: Arrival | None = None  # with an arrival declaration (来鲁申报)


def id_key(id_type: IdType, id_number: str) -> str:
    return blind_index("id", f"{id_type.value}:{id_number}")


def apply_for_self(
    ctx: Context,
    actor: AccessClaims,
    form: Application,
    now: datetime,
    *,
    source: str = "application",
) -> Person:
    account = ctx.store.accounts.get(actor.account_id)
    if account is None:
        raise NotFound()
    # One ID, one code; and one code of one's own per phone account.
    extra_markers = (f"self:{account.account_id}",)
    cause = Cause(ActorKind.SELF, account.account_id, source)
    return create(ctx, form, account.phone, account.account_id, "self", extra_markers, cause, now)


PERSONS_PER_DAY = 20  # persons an account may create (self and family) per Asia/Shanghai day


def create(
    ctx: Context,
    form: Application,
    phone: str,
    account_id: str,
    relation: str,
    extra_markers: tuple[str, ...],
    cause: Cause,
    now: datetime,
) -> Person:
    """A new code holder: assessed against the epidemic database at once, linked to the account
    that applied (as the holder, relation `self`, or as a guardian), with the first entry of its
    colour history. Raises AlreadyApplied, and TooManyDependents for a guardian at the limit."""
    # Every attempt counts, refused ones too: the route cannot probe which IDs are registered.
    per_day(ctx.store, "persons", account_id, PERSONS_PER_DAY, now)
    own = relation == "self"
    key = id_key(form.id_type, form.id_number)
    today = shanghai_date(now)
    facts = gather(ctx.store, form.declaration, today, key, arrival=form.arrival)
    assessment = evaluate(active_policy(), facts, today)
    person = Person(
        person_id=new_person_id(),
        name=form.name,
        id_type=form.id_type,
        id_number=form.id_number,
        phone=phone,
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
        id_key=key,
        self_held=own,
        guardians=0 if own else 1,
        arrival=form.arrival,
    )
    entry = history_entry(person, assessment, cause, now, previous=None)
    person = replace(person, history_seq=entry.seq, history_hash=entry.hash)
    link = Link(account_id, person.person_id, relation, now)
    due = next_review(assessment, facts, today)
    person = replace(person, due=due)
    window = active_policy().defaults.window_days
    visits, until = form.declaration.visited_regions, last_day(today, window)
    if form.arrival is not None:  # the origin counts like a declared visit, from the arrival
        visits = tuple(dict.fromkeys(visits + form.arrival.origin_codes))
        until = max(until, last_day(form.arrival.arrival_date, window))
    limit = None if own else config.max_dependents()
    markers = (f"id:{key}", *extra_markers)
    ctx.store.persons.create(NewPerson(person, link, markers, entry, visits, until, limit))
    # Read the records and risks again now that the person can be found: a record imported
    # (or a region changed) between the first read and the write above would otherwise be
    # missed by both sides. Nothing is written unless something did change.
    return reassess(ctx.store, person.person_id, cause, now).person
