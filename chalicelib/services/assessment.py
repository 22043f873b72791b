"""Gathers a person's facts from the epidemic database and applies the active policy; stores
the result with its history entry when something changed. The only way a colour moves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import CHECKIN_FACT_DAYS, recent
from chalicelib.domain.entities import Person
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.history import Cause, HistoryEntry, next_entry
from chalicelib.domain.model import (
    Arrival,
    Assessment,
    Checkin,
    Color,
    Declaration,
    Facts,
    Risk,
)
from chalicelib.domain.policy import Policy
from chalicelib.domain.rules import checkin_days, evaluate, next_review
from chalicelib.policies import load
from chalicelib.services.ports import Store

ATTEMPTS = 4


def active_policy() -> Policy:
    return load(config.profile())


def gather(
    store: Store,
    declaration: Declaration,
    declared_on: date,
    id_key: str,
    previous: Color | None = None,
    *,
    person_id: str | None = None,
    today: date | None = None,
    arrival: Arrival | None = None,
) -> Facts:
    """The facts about one person; with `person_id` and `today`, also their recent check-ins
    (the last 28 days, or more if a rule of the policy reads further back), oldest first."""
    checkins: tuple[Checkin, ...] = ()
    if person_id is not None and today is not None:
        days = max(CHECKIN_FACT_DAYS, checkin_days(active_policy()))
        checkins = tuple(store.checkins.between(person_id, *recent(today, days)))
    return Facts(
        declaration=declaration,
        declared_on=declared_on,
        region_risks=store.epidemic.region_risks(
            declaration.visited_regions + (arrival.origin_codes if arrival else ())
        ),
        records=tuple(store.epidemic.records_for(id_key)),
        checkins=checkins,
        previous=previous,
        arrival=arrival,
    )


def assess(
    store: Store, declaration: Declaration, declared_on: date, id_key: str, today: date
) -> Assessment:
    return evaluate(active_policy(), gather(store, declaration, declared_on, id_key), today)


def history_entry(
    person: Person, assessment: Assessment, cause: Cause, now: datetime, previous: Color | None
) -> HistoryEntry:
    entry = HistoryEntry(
        person_id=person.person_id,
        seq=0,
        at=now,
        from_color=previous,
        to_color=assessment.color,
        reasons=tuple(r.code for r in assessment.reasons),
        rule=assessment.reasons[0].rule,
        rules_version=assessment.rules_version,
        profile=assessment.profile,
        actor_kind=cause.actor_kind,
        actor=cause.actor,
        source=cause.source,
        prev_hash=None,
        note="；".join(r.note for r in assessment.reasons if r.note and r.color == assessment.color)
        or None,
    )
    return next_entry(person.history_seq, person.history_hash, entry)


@dataclass(frozen=True)
class Outcome:
    person: Person
    changed: bool  # the colour changed (a history entry was written)
    stored: bool  # anything was written


def reassess(
    store: Store, person_id: str, cause: Cause, now: datetime, *, known: Person | None = None
) -> Outcome:
    """Re-evaluates one person against the current facts and stores what changed, over the
    version it read (re-reading on a concurrent change), so that two runs change nothing twice.

    `known`: a copy of the person already at hand (e.g. from an index), tried first instead of
    a read; when it is stale, its write fails on the version and the person is read afresh."""
    for attempt in range(ATTEMPTS):
        fresh = attempt > 0 or known is None
        person = store.persons.get(person_id, consistent=True) if fresh else known
        if person is None:
            raise NotFound()
        try:
            return _apply(store, person, cause, now)
        except Conflict:
            continue
    raise Conflict()


def origin_risks(store: Store, arrival: Arrival) -> dict[str, Risk]:
    """The current risks of an arrival's origin regions."""
    return store.epidemic.region_risks(arrival.origin_codes)


def _apply(store: Store, person: Person, cause: Cause, now: datetime) -> Outcome:
    today = shanghai_date(now)
    arrival = person.arrival
    if arrival is not None:  # the origin's risk counts as it is on arriving: fixed on that day
        arrival = arrival.fixed(origin_risks(store, arrival), today)
    arrival_fixed = arrival != person.arrival
    facts = gather(
        store,
        person.declaration,
        person.declared_on,
        person.id_key,
        person.color,
        person_id=person.person_id,
        today=today,
        arrival=arrival,
    )
    assessment = evaluate(active_policy(), facts, today)
    same_colour = assessment.color is person.color
    review = next_review(assessment, facts, today)
    unchanged = (
        same_colour
        and assessment.reasons == person.reasons
        and assessment.rules_version == person.rules_version
        and review == person.due  # e.g. a record dated to start later moves the review day
        and not arrival_fixed
    )
    if unchanged:
        return Outcome(person, changed=False, stored=False)
    entry = None if same_colour else history_entry(person, assessment, cause, now, person.color)
    updated = replace(
        person,
        color=assessment.color,
        reasons=assessment.reasons,
        since=person.since if same_colour else now,
        profile=assessment.profile,
        rules_version=assessment.rules_version,
        version=person.version + 1,
        history_seq=entry.seq if entry else person.history_seq,
        history_hash=entry.hash if entry else person.history_hash,
        due=review,
        arrival=arrival,
    )
    store.persons.save_assessment(
        updated, person.version, entry, review, arrival_fixed=arrival_fixed
    )
    return Outcome(updated, changed=entry is not None, stored=True)
