"""A provincial colour policy as validated data: rules, their conditions and defaults.

The policy is data (a JSON file per province under `chalicelib/policies/`); `rules.evaluate` is the
generic engine that applies it. `Policy.from_dict` rejects anything the engine would not understand,
so a bad policy file fails at load time, never while colouring someone's code. Each kind of rule
condition (`when`) is a class in `conditions.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.domain.conditions import Condition, parse_condition
from chalicelib.domain.model import Category, Color
from chalicelib.domain.policy_json import PolicyError as PolicyError
from chalicelib.domain.policy_json import days, enum_value, expect_keys, items, obj, text

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_REGION = re.compile(r"^[0-9]{6}$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


# --- policy -----------------------------------------------------------------------------------

# The notices the policies cite, by file name (docs/notices/, copied unchanged from the sources).
NOTICES = frozenset(
    {
        "000_ba8d9fb67dd2ff13.txt",  # Shandong: a page on the health pass (simplified)
        "001_8736d63703711ca9.txt",  # Hainan: how to apply and use the code (traditional)
        "002_1926158bff427f0a.txt",  # Hubei (Jingzhou): the notice of 2020-03-16 (traditional)
        "003_53338332fcf6bd55.txt",  # Shandong: the mutual-recognition plan (traditional)
        "004_c9687e30082c0c46.txt",  # Shandong: 山东省健康通行码的申领 (simplified)
    }
)
QUOTED, INFERRED = "quoted", "inferred"
# `source` is published, derived from the basis: a published document reads back (it is ignored).
_BASIS_KEYS = {"basis", "notice", "quote", "why", "source"}


@dataclass(frozen=True)
class Basis:
    """Where a rule comes from: `quoted` (the notice says it: `quote` is verbatim, fragments
    joined by ……, in the notice's own script) or `inferred` (our reading, `why` says which; with
    the part the notice does say in `notice` and `quote`, if any)."""

    kind: str
    notice: str | None = None
    quote: str | None = None
    why: str | None = None

    @property
    def source(self) -> str:
        """One line for readers of `source` (published before the basis existed)."""
        cited = f"{self.notice}: {self.quote}" if self.quote else ""
        if self.kind == QUOTED:
            return cited
        return f"推断 / inferred: {self.why}" + (f" — {cited}" if cited else "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"basis": self.kind}
        for key in ("notice", "quote", "why"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class ReasonText:
    """A reason's code and texts; the texts may name values of their condition (`{remaining}`)."""

    code: str
    en: str
    zh: str

    def placeholders(self) -> dict[str, set[str]]:
        """The names each text asks for, by language."""
        texts = {"en": self.en, "zh": self.zh}
        return {lang: set(_PLACEHOLDER.findall(s)) for lang, s in texts.items()}

    def filled(self, values: Mapping[str, int]) -> ReasonText:
        """The texts with `{name}` replaced by its value (the loader allows only names the
        condition kind provides)."""
        if not values:
            return self

        def fill(s: str) -> str:
            return _PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), s)

        return replace(self, en=fill(self.en), zh=fill(self.zh))

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class Rule:
    id: str
    color: Color
    when: Condition
    reason: ReasonText
    basis: Basis

    def to_dict(self) -> dict[str, Any]:
        return _outcome_dict(self, {"when": self.when.to_dict()})


@dataclass(frozen=True)
class Fallback:
    """What applies when no rule matches: always green."""

    id: str
    color: Color
    reason: ReasonText
    basis: Basis

    def to_dict(self) -> dict[str, Any]:
        return _outcome_dict(self, {})


def _outcome_dict(outcome: Rule | Fallback, when: dict[str, Any]) -> dict[str, Any]:
    """A rule or the fallback as published: id, colour, (condition,) reason, its basis, and the
    basis as one `source` line."""
    head = {"id": outcome.id, "color": outcome.color.value}
    basis = outcome.basis
    return {
        **head,
        **when,
        "reason": outcome.reason.to_dict(),
        **basis.to_dict(),
        "source": basis.source,
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
            "record_days": {c.value: n for c, n in self.record_days},
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
    # A fever measured at a checkpoint or reported in a daily check-in is recorded as a fever case
    # (a `fever` record in the epidemic database) that only the authority's clearance ends.
    records_fever_cases: bool = False

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Policy:
        """Build a policy from its JSON form; raises PolicyError on anything invalid."""
        expect_keys(d, "policy", required={*_TOP_KEYS}, optional={"records_fever_cases"})
        records_fever_cases = d.get("records_fever_cases", False)
        if not isinstance(records_fever_cases, bool):
            raise PolicyError("policy.records_fever_cases: expected true or false")
        rules = tuple(_rule(r, f"rules[{i}]") for i, r in enumerate(items(d, "rules", "policy")))
        fallback = _fallback(obj(d, "fallback", "policy"), "fallback")
        _unique_ids([r.id for r in rules] + [fallback.id])
        issuer_region = text(d, "issuer_region", "policy")
        if not _REGION.match(issuer_region):
            raise PolicyError(f"policy.issuer_region: {issuer_region!r} is not a 6-digit code")
        return cls(
            profile=text(d, "profile", "policy"),
            name=text(d, "name", "policy"),
            issuer_region=issuer_region,
            version=text(d, "version", "policy"),
            source=text(d, "source", "policy"),
            defaults=_defaults(obj(d, "defaults", "policy"), "defaults"),
            rules=rules,
            fallback=fallback,
            records_fever_cases=records_fever_cases,
        )

    def categories_read(self) -> frozenset[Category]:
        """The record categories some rule reads, and `cleared`, which ends them: a record of
        any other category would colour no one (the import refuses it)."""
        read = {c for rule in self.rules for c in rule.when.categories_read()}
        return frozenset({*read, Category.CLEARED})

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
            "records_fever_cases": self.records_fever_cases,
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


# --- parsing: each takes the object and a path used in error messages ---------------------


def _unique_ids(ids: list[str]) -> None:
    seen: set[str] = set()
    for rule_id in ids:
        if rule_id in seen:
            raise PolicyError(f"duplicate rule id {rule_id!r}")
        seen.add(rule_id)


def _reason(d: Mapping[str, Any], where: str) -> ReasonText:
    expect_keys(d, where, required={"code", "en", "zh"}, optional=set())
    code = text(d, "code", where)
    if not _CODE.match(code):
        raise PolicyError(f"{where}.code: {code!r} is not snake_case")
    return ReasonText(code=code, en=text(d, "en", where), zh=text(d, "zh", where))


def _rule_id(d: Mapping[str, Any], where: str) -> str:
    rule_id = text(d, "id", where)
    if not _RULE_ID.match(rule_id):
        raise PolicyError(f"{where}.id: {rule_id!r} may hold only letters, digits, '.', '_', '-'")
    return rule_id


def _rule(d: Any, where: str) -> Rule:
    expect_keys(d, where, required={"id", "color", "when", "reason", "basis"}, optional=_BASIS_KEYS)
    rule = Rule(
        id=_rule_id(d, where),
        color=enum_value(Color, d["color"], f"{where}.color"),
        when=parse_condition(d["when"], f"{where}.when"),
        reason=_reason(obj(d, "reason", where), f"{where}.reason"),
        basis=_basis(d, where),
    )
    _placeholders(rule, where)
    return rule


def _placeholders(rule: Rule, where: str) -> None:
    """Reason texts may only name values their condition kind provides."""
    for lang, names in rule.reason.placeholders().items():
        unknown = sorted(names - rule.when.placeholders)
        if unknown:
            raise PolicyError(
                f"{where}.reason.{lang}: unknown placeholder(s) {', '.join(unknown)} "
                f"for kind {rule.when.kind!r}"
            )


def _fallback(d: Mapping[str, Any], where: str) -> Fallback:
    expect_keys(d, where, required={"id", "color", "reason", "basis"}, optional=_BASIS_KEYS)
    color = enum_value(Color, d["color"], f"{where}.color")
    if color is not Color.GREEN:
        raise PolicyError(f"{where}.color: the fallback must be green, got {color.value!r}")
    return Fallback(
        id=_rule_id(d, where),
        color=color,
        reason=_reason(obj(d, "reason", where), f"{where}.reason"),
        basis=_basis(d, where),
    )


def _basis(d: Mapping[str, Any], where: str) -> Basis:
    """`quoted` needs `notice` and `quote` and no `why`; `inferred` needs `why`, and `notice`
    and `quote` together or neither. The quote's words are checked against the notice by the
    tests (tests/unit/test_rule_basis.py): the domain reads no files."""
    kind = d.get("basis")
    given = {key for key in ("notice", "quote", "why") if key in d}
    for key in given:
        text(d, key, where)
    if kind == QUOTED:
        if given != {"notice", "quote"}:
            raise PolicyError(f"{where}: a quoted rule has a notice and a quote, and no why")
    elif kind == INFERRED:
        if "why" not in given or len(given & {"notice", "quote"}) == 1:
            raise PolicyError(
                f"{where}: an inferred rule says why, with a notice and a quote or neither"
            )
    else:
        raise PolicyError(f"{where}.basis: expected 'quoted' or 'inferred', got {kind!r}")
    notice = d.get("notice")
    if notice is not None and notice not in NOTICES:
        raise PolicyError(f"{where}.notice: unknown notice {notice!r}")
    return Basis(kind, notice, d.get("quote"), d.get("why"))


def _defaults(d: Mapping[str, Any], where: str) -> Defaults:
    expect_keys(d, where, required={"window_days", "record_days", "open_ended"}, optional=set())
    record_days = tuple(
        (enum_value(Category, c, f"{where}.record_days"), days(n, f"{where}.record_days.{c}"))
        for c, n in obj(d, "record_days", where).items()
    )
    open_ended = tuple(
        enum_value(Category, c, f"{where}.open_ended") for c in items(d, "open_ended", where)
    )
    listed = [c for c, _ in record_days] + list(open_ended)
    expected = [c for c in Category if c is not Category.CLEARED]
    if sorted(listed) != sorted(expected):
        raise PolicyError(
            f"{where}: every category but 'cleared' must be in exactly one of record_days or "
            f"open_ended (listed: {', '.join(c.value for c in listed) or 'none'})"
        )
    return Defaults(
        window_days=days(d["window_days"], f"{where}.window_days"),
        record_days=record_days,
        open_ended=open_ended,
    )
