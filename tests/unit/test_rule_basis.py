"""Issue 11 item 8: every rule says where it comes from. A `quoted` rule's quote is verbatim in
its notice (docs/notices/, the sources as found, in their own script; fragments joined by ……);
an `inferred` one says why, with the part the notice does say, if any. One row per rule of the
three policies, named by the rule and its sentence or inference; the behaviour of each rule is
in the tables of test_rules (Shandong), test_province_rules (Hubei, Hainan) and test_arrival_rules,
each of which fails when a rule of its policy has no row."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.policy import INFERRED, NOTICES, QUOTED, Basis, Policy, PolicyError
from chalicelib.policies import PROFILES, load

NOTICE_DIR = Path(__file__).resolve().parents[2] / "docs" / "notices"
ALL = [
    (profile, outcome)
    for profile in PROFILES
    for outcome in (*load(profile).rules, load(profile).fallback)
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _row_id(profile: str, rule_id: str, basis: Basis) -> str:
    said = basis.quote if basis.kind == QUOTED else basis.why
    return f"{rule_id} {basis.kind}: {str(said)[:60]}"


def test_the_notices_in_the_repository_are_the_ones_the_policies_may_cite() -> None:
    assert {p.name for p in NOTICE_DIR.glob("*.txt")} == NOTICES


@pytest.mark.parametrize(
    ("profile", "basis"),
    [pytest.param(p, o.basis, id=_row_id(p, o.id, o.basis)) for p, o in ALL],
)
def test_a_quote_is_verbatim_in_its_notice_and_an_inference_says_why(
    profile: str, basis: Basis
) -> None:
    assert basis.kind in {QUOTED, INFERRED}
    if basis.kind == INFERRED:
        assert basis.why and len(basis.why) >= 20
    if basis.quote is None:
        assert basis.kind == INFERRED and basis.notice is None
        return
    assert basis.notice in NOTICES
    notice = _flat((NOTICE_DIR / basis.notice).read_text(encoding="utf-8"))
    for fragment in basis.quote.split("……"):
        assert fragment.strip(), "an empty fragment"
        assert _flat(fragment) in notice, f"not in {basis.notice}: {fragment}"


def test_each_policy_cites_its_own_province_where_it_quotes() -> None:
    own = {
        "shandong": {
            "000_ba8d9fb67dd2ff13.txt",
            "003_53338332fcf6bd55.txt",
            "004_c9687e30082c0c46.txt",
        },
        "hubei": {"002_1926158bff427f0a.txt"},
        "hainan": {"001_8736d63703711ca9.txt"},
    }
    for profile, outcome in ALL:
        if outcome.basis.kind == QUOTED:
            assert outcome.basis.notice in own[profile], outcome.id


def test_the_published_source_line_says_quoted_or_inferred() -> None:
    for _, outcome in ALL:
        published = outcome.to_dict()
        assert published["basis"] == outcome.basis.kind
        if outcome.basis.kind == QUOTED:
            assert published["source"] == f"{outcome.basis.notice}: {outcome.basis.quote}"
        else:
            assert published["source"].startswith("推断 / inferred: ")


def _first_rule(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(load("shandong").to_dict())
    rule = data["rules"][0]
    for key in ("basis", "notice", "quote", "why", "source"):
        rule.pop(key, None)
    rule.update({k: v for k, v in changes.items() if v is not None})
    return data


@pytest.mark.parametrize(
    ("basis", "message"),
    [
        pytest.param({}, "missing basis", id="no basis"),
        pytest.param(
            {"basis": "guessed", "why": "x"}, "expected 'quoted' or 'inferred'", id="kind"
        ),
        pytest.param(
            {"basis": "quoted", "notice": "004_c9687e30082c0c46.txt"},
            "a quoted rule has",
            id="no quote",
        ),
        pytest.param(
            {
                "basis": "quoted",
                "notice": "004_c9687e30082c0c46.txt",
                "quote": "确诊病人",
                "why": "x",
            },
            "a quoted rule has",
            id="quoted with a why",
        ),
        pytest.param({"basis": "inferred"}, "an inferred rule says why", id="inferred without why"),
        pytest.param(
            {"basis": "inferred", "why": "because", "notice": "004_c9687e30082c0c46.txt"},
            "an inferred rule says why",
            id="a notice without a quote",
        ),
        pytest.param(
            {"basis": "quoted", "notice": "somewhere.txt", "quote": "确诊病人"},
            "unknown notice",
            id="unknown notice",
        ),
    ],
)
def test_a_rule_without_an_honest_basis_is_refused(basis: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        Policy.from_dict(_first_rule(**basis))


def test_some_of_every_policy_is_our_reading_and_says_so() -> None:
    """The audit's finding: arrival states' 14 days and Hainan's red groups are not in the
    notices; each such rule is inferred, never dressed up as a quote."""
    inferred = {o.id for _, o in ALL if o.basis.kind == INFERRED}
    assert {"SD-R-arrival-red-code", "HB-R-arrival-red-code", "HN-R-confirmed"} <= inferred
    assert {o.id for _, o in ALL if o.id.endswith("arrival-red-code")} <= inferred


@pytest.mark.parametrize("profile", PROFILES)
def test_the_published_policy_fits_its_response_model_in_the_openapi_document(
    profile: str,
) -> None:
    from chalicelib.api.schemas import PolicyOut

    published = PolicyOut.model_validate(load(profile).to_dict())
    assert all(rule.basis in {QUOTED, INFERRED} and rule.source for rule in published.rules)


def test_the_notice_index_has_one_line_per_notice() -> None:
    index = (NOTICE_DIR / "README.md").read_text(encoding="utf-8")
    for name in NOTICES:
        assert sum(line.startswith(f"| `{name}`") for line in index.splitlines()) == 1, name
