"""The `when` of a policy rule: one class per condition kind, each the one home of its JSON
fields, its parsing, its check and the days of check-ins it reads.

Adding a kind is adding a class here: a frozen dataclass whose fields are its JSON fields (besides
`kind`), with `parse`, `holds` and, if it reads daily check-ins, `lookback_days`, registered with
`@register`. The loader (`policy.Policy.from_dict`) and the engine (`rules.evaluate`,
`rules.checkin_days`) find it in `KINDS` and call it without knowing which kind it is.

Dates are Asia/Shanghai calendar dates and every range is inclusive of both ends.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from chalicelib.domain.checkins import checked_in, is_abnormal, streak
from chalicelib.domain.days import last_day
from chalicelib.domain.model import (
    Arrival,
    Category,
    Checkin,
    Color,
    Declaration,
    Facts,
    Record,
    Risk,
    Symptom,
    TestResult,
    VerifiedOrigin,
    is_fever,
)
from chalicelib.domain.policy_json import PolicyError, celsius, days, enum_list, expect_keys

if TYPE_CHECKING:
    from chalicelib.domain.policy import Defaults

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Hit:
    """A condition holds; `until` is the last day it is known to hold (None: no end yet);
    `values` fill the placeholders of the reason texts (the kind's `placeholders`)."""

    until: date | None
    values: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # the authority's notes on the records it rests on


@dataclass(frozen=True)
class Condition(ABC):
    """One kind of `when`. Subclasses are frozen dataclasses whose fields are the JSON fields."""

    kind: ClassVar[str]
    # Values the kind hands to its reason texts ("{remaining} days"); the loader rejects others.
    placeholders: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    @abstractmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        """Build the condition from its JSON object (fields already checked present and known)."""

    @abstractmethod
    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        """Whether the condition holds for `facts` on `today`, and until when."""

    def lookback_days(self) -> int:
        """Days of daily check-ins, today included, the check reads (0: it reads none)."""
        return 0

    def categories_read(self) -> tuple[Category, ...]:
        """The record categories the check reads (none for most kinds)."""
        return ()

    @classmethod
    def field_names(cls) -> set[str]:
        return {f.name for f in fields(cls)}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: `kind`, then each field (tuples of enums as lists of their values)."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = [v.value for v in value] if isinstance(value, tuple) else value
        return out


KINDS: dict[str, type[Condition]] = {}
"""Every condition kind, by its JSON name: the only list of kinds there is."""

C = TypeVar("C", bound=Condition)


def register(cls: type[C]) -> type[C]:
    if cls.kind in KINDS:
        raise TypeError(f"condition kind {cls.kind!r} is registered twice")
    KINDS[cls.kind] = cls
    return cls


def parse_condition(d: Any, where: str) -> Condition:
    """The condition a rule's `when` object describes; raises PolicyError on anything invalid."""
    if not isinstance(d, Mapping):
        raise PolicyError(f"{where}: expected an object")
    kind = d.get("kind")
    if kind not in KINDS:
        known = ", ".join(KINDS)
        raise PolicyError(
            f"{where}.kind: unknown condition kind {kind!r} (expected one of {known})"
        )
    cls = KINDS[kind]
    expect_keys(d, where, required={"kind", *cls.field_names()}, optional=set())
    return cls.parse(d, where)


# --- records --------------------------------------------------------------------------------


def record_end(record: Record, records: Sequence[Record], defaults: Defaults) -> date | None:
    """The last day `record` is active (None: open-ended), after any `cleared` record.

    Without `until`, a record lasts `defaults.lifetime(category)` days from `since`, or is
    open-ended. A `cleared` record ends every record whose `since` is on or before its own `since`
    and that was imported before it (a record imported later, even if backdated, is news the
    clearance did not weigh): from that day on they are no longer active.
    """
    end = record.until
    if end is None:
        lifetime = defaults.lifetime(record.category)
        end = last_day(record.since, lifetime) if lifetime is not None else None
    for other in records:
        if (
            other.category is Category.CLEARED
            and record.since <= other.since
            and not _imported_after(record, other)
        ):
            cut = other.since - _ONE_DAY
            end = cut if end is None else min(end, cut)
    return end


def _imported_after(record: Record, cleared: Record) -> bool:
    if record.imported_at is None or cleared.imported_at is None:
        return False  # order unknown: the clearance counts
    return record.imported_at > cleared.imported_at


def until_cleared(facts: Facts, start: date, today: date) -> Hit | None:
    """Holds from `start` until the day before the first `cleared` record dated on or after it (no
    end while there is none): what only the authority's clearance ends."""
    clearances = [
        r.since for r in facts.records if r.category is Category.CLEARED and r.since >= start
    ]
    if not clearances:
        return Hit(None)
    end = min(clearances) - _ONE_DAY
    return Hit(end) if today <= end else None


def is_active(record: Record, records: Sequence[Record], defaults: Defaults, today: date) -> bool:
    end = record_end(record, records, defaults)
    return record.since <= today and (end is None or today <= end)


def _latest(ends: list[date | None]) -> date | None:
    return None if any(e is None for e in ends) else max(e for e in ends if e is not None)


@register
@dataclass(frozen=True)
class RecordCondition(Condition):
    """An active epidemic record of one of `categories`: holds until the latest one ends."""

    categories: tuple[Category, ...]
    kind: ClassVar[str] = "record"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        categories = enum_list(d, "categories", where, Category)
        if Category.CLEARED in categories:
            raise PolicyError(f"{where}.categories: 'cleared' ends records, it is not a risk")
        return cls(categories)

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        active = [
            r
            for r in facts.records
            if r.category in self.categories and is_active(r, facts.records, defaults, today)
        ]
        if not active:
            return None
        ends = [record_end(r, facts.records, defaults) for r in active]
        notes = tuple(dict.fromkeys(r.note for r in active if r.note))
        return Hit(_latest(ends), notes=notes)

    def categories_read(self) -> tuple[Category, ...]:
        return self.categories


@register
@dataclass(frozen=True)
class AfterRecordCondition(Condition):
    """A record of `categories` has ended (a `cleared` record or its `until`): holds from the day
    after its last active day for `lasts_days` days, the observation that follows a discharge or a
    release (实施居家观察未满14天的治愈出院确诊病人). A record that was never active starts none.

    The window is counted as `days.last_day` counts: from D (the day after the record's last
    active day) through D+`lasts_days`.
    """

    categories: tuple[Category, ...]
    lasts_days: int
    kind: ClassVar[str] = "after_record"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        categories = enum_list(d, "categories", where, Category)
        if Category.CLEARED in categories:
            raise PolicyError(f"{where}.categories: 'cleared' ends records, it is not a risk")
        return cls(categories, days(d["lasts_days"], f"{where}.lasts_days"))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        lasts: list[date] = []
        for r in facts.records:
            if r.category not in self.categories:
                continue
            end = record_end(r, facts.records, defaults)
            if end is None or end < r.since:
                continue
            first = end + _ONE_DAY  # the clearance's day: the observation's start D
            last = last_day(first, self.lasts_days)
            if first <= today <= last:
                lasts.append(last)
        return Hit(max(lasts)) if lasts else None

    def categories_read(self) -> tuple[Category, ...]:
        return self.categories


# --- the declaration: each holds from `declared_on` for the policy's `window_days` -------------


def _window(facts: Facts, today: date, defaults: Defaults) -> Hit | None:
    """The declaration counts for `window_days` days after `declared_on` (`days.last_day`)."""
    last = last_day(facts.declared_on, defaults.window_days)
    return Hit(last) if facts.declared_on <= today <= last else None


@register
@dataclass(frozen=True)
class VisitedCondition(Condition):
    """A declared visited region whose current risk is one of `risk`, within the window."""

    risk: tuple[Risk, ...]
    kind: ClassVar[str] = "visited"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls(enum_list(d, "risk", where, Risk))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        visited = facts.declaration.visited_regions
        risks = {facts.region_risks.get(code, Risk.LOW) for code in visited}
        return _window(facts, today, defaults) if risks & set(self.risk) else None


_FLAGS: dict[str, Callable[[Declaration], bool]] = {
    "contact_with_case": lambda d: d.contact_with_case,
    "fever_clinic_visit": lambda d: d.fever_clinic_visit,
    "from_abroad": lambda d: d.from_abroad,
}
DECLARED_FLAGS = tuple(_FLAGS)


@register
@dataclass(frozen=True)
class DeclaredCondition(Condition):
    """A declaration flag (one of DECLARED_FLAGS) is true, within the window."""

    flag: str
    kind: ClassVar[str] = "declared"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        flag = d.get("flag")
        if flag not in _FLAGS:
            raise PolicyError(
                f"{where}.flag: unknown flag {flag!r} (expected one of {', '.join(_FLAGS)})"
            )
        return cls(flag)

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        if self.flag == "from_abroad" and facts.arrival is not None and facts.arrival.abroad:
            return None  # the arrival declaration says more: when the quarantine ends, the test
        return _window(facts, today, defaults) if _FLAGS[self.flag](facts.declaration) else None


@register
@dataclass(frozen=True)
class SymptomsCondition(Condition):
    """Any of the declared symptoms is in `any_of`, within the window."""

    any_of: tuple[Symptom, ...]
    kind: ClassVar[str] = "symptoms"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls(enum_list(d, "any_of", where, Symptom))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        declared = set(facts.declaration.symptoms)
        return _window(facts, today, defaults) if declared & set(self.any_of) else None


@register
@dataclass(frozen=True)
class TemperatureCondition(Condition):
    """The declared temperature is at least `at_least` °C, within the window."""

    at_least: float
    kind: ClassVar[str] = "temperature"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls(celsius(d, "at_least", where))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        temperature = facts.declaration.temperature
        if temperature is None or temperature < self.at_least:
            return None
        return _window(facts, today, defaults)


@register
@dataclass(frozen=True)
class DeclaredFeverCondition(Condition):
    """The declaration reports a fever (`model.is_fever`: 37.3 °C or more, or fever among the
    symptoms) or a fever-clinic visit: a fever case (发热病例), from `declared_on` until the
    authority's `cleared` record dated on or after it."""

    kind: ClassVar[str] = "declared_fever"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls()

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        declared = facts.declaration
        if not (is_fever(declared.temperature, declared.symptoms) or declared.fever_clinic_visit):
            return None
        return (
            until_cleared(facts, facts.declared_on, today) if today >= facts.declared_on else None
        )


# --- daily check-ins ----------------------------------------------------------------------------


@register
@dataclass(frozen=True)
class CheckinCondition(Condition):
    """A daily check-in with a temperature of at least `temperature_at_least` °C or any of
    `symptoms_any_of` on one of the last `lasts_days` days, today included. A later clean check-in
    does not end it: it ends `lasts_days` days after the most recent abnormal check-in."""

    temperature_at_least: float
    symptoms_any_of: tuple[Symptom, ...]
    lasts_days: int
    kind: ClassVar[str] = "checkin"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls(
            temperature_at_least=celsius(d, "temperature_at_least", where),
            symptoms_any_of=enum_list(d, "symptoms_any_of", where, Symptom),
            lasts_days=days(d["lasts_days"], f"{where}.lasts_days"),
        )

    def abnormal(self, checkin: Checkin) -> bool:
        return is_abnormal(checkin, self.temperature_at_least, self.symptoms_any_of)

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        """Until `lasts_days` days after the most recent abnormal check-in (on or before today),
        counted as `days.last_day` counts."""
        abnormal = [c.day for c in facts.checkins if c.day <= today and self.abnormal(c)]
        if not abnormal:
            return None
        last = last_day(max(abnormal), self.lasts_days)
        return Hit(last) if today <= last else None

    def lookback_days(self) -> int:
        return self.lasts_days + 1  # an abnormal check-in `lasts_days` days ago still counts


@register
@dataclass(frozen=True)
class CheckinStreakCondition(Condition):
    """Holds a colour: the colour before this evaluation (`Facts.previous`) is one of
    `previous_any_of` and fewer than `clean_days` consecutive clean daily check-ins end today (or
    yesterday, while today's is not in). Clean: below `temperature_at_least` °C and none of
    `symptoms_any_of`. Its reason texts may say `{remaining}`, `{streak}` and `{required}`."""

    previous_any_of: tuple[Color, ...]
    clean_days: int
    temperature_at_least: float
    symptoms_any_of: tuple[Symptom, ...]
    kind: ClassVar[str] = "checkin_streak"
    placeholders: ClassVar[frozenset[str]] = frozenset({"remaining", "streak", "required"})

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        previous = enum_list(d, "previous_any_of", where, Color)
        if Color.GREEN in previous:
            raise PolicyError(f"{where}.previous_any_of: only red or yellow can be held, not green")
        return cls(
            previous_any_of=previous,
            clean_days=days(d["clean_days"], f"{where}.clean_days"),
            temperature_at_least=celsius(d, "temperature_at_least", where),
            symptoms_any_of=enum_list(d, "symptoms_any_of", where, Symptom),
        )

    def abnormal(self, checkin: Checkin) -> bool:
        return is_abnormal(checkin, self.temperature_at_least, self.symptoms_any_of)

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        """Holds the previous colour while the clean streak is short. `until` is the earliest day
        it can end: the day of the last clean check-in still needed if none is missed (today's
        counts while it is not in yet); a missed day or an abnormal check-in moves it."""
        if facts.previous not in self.previous_any_of:
            return None
        clean = streak(facts.checkins, today, lambda c: not self.abnormal(c))
        if clean >= self.clean_days:
            return None
        remaining = self.clean_days - clean
        first_needed = today + _ONE_DAY if checked_in(facts.checkins, today) else today
        values = {"remaining": remaining, "streak": clean, "required": self.clean_days}
        return Hit(first_needed + timedelta(days=remaining - 1), values)

    def lookback_days(self) -> int:
        return self.clean_days + 1  # the streak may end yesterday


# --- arrivals (来鲁申报): each holds from the arrival for `lasts_days` days, or as said ----------


def _from_arrival(facts: Facts, today: date, lasts_days: int) -> Hit | None:
    """From the arrival day for `lasts_days` days; nothing while it is announced ahead (the
    person is not here yet: 抵达目的地后，需要居家隔离医学观察14天)."""
    assert facts.arrival is not None
    return _from_day(facts.arrival.arrival_date, today, lasts_days)


def _from_day(start: date, today: date, lasts_days: int) -> Hit | None:
    if today < start:
        return None
    last = last_day(start, lasts_days)
    return Hit(last) if today <= last else None


def _verified_window(
    facts: Facts, origin: VerifiedOrigin, today: date, lasts_days: int
) -> Hit | None:
    """A verified partner code's colour: its window from its arrival day, ended sooner only by a
    `cleared` record dated on or after that day (the epidemic database, the authority)."""
    window = _from_day(origin.arrival_date, today, lasts_days)
    cleared = until_cleared(facts, origin.arrival_date, today)
    if window is None or cleared is None:
        return None
    ends = [d for d in (window.until, cleared.until) if d is not None]
    return Hit(min(ends))


@register
@dataclass(frozen=True)
class ArrivalColorCondition(Condition):
    """The origin's code (a partner's token, or as declared) is one of `colors`: holds until
    `lasts_days` days from the arrival date (that day included)."""

    colors: tuple[Color, ...]
    lasts_days: int
    kind: ClassVar[str] = "arrival_color"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        colors = enum_list(d, "colors", where, Color)
        if Color.GREEN in colors:
            raise PolicyError(f"{where}.colors: a green origin code is not a risk")
        return cls(colors, days(d["lasts_days"], f"{where}.lasts_days"))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        """The arrival's own colour, and a colour an earlier verified token started (`held`):
        whichever lasts longer."""
        arrival = facts.arrival
        if arrival is None:
            return None
        hits: list[Hit | None] = []
        verified = arrival.verified
        if verified is not None and verified.color in self.colors:
            hits.append(_verified_window(facts, verified, today, self.lasts_days))
        elif arrival.origin_color in self.colors:
            hits.append(_from_arrival(facts, today, self.lasts_days))
        if arrival.held is not None and arrival.held.color in self.colors:
            hits.append(_verified_window(facts, arrival.held, today, self.lasts_days))
        ends = [hit.until for hit in hits if hit is not None and hit.until is not None]
        return Hit(max(ends)) if ends else None


@register
@dataclass(frozen=True)
class ArrivalRiskCondition(Condition):
    """The origin's risk on the arrival date (`Arrival.origin_risk`, fixed then) or the origin
    region's (or its province's) risk now is one of `risk`: holds until `lasts_days` days from the
    arrival date. A later upgrade raises the colour; a downgrade does not end the window."""

    risk: tuple[Risk, ...]
    lasts_days: int
    kind: ClassVar[str] = "arrival_risk"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        risk = enum_list(d, "risk", where, Risk)
        return cls(risk, days(d["lasts_days"], f"{where}.lasts_days"))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        if facts.arrival is None:
            return None
        risks = {facts.region_risks.get(code, Risk.LOW) for code in facts.arrival.origin_codes}
        if facts.arrival.origin_risk is not None:
            risks.add(facts.arrival.origin_risk)
        return _from_arrival(facts, today, self.lasts_days) if risks & set(self.risk) else None


@register
@dataclass(frozen=True)
class ArrivalAbroadCondition(Condition):
    """An arrival from abroad: holds until the quarantine ends when the test result is one of
    `released_by` and was taken on the quarantine's last `RELEASE_TEST_DAYS` days or later, and
    with no end (until a new declaration) otherwise."""

    released_by: tuple[TestResult, ...]
    kind: ClassVar[str] = "arrival_abroad"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls(enum_list(d, "released_by", where, TestResult))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        arrival = facts.arrival
        if arrival is None or not arrival.abroad:
            return None
        end = arrival.quarantine_end or arrival.arrival_date
        if arrival.test_result not in self.released_by or not _tested_at_end(arrival, end):
            return Hit(None)
        return Hit(end) if today <= end else None


# 隔离期满后，经检测合格的 (000_ba8d9fb67dd2ff13.txt): the test that releases is the one at the
# quarantine's end. Inferred: taken on its last RELEASE_TEST_DAYS days or later, the usual test
# before release; an earlier one says nothing about the end of the quarantine.
RELEASE_TEST_DAYS = 2


def _tested_at_end(arrival: Arrival, end: date) -> bool:
    first = end - timedelta(days=RELEASE_TEST_DAYS - 1)
    return arrival.test_date is not None and arrival.test_date >= first


@register
@dataclass(frozen=True)
class ArrivalTestCondition(Condition):
    """The arrival declares a test result in `results`: holds until the day before a `cleared`
    record dated on or after the test (or the arrival, without a test date), like a record."""

    results: tuple[TestResult, ...]
    kind: ClassVar[str] = "arrival_test"

    @classmethod
    def parse(cls, d: Mapping[str, Any], where: str) -> Self:
        return cls(enum_list(d, "results", where, TestResult))

    def holds(self, facts: Facts, today: date, defaults: Defaults) -> Hit | None:
        arrival = facts.arrival
        if arrival is None or arrival.test_result not in self.results:
            return None
        return until_cleared(facts, arrival.test_date or arrival.arrival_date, today)
