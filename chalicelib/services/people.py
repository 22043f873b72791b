"""Accounts and roles: who am I, enrolling checkers, creating admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.entities import Account, Link
from chalicelib.domain.errors import NotFound, Unauthenticated
from chalicelib.domain.masking import mask_name, mask_phone
from chalicelib.domain.model import Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.access import PERSON_ID
from chalicelib.services.auth import account_for
from chalicelib.services.context import Context
from chalicelib.services.ports import Store


def me(ctx: Context, actor: AccessClaims) -> dict[str, Any]:
    account = ctx.store.accounts.get(actor.account_id)
    if account is None:
        raise Unauthenticated()
    links = sorted(
        ctx.store.family.links_of(account.account_id), key=lambda link: link.relation != "self"
    )
    persons = summaries(ctx.store, links)
    return {
        "phone": account.phone,  # the caller's own number
        "roles": sorted(role.value for role in account.roles),
        "persons": persons,
    }


def summaries(store: Store, links: list[Link]) -> list[dict[str, Any]]:
    """The persons behind the links as an account sees them (masked name, relation, colour);
    a link whose person is gone is skipped."""
    found = []
    for link in links:
        person = store.persons.get(link.person_id)
        if person is not None:
            found.append(
                {
                    "person_id": person.person_id,
                    "masked_name": mask_name(person.name),
                    "relation": link.relation,
                    "color": person.color.value,
                }
            )
    return found


def enrol_checker(
    ctx: Context, actor: AccessClaims, phone: str, name: str, place_id: str, now: datetime
) -> dict[str, Any]:
    account = account_for(ctx, phone, now)
    updated = ctx.store.accounts.grant_role(
        account.account_id, Role.CHECKER, name=name, place_id=place_id
    )
    return {
        "account_id": updated.account_id,
        "checker_id": updated.account_id,
        "masked_name": mask_name(name),
        "place_id": updated.place_id,
        "roles": sorted(role.value for role in updated.roles),
    }


def checkers(ctx: Context) -> dict[str, Any]:
    """The enrolled checkers for the authority: their names (it enrolled them), masked phones."""
    return {
        "checkers": [
            {
                "checker_id": account.account_id,
                "name": account.name or "",
                "masked_phone": mask_phone(account.phone),
                "place_id": account.place_id,
            }
            for account in ctx.store.accounts.checkers()
        ]
    }


def withdraw_checker(ctx: Context, checker_id: str) -> None:
    """The checker role and place go at once, for access tokens already issued too (their role
    is checked against the account on every request)."""
    if not PERSON_ID.match(checker_id) or not ctx.store.accounts.withdraw_checker(checker_id):
        raise NotFound()


def create_admin(ctx: Context, phone: str, now: datetime) -> Account:
    account = account_for(ctx, phone, now)
    return ctx.store.accounts.grant_role(account.account_id, Role.ADMIN, name=None, place_id=None)


def admins(store: Store) -> list[Account]:
    return store.accounts.with_role(Role.ADMIN, limit=10)
