"""Issue 11 item 5 over HTTP: the catch-all categories need the authority's note; the holder
sees it in the code view and the history, a checker never does, and it is never logged or in a
token. A category the active policy does not read is refused per row, and nothing is written."""

from __future__ import annotations

import json
import logging

import jwt
import pytest

from tests.e2e.conftest import Api, Holder
from tests.e2e.test_epidemic_database import _rid, row

NOTE = "与确诊病例同一航班（CA1234），请居家等待通知"


def _import(api: Api, admin: str, *rows: dict[str, object]) -> dict[str, object]:
    status, report = api.json("POST", "/v1/admin/records", {"records": list(rows)}, token=admin)
    assert status == 200, report
    return report


def test_the_holder_sees_the_authority_s_note_and_a_checker_never_does(
    api: Api,
    holder: Holder,
    admin_token: str,
    checker_token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token, person_id, id_number = holder
    with caplog.at_level(logging.DEBUG):
        report = _import(
            api, admin_token, {**row(_rid(), id_number, "other_high_risk"), "note": NOTE}
        )
        assert (report["applied"], report["recoloured"], report["errors"]) == (1, 1, [])
        status, view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)
        assert status == 200 and view["color"] == "red"
        assert [(r["code"], r["note"]) for r in view["reasons"]] == [("other_high_risk", NOTE)]
        status, history = api.json("GET", f"/v1/persons/{person_id}/history", token=token)
        assert history["changes"][-1]["note"] == NOTE
        admin_view = api.json("GET", f"/v1/admin/persons/{person_id}/history", token=admin_token)
        assert admin_view[1]["changes"][-1]["note"] == NOTE and admin_view[1]["intact"] is True
        status, scanned = api.json(
            "POST", "/v1/verify", {"token": view["token"]}, token=checker_token
        )
    assert status == 200 and scanned["color"] == "red"
    assert NOTE not in json.dumps(scanned, ensure_ascii=False)
    assert NOTE not in json.dumps(jwt.decode(view["token"], options={"verify_signature": False}))
    assert NOTE not in caplog.text


@pytest.mark.parametrize(
    ("note", "code"),
    [
        pytest.param(None, "note_required", id="no note"),
        pytest.param("   ", "note_required", id="only spaces"),
        pytest.param("理" * 201, "note_too_long", id="201 characters"),
        pytest.param("第一行\n第二行", "invalid_note", id="a control character"),
    ],
)
def test_a_catch_all_without_a_proper_note_is_a_row_error_and_writes_nothing(
    api: Api, holder: Holder, admin_token: str, note: str | None, code: str
) -> None:
    token, person_id, id_number = holder
    body = row(_rid(), id_number, "database_abnormal")
    if note is not None:
        body["note"] = note
    report = _import(api, admin_token, body)
    assert report["applied"] == 0 and report["recoloured"] == 0
    [error] = report["errors"]
    assert (error["field"], error["code"]) == ("note", code) and error["message_zh"]
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["color"] == "green"


def test_a_200_character_note_is_kept_whole(api: Api, holder: Holder, admin_token: str) -> None:
    token, person_id, id_number = holder
    note = "理" * 200
    report = _import(
        api, admin_token, {**row(_rid(), id_number, "other_medium_risk"), "note": note}
    )
    assert report["applied"] == 1
    view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]
    assert view["color"] == "yellow" and view["reasons"][0]["note"] == note


def test_a_category_the_policy_does_not_read_is_refused(
    api: Api, holder: Holder, admin_token: str
) -> None:
    _, _, id_number = holder
    report = _import(api, admin_token, row(_rid(), id_number, "home_isolation_unchecked"))
    assert report["applied"] == 0
    [error] = report["errors"]
    assert (error["index"], error["code"]) == (0, "category_not_in_policy") and error["message_zh"]


def test_other_categories_may_carry_a_note_too(api: Api, holder: Holder, admin_token: str) -> None:
    token, person_id, id_number = holder
    body = {**row(_rid(), id_number, "close_contact"), "note": "请配合社区核酸检测"}
    assert _import(api, admin_token, body)["applied"] == 1
    view = api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]
    assert view["reasons"][0]["note"] == "请配合社区核酸检测"
