"""The colour engine applied to the Shandong policy.

Source: the Shandong notice cited in chalicelib/policies/shandong.json (`source`), question 4
(红码/黄码/绿码). Row ids name the rule; the comment on each row quotes the clause it checks.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.conditions import DECLARED_FLAGS, record_end
from chalicelib.domain.model import (
    Assessment,
    Category,
    Checkin,
    Color,
    Declaration,
    Facts,
    Record,
    Risk,
    Symptom,
)
from chalicelib.domain.policy import Policy
from chalicelib.domain.rules import evaluate
from chalicelib.policies import load

SHANDONG = load("shandong")
DECLARED_ON = date(2026, 11, 1)
TODAY = date(2026, 11, 5)
LAST_WINDOW_DAY = date(2026, 11, 14)
HIGH, MEDIUM = "420100", "110105"
RISKS = {HIGH: Risk.HIGH, MEDIUM: Risk.MEDIUM, "370102": Risk.LOW}


def rec(category: str, since: date, until: date | None = None, rid: str = "") -> Record:
    return Record(rid or f"{category}-{since}", Category(category), since, until)


def noted(category: str, note: str, since: date = DECLARED_ON) -> Record:
    return Record(f"{category}-{since}", Category(category), since, None, None, note)


def facts(*records: Record, declared_on: date = DECLARED_ON, **declaration: Any) -> Facts:
    return Facts(
        declaration=Declaration(**declaration),
        declared_on=declared_on,
        region_risks=dict(RISKS),
        records=records,
    )


def assess(f: Facts, today: date = TODAY) -> Assessment:
    return evaluate(SHANDONG, f, today)


def codes(a: Assessment) -> list[str]:
    return [r.code for r in a.reasons]


def rule_ids(a: Assessment) -> list[str]:
    return [r.rule for r in a.reasons]


# --- every rule fires alone, with its colour and reason code ----------------------------------

SINGLE_RULE_ROWS = [
    # 红码: "确诊病人"
    pytest.param(
        facts(rec("confirmed", DECLARED_ON)),
        "red",
        "SD-R-confirmed",
        "confirmed_case",
        id="SD-R-confirmed: 确诊病人",
    ),
    # 红码: "疑似病人"
    pytest.param(
        facts(rec("suspected", DECLARED_ON)),
        "red",
        "SD-R-suspected",
        "suspected_case",
        id="SD-R-suspected: 疑似病人",
    ),
    # 红码: "正在实施集中隔离医学观察的无症状感染者"
    pytest.param(
        facts(rec("asymptomatic", DECLARED_ON)),
        "red",
        "SD-R-asymptomatic",
        "asymptomatic_infection",
        id="SD-R-asymptomatic: 无症状感染者",
    ),
    # 红码: "正在实施集中或居家隔离医学观察的密切接触者"
    pytest.param(
        facts(rec("close_contact", DECLARED_ON)),
        "red",
        "SD-R-close-contact",
        "close_contact",
        id="SD-R-close-contact: 密切接触者",
    ),
    # 红码: "来自疫情防控重点地区和高风险地区的人员"
    pytest.param(
        facts(visited_regions=(HIGH,)),
        "red",
        "SD-R-high-risk-region",
        "visited_high_risk_region",
        id="SD-R-high-risk-region: 来自高风险地区",
    ),
    # 黄码: "14天内有发热门诊就诊记录的人员" (authority record)
    pytest.param(
        facts(rec("fever_clinic", DECLARED_ON)),
        "yellow",
        "SD-Y-fever-clinic-record",
        "fever_clinic_record",
        id="SD-Y-fever-clinic-record: 发热门诊就诊记录",
    ),
    # 黄码: "14天内有发热门诊就诊记录的人员" (declared)
    pytest.param(
        facts(fever_clinic_visit=True),
        "yellow",
        "SD-Y-fever-clinic-declared",
        "fever_clinic_visit_declared",
        id="SD-Y-fever-clinic-declared: 申报发热门诊",
    ),
    # 黄码: "有发热、干咳、气促、呼吸道症状的人员"
    *[
        pytest.param(
            facts(symptoms=(Symptom(s),)),
            "yellow",
            "SD-Y-respiratory-symptoms",
            "respiratory_symptoms",
            id=f"SD-Y-respiratory-symptoms: {s}",
        )
        for s in ("fever", "dry_cough", "shortness_of_breath", "cough")
    ],
    # 黄码: "有发热……的人员"; 发热 = "体温大于或等于37.3℃"
    pytest.param(
        facts(temperature=37.3),
        "yellow",
        "SD-Y-fever-temperature",
        "fever_temperature",
        id="SD-Y-fever-temperature: 体温大于或等于37.3℃",
    ),
    # 黄码: "有发热、干咳、气促、呼吸道症状的人员", reported at a daily check-in (more rows, with
    # `until`, in test_province_rules.py)
    pytest.param(
        Facts(Declaration(), DECLARED_ON, checkins=(Checkin(TODAY, 37.3),)),
        "yellow",
        "SD-Y-checkin-fever-or-symptoms",
        "checkin_fever_or_symptoms",
        id="SD-Y-checkin-fever-or-symptoms: 打卡体温大于或等于37.3℃",
    ),
    # 黄码: "实施居家观察未满14天的治愈出院确诊病人；接触医学隔离未满14天的无症状感染者"
    pytest.param(
        facts(rec("recovered_observation", DECLARED_ON)),
        "yellow",
        "SD-Y-recovered-observation",
        "recovered_observation",
        id="SD-Y-recovered-observation: 治愈出院未满14天",
    ),
    # 黄码: "实施居家观察未满14天的治愈出院确诊病人；接触医学隔离未满14天的无症状感染者":
    # clearing the case record starts the observation by itself
    pytest.param(
        facts(rec("confirmed", date(2026, 10, 10)), rec("cleared", DECLARED_ON)),
        "yellow",
        "SD-Y-discharged-observation",
        "discharged_observation",
        id="SD-Y-discharged-observation: 实施居家观察未满14天的治愈出院确诊病人",
    ),
    # 黄码: "来自境外隔离期未满人员" (authority record)
    pytest.param(
        facts(rec("abroad_quarantine", DECLARED_ON)),
        "yellow",
        "SD-Y-abroad-quarantine",
        "abroad_quarantine",
        id="SD-Y-abroad-quarantine: 境外隔离期未满",
    ),
    # 黄码: "来自境外隔离期未满人员" (declared)
    pytest.param(
        facts(from_abroad=True),
        "yellow",
        "SD-Y-from-abroad-declared",
        "arrived_from_abroad",
        id="SD-Y-from-abroad-declared: 申报自境外",
    ),
    # 黄码: "来自疫情中风险地区人员"
    pytest.param(
        facts(visited_regions=(MEDIUM,)),
        "yellow",
        "SD-Y-medium-risk-region",
        "visited_medium_risk_region",
        id="SD-Y-medium-risk-region: 来自中风险地区",
    ),
    # 黄码: self-declared "14天内接触史", pending the authority's close-contact record
    pytest.param(
        facts(contact_with_case=True),
        "yellow",
        "SD-Y-contact-declared",
        "contact_with_case_declared",
        id="SD-Y-contact-declared: 申报接触史",
    ),
    # 黄码: "有发热、干咳、气促、呼吸道症状的人员": a fever case the authority put on record
    pytest.param(
        facts(rec("fever", DECLARED_ON)),
        "yellow",
        "SD-Y-fever-record",
        "fever_record",
        id="SD-Y-fever-record: 有发热……的人员 (a fever record)",
    ),
    # 红码: "其他需要纳入高风险人员管理的人员"; 黄码: "其他需要纳入中风险人员管理的人员",
    # "全省疫情数据库14天内异常的人员": the authority's catch-alls, each with its note
    pytest.param(
        facts(noted("other_high_risk", "与确诊病例同航班")),
        "red",
        "SD-R-other-high-risk",
        "other_high_risk",
        id="SD-R-other-high-risk: 其他需要纳入高风险人员管理的人员",
    ),
    pytest.param(
        facts(noted("other_medium_risk", "同一单元楼出现病例")),
        "yellow",
        "SD-Y-other-medium-risk",
        "other_medium_risk",
        id="SD-Y-other-medium-risk: 其他需要纳入中风险人员管理的人员",
    ),
    pytest.param(
        facts(noted("database_abnormal", "核酸检测结果待复核")),
        "yellow",
        "SD-Y-database-abnormal",
        "database_abnormal",
        id="SD-Y-database-abnormal: 全省疫情数据库14天内异常的人员",
    ),
]


@pytest.mark.parametrize(("f", "color", "rule", "code"), SINGLE_RULE_ROWS)
def test_each_shandong_rule_fires_alone_with_its_colour_and_reason(
    f: Facts, color: str, rule: str, code: str
) -> None:
    a = assess(f)
    assert a.color is Color(color)
    assert rule_ids(a) == [rule]
    assert codes(a) == [code]
    reason = a.reasons[0]
    policy_rule = next(r for r in SHANDONG.rules if r.id == rule)
    assert (reason.message, reason.message_zh) == (policy_rule.reason.en, policy_rule.reason.zh)


def test_every_shandong_rule_is_covered_by_a_row() -> None:
    from tests.unit.test_arrival_rules import covered as arrival_rules

    covered = {row.values[2] for row in SINGLE_RULE_ROWS}
    assert covered | (arrival_rules("shandong") - {"SD-G-default"}) == {
        r.id for r in SHANDONG.rules
    }


# --- green: "除红色、黄色人员外的其他人群健康通行码都是绿色" ---------------------------

GREEN_ROWS = [
    pytest.param(facts(), id="nothing declared, no record"),
    # "乏力、咳嗽、腹泻、结膜炎等任何不适" -> see a doctor; only respiratory symptoms are yellow
    pytest.param(
        facts(symptoms=(Symptom.FATIGUE, Symptom.DIARRHEA, Symptom.CONJUNCTIVITIS)),
        id="non-respiratory symptoms",
    ),
    # fever is "体温大于或等于37.3℃": 37.2 is not
    pytest.param(facts(temperature=37.2), id="temperature 37.2 below 37.3"),
    pytest.param(facts(visited_regions=("370102",)), id="visited a low-risk region"),
    pytest.param(facts(visited_regions=("999999",)), id="region risk missing = low"),
    # "cleared" ends records, it is no risk of its own
    pytest.param(facts(rec("cleared", DECLARED_ON)), id="only a cleared record"),
]


@pytest.mark.parametrize("f", GREEN_ROWS)
def test_green_fallback_when_no_rule_matches(f: Facts) -> None:
    a = assess(f)
    assert a.color is Color.GREEN
    assert rule_ids(a) == ["SD-G-default"]
    assert codes(a) == ["no_risk_found"]
    assert a.reasons[0].until is None
    assert a.valid_until is None


# --- 14-day windows: counted from the day after declared_on (days.last_day, Civil Code art. 201):
# declared on D, the window is D+1 … D+14; the colour holds from D through D+14, green on D+15.
# (Behaviour change, issue 11 item 9: the last day was D+13 before.)

WINDOW_ROWS = [
    pytest.param(date(2026, 11, 1), date(2026, 11, 1), True, id="declaration day"),
    pytest.param(date(2026, 11, 1), date(2026, 11, 15), True, id="D+14 still counts"),
    pytest.param(date(2026, 11, 1), date(2026, 11, 16), False, id="D+15 no longer"),
    pytest.param(date(2026, 11, 1), date(2026, 10, 31), False, id="before the declaration"),
    pytest.param(date(2026, 11, 20), date(2026, 12, 4), True, id="across month end: D+14"),
    pytest.param(date(2026, 11, 20), date(2026, 12, 5), False, id="across month end: D+15"),
    pytest.param(date(2026, 12, 25), date(2027, 1, 8), True, id="across year end: D+14"),
    pytest.param(date(2026, 12, 25), date(2027, 1, 9), False, id="across year end: D+15"),
    pytest.param(date(2027, 2, 20), date(2027, 3, 6), True, id="across February: D+14"),
    pytest.param(date(2027, 2, 20), date(2027, 3, 7), False, id="across February: D+15"),
]
# Every windowed condition kind: visited, declared, symptoms, temperature.
WINDOWED = [
    pytest.param({"visited_regions": (HIGH,)}, id="visited"),
    pytest.param({"contact_with_case": True}, id="declared"),
    pytest.param({"symptoms": (Symptom.DRY_COUGH,)}, id="symptoms"),
    pytest.param({"temperature": 38.0}, id="temperature"),
]


@pytest.mark.parametrize("declaration", WINDOWED)
@pytest.mark.parametrize(("declared_on", "today", "counts"), WINDOW_ROWS)
def test_a_declaration_counts_14_days_after_the_declaration_day(
    declaration: dict[str, object], declared_on: date, today: date, counts: bool
) -> None:
    a = assess(facts(declared_on=declared_on, **declaration), today)
    assert (a.color is not Color.GREEN) is counts
    if counts:
        last = date.fromordinal(declared_on.toordinal() + 14)
        assert a.reasons[0].until == last
        assert a.valid_until == last


# --- records: since..until inclusive, defaults by category, cleared ----------------------------

D = date  # short for the record tables
RECORD_ROWS = [
    # "14天内有发热门诊就诊记录的人员": no until -> 14 days after since (days.last_day)
    pytest.param(
        [rec("fever_clinic", D(2026, 11, 1))],
        D(2026, 11, 15),
        "yellow",
        D(2026, 11, 15),
        id="fever_clinic without until: since+14 counts",
    ),
    pytest.param(
        [rec("fever_clinic", D(2026, 11, 1))],
        D(2026, 11, 16),
        "green",
        None,
        id="fever_clinic without until: since+15 green",
    ),
    pytest.param(
        [rec("fever_clinic", D(2026, 11, 1))],
        D(2026, 10, 31),
        "green",
        None,
        id="record not yet started",
    ),
    # an explicit until wins over the default and is inclusive
    pytest.param(
        [rec("fever_clinic", D(2026, 11, 1), D(2026, 11, 20))],
        D(2026, 11, 20),
        "yellow",
        D(2026, 11, 20),
        id="explicit until: last day counts",
    ),
    pytest.param(
        [rec("fever_clinic", D(2026, 11, 1), D(2026, 11, 20))],
        D(2026, 11, 21),
        "green",
        None,
        id="explicit until: day after is green",
    ),
    pytest.param(
        [rec("close_contact", D(2026, 11, 1), D(2026, 11, 3))],
        D(2026, 11, 3),
        "red",
        D(2026, 11, 3),
        id="explicit until on a red category",
    ),
    # "实施居家观察未满14天的治愈出院确诊病人"
    pytest.param(
        [rec("recovered_observation", D(2026, 11, 25))],
        D(2026, 12, 9),
        "yellow",
        D(2026, 12, 9),
        id="recovered_observation: since+14 across month end",
    ),
    pytest.param(
        [rec("abroad_quarantine", D(2026, 11, 25))],
        D(2026, 12, 10),
        "green",
        None,
        id="abroad_quarantine: since+15 green",
    ),
    # "实施居家观察未满14天的治愈出院确诊病人；接触医学隔离未满14天的无症状感染者": the end of the
    # case record (a `cleared` record or its `until`) starts 14 days of yellow by itself
    pytest.param(
        [rec("confirmed", D(2026, 10, 1)), rec("cleared", D(2026, 11, 1))],
        D(2026, 11, 1),
        "yellow",
        D(2026, 11, 15),
        id="治愈出院确诊病人: yellow from the day the confirmed record is cleared (D) through D+14",
    ),
    pytest.param(
        [rec("confirmed", D(2026, 10, 1)), rec("cleared", D(2026, 11, 1))],
        D(2026, 11, 15),
        "yellow",
        D(2026, 11, 15),
        id="治愈出院确诊病人: D+14 of the observation is yellow",
    ),
    pytest.param(
        [rec("confirmed", D(2026, 10, 1)), rec("cleared", D(2026, 11, 1))],
        D(2026, 11, 16),
        "green",
        None,
        id="治愈出院确诊病人: green on D+15",
    ),
    pytest.param(
        [rec("confirmed", D(2026, 10, 1)), rec("cleared", D(2026, 11, 1))],
        D(2026, 10, 31),
        "red",
        D(2026, 10, 31),
        id="治愈出院确诊病人: red up to the day before the clearance",
    ),
    pytest.param(
        [rec("asymptomatic", D(2026, 10, 20), D(2026, 11, 24))],
        D(2026, 12, 9),
        "yellow",
        D(2026, 12, 9),
        id="解除医学隔离未满14天的无症状感染者: an until on the case record starts it (month end)",
    ),
    pytest.param(
        [rec("asymptomatic", D(2026, 10, 20), D(2026, 11, 24))],
        D(2026, 12, 10),
        "green",
        None,
        id="解除医学隔离的无症状感染者: green on D+15 after the release",
    ),
    pytest.param(
        [rec("confirmed", D(2026, 11, 1)), rec("cleared", D(2026, 11, 1))],
        D(2026, 11, 2),
        "green",
        None,
        id="a confirmed record cleared on its first day was never active: no observation",
    ),
    pytest.param(
        [rec("close_contact", D(2026, 10, 20)), rec("cleared", D(2026, 11, 1))],
        D(2026, 11, 2),
        "green",
        None,
        id="a cleared close contact starts no observation (the notice names cases only)",
    ),
    # "确诊病人": open-ended until a cleared record
    pytest.param(
        [rec("confirmed", D(2026, 11, 1))],
        D(2027, 6, 1),
        "red",
        None,
        id="confirmed without until lasts until cleared",
    ),
    pytest.param(
        [rec("confirmed", D(2026, 11, 1)), rec("cleared", D(2026, 11, 10))],
        D(2026, 11, 9),
        "red",
        D(2026, 11, 9),
        id="confirmed: day before cleared",
    ),
    pytest.param(
        [rec("confirmed", D(2026, 11, 1)), rec("cleared", D(2026, 11, 10))],
        D(2026, 11, 10),
        "yellow",
        D(2026, 11, 24),
        id="confirmed: cleared from its since on, red ends and 治愈出院 observation is yellow",
    ),
    pytest.param(
        [rec("suspected", D(2026, 11, 10)), rec("cleared", D(2026, 11, 10))],
        D(2026, 11, 10),
        "green",
        None,
        id="cleared the same day as the record",
    ),
    pytest.param(
        [rec("fever_clinic", D(2026, 11, 1)), rec("cleared", D(2026, 11, 5))],
        D(2026, 11, 5),
        "green",
        None,
        id="cleared ends a 14-day record early",
    ),
    pytest.param(
        [rec("cleared", D(2026, 11, 10)), rec("close_contact", D(2026, 11, 12))],
        D(2026, 11, 12),
        "red",
        None,
        id="record starting after cleared still counts",
    ),
    pytest.param(
        [
            rec("cleared", D(2026, 11, 1)),
            rec("confirmed", D(2026, 11, 3)),
            rec("cleared", D(2026, 11, 20)),
        ],
        D(2026, 11, 19),
        "red",
        D(2026, 11, 19),
        id="a later cleared ends it again",
    ),
]


@pytest.mark.parametrize(("records", "today", "color", "until"), RECORD_ROWS)
def test_record_activity(
    records: list[Record], today: date, color: str, until: date | None
) -> None:
    a = assess(facts(*records), today)
    assert a.color is Color(color)
    assert a.reasons[0].until == until
    assert a.valid_until == until


def test_record_end_is_the_effective_last_day() -> None:
    confirmed = rec("confirmed", D(2026, 11, 1))
    cleared = rec("cleared", D(2026, 11, 10))
    defaults = SHANDONG.defaults
    assert record_end(confirmed, [confirmed], defaults) is None
    assert record_end(confirmed, [confirmed, cleared], defaults) == D(2026, 11, 9)
    fever = rec("fever_clinic", D(2026, 11, 1))
    assert record_end(fever, [fever], defaults) == D(2026, 11, 15)


def test_the_latest_end_wins_when_one_rule_matches_several_records() -> None:
    a = assess(
        facts(
            rec("fever_clinic", D(2026, 11, 1), rid="a"),
            rec("fever_clinic", D(2026, 11, 4), rid="b"),
        )
    )
    assert rule_ids(a) == ["SD-Y-fever-clinic-record"]
    assert a.reasons[0].until == D(2026, 11, 18)


# --- several reasons ---------------------------------------------------------------------------


def test_red_beats_yellow_and_both_reasons_are_listed() -> None:
    a = assess(facts(rec("confirmed", DECLARED_ON), symptoms=(Symptom.FEVER,)))
    assert a.color is Color.RED
    assert codes(a) == ["confirmed_case", "respiratory_symptoms"]
    assert [r.color for r in a.reasons] == [Color.RED, Color.YELLOW]
    assert a.valid_until is None  # confirmed has no end yet


def test_reasons_most_severe_first_then_in_rule_order() -> None:
    f = facts(
        rec("fever_clinic", DECLARED_ON),
        rec("confirmed", DECLARED_ON),
        contact_with_case=True,
        visited_regions=(MEDIUM, HIGH),
    )
    assert rule_ids(assess(f)) == [
        "SD-R-confirmed",
        "SD-R-high-risk-region",
        "SD-Y-fever-clinic-record",
        "SD-Y-medium-risk-region",
        "SD-Y-contact-declared",
    ]


def test_declared_contact_is_yellow_until_the_authority_records_a_close_contact() -> None:
    declared = facts(contact_with_case=True)
    assert assess(declared).color is Color.YELLOW
    confirmed = facts(rec("close_contact", TODAY), contact_with_case=True)
    a = assess(confirmed)
    assert a.color is Color.RED
    assert codes(a) == ["close_contact", "contact_with_case_declared"]


def test_region_risk_is_read_from_the_current_facts() -> None:
    f = facts(visited_regions=(MEDIUM,))
    raised = Facts(f.declaration, f.declared_on, {MEDIUM: Risk.HIGH}, f.records)
    lowered = Facts(f.declaration, f.declared_on, {}, f.records)
    assert assess(f).color is Color.YELLOW
    assert assess(raised).color is Color.RED
    assert assess(lowered).color is Color.GREEN


# --- valid_until and the assessment's identity -------------------------------------------------

VALID_UNTIL_ROWS = [
    pytest.param(facts(symptoms=(Symptom.COUGH,)), D(2026, 11, 15), id="window end"),
    # the colour lasts while any of its reasons does: the latest end
    pytest.param(
        facts(rec("fever_clinic", D(2026, 11, 5)), symptoms=(Symptom.COUGH,)),
        D(2026, 11, 19),
        id="latest yellow end",
    ),
    # yellow reasons do not extend a red colour
    pytest.param(
        facts(
            rec("close_contact", D(2026, 11, 1), D(2026, 11, 6)),
            rec("fever_clinic", D(2026, 11, 5)),
        ),
        D(2026, 11, 6),
        id="only the red reasons count for red",
    ),
    pytest.param(facts(rec("suspected", DECLARED_ON)), None, id="open-ended red"),
    pytest.param(facts(), None, id="green has no end"),
]


@pytest.mark.parametrize(("f", "valid_until"), VALID_UNTIL_ROWS)
def test_valid_until(f: Facts, valid_until: date | None) -> None:
    assert assess(f).valid_until == valid_until


def test_assessment_names_the_policy_profile_and_version() -> None:
    a = assess(facts())
    assert (a.profile, a.rules_version) == ("shandong", "shandong-2020.4")


def test_evaluation_is_deterministic_whatever_the_record_order() -> None:
    records = [
        rec("fever_clinic", D(2026, 11, 2)),
        rec("confirmed", D(2026, 10, 1)),
        rec("cleared", D(2026, 10, 20)),
        rec("close_contact", D(2026, 11, 3)),
    ]
    results = {
        assess(facts(*order, symptoms=(Symptom.FEVER,), visited_regions=(MEDIUM,)))
        for order in itertools.permutations(records)
    }
    assert len(results) == 1


# --- the engine is generic: other data, same code ----------------------------------------------


def _tiny_policy(window_days: int, **when: object) -> Policy:
    data = SHANDONG.to_dict()
    data["defaults"]["window_days"] = window_days
    data["rules"] = [
        {
            "id": "T-1",
            "color": "yellow",
            "when": when,
            "basis": "inferred",
            "why": "a test policy",
            "reason": {"code": "test_reason", "en": "Test.", "zh": "测试。"},
        }
    ]
    return Policy.from_dict(data)


def test_the_window_comes_from_the_policy_defaults() -> None:
    policy = _tiny_policy(7, kind="symptoms", any_of=["cough"])
    f = facts(symptoms=(Symptom.COUGH,))
    assert evaluate(policy, f, D(2026, 11, 8)).color is Color.YELLOW  # D+7
    assert evaluate(policy, f, D(2026, 11, 9)).color is Color.GREEN


@pytest.mark.parametrize("flag", DECLARED_FLAGS)
def test_every_declared_flag_reads_the_declaration_field_of_that_name(flag: str) -> None:
    policy = _tiny_policy(14, kind="declared", flag=flag)
    declared: dict[str, Any] = {flag: True}
    flagged = Facts(Declaration(**declared), DECLARED_ON)
    assert evaluate(policy, flagged, TODAY).color is Color.YELLOW
    assert evaluate(policy, facts(), TODAY).color is Color.GREEN


def test_a_clearance_ends_only_what_was_imported_before_it() -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    defaults = SHANDONG.defaults
    cleared = replace(
        rec("cleared", D(2026, 11, 20)), imported_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    known = replace(rec("confirmed", D(2026, 11, 1)), imported_at=datetime(2026, 11, 2, tzinfo=UTC))
    # Imported after the clearance but dated before it: news the clearance did not weigh.
    late = replace(
        rec("close_contact", D(2026, 11, 10)), imported_at=datetime(2026, 11, 21, tzinfo=UTC)
    )
    records = [known, cleared, late]
    assert record_end(known, records, defaults) == D(2026, 11, 19)
    assert record_end(late, records, defaults) is None
    # Without import times (older data, hand-made facts) the clearance counts as before.
    assert record_end(replace(late, imported_at=None), records, defaults) == D(2026, 11, 19)
    today = D(2026, 11, 22)
    assert evaluate(SHANDONG, facts(*records), today).color is Color.RED
    # The clearance ends the red; the discharged patient's 14-day observation is yellow.
    assert evaluate(SHANDONG, facts(known, cleared), today).color is Color.YELLOW
