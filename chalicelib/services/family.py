"""Family members (为家人代办): a guardian binds people without a phone and acts for them.

A guardian applies for a dependent in one step (the same application path and one-ID-one-code
rule as for oneself). A person who already holds a code — their own or another guardian's — is
bound only with consent: the holder or a current guardian issues a one-time share code (24 hours)
that the new guardian presents with the person's ID and name. Limits (10 dependents per guardian,
3 guardians per person) are counted in the same transaction as the link, so parallel requests
cannot pass them. Unbinding takes effect at once; the last guardian of a person who has no code
of their own cannot unbind (nobody could act for the person any more): they delete the data.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.entities import Link, Person
from chalicelib.domain.errors import (
    AlreadyApplied,
    ConsentRequired,
    HolderOnly,
    InvalidShareCode,
    NotFound,
)
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.domain.masking import mask_phone
from chalicelib.security.fields import blind_index
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.access import PERSON_ID, person_for
from chalicelib.services.applications import Application, create, id_key
from chalicelib.services.context import Context
from chalicelib.services.limits import per_hour
from chalicelib.services.people import summaries

# Relations of the dependent to the guardian (the dependent is the guardian's …).
RELATIONS = ("parent", "child", "spouse", "grandparent", "grandchild", "sibling", "other")
_SHARE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
SHARE_CODE_LENGTH = 8
SHARE_TRIES_PER_HOUR = 10  # per guardian account: share codes cannot be guessed


def _share_key(code: str) -> str:
    normal = code.replace("-", "").replace(" ", "").upper()
    return "share:" + blind_index("share", normal)


def apply_for_dependent(
    ctx: Context,
    actor: AccessClaims,
    form: Application,
    relation: str,
    share_code: str | None,
    now: datetime,
) -> Person:
    account = ctx.store.accounts.get(actor.account_id)
    if account is None:
        raise NotFound()
    cause = Cause(ActorKind.GUARDIAN, account.account_id, "family")
    if share_code is None:
        try:
            return create(ctx, form, account.phone, account.account_id, relation, (), cause, now)
        except AlreadyApplied as taken:
            raise ConsentRequired() from taken
    return _bind_existing(ctx, account.account_id, form, relation, share_code, now)


def _bind_existing(
    ctx: Context, account_id: str, form: Application, relation: str, code: str, now: datetime
) -> Person:
    """Binds the person holding the form's ID, if the share code is theirs and the name agrees
    (the form's declaration is not applied: the person's code stays as it is)."""
    per_hour(ctx.store, "share", account_id, SHARE_TRIES_PER_HOUR, now)
    holder = ctx.store.persons.for_id_keys([id_key(form.id_type, form.id_number)])
    person_id = next(iter(holder.values()), None)
    person = ctx.store.persons.get(person_id, consistent=True) if person_id else None
    if person is None or person.name != form.name:
        raise InvalidShareCode()
    ctx.store.family.bind(
        Link(account_id, person.person_id, relation, now),
        share_key=_share_key(code),
        now=now,
        max_dependents=config.max_dependents(),
        max_guardians=config.max_guardians(),
    )
    return person


def issue_share_code(
    ctx: Context, actor: AccessClaims, person_id: str, now: datetime
) -> dict[str, Any]:
    person, link = person_for(ctx.store, actor, person_id)
    if link.relation != "self" and _holds_own_code(ctx, person):
        raise HolderOnly()  # a holder alone lets new guardians in
    code = "".join(secrets.choice(_SHARE_ALPHABET) for _ in range(SHARE_CODE_LENGTH))
    expires = now + timedelta(seconds=config.share_code_seconds())
    ctx.store.family.put_share(_share_key(code), person.person_id, actor.account_id, expires)
    return {
        "share_code": f"{code[:4]}-{code[4:]}",
        "expires_at": expires.isoformat(timespec="seconds"),
    }


def family(ctx: Context, actor: AccessClaims) -> dict[str, Any]:
    links = [
        link for link in ctx.store.family.links_of(actor.account_id) if link.relation != "self"
    ]
    return {"family": summaries(ctx.store, links)}


def unbind(ctx: Context, actor: AccessClaims, person_id: str) -> None:
    _, link = person_for(ctx.store, actor, person_id)
    if link.relation == "self":
        raise NotFound()  # one's own code is not a family binding: DELETE /v1/persons/{id}
    ctx.store.family.unbind(actor.account_id, person_id)


def _holds_own_code(ctx: Context, person: Person) -> bool:
    return person.self_held or any(
        link.relation == "self" for link in ctx.store.family.links_to(person.person_id)
    )


def _as_holder(ctx: Context, actor: AccessClaims, person_id: str) -> Person:
    person, link = person_for(ctx.store, actor, person_id, consistent=True)
    if link.relation != "self":
        raise HolderOnly()
    return person


def guardians(ctx: Context, actor: AccessClaims, person_id: str) -> dict[str, Any]:
    """Who acts for the holder: the holder alone may see (and end) it."""
    person = _as_holder(ctx, actor, person_id)
    listed = []
    for link in ctx.store.family.links_to(person.person_id):
        if link.relation == "self":
            continue
        account = ctx.store.accounts.get(link.account_id)
        listed.append(
            {
                "guardian_id": link.account_id,
                "masked_phone": mask_phone(account.phone) if account else "",
                "relation": link.relation,
                "since": link.created_at.isoformat(timespec="seconds"),
            }
        )
    return {"guardians": listed}


def remove_guardian(ctx: Context, actor: AccessClaims, person_id: str, guardian_id: str) -> None:
    """Ends a guardian's access at once; share codes they issued die with their link (binding
    checks that the issuer still acts for the person)."""
    person = _as_holder(ctx, actor, person_id)
    if guardian_id == actor.account_id or not PERSON_ID.match(guardian_id):
        raise NotFound()
    ctx.store.family.unbind(guardian_id, person.person_id)
