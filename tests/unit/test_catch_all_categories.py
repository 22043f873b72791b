"""Issue 11 item 5: the authority's catch-all categories (Shandong, 004_c9687e30082c0c46.txt):
红码 其他需要纳入高风险人员管理的人员, 黄码 其他需要纳入中风险人员管理的人员 and
全省疫情数据库14天内异常的人员, each with the authority's note, which the holder sees."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.history import ActorKind, HistoryEntry, anonymised, next_entry
from chalicelib.domain.model import Category, Color, Declaration, Facts, Record
from chalicelib.domain.rules import evaluate
from chalicelib.policies import load

D = date(2026, 11, 20)


def record(category: str, since: date = D, note: str | None = "理由", rid: str = "") -> Record:
    return Record(rid or f"{category}-{since}", Category(category), since, None, None, note)


def assess(*records: Record, today: date, profile: str = "shandong") -> tuple[Color, list[str]]:
    facts = Facts(Declaration(), declared_on=D - timedelta(days=60), records=records)
    a = evaluate(load(profile), facts, today)
    return a.color, [r.note or "" for r in a.reasons]


@pytest.mark.parametrize(
    ("category", "today", "color"),
    [
        pytest.param(
            "other_high_risk", D + timedelta(days=90), Color.RED, id="高风险: until cleared"
        ),
        pytest.param("other_medium_risk", D + timedelta(days=14), Color.YELLOW, id="中风险: D+14"),
        pytest.param("other_medium_risk", D + timedelta(days=15), Color.GREEN, id="中风险: D+15"),
        pytest.param(
            "database_abnormal", D + timedelta(days=14), Color.YELLOW, id="14天内异常: D+14"
        ),
        pytest.param(
            "database_abnormal", D + timedelta(days=15), Color.GREEN, id="14天内异常: D+15"
        ),
    ],
)
def test_each_catch_all_lasts_as_its_notice_line_says(
    category: str, today: date, color: Color
) -> None:
    assert assess(record(category), today=today)[0] is color


def test_a_cleared_record_ends_other_high_risk() -> None:
    cleared = Record("c-1", Category.CLEARED, D + timedelta(days=3))
    assert assess(record("other_high_risk"), cleared, today=D + timedelta(days=3))[0] is Color.GREEN


def test_the_reason_carries_the_authority_s_notes() -> None:
    one = record("other_medium_risk", note="同一单元楼出现病例", rid="a")
    two = record("other_medium_risk", note="曾到访涉疫场所", rid="b")
    color, notes = assess(one, two, today=D)
    assert color is Color.YELLOW and notes == ["同一单元楼出现病例；曾到访涉疫场所"]
    assert assess(record("close_contact", note=None), today=D)[1] == [""]


def test_only_shandong_reads_the_catch_alls() -> None:
    catch_alls = {Category.OTHER_HIGH_RISK, Category.OTHER_MEDIUM_RISK, Category.DATABASE_ABNORMAL}
    assert catch_alls <= load("shandong").categories_read()
    for profile in ("hubei", "hainan"):
        assert not catch_alls & load(profile).categories_read()
    assert Category.HOME_ISOLATION_UNCHECKED not in load("shandong").categories_read()
    assert Category.CLEARED in load("hubei").categories_read()


def _entry(note: str | None) -> HistoryEntry:
    entry = HistoryEntry(
        "p1",
        0,
        datetime(2026, 11, 20, tzinfo=UTC),
        None,
        Color.YELLOW,
        ("other_medium_risk",),
        "SD-Y-other-medium-risk",
        "v",
        "shandong",
        ActorKind.AUTHORITY,
        "a1",
        "record:R-1",
        None,
        note=note,
    )
    return next_entry(0, None, entry)


def test_an_entry_without_a_note_keeps_the_hash_it_had_before_notes_existed() -> None:
    entry = _entry(None)
    fields = asdict(entry)
    del fields["hash"], fields["note"]
    fields["at"] = entry.at.isoformat()
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert entry.hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_a_note_is_part_of_the_chain_and_leaves_with_the_person() -> None:
    noted = _entry("同一单元楼出现病例")
    assert noted.hash != _entry(None).hash
    assert replace(noted, note="另一说明").digest() != noted.hash  # an edited note shows
    (copy,) = anonymised([noted], "erased-1")
    assert copy.note is None
