"""The colour history: every colour change, chained per person by a hash of the previous entry,
so that an edited, removed or reordered entry is detectable (`manage verify-history`)."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from chalicelib.domain.model import Color


class ActorKind(enum.StrEnum):
    SYSTEM = "system"  # scheduled jobs: expiry, re-comparison
    AUTHORITY = "authority"  # an admin: records, regions, appeals
    SELF = "self"  # the holder: application, declaration, check-in
    GUARDIAN = "guardian"  # a guardian acting for the holder
    CHECKER = "checker"  # a checkpoint: a fever measured there (Hubei records it as a case)


@dataclass(frozen=True)
class Cause:
    """Why a person is being re-evaluated: who acted, and the record, region or check-in behind
    it (e.g. `record:R-1`, `region:420100`, `checkin:2026-11-22`, `application`, `expiry`)."""

    actor_kind: ActorKind
    actor: str | None
    source: str


@dataclass(frozen=True)
class HistoryEntry:
    person_id: str
    seq: int
    at: datetime
    from_color: Color | None
    to_color: Color
    reasons: tuple[str, ...]
    rule: str
    rules_version: str
    profile: str
    actor_kind: ActorKind
    actor: str | None
    source: str
    prev_hash: str | None
    hash: str = ""
    note: str | None = None  # the authority's notes on the records behind the new colour

    def digest(self) -> str:
        fields = asdict(self)
        fields.pop("hash")
        if fields["note"] is None:
            fields.pop("note")  # entries written before notes existed keep their hash
        fields["at"] = self.at.isoformat()
        canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def next_entry(prev_seq: int, prev_hash: str | None, entry: HistoryEntry) -> HistoryEntry:
    """The entry placed after (prev_seq, prev_hash), with its own hash."""
    placed = replace(entry, seq=prev_seq + 1, prev_hash=prev_hash, hash="")
    return replace(placed, hash=placed.digest())


def broken_links(entries: list[HistoryEntry]) -> list[int]:
    """The sequence numbers at which a person's chain does not hold (empty: intact)."""
    broken, prev_hash = [], None
    for expected_seq, entry in enumerate(entries, start=1):
        if (
            entry.seq != expected_seq
            or entry.prev_hash != prev_hash
            or entry.hash != entry.digest()
        ):
            broken.append(entry.seq)
        prev_hash = entry.hash
    return broken


def anonymised(entries: list[HistoryEntry], new_id: str) -> list[HistoryEntry]:
    """A deleted person's history as anonymous statistics: under `new_id`, without the holder's
    or guardian's account, sources reduced to their kind (`record`, `checkin`, …; a region code
    is kept), chained again so that the copy's own hash chain holds."""
    kept: list[HistoryEntry] = []
    seq, prev = 0, None
    for entry in entries:
        actor = entry.actor if entry.actor_kind in (ActorKind.SYSTEM, ActorKind.AUTHORITY) else None
        kind, _, detail = entry.source.partition(":")
        source = entry.source if kind == "region" else kind
        anonymous = replace(entry, person_id=new_id, actor=actor, source=source, note=None)
        placed = next_entry(seq, prev, anonymous)
        kept.append(placed)
        seq, prev = placed.seq, placed.hash
    return kept
