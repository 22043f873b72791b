"""Who may act for a person: one check, in one place, for every /v1/persons/{id}/… path.

The person themself and each current guardian hold a link to the person; anyone else (checkers
and admins included) gets 404 exactly as if the person did not exist."""

from __future__ import annotations

import re

from chalicelib.domain.entities import Link, Person
from chalicelib.domain.errors import NotFound
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.ports import Store

PERSON_ID = re.compile(r"^[0-9a-f]{16}$")


def person_for(
    store: Store, actor: AccessClaims, person_id: str, *, consistent: bool = False
) -> tuple[Person, Link]:
    if not PERSON_ID.match(person_id):
        raise NotFound()
    link = store.family.link(actor.account_id, person_id)
    person = store.persons.get(person_id, consistent=consistent) if link else None
    if link is None or person is None:
        raise NotFound()
    return person, link
