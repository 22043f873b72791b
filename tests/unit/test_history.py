"""The hash chain of a colour history detects edits, removals and reordering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chalicelib.domain.history import ActorKind, HistoryEntry, broken_links, next_entry
from chalicelib.domain.model import Color

T0 = datetime(2026, 11, 22, tzinfo=UTC)


def chain(n: int) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    colors = [Color.GREEN, Color.YELLOW, Color.RED, Color.GREEN]
    for i in range(n):
        prev = entries[-1] if entries else None
        entry = HistoryEntry(
            "p1",
            0,
            T0 + timedelta(days=i),
            prev.to_color if prev else None,
            colors[i % 4],
            ("r",),
            "rule",
            "v1",
            "shandong",
            ActorKind.SYSTEM,
            None,
            f"s{i}",
            None,
        )
        entries.append(next_entry(prev.seq if prev else 0, prev.hash if prev else None, entry))
    return entries


def test_an_untouched_chain_is_intact() -> None:
    assert broken_links(chain(4)) == []


def test_an_edited_colour_is_detected_at_that_entry() -> None:
    entries = chain(4)
    entries[1] = replace(entries[1], to_color=Color.GREEN)
    assert broken_links(entries) == [2]


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = chain(4)
    forged = replace(entries[1], actor_kind=ActorKind.AUTHORITY, hash="")
    entries[1] = replace(forged, hash=forged.digest())
    assert broken_links(entries) == [3]


def test_a_removed_entry_is_detected() -> None:
    entries = chain(4)
    del entries[2]
    assert broken_links(entries) != []
