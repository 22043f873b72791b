"""Deleting one's data (注销): the person, their markers (the ID may apply again at once),
check-ins, scan records, appeals, declared visits and every binding. The colour history is kept
for the authority's statistics only as anonymous entries: moved under a new random id that
nothing links to the person, without the accounts that acted (the authority's staff ids stay)
and with sources reduced to their kind. Epidemic records stay: they are the authority's data,
keyed by a blind index of the ID, and apply again if the person re-applies. See
docs/decisions/0010. Every deletion leaves an entry in the erasure ledger (the random person id
and when, nothing personal) so that `replay` can erase again whom a restore of the tables brought
back (docs/decisions/0024)."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Link, Person
from chalicelib.domain.errors import HolderOnly
from chalicelib.domain.history import anonymised
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.access import person_for
from chalicelib.services.context import Context

log = logging.getLogger(__name__)


def erase(ctx: Context, actor: AccessClaims, person_id: str, now: datetime) -> None:
    person, link = person_for(ctx.store, actor, person_id, consistent=True)
    links = ctx.store.family.links_to(person.person_id)
    if link not in links:
        links.append(link)  # the index may lag behind a binding made a moment ago
    holder = person.self_held or any(held.relation == "self" for held in links)
    if holder and link.relation != "self":
        raise HolderOnly()
    # The ledger first: if the deletion dies half-way, a replay finishes what was asked for.
    ctx.store.erasure.record(person.person_id, now)
    _erase(ctx, person, links)


def _erase(ctx: Context, person: Person, links: list[Link]) -> dict[str, int]:
    markers = (f"id:{person.id_key}",) + tuple(
        f"self:{held.account_id}" for held in links if held.relation == "self"
    )
    anonymous = anonymised(ctx.store.history.of(person.person_id), "erased-" + secrets.token_hex(8))
    gone = ctx.store.erasure.erase(person, links, markers, anonymous)
    log.info("person erased: %s", ", ".join(f"{kind}={n}" for kind, n in sorted(gone.items())))
    return gone


def replay(ctx: Context, since: datetime, now: datetime) -> dict[str, int]:
    """Erases again everyone the ledger says was erased since `since` and whom a point-in-time
    restore of the tables brought back (a restore does not bring the erased back). Safe to run
    any number of times: those still gone are counted and left alone."""
    counts = {"ledger": 0, "erased_again": 0, "still_gone": 0}
    for person_id, at in ctx.store.erasure.erased_between(shanghai_date(since), shanghai_date(now)):
        if at < since:
            continue
        counts["ledger"] += 1
        person = ctx.store.persons.get(person_id, consistent=True)
        if person is None:
            counts["still_gone"] += 1
            continue
        _erase(ctx, person, ctx.store.family.links_to(person_id))
        counts["erased_again"] += 1
    return counts
