"""Reading the colour history: the holder's view (no identities), the authority's view (who and
what), and the check of every chain (`manage verify-history`)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.domain.history import HistoryEntry, broken_links
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.access import PERSON_ID, person_for
from chalicelib.services.context import Context
from chalicelib.services.ports import Store


def _change(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(timespec="seconds"),
        "from": entry.from_color.value if entry.from_color else None,
        "to": entry.to_color.value,
        "reasons": list(entry.reasons),
        "rule": entry.rule,
        "rules_version": entry.rules_version,
        "actor_kind": entry.actor_kind.value,
        "note": entry.note,
    }


def for_holder(ctx: Context, actor: AccessClaims, person_id: str) -> dict[str, Any]:
    person, _ = person_for(ctx.store, actor, person_id)
    return {"changes": [_change(e) for e in ctx.store.history.of(person.person_id)]}


def for_authority(ctx: Context, person_id: str) -> dict[str, Any]:
    if not PERSON_ID.match(person_id):
        raise NotFound()
    entries = ctx.store.history.of(person_id)
    if not entries:
        raise NotFound()
    changes = [
        {**_change(e), "actor": e.actor, "source": e.source, "seq": e.seq, "hash": e.hash}
        for e in entries
    ]
    return {"changes": changes, "intact": not broken_links(entries)}


def verify_chains(store: Store, segments: int = 4, page: int = 200) -> dict[str, Any]:
    """Checks every person's chain; returns the persons whose chain is broken, and where."""
    persons = entries = 0
    broken: dict[str, list[int]] = {}
    for segment in range(segments):
        start: str | None = None
        while True:
            ids, start = store.persons.ids(segment, segments, start, page)
            for person_id in ids:
                chain = store.history.of(person_id)
                persons, entries = persons + 1, entries + len(chain)
                if bad := broken_links(chain):
                    broken[person_id] = bad
            if start is None:
                break
    return {"persons": persons, "entries": entries, "broken": broken}
