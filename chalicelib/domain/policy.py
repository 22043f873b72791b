"""A provincial colour policy as validated data: rules, their conditions and defaults.

The policy is data (a JSON file per province under `chalicelib/policies/`); `rules.evaluate` is the
generic engine that applies it. `Policy.from_dict` rejects anything the engine would not understand,
so a bad policy file fails at load time, never while colouring someone's code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from chalicelib.domain.checkins import is_abnormal
from chalicelib.domain.model import Category, Checkin, Color, Risk, Symptom, TestResult


class PolicyError(ValueError):
    """The policy data is malformed or names something the engine does not know."""


DECLARED_FLAGS = ("contact_with_case", "fever_clinic_visit", "from_abroad")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_REGION = re.compile(r"^[0-9]{6}$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordCondition:
    """An active epidemic record of one of `categories`."""

    categories: tuple[Category, ...]
    kind: ClassVar[str] = "record"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "categories": [c.value for c in self.categories]}


@dataclass(frozen=True)
class VisitedCondition:
    """A declared visited region whose current risk is one of `risk`, within the window."""

    risk: tuple[Risk, ...]
    kind: ClassVar[str] = "visited"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "risk": [r.value for r in self.risk]}


@dataclass(frozen=True)
class DeclaredCondition:
    """A declaration flag (one of DECLARED_FLAGS) is true, within the window."""

    flag: str
    kind: ClassVar[str] = "declared"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "flag": self.flag}


@dataclass(frozen=True)
class SymptomsCondition:
    """Any of the declared symptoms is in `any_of`, within the window."""

    any_of: tuple[Symptom, ...]
    kind: ClassVar[str] = "symptoms"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "any_of": [s.value for s in self.any_of]}


@dataclass(frozen=True)
class TemperatureCondition:
    """The declared temperature is at least `at_least` °C, within the window."""

    at_least: float
    kind: ClassVar[str] = "temperature"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "at_least": self.at_least}


@dataclass(frozen=True)
class CheckinCondition:
    """A daily check-in with a temperature of at least `temperature_at_least` °C or any of
    `symptoms_any_of` on one of the last `lasts_days` days, today included. A later clean check-in
    does not end it: it ends `lasts_days` days after the most recent abnormal check-in."""

    temperature_at_least: float
    symptoms_any_of: tuple[Symptom, ...]
    lasts_days: int
    kind: ClassVar[str] = "checkin"

    def abnormal(self, checkin: Checkin) -> bool:
        return is_abnormal(checkin, self.temperature_at_least, self.symptoms_any_of)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "temperature_at_least": self.temperature_at_least,
            "symptoms_any_of": [s.value for s in self.symptoms_any_of],
            "lasts_days": self.lasts_days,
        }


@dataclass(frozen=True)
class CheckinStreakCondition:
    """Holds a colour: the colour before this evaluation (`Facts.previous`) is one of
    `previous_any_of` and fewer than `clean_days` consecutive clean daily check-ins end today (or
    yesterday, while today's is not in). Clean: below `temperature_at_least` °C and none of
    `symptoms_any_of`. Its reason texts may say `{remaining}`, `{streak}` and `{required}`."""

    previous_any_of: tuple[Color, ...]
    clean_days: int
    temperature_at_least: float
    symptoms_any_of: tuple[Symptom, ...]
    kind: ClassVar[str] = "checkin_streak"

    def abnormal(self, checkin: Checkin) -> bool:
        return is_abnormal(checkin, self.temperature_at_least, self.symptoms_any_of)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "previous_any_of": [c.value for c in self.previous_any_of],
            "clean_days": self.clean_days,
            "temperature_at_least": self.temperature_at_least,
            "symptoms_any_of": [s.value for s in self.symptoms_any_of],
        }


# Arrivals (来鲁申报): each holds from the arrival for `lasts_days` days, or as said.


@dataclass(frozen=True)
class ArrivalColorCondition:
    """The origin's code (a partner's token, or as declared) is one of `colors`: holds until
    `lasts_days` days from the arrival date (that day included)."""

    colors: tuple[Color, ...]
    lasts_days: int
    kind: ClassVar[str] = "arrival_color"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "colors": [c.value for c in self.colors],
            "lasts_days": self.lasts_days,
        }


@dataclass(frozen=True)
class ArrivalRiskCondition:
    """The origin region (or its province) has one of `risk` in the regions table: holds until
    `lasts_days` days from the arrival date."""

    risk: tuple[Risk, ...]
    lasts_days: int
    kind: ClassVar[str] = "arrival_risk"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "risk": [r.value for r in self.risk],
            "lasts_days": self.lasts_days,
        }


@dataclass(frozen=True)
class ArrivalAbroadCondition:
    """An arrival from abroad: holds until the quarantine ends when the test result is one of
    `released_by`, and with no end (until a new declaration) otherwise."""

    released_by: tuple[TestResult, ...]
    kind: ClassVar[str] = "arrival_abroad"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "released_by": [t.value for t in self.released_by]}


@dataclass(frozen=True)
class ArrivalTestCondition:
    """The arrival declares a test result in `results`: holds until a `cleared` record dated on
    or after the test (or the arrival, without a test date)."""

    results: tuple[TestResult, ...]
    kind: ClassVar[str] = "arrival_test"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "results": [t.value for t in self.results]}


Condition = (
    RecordCondition
    | VisitedCondition
    | DeclaredCondition
    | SymptomsCondition
    | TemperatureCondition
    | CheckinCondition
    | CheckinStreakCondition
    | ArrivalColorCondition
    | ArrivalRiskCondition
    | ArrivalAbroadCondition
    | ArrivalTestCondition
)

# Values a condition kind hands to its reason texts ("{remaining} days"); other kinds give none.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    CheckinStreakCondition.kind: frozenset({"remaining", "streak", "required"}),
}


# --- policy -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonText:
    code: str
    en: str
    zh: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class Rule:
    id: str
    color: Color
    when: Condition
    reason: ReasonText
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "color": self.color.value,
            "when": self.when.to_dict(),
            "reason": self.reason.to_dict(),
            "source": self.source,
        }


@dataclass(frozen=True)
class Fallback:
    """What applies when no rule matches: always green."""

    id: str
    color: Color
    reason: ReasonText
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "color": self.color.value,
            "reason": self.reason.to_dict(),
            "source": self.source,
        }


@dataclass(frozen=True)
class Defaults:
    """Windows and record lifetimes, in calendar days (inclusive of the first day).

    Every record category but `cleared` is either in `record_days` (a fixed lifetime from `since`
    when the record has no `until`) or in `open_ended` (lasts until a `cleared` record).
    """

    window_days: int
    record_days: tuple[tuple[Category, int], ...]
    open_ended: tuple[Category, ...]

    def lifetime(self, category: Category) -> int | None:
        """Days a record of `category` without `until` lasts; None when open-ended."""
        return dict(self.record_days).get(category)

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "record_days": {c.value: days for c, days in self.record_days},
            "open_ended": [c.value for c in self.open_ended],
        }


@dataclass(frozen=True)
class Policy:
    profile: str
    name: str
    issuer_region: str
    version: str
    source: str
    defaults: Defaults
    rules: tuple[Rule, ...]
    fallback: Fallback

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Policy:
        """Build a policy from its JSON form; raises PolicyError on anything invalid."""
        _keys(d, "policy", required={*_TOP_KEYS}, optional=set())
        rules = tuple(_rule(r, f"rules[{i}]") for i, r in enumerate(_list(d, "rules", "policy")))
        fallback = _fallback(_obj(d, "fallback", "policy"), "fallback")
        _unique_ids([r.id for r in rules] + [fallback.id])
        issuer_region = _text(d, "issuer_region", "policy")
        if not _REGION.match(issuer_region):
            raise PolicyError(f"policy.issuer_region: {issuer_region!r} is not a 6-digit code")
        return cls(
            profile=_text(d, "profile", "policy"),
            name=_text(d, "name", "policy"),
            issuer_region=issuer_region,
            version=_text(d, "version", "policy"),
            source=_text(d, "source", "policy"),
            defaults=_defaults(_obj(d, "defaults", "policy"), "defaults"),
            rules=rules,
            fallback=fallback,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (what `from_dict` reads and GET /v1/policy publishes)."""
        return {
            "profile": self.profile,
            "name": self.name,
            "issuer_region": self.issuer_region,
            "version": self.version,
            "source": self.source,
            "defaults": self.defaults.to_dict(),
            "rules": [r.to_dict() for r in self.rules],
            "fallback": self.fallback.to_dict(),
        }


_TOP_KEYS = (
    "profile",
    "name",
    "issuer_region",
    "version",
    "source",
    "defaults",
    "rules",
    "fallback",
)


# --- parsing helpers: each takes the object and a path used in error messages -----------------


def _keys(d: Any, where: str, required: set[str], optional: set[str]) -> None:
    if not isinstance(d, Mapping):
        raise PolicyError(f"{where}: expected an object, got {type(d).__name__}")
    missing = sorted(required - d.keys())
    if missing:
        raise PolicyError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(d.keys() - required - optional)
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _text(d: Mapping[str, Any], key: str, where: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where}.{key}: expected a non-empty string")
    return value


def _obj(d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = d.get(key)
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where}.{key}: expected an object")
    return value


def _list(d: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = d.get(key)
    if not isinstance(value, list):
        raise PolicyError(f"{where}.{key}: expected a list")
    return value


def _days(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(f"{where}: expected a whole number of days >= 1, got {value!r}")
    return value


def _enum_list(d: Mapping[str, Any], key: str, where: str, enum: Any) -> tuple[Any, ...]:
    """A non-empty list of distinct values of `enum` (a str Enum)."""
    items = _list(d, key, where)
    if not items:
        raise PolicyError(f"{where}.{key}: must not be empty")
    values = tuple(_enum(enum, item, f"{where}.{key}") for item in items)
    if len(set(values)) != len(values):
        raise PolicyError(f"{where}.{key}: duplicate values")
    return values


def _enum(enum: Any, value: Any, where: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(m.value for m in enum)
        raise PolicyError(
            f"{where}: unknown {enum.__name__.lower()} {value!r} (expected one of {known})"
        ) from None


def _unique_ids(ids: list[str]) -> None:
    seen: set[str] = set()
    for rule_id in ids:
        if rule_id in seen:
            raise PolicyError(f"duplicate rule id {rule_id!r}")
        seen.add(rule_id)


def _record(d: Mapping[str, Any], where: str) -> Condition:
    categories = _enum_list(d, "categories", where, Category)
    if Category.CLEARED in categories:
        raise PolicyError(f"{where}.categories: 'cleared' ends records, it is not a risk")
    return RecordCondition(categories)


def _visited(d: Mapping[str, Any], where: str) -> Condition:
    return VisitedCondition(_enum_list(d, "risk", where, Risk))


def _declared(d: Mapping[str, Any], where: str) -> Condition:
    flag = d.get("flag")
    if flag not in DECLARED_FLAGS:
        raise PolicyError(
            f"{where}.flag: unknown flag {flag!r} (expected one of {', '.join(DECLARED_FLAGS)})"
        )
    return DeclaredCondition(flag)


def _symptoms(d: Mapping[str, Any], where: str) -> Condition:
    return SymptomsCondition(_enum_list(d, "any_of", where, Symptom))


def _celsius(d: Mapping[str, Any], key: str, where: str) -> float:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 30 <= value <= 45:
        raise PolicyError(f"{where}.{key}: expected a temperature in °C, got {value!r}")
    return float(value)


def _temperature(d: Mapping[str, Any], where: str) -> Condition:
    return TemperatureCondition(_celsius(d, "at_least", where))


def _checkin(d: Mapping[str, Any], where: str) -> Condition:
    return CheckinCondition(
        temperature_at_least=_celsius(d, "temperature_at_least", where),
        symptoms_any_of=_enum_list(d, "symptoms_any_of", where, Symptom),
        lasts_days=_days(d["lasts_days"], f"{where}.lasts_days"),
    )


def _checkin_streak(d: Mapping[str, Any], where: str) -> Condition:
    previous = _enum_list(d, "previous_any_of", where, Color)
    if Color.GREEN in previous:
        raise PolicyError(f"{where}.previous_any_of: only red or yellow can be held, not green")
    return CheckinStreakCondition(
        previous_any_of=previous,
        clean_days=_days(d["clean_days"], f"{where}.clean_days"),
        temperature_at_least=_celsius(d, "temperature_at_least", where),
        symptoms_any_of=_enum_list(d, "symptoms_any_of", where, Symptom),
    )


def _arrival_color(d: Mapping[str, Any], where: str) -> Condition:
    colors = _enum_list(d, "colors", where, Color)
    if Color.GREEN in colors:
        raise PolicyError(f"{where}.colors: a green origin code is not a risk")
    return ArrivalColorCondition(colors, _days(d["lasts_days"], f"{where}.lasts_days"))


def _arrival_risk(d: Mapping[str, Any], where: str) -> Condition:
    risk = _enum_list(d, "risk", where, Risk)
    return ArrivalRiskCondition(risk, _days(d["lasts_days"], f"{where}.lasts_days"))


def _arrival_abroad(d: Mapping[str, Any], where: str) -> Condition:
    return ArrivalAbroadCondition(_enum_list(d, "released_by", where, TestResult))


def _arrival_test(d: Mapping[str, Any], where: str) -> Condition:
    return ArrivalTestCondition(_enum_list(d, "results", where, TestResult))


# kind -> (parser, the condition's own fields)
_CONDITIONS: dict[str, tuple[Callable[[Mapping[str, Any], str], Condition], set[str]]] = {
    RecordCondition.kind: (_record, {"categories"}),
    VisitedCondition.kind: (_visited, {"risk"}),
    DeclaredCondition.kind: (_declared, {"flag"}),
    SymptomsCondition.kind: (_symptoms, {"any_of"}),
    TemperatureCondition.kind: (_temperature, {"at_least"}),
    CheckinCondition.kind: (_checkin, {"temperature_at_least", "symptoms_any_of", "lasts_days"}),
    CheckinStreakCondition.kind: (
        _checkin_streak,
        {"previous_any_of", "clean_days", "temperature_at_least", "symptoms_any_of"},
    ),
    ArrivalColorCondition.kind: (_arrival_color, {"colors", "lasts_days"}),
    ArrivalRiskCondition.kind: (_arrival_risk, {"risk", "lasts_days"}),
    ArrivalAbroadCondition.kind: (_arrival_abroad, {"released_by"}),
    ArrivalTestCondition.kind: (_arrival_test, {"results"}),
}


def _condition(d: Any, where: str) -> Condition:
    if not isinstance(d, Mapping):
        raise PolicyError(f"{where}: expected an object")
    kind = d.get("kind")
    if kind not in _CONDITIONS:
        known = ", ".join(_CONDITIONS)
        raise PolicyError(
            f"{where}.kind: unknown condition kind {kind!r} (expected one of {known})"
        )
    parse, fields = _CONDITIONS[kind]
    _keys(d, where, required={"kind", *fields}, optional=set())
    return parse(d, where)


def _reason(d: Mapping[str, Any], where: str) -> ReasonText:
    _keys(d, where, required={"code", "en", "zh"}, optional=set())
    code = _text(d, "code", where)
    if not _CODE.match(code):
        raise PolicyError(f"{where}.code: {code!r} is not snake_case")
    return ReasonText(code=code, en=_text(d, "en", where), zh=_text(d, "zh", where))


def _rule_id(d: Mapping[str, Any], where: str) -> str:
    rule_id = _text(d, "id", where)
    if not _RULE_ID.match(rule_id):
        raise PolicyError(f"{where}.id: {rule_id!r} may hold only letters, digits, '.', '_', '-'")
    return rule_id


def _rule(d: Any, where: str) -> Rule:
    _keys(d, where, required={"id", "color", "when", "reason", "source"}, optional=set())
    rule = Rule(
        id=_rule_id(d, where),
        color=_enum(Color, d["color"], f"{where}.color"),
        when=_condition(d["when"], f"{where}.when"),
        reason=_reason(_obj(d, "reason", where), f"{where}.reason"),
        source=_text(d, "source", where),
    )
    _placeholders(rule, where)
    return rule


def _placeholders(rule: Rule, where: str) -> None:
    """Reason texts may only name values their condition kind provides."""
    allowed = PLACEHOLDERS.get(rule.when.kind, frozenset())
    for lang, text in (("en", rule.reason.en), ("zh", rule.reason.zh)):
        unknown = sorted(set(_PLACEHOLDER.findall(text)) - allowed)
        if unknown:
            raise PolicyError(
                f"{where}.reason.{lang}: unknown placeholder(s) {', '.join(unknown)} "
                f"for kind {rule.when.kind!r}"
            )


def _fallback(d: Mapping[str, Any], where: str) -> Fallback:
    _keys(d, where, required={"id", "color", "reason", "source"}, optional=set())
    color = _enum(Color, d["color"], f"{where}.color")
    if color is not Color.GREEN:
        raise PolicyError(f"{where}.color: the fallback must be green, got {color.value!r}")
    return Fallback(
        id=_rule_id(d, where),
        color=color,
        reason=_reason(_obj(d, "reason", where), f"{where}.reason"),
        source=_text(d, "source", where),
    )


def _defaults(d: Mapping[str, Any], where: str) -> Defaults:
    _keys(d, where, required={"window_days", "record_days", "open_ended"}, optional=set())
    record_days = tuple(
        (_enum(Category, c, f"{where}.record_days"), _days(n, f"{where}.record_days.{c}"))
        for c, n in _obj(d, "record_days", where).items()
    )
    open_ended = tuple(
        _enum(Category, c, f"{where}.open_ended") for c in _list(d, "open_ended", where)
    )
    listed = [c for c, _ in record_days] + list(open_ended)
    expected = [c for c in Category if c is not Category.CLEARED]
    if sorted(listed) != sorted(expected):
        raise PolicyError(
            f"{where}: every category but 'cleared' must be in exactly one of record_days or "
            f"open_ended (listed: {', '.join(c.value for c in listed) or 'none'})"
        )
    return Defaults(
        window_days=_days(d["window_days"], f"{where}.window_days"),
        record_days=record_days,
        open_ended=open_ended,
    )
