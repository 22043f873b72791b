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
    "SD-Y-recovered-observation",
    "SD-Y-abroad-quarantine",
    "SD-Y-from-abroad-declared",
    "SD-Y-medium-risk-region",
    "SD-Y-contact-declared",
]


def test_shandong_is_an_available_profile_and_loads() -> None:
    assert "shandong" in policies.PROFILES
    policy = policies.load("shandong")
    assert isinstance(policy, Policy)
    assert (policy.profile, policy.issuer_region, policy.version) == (
        "shandong",
        "370000",
        "shandong-2020.1",
    )
    assert policies.load("shandong") is policy  # cached


def test_rule_ids_are_stable() -> None:
    policy = policies.load("shandong")
    assert [r.id for r in policy.rules] == SHANDONG_RULE_IDS
    assert policy.fallback.id == "SD-G-default"
    assert policy.fallback.reason.code == "no_risk_found"


def test_to_dict_round_trips_and_matches_the_file() -> None:
    policy = policies.load("shandong")
    data = policy.to_dict()
    assert Policy.from_dict(data) == policy
    assert data == RAW
    json.dumps(data, ensure_ascii=False)  # publishable as JSON


@pytest.mark.parametrize("rule", RAW["rules"] + [RAW["fallback"]], ids=lambda r: r["id"])
def test_every_rule_has_english_and_chinese_text_and_a_chinese_source(rule: dict[str, Any]) -> None:
    assert rule["reason"]["en"].strip()
    assert CJK.search(rule["reason"]["zh"])
    assert CJK.search(rule["source"])
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
    pytest.param(_delete("rules.0.source"), "rules[0]: missing source", id="missing source"),
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
