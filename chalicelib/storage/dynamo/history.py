"""Colour changes per person, in order, each with the hash of the one before."""

from __future__ import annotations

from chalicelib.domain.history import ActorKind, HistoryEntry
from chalicelib.domain.model import Color
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository


class DynamoHistory(Repository):
    def of(self, person_id: str) -> list[HistoryEntry]:
        items = t.HistoryItem.query(person_id, consistent_read=True)
        return [_history_entry(item) for item in items]


def history_item(entry: HistoryEntry) -> t.HistoryItem:
    return t.HistoryItem(
        entry.person_id,
        entry.seq,
        at=entry.at,
        from_color=entry.from_color.value if entry.from_color else None,
        to_color=entry.to_color.value,
        reasons=list(entry.reasons),
        rule=entry.rule,
        rules_version=entry.rules_version,
        profile=entry.profile,
        actor_kind=entry.actor_kind.value,
        actor=entry.actor,
        source=entry.source,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
        note_enc=encrypt(entry.note, _note_context(entry.person_id, entry.seq))
        if entry.note
        else None,
    )


def _note_context(person_id: str, seq: int) -> str:
    return f"history:note:{person_id}:{seq}"


def _history_entry(item: t.HistoryItem) -> HistoryEntry:
    return HistoryEntry(
        person_id=item.person_id,
        seq=int(item.seq),
        at=item.at,
        from_color=Color(item.from_color) if item.from_color else None,
        to_color=Color(item.to_color),
        reasons=tuple(str(code) for code in item.reasons or ()),
        rule=item.rule,
        rules_version=item.rules_version,
        profile=item.profile,
        actor_kind=ActorKind(item.actor_kind),
        actor=item.actor,
        source=item.source,
        prev_hash=item.prev_hash,
        hash=item.hash,
        note=decrypt(item.note_enc, _note_context(item.person_id, int(item.seq)))
        if item.note_enc
        else None,
    )
