"""Policy data: the Shandong file loads, round-trips, and bad data fails with a clear error."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chalicelib import policies
from chalicelib.domain.policy import Policy, PolicyError

SHANDONG_JSON = Path(policies.__file__).parent / "shandong.json"
RAW: dict[str, Any] = json.loads(SHANDONG_JSON.read_text(encoding="utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")

SHANDONG_RULE_IDS = [
    "SD-R-confirmed",
    "SD-R-suspected",
    "SD-R-asymptomatic",
    "SD-R-close-contact",
    "SD-R-high-risk-region",
    "SD-Y-fever-clinic-record",
    "SD-Y-fever-clinic-declared",
    "SD-Y-respiratory-symptoms",
    "SD-Y-fever-temperature",
    "SD-Y-checkin-fever-or-symptoms",
    "SD-Y-recovered-observation",
    "SD-Y-discharged-observation",
    "SD-Y-abroad-quarantine",
    "SD-Y-from-abroad-declared",
    "SD-Y-medium-risk-region",
    "SD-Y-contact-declared",
    "SD-Y-fever-record",
    "SD-R-other-high-risk",
    "SD-Y-other-medium-risk",
    "SD-Y-database-abnormal",
    "SD-R-arrival-red-code",
    "SD-R-arrival-high-risk-origin",
    "SD-R-arrival-positive-test",
    "SD-Y-arrival-yellow-code",
    "SD-Y-arrival-medium-risk-origin",
    "SD-Y-arrival-abroad",
]


def test_shandong_is_an_available_profile_and_loads() -> None:
    assert "shandong" in policies.PROFILES
    policy = policies.load("shandong")
    assert isinstance(policy, Policy)
    assert (policy.profile, policy.issuer_region, policy.version) == (
        "shandong",
        "370000",
        "shandong-2020.4",
    )
    assert policies.load("shandong") is policy  # cached


def as_written(published: dict[str, Any]) -> dict[str, Any]:
    """A published policy without what publishing derives (each rule's one-line `source`)."""
    data = copy.deepcopy(published)
    for rule in [*data["rules"], data["fallback"]]:
        rule.pop("source", None)
    return data


def test_rule_ids_are_stable() -> None:
    policy = policies.load("shandong")
    assert [r.id for r in policy.rules] == SHANDONG_RULE_IDS
    assert policy.fallback.id == "SD-G-default"
    assert policy.fallback.reason.code == "no_risk_found"


def test_to_dict_round_trips_and_matches_the_file() -> None:
    policy = policies.load("shandong")
    data = policy.to_dict()
    assert Policy.from_dict(data) == policy
    assert as_written(data) == RAW
    json.dumps(data, ensure_ascii=False)  # publishable as JSON


@pytest.mark.parametrize("rule", RAW["rules"] + [RAW["fallback"]], ids=lambda r: r["id"])
def test_every_rule_has_english_and_chinese_text_and_a_basis(rule: dict[str, Any]) -> None:
    assert rule["reason"]["en"].strip()
    assert CJK.search(rule["reason"]["zh"])
    assert rule["basis"] in {"quoted", "inferred"}
    assert re.fullmatch(r"[a-z][a-z0-9_]*", rule["reason"]["code"])


@pytest.mark.parametrize("profile", ["hubei-typo", "../shandong", "", "SHANDONG"])
def test_unknown_profile_is_a_policy_error(profile: str) -> None:
    with pytest.raises(PolicyError, match="unknown policy profile"):
        policies.load(profile)


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


# --- bad data: each row breaks one thing in a copy of the Shandong file ------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """Set a dotted path (list indexes are numbers) in the policy dict."""
    *parents, last = path.split(".")

    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    *parents, last = path.split(".")

    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[last]

    return mutate


def _duplicate_rule(d: dict[str, Any]) -> None:
    d["rules"].append(copy.deepcopy(d["rules"][0]))


def _fallback_id_clash(d: dict[str, Any]) -> None:
    d["fallback"]["id"] = d["rules"][0]["id"]


BAD_ROWS = [
    pytest.param(
        _set("rules.0.when", {"kind": "astrology", "sign": "leo"}),
        "unknown condition kind 'astrology'",
        id="unknown condition kind",
    ),
    pytest.param(
        _set("rules.0.when", "confirmed"),
        "rules[0].when: expected an object",
        id="condition not an object",
    ),
    pytest.param(_duplicate_rule, "duplicate rule id 'SD-R-confirmed'", id="duplicate rule id"),
    pytest.param(_fallback_id_clash, "duplicate rule id", id="fallback id clashes with a rule"),
    pytest.param(_set("rules.0.color", "purple"), "unknown color 'purple'", id="bad colour"),
    pytest.param(
        _set("fallback.color", "yellow"), "fallback must be green", id="fallback not green"
    ),
    pytest.param(
        _set("rules.0.when.categories", ["confirmed", "zombie"]),
        "unknown category 'zombie'",
        id="unknown category",
    ),
    pytest.param(
        _set("rules.0.when.categories", ["cleared"]),
        "'cleared' ends records",
        id="cleared is no risk category",
    ),
    pytest.param(_set("rules.0.when.categories", []), "must not be empty", id="empty categories"),
    pytest.param(
        _set("rules.0.when.categories", ["confirmed", "confirmed"]),
        "duplicate values",
        id="repeated category",
    ),
    pytest.param(
        _set("rules.7.when.any_of", ["sneezing"]),
        "unknown symptom 'sneezing'",
        id="unknown symptom",
    ),
    pytest.param(
        _set("rules.4.when.risk", ["extreme"]), "unknown risk 'extreme'", id="unknown risk"
    ),
    pytest.param(
        _set("rules.6.when.flag", "is_tired"), "unknown flag 'is_tired'", id="unknown declared flag"
    ),
    pytest.param(
        _set("rules.8.when.at_least", "37.3"),
        "expected a temperature",
        id="temperature not a number",
    ),
    pytest.param(
        _set("rules.8.when.at_least", 373), "expected a temperature", id="temperature out of range"
    ),
    pytest.param(
        _set("rules.0.when.color", "red"), "unknown field(s) color", id="extra field in a condition"
    ),
    pytest.param(_delete("rules.0.reason.zh"), "rules[0].reason: missing zh", id="missing zh text"),
    pytest.param(
        _set("rules.0.reason.en", "  "),
        "rules[0].reason.en: expected a non-empty",
        id="blank en text",
    ),
    pytest.param(
        _set("rules.0.reason.code", "ConfirmedCase"),
        "not snake_case",
        id="reason code not snake_case",
    ),
    pytest.param(_delete("rules.0.basis"), "rules[0]: missing basis", id="missing basis"),
    pytest.param(_set("rules.0.id", "SD R confirmed"), "may hold only", id="rule id with spaces"),
    pytest.param(_set("rules", {}), "policy.rules: expected a list", id="rules not a list"),
    pytest.param(
        _set("colour_override", "green"),
        "unknown field(s) colour_override",
        id="unknown top-level field",
    ),
    pytest.param(_delete("version"), "policy: missing version", id="missing version"),
    pytest.param(_set("issuer_region", "37"), "not a 6-digit code", id="bad issuer region"),
    pytest.param(_set("defaults.window_days", 0), "window_days", id="zero-day window"),
    pytest.param(_set("defaults.window_days", True), "window_days", id="boolean window"),
    pytest.param(
        _set("defaults.record_days.fever_clinic", -1),
        "record_days.fever_clinic",
        id="negative record lifetime",
    ),
    pytest.param(
        _delete("defaults.record_days.fever_clinic"),
        "exactly one of",
        id="category without a lifetime",
    ),
    pytest.param(
        _set(
            "defaults.open_ended",
            ["confirmed", "suspected", "asymptomatic", "close_contact", "fever_clinic"],
        ),
        "exactly one of",
        id="category both open-ended and timed",
    ),
    pytest.param(
        _set("defaults.record_days.unicorn", 14),
        "unknown category 'unicorn'",
        id="unknown category in defaults",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), BAD_ROWS)
def test_bad_policy_data_is_rejected_with_a_clear_message(mutate: Mutation, message: str) -> None:
    data = copy.deepcopy(RAW)
    mutate(data)
    with pytest.raises(PolicyError, match=re.escape(message)):
        Policy.from_dict(data)


def test_not_an_object_is_rejected() -> None:
    with pytest.raises(PolicyError, match="expected an object"):
        Policy.from_dict([])  # type: ignore[arg-type]


# --- all three provinces -----------------------------------------------------------------------


def _raw(profile: str) -> dict[str, Any]:
    path = Path(policies.__file__).parent / f"{profile}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


PROVINCES = [
    pytest.param("shandong", "370000", "shandong-2020.4", id="shandong"),
    pytest.param("hubei", "420000", "hubei-2020.3", id="hubei"),
    pytest.param("hainan", "460000", "hainan-2020.3", id="hainan"),
]

RULE_IDS = {
    "shandong": [*SHANDONG_RULE_IDS, "SD-G-default"],
    "hubei": [
        "HB-R-confirmed",
        "HB-R-suspected",
        "HB-R-fever-case",
        "HB-R-fever-declared",
        "HB-Y-close-contact",
        "HB-Y-home-isolation-unchecked",
        "HB-Y-centralised-isolation",
        "HB-Y-checkin-fever-or-symptoms",
        "HB-Y-declared-fever",
        "HB-Y-declared-symptoms",
        "HB-Y-contact-declared",
        "HB-R-arrival-red-code",
        "HB-R-arrival-high-risk-origin",
        "HB-R-arrival-positive-test",
        "HB-Y-arrival-yellow-code",
        "HB-Y-arrival-medium-risk-origin",
        "HB-Y-arrival-abroad",
        "HB-G-default",
    ],
    "hainan": [
        "HN-R-confirmed",
        "HN-R-suspected",
        "HN-R-asymptomatic",
        "HN-Y-isolation-record",
        "HN-Y-fever-clinic",
        "HN-Y-checkin-fever-or-symptoms",
        "HN-Y-declared-fever",
        "HN-Y-declared-symptoms",
        "HN-Y-contact-declared",
        "HN-Y-fever-record",
        "HN-R-checkin-streak",
        "HN-Y-checkin-streak",
        "HN-R-arrival-red-code",
        "HN-R-arrival-high-risk-origin",
        "HN-R-arrival-positive-test",
        "HN-Y-arrival-yellow-code",
        "HN-Y-arrival-medium-risk-origin",
        "HN-Y-arrival-abroad",
        "HN-G-default",
    ],
}


def test_every_province_file_is_a_profile() -> None:
    assert set(policies.PROFILES) == {"shandong", "hubei", "hainan"}


@pytest.mark.parametrize(("profile", "issuer_region", "version"), PROVINCES)
def test_each_province_loads_round_trips_and_keeps_its_rule_ids(
    profile: str, issuer_region: str, version: str
) -> None:
    policy = policies.load(profile)
    assert (policy.profile, policy.issuer_region, policy.version) == (
        profile,
        issuer_region,
        version,
    )
    assert [r.id for r in policy.rules] + [policy.fallback.id] == RULE_IDS[profile]
    assert as_written(policy.to_dict()) == _raw(profile)
    assert Policy.from_dict(policy.to_dict()) == policy


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(rule, id=rule["id"])
        for profile in ("hubei", "hainan")
        for rule in _raw(profile)["rules"] + [_raw(profile)["fallback"]]
    ],
)
def test_every_hubei_and_hainan_rule_has_both_texts_and_a_basis(
    rule: dict[str, Any],
) -> None:
    assert rule["reason"]["en"].strip()
    assert CJK.search(rule["reason"]["zh"])
    assert rule["basis"] in {"quoted", "inferred"}


def test_only_the_hainan_policy_holds_colours_for_check_in_streaks() -> None:
    kinds = {p: {r.when.kind for r in policies.load(p).rules} for p in policies.PROFILES}
    assert "checkin_streak" in kinds["hainan"]
    assert "checkin_streak" not in kinds["shandong"] | kinds["hubei"]
    assert all("checkin" in k for k in kinds.values())


# --- bad check-in conditions: each row breaks one thing in a copy of the Hainan file ----------

HAINAN_RAW = _raw("hainan")
CHECKIN = next(i for i, r in enumerate(HAINAN_RAW["rules"]) if r["when"]["kind"] == "checkin")
HOLD = next(i for i, r in enumerate(HAINAN_RAW["rules"]) if r["when"]["kind"] == "checkin_streak")

CHECKIN_BAD_ROWS = [
    pytest.param(
        _set(f"rules.{CHECKIN}.when.lasts_days", 0), "lasts_days", id="checkin: zero days"
    ),
    pytest.param(
        _delete(f"rules.{CHECKIN}.when.lasts_days"), "missing lasts_days", id="checkin: no days"
    ),
    pytest.param(
        _set(f"rules.{CHECKIN}.when.temperature_at_least", 3730),
        "temperature_at_least: expected a temperature",
        id="checkin: temperature out of range",
    ),
    pytest.param(
        _set(f"rules.{CHECKIN}.when.symptoms_any_of", ["hiccups"]),
        "unknown symptom 'hiccups'",
        id="checkin: unknown symptom",
    ),
    pytest.param(
        _set(f"rules.{CHECKIN}.when.symptoms_any_of", []),
        "must not be empty",
        id="checkin: no symptoms",
    ),
    pytest.param(
        _set(f"rules.{HOLD}.when.previous_any_of", ["green"]),
        "only red or yellow can be held",
        id="hold: green cannot be held",
    ),
    pytest.param(
        _set(f"rules.{HOLD}.when.previous_any_of", ["blue"]),
        "unknown color 'blue'",
        id="hold: unknown colour",
    ),
    pytest.param(
        _set(f"rules.{HOLD}.when.clean_days", 1.5), "clean_days", id="hold: fractional days"
    ),
    pytest.param(
        _delete(f"rules.{HOLD}.when.temperature_at_least"),
        "missing temperature_at_least",
        id="hold: no temperature",
    ),
    pytest.param(
        _set(f"rules.{HOLD}.reason.en", "{remaining} days, {__class__}"),
        "unknown placeholder(s) __class__",
        id="hold: unknown placeholder",
    ),
    pytest.param(
        _set(f"rules.{CHECKIN}.reason.zh", "还需{remaining}天"),
        "reason.zh: unknown placeholder(s) remaining for kind 'checkin'",
        id="checkin: no placeholders of its own",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), CHECKIN_BAD_ROWS)
def test_bad_check_in_conditions_are_rejected(mutate: Mutation, message: str) -> None:
    data = copy.deepcopy(HAINAN_RAW)
    mutate(data)
    with pytest.raises(PolicyError, match=re.escape(message)):
        Policy.from_dict(data)
