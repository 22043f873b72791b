"""Every rule of the three provincial policies, one table per province, and the check-in rules.

Sources: the notices each policy file cites (`source` in chalicelib/policies/*.json): Shandong
(question 4 and the sources its rules quote), Hubei (三、健康碼管理方式), Hainan (四、常見問題
(一)-(三)). Each row's id names the rule and quotes the sentence it checks (the Hubei and Hainan
pages are in traditional characters; quotes are cleaned of the page's conversion artefacts).
Shandong's other rules are in test_rules.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, cast

import pytest

from chalicelib.domain.conditions import CheckinCondition, CheckinStreakCondition
from chalicelib.domain.model import (
    Assessment,
    Category,
    Checkin,
    Color,
    Declaration,
    Facts,
    Record,
    Symptom,
)
from chalicelib.domain.rules import checkin_days, evaluate, next_review
from chalicelib.policies import PROFILES, load

T = date(2026, 11, 20)  # "today" in every row


def day(offset: int) -> date:
    """T plus `offset` days (negative: in the past)."""
    return T + timedelta(days=offset)


def ci(offset: int, temperature: float = 36.5, *symptoms: Symptom) -> Checkin:
    return Checkin(day(offset), temperature, tuple(symptoms))


def clean_run(first: int, last: int) -> tuple[Checkin, ...]:
    """Clean check-ins on every day from T+first to T+last."""
    return tuple(ci(n) for n in range(first, last + 1))


def rec(category: str, since: int = 0, until: int | None = None) -> Record:
    return Record(
        f"{category}{since}",
        Category(category),
        day(since),
        None if until is None else day(until),
    )


def facts(
    *records: Record,
    checkins: Iterable[Checkin] = (),
    previous: Color | None = None,
    declared_on: int = 0,
    **declaration: Any,
) -> Facts:
    return Facts(
        declaration=Declaration(**declaration),
        declared_on=day(declared_on),
        records=records,
        checkins=tuple(checkins),
        previous=previous,
    )


def assess(profile: str, f: Facts, today: date = T) -> Assessment:
    return evaluate(load(profile), f, today)


def rules_of(a: Assessment) -> list[str]:
    return [r.rule for r in a.reasons]


R, Y, G = Color.RED, Color.YELLOW, Color.GREEN
NO_UNTIL = "unchecked"

# (profile, facts, colour, every reason's rule in order, the first reason's until)
ROWS = [
    # === Shandong: the check-in rule (its other rules: test_rules.py) ===========================
    # 黄码: "有发热、干咳、气促、呼吸道症状的人员"; 发热: "体温大于或等于37.3℃"
    pytest.param(
        "shandong",
        facts(checkins=[ci(0, 37.3)]),
        Y,
        ["SD-Y-checkin-fever-or-symptoms"],
        day(14),
        id="SD-Y-checkin-fever-or-symptoms: 发热（体温大于或等于37.3℃） today, until D+14",
    ),
    pytest.param(
        "shandong",
        facts(checkins=[ci(0, 37.2)]),
        G,
        ["SD-G-default"],
        None,
        id="SD-G-default: 37.2℃ is no fever",
    ),
    pytest.param(
        "shandong",
        facts(checkins=[ci(0, 36.5, Symptom.DRY_COUGH)]),
        Y,
        ["SD-Y-checkin-fever-or-symptoms"],
        day(14),
        id="SD-Y-checkin-fever-or-symptoms: 干咳",
    ),
    # "一旦出现……乏力、咳嗽、腹泻、结膜炎等任何不适，第一时间……就诊": advice, not a colour
    pytest.param(
        "shandong",
        facts(checkins=[ci(0, 36.5, Symptom.FATIGUE, Symptom.DIARRHEA)]),
        G,
        ["SD-G-default"],
        None,
        id="SD-G-default: 乏力、腹泻 are not respiratory symptoms",
    ),
    # 14 days: "连续14天以上没有发热(37.3℃以上)、持续干咳、乏力等症状" (seed 003)
    pytest.param(
        "shandong",
        facts(checkins=[ci(-14, 38.0)]),
        Y,
        ["SD-Y-checkin-fever-or-symptoms"],
        day(0),
        id="SD-Y-checkin-fever-or-symptoms: 14 days ago, today is the 14th day after and the last",
    ),
    pytest.param(
        "shandong",
        facts(checkins=[ci(-15, 38.0)]),
        G,
        ["SD-G-default"],
        None,
        id="SD-G-default: fever 15 days ago is over",
    ),
    pytest.param(
        "shandong",
        facts(checkins=[ci(-3, 38.0), *clean_run(-2, 0)]),
        Y,
        ["SD-Y-checkin-fever-or-symptoms"],
        day(11),
        id="SD-Y-checkin-fever-or-symptoms: a later clean check-in does not end it",
    ),
    pytest.param(
        "shandong",
        facts(checkins=[ci(-10, 38.0), ci(-2, 36.5, Symptom.COUGH), ci(0)]),
        Y,
        ["SD-Y-checkin-fever-or-symptoms"],
        day(12),
        id="SD-Y-checkin-fever-or-symptoms: the most recent abnormal check-in counts",
    ),
    pytest.param(
        "shandong",
        facts(checkins=[ci(1, 39.0)]),
        G,
        ["SD-G-default"],
        None,
        id="SD-G-default: a check-in dated tomorrow is not read today",
    ),
    pytest.param(
        "shandong",
        facts(checkins=clean_run(-13, -1), previous=Y),
        G,
        ["SD-G-default"],
        None,
        id="SD-G-default: 三色可转换 — Shandong holds no colour for check-ins",
    ),
    # === Hubei: "持“紅碼”者為確診(含臨床診斷)、疑似、發熱病例" ===================================
    pytest.param(
        "hubei",
        facts(rec("confirmed")),
        R,
        ["HB-R-confirmed"],
        None,
        id="HB-R-confirmed: 持“紅碼”者為確診(含臨床診斷)",
    ),
    pytest.param(
        "hubei",
        facts(rec("suspected", -3)),
        R,
        ["HB-R-suspected"],
        None,
        id="HB-R-suspected: 持“紅碼”者為……疑似",
    ),
    pytest.param(
        "hubei",
        facts(rec("fever_clinic", -2)),
        R,
        ["HB-R-fever-case"],
        day(12),
        id="HB-R-fever-case: 持“紅碼”者為……發熱病例",
    ),
    pytest.param(
        "hubei",
        facts(rec("fever_clinic", -2), rec("cleared", 0)),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: a fever case ruled out (cleared) is green again",
    ),
    pytest.param(
        "hubei",
        facts(rec("fever", -30)),
        R,
        ["HB-R-fever-case"],
        None,
        id="HB-R-fever-case: 發熱病例 recorded at a checkpoint or check-in stays red until cleared",
    ),
    pytest.param(
        "hubei",
        facts(rec("fever", -30), rec("cleared", 0)),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: a recorded fever case cleared by the authority is green",
    ),
    pytest.param(
        "hubei",
        facts(fever_clinic_visit=True),
        R,
        ["HB-R-fever-declared"],
        None,
        id="HB-R-fever-declared: 發熱病例 — a declared fever-clinic visit",
    ),
    pytest.param(
        "hubei",
        facts(symptoms=(Symptom.FEVER,), declared_on=-30),
        R,
        ["HB-R-fever-declared"],
        None,
        id="HB-R-fever-declared: 發熱病例 — a declared fever is red past the 14-day window",
    ),
    pytest.param(
        "hubei",
        facts(rec("cleared", 0), declared_on=-30, temperature=38.0),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: a declared fever case cleared after the declaration is green",
    ),
    pytest.param(
        "hubei",
        facts(rec("cleared", -31), declared_on=-30, temperature=38.0),
        R,
        ["HB-R-fever-declared"],
        None,
        id="HB-R-fever-declared: a clearance dated before the declaration does not end it",
    ),
    pytest.param(
        "hubei",
        facts(rec("cleared", -1), declared_on=-2, temperature=38.0),
        Y,
        ["HB-Y-declared-fever"],
        day(12),
        id="HB-Y-declared-fever: a declared 37.3 °C or more cleared as a fever case stays yellow "
        "through the declaration's 14 days (inferred)",
    ),
    # "持“黃碼”者為密切接觸者、居家隔離且尚未復核新冠肺炎癥狀,或集中隔離未滿14天的人員"
    pytest.param(
        "hubei",
        facts(rec("close_contact", -5)),
        Y,
        ["HB-Y-close-contact"],
        None,
        id="HB-Y-close-contact: 持“黃碼”者為密切接觸者",
    ),
    pytest.param(
        "hubei",
        facts(rec("home_isolation_unchecked", -1)),
        Y,
        ["HB-Y-home-isolation-unchecked"],
        None,
        id="HB-Y-home-isolation-unchecked: 居家隔離且尚未復核新冠肺炎癥狀 lasts until the re-check",
    ),
    pytest.param(
        "hubei",
        facts(rec("home_isolation_unchecked", -30)),
        Y,
        ["HB-Y-home-isolation-unchecked"],
        None,
        id="HB-Y-home-isolation-unchecked: 尚未復核 is still yellow 30 days on (no 14-day expiry)",
    ),
    pytest.param(
        "hubei",
        facts(rec("home_isolation_unchecked", -1), rec("cleared", 0)),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: 居家隔離 re-checked (cleared) is green",
    ),
    pytest.param(
        "hubei",
        facts(rec("home_isolation_unchecked", -20, until=-1)),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: 居家隔離 ended by the authority's until is green after it",
    ),
    pytest.param(
        "hubei",
        facts(rec("recovered_observation", -1)),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: recovered_observation is not Hubei's 居家隔離且尚未復核 (no Hubei rule)",
    ),
    pytest.param(
        "hubei",
        facts(rec("abroad_quarantine", -14)),
        Y,
        ["HB-Y-centralised-isolation"],
        day(0),
        id="HB-Y-centralised-isolation: 集中隔離未滿14天 (the 14th day after since)",
    ),
    pytest.param(
        "hubei",
        facts(rec("abroad_quarantine", -15)),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: 集中隔離滿14天",
    ),
    pytest.param(
        "hubei",
        facts(rec("asymptomatic", -2)),
        Y,
        ["HB-Y-centralised-isolation"],
        None,
        id="HB-Y-centralised-isolation: asymptomatic infection in 集中隔離",
    ),
    # "持“綠碼”者為“非四類”身體健康人員。“綠碼”人員經過卡口時,自覺接受測溫,無發熱癥狀準予通行"
    pytest.param(
        "hubei",
        facts(checkins=[ci(0, 37.3)]),
        Y,
        ["HB-Y-checkin-fever-or-symptoms"],
        day(14),
        id="HB-Y-checkin-fever-or-symptoms: 無發熱癥狀準予通行 — fever at check-in",
    ),
    pytest.param(
        "hubei",
        facts(checkins=[ci(-1, 36.4, Symptom.DRY_COUGH)]),
        Y,
        ["HB-Y-checkin-fever-or-symptoms"],
        day(13),
        id="HB-Y-checkin-fever-or-symptoms: 身體健康人員 — a respiratory symptom at check-in",
    ),
    *[
        pytest.param(
            profile,
            facts(checkins=[ci(-1, 36.4, symptom)], symptoms=(symptom,)),
            G,
            [fallback],
            None,
            id=f"{fallback}: {symptom.value} is advice to see a doctor (乏力、咳嗽、腹泻、结膜炎), "
            "not a colour (inferred: Shandong's colour set 发热、干咳、气促、呼吸道症状)",
        )
        for profile, fallback in (("hubei", "HB-G-default"), ("hainan", "HN-G-default"))
        for symptom in (Symptom.FATIGUE, Symptom.DIARRHEA, Symptom.CONJUNCTIVITIS)
    ],
    pytest.param(
        "hubei",
        facts(temperature=38.1),
        R,
        ["HB-R-fever-declared", "HB-Y-declared-fever"],
        None,
        id="HB-Y-declared-fever: 無發熱癥狀準予通行 — declared fever",
    ),
    pytest.param(
        "hubei",
        facts(symptoms=(Symptom.SHORTNESS_OF_BREATH,)),
        Y,
        ["HB-Y-declared-symptoms"],
        day(14),
        id="HB-Y-declared-symptoms: 身體健康人員 — declared symptom",
    ),
    pytest.param(
        "hubei",
        facts(contact_with_case=True),
        Y,
        ["HB-Y-contact-declared"],
        day(14),
        id="HB-Y-contact-declared: 持“黃碼”者為密切接觸者 — declared contact",
    ),
    pytest.param(
        "hubei",
        facts(rec("confirmed"), rec("close_contact")),
        R,
        ["HB-R-confirmed", "HB-Y-close-contact"],
        None,
        id="HB-R-confirmed: red beats yellow, both reasons listed",
    ),
    pytest.param(
        "hubei",
        facts(checkins=clean_run(-3, 0)),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: 持“綠碼”者為“非四類”身體健康人員",
    ),
    pytest.param(
        "hubei",
        facts(previous=R),
        G,
        ["HB-G-default"],
        None,
        id="HB-G-default: 根據居民健康狀況三色碼可相互轉換 — no hold in Hubei",
    ),
    # === Hainan: 結合防疫大數據信息比對校驗 / 入瓊的“紅碼”人員原則上予以勸返 =====================
    pytest.param(
        "hainan",
        facts(rec("confirmed")),
        R,
        ["HN-R-confirmed"],
        None,
        id="HN-R-confirmed: 結合防疫大數據信息比對校驗 — confirmed",
    ),
    pytest.param(
        "hainan",
        facts(rec("suspected")),
        R,
        ["HN-R-suspected"],
        None,
        id="HN-R-suspected: 結合防疫大數據信息比對校驗 — suspected",
    ),
    pytest.param(
        "hainan",
        facts(rec("asymptomatic")),
        R,
        ["HN-R-asymptomatic"],
        None,
        id="HN-R-asymptomatic: 結合防疫大數據信息比對校驗 — asymptomatic",
    ),
    # "“黃碼”人員一律按規定實行居家或集中隔離觀察"
    *[
        pytest.param(
            "hainan",
            facts(rec(category)),
            Y,
            ["HN-Y-isolation-record"],
            until,
            id=f"HN-Y-isolation-record: 居家或集中隔離觀察 — {category}",
        )
        for category, until in (
            ("close_contact", None),
            ("recovered_observation", day(14)),
            ("abroad_quarantine", day(14)),
        )
    ],
    # "醫療機構對普通患者要一個不漏通過“健康一碼通”進行登記,并通過系統推送到社區進行追蹤管理"
    pytest.param(
        "hainan",
        facts(rec("fever_clinic", -4)),
        Y,
        ["HN-Y-fever-clinic"],
        day(10),
        id="HN-Y-fever-clinic: 醫療機構……登記,推送到社區進行追蹤管理",
    ),
    # "進行每日健康打卡,會獲得相應顏色的健康碼。持綠碼的,表示當前無癥狀"
    pytest.param(
        "hainan",
        facts(checkins=[ci(0, 37.3)]),
        Y,
        ["HN-Y-checkin-fever-or-symptoms"],
        day(14),
        id="HN-Y-checkin-fever-or-symptoms: 持綠碼的,表示當前無癥狀 — fever",
    ),
    pytest.param(
        "hainan",
        facts(checkins=[ci(0, 36.5, Symptom.DRY_COUGH)]),
        Y,
        ["HN-Y-checkin-fever-or-symptoms"],
        day(14),
        id="HN-Y-checkin-fever-or-symptoms: 當前無癥狀 — any symptom",
    ),
    pytest.param(
        "hainan",
        facts(temperature=37.5),
        Y,
        ["HN-Y-declared-fever"],
        day(14),
        id="HN-Y-declared-fever: 申報的健康數據 — declared fever",
    ),
    pytest.param(
        "hainan",
        facts(symptoms=(Symptom.COUGH,)),
        Y,
        ["HN-Y-declared-symptoms"],
        day(14),
        id="HN-Y-declared-symptoms: 申報的健康數據 — declared symptom",
    ),
    pytest.param(
        "hainan",
        facts(contact_with_case=True),
        Y,
        ["HN-Y-contact-declared"],
        day(14),
        id="HN-Y-contact-declared: 申報……結合防疫大數據信息比對校驗",
    ),
    pytest.param(
        "hainan",
        facts(rec("fever", -14)),
        Y,
        ["HN-Y-fever-record"],
        day(0),
        id="HN-Y-fever-record: a fever case on record (inferred, like a fever-clinic registration)",
    ),
    pytest.param(
        "hainan",
        facts(),
        G,
        ["HN-G-default"],
        None,
        id="HN-G-default: 持綠碼的,表示當前無癥狀 — new application",
    ),
    pytest.param(
        "hainan",
        facts(previous=G),
        G,
        ["HN-G-default"],
        None,
        id="HN-G-default: green needs no check-in streak",
    ),
    # "紅碼、黃碼人員須連續14天健康打卡登記信息,且滿足相關條件后才可轉為綠碼"
    pytest.param(
        "hainan",
        facts(checkins=clean_run(-12, 0), previous=R),
        R,
        ["HN-R-checkin-streak"],
        day(1),
        id="HN-R-checkin-streak: 須連續14天健康打卡 — red after 13 clean days",
    ),
    pytest.param(
        "hainan",
        facts(checkins=clean_run(-13, 0), previous=R),
        G,
        ["HN-G-default"],
        None,
        id="HN-G-default: 連續14天健康打卡……才可轉為綠碼 — red, green after 14",
    ),
    pytest.param(
        "hainan",
        facts(checkins=clean_run(-14, -1), previous=R),
        G,
        ["HN-G-default"],
        None,
        id="HN-G-default: 14 days ending yesterday, today's not in yet",
    ),
    pytest.param(
        "hainan",
        facts(checkins=clean_run(-14, -1), previous=Y, declared_on=-20),
        G,
        ["HN-G-default"],
        None,
        id="HN-G-default: yellow, green after 14 clean days",
    ),
    pytest.param(
        "hainan",
        facts(checkins=clean_run(-12, -1), previous=Y),
        Y,
        ["HN-Y-checkin-streak"],
        day(1),
        id="HN-Y-checkin-streak: 12 days ending yesterday, today's makes 13: still yellow",
    ),
    pytest.param(
        "hainan",
        facts(previous=Y),
        Y,
        ["HN-Y-checkin-streak"],
        day(13),
        id="HN-Y-checkin-streak: 須連續14天健康打卡 — no check-ins at all",
    ),
    # "領取紅碼和黃碼的人員需……做好每日健康打卡": a missed day restarts the count
    pytest.param(
        "hainan",
        facts(checkins=[*clean_run(-16, -9), *clean_run(-7, 0)], previous=Y),
        Y,
        ["HN-Y-checkin-streak"],
        day(6),
        id="HN-Y-checkin-streak: 16 clean check-ins, a missed day restarts the count at 8",
    ),
    pytest.param(
        "hainan",
        facts(checkins=clean_run(-20, -2), previous=R),
        R,
        ["HN-R-checkin-streak"],
        day(13),
        id="HN-R-checkin-streak: 19 clean days, then yesterday missed: back to 0",
    ),
    # "持綠碼的,表示當前無癥狀": an abnormal check-in breaks the clean streak
    pytest.param(
        "hainan",
        facts(checkins=[*clean_run(-20, 0), ci(-5, 37.6)], previous=Y),
        Y,
        ["HN-Y-checkin-fever-or-symptoms", "HN-Y-checkin-streak"],
        day(9),
        id="HN-Y-checkin-streak: an abnormal check-in 5 days ago breaks the clean streak",
    ),
    pytest.param(
        "hainan",
        facts(checkins=[*clean_run(-20, -1), ci(0, 36.5, Symptom.COUGH)], previous=R),
        R,
        ["HN-R-checkin-streak", "HN-Y-checkin-fever-or-symptoms"],
        day(14),
        id="HN-R-checkin-streak: a symptom today makes the streak 0",
    ),
    # "且滿足相關條件后": an active record keeps the colour even after 14 clean days
    pytest.param(
        "hainan",
        facts(rec("confirmed", -30), checkins=clean_run(-20, 0), previous=R),
        R,
        ["HN-R-confirmed"],
        None,
        id="HN-R-confirmed: 滿足相關條件 — an active record keeps red after 21 clean days",
    ),
    pytest.param(
        "hainan",
        facts(rec("close_contact", -30), checkins=clean_run(-20, 0), previous=Y),
        Y,
        ["HN-Y-isolation-record"],
        None,
        id="HN-Y-isolation-record: 滿足相關條件 — an active record keeps yellow",
    ),
    pytest.param(
        "hainan",
        facts(rec("close_contact", -30), rec("cleared", 0), checkins=clean_run(-13, 0), previous=Y),
        G,
        ["HN-G-default"],
        None,
        id="HN-G-default: record cleared and 14 clean days",
    ),
    pytest.param(
        "hainan",
        facts(rec("confirmed", -30), rec("cleared", -1), checkins=clean_run(-4, 0), previous=R),
        R,
        ["HN-R-checkin-streak"],
        day(9),
        id="HN-R-checkin-streak: record cleared, 5 clean days: red is held",
    ),
    pytest.param(
        "hainan",
        facts(rec("fever_clinic", -1), checkins=clean_run(-4, 0), previous=R),
        R,
        ["HN-R-checkin-streak", "HN-Y-fever-clinic"],
        day(9),
        id="HN-R-checkin-streak: a held red beats a yellow record",
    ),
]


@pytest.mark.parametrize(("profile", "f", "color", "rules", "until"), ROWS)
def test_province_rules(
    profile: str, f: Facts, color: Color, rules: list[str], until: date | None
) -> None:
    a = assess(profile, f)
    assert a.color is color
    assert rules_of(a) == rules
    assert a.reasons[0].until == until
    assert (a.profile, a.rules_version) == (profile, load(profile).version)


@pytest.mark.parametrize("profile", ["hubei", "hainan"])
def test_every_hubei_and_hainan_rule_has_a_row(profile: str) -> None:
    """Shandong's: test_rules.test_every_shandong_rule_is_covered_by_a_row; the arrival rules'
    rows are in test_arrival_rules."""
    from tests.unit.test_arrival_rules import covered as arrival_rules

    covered = {
        rule for row in ROWS if row.values[0] == profile for rule in cast(list[str], row.values[3])
    } | arrival_rules(profile)
    policy = load(profile)
    assert covered == {r.id for r in policy.rules} | {policy.fallback.id}


# --- the Hainan hold: its message, dates and a day-by-day journey -----------------------------


def test_the_hold_says_how_many_days_remain() -> None:
    a = assess("hainan", facts(checkins=clean_run(-9, 0), previous=Y))
    (reason,) = a.reasons
    assert reason.code == "checkin_streak_required"
    assert "4 more to go" in reason.message
    assert "streak: 10" in reason.message
    assert "14 consecutive days" in reason.message
    assert "还需4天" in reason.message_zh
    assert "已连续10天" in reason.message_zh
    assert "{" not in reason.message + reason.message_zh
    assert reason.until == day(4)
    assert a.valid_until == day(4)
    assert next_review(a, facts(), T) == day(5)


def test_other_reasons_keep_their_text_verbatim() -> None:
    policy = load("hainan")
    a = assess("hainan", facts(checkins=[ci(0, 38.0)]))
    rule = next(r for r in policy.rules if r.id == "HN-Y-checkin-fever-or-symptoms")
    assert (a.reasons[0].message, a.reasons[0].message_zh) == (rule.reason.en, rule.reason.zh)


def _journey(profile: str, start: Color, checkins_on: list[int]) -> list[Color]:
    """Colour at the end of each day 0..max(checkins_on), checking in cleanly on the given days,
    each evaluation seeing the colour the last one left."""
    colours: list[Color] = []
    previous: Color = start
    done: list[Checkin] = []
    for d in range(max(checkins_on) + 1):
        if d in checkins_on:
            done.append(Checkin(day(d), 36.5))
        a = evaluate(load(profile), facts(checkins=done, previous=previous), day(d))
        colours.append(a.color)
        previous = a.color
    return colours


@pytest.mark.parametrize("start", [R, Y], ids=["red", "yellow"])
def test_hainan_journey_red_or_yellow_turns_green_on_the_14th_clean_day(start: Color) -> None:
    colours = _journey("hainan", start, list(range(14)))
    assert colours == [start] * 13 + [G]


def test_hainan_journey_a_missed_day_restarts_the_count() -> None:
    days = [d for d in range(22) if d != 7]  # missed day 7: days 8..21 are the 14
    colours = _journey("hainan", Y, days)
    assert colours == [Y] * 21 + [G]


def test_hainan_on_the_14th_day_green_comes_with_the_check_in() -> None:
    thirteen = clean_run(-13, -1)
    assert len(thirteen) == 13
    before = assess("hainan", facts(checkins=thirteen, previous=R))
    assert before.color is R
    assert before.reasons[0].until == T  # today's check-in is the 14th and last one needed
    assert "1 more to go" in before.reasons[0].message
    after = assess("hainan", facts(checkins=[*thirteen, ci(0)], previous=R))
    assert after.color is G


def test_shandong_and_hubei_do_not_hold() -> None:
    for profile in ("shandong", "hubei"):
        assert _journey(profile, R, [0]) == [G]


# --- how many days of check-ins the service must hand over -------------------------------------


def test_checkin_days_per_policy() -> None:
    assert {p: checkin_days(load(p)) for p in PROFILES} == {
        "shandong": 15,
        "hubei": 15,
        "hainan": 15,
    }


HISTORIES = [
    pytest.param([*clean_run(-40, 0), ci(-13, 38.0)], id="fever 13 days ago"),
    pytest.param([*clean_run(-40, -1), ci(-14, 38.0)], id="fever 14 days ago"),
    pytest.param([*clean_run(-40, -1), ci(-15, 38.0)], id="fever 15 days ago"),
    pytest.param(clean_run(-40, -1), id="long clean run"),
    pytest.param([*clean_run(-40, -16), *clean_run(-14, 0)], id="missed day 15 ago"),
    pytest.param([*clean_run(-40, -15), *clean_run(-13, -1)], id="missed day 14 ago"),
]


@pytest.mark.parametrize("history", HISTORIES)
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("previous", [R, Y, G], ids=["red", "yellow", "green"])
def test_the_last_checkin_days_are_enough(
    history: list[Checkin], profile: str, previous: Color
) -> None:
    policy = load(profile)
    recent = [c for c in history if c.day > T - timedelta(days=checkin_days(policy))]
    full = evaluate(policy, facts(checkins=history, previous=previous), T)
    cut = evaluate(policy, facts(checkins=recent, previous=previous), T)
    assert cut == full


@pytest.mark.parametrize("profile", PROFILES)
def test_a_policy_defines_an_abnormal_check_in_one_way(profile: str) -> None:
    criteria = {
        (rule.when.temperature_at_least, frozenset(rule.when.symptoms_any_of))
        for rule in load(profile).rules
        if isinstance(rule.when, CheckinCondition | CheckinStreakCondition)
    }
    assert len(criteria) == 1
