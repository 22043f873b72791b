"""The health authority's console at /app/console, in a real browser against the live server:
log in, import a CSV file (preview, dry run, apply), regions, appeals, claims, a person's
history, jobs, places and their QR codes, checkers. Phone-size (360 px) unless said otherwise."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser.conftest import Browser, Opened
from tests.e2e.test_journey import application
from tests.ids import resident_id
from tests.live_server import LiveServer, _manage

DESKTOP = {"width": 1280, "height": 900}
HEADER = "record_id,id_type,id_number,category,since,until,note"


def _console(browser: Browser, token: str, viewport: dict[str, int] | None = None) -> Opened:
    """The console, logged in with `token` (kept in session storage, as the login form does)."""
    opened = browser.open("/app/console", viewport=viewport)
    opened.page.evaluate("(t) => sessionStorage.setItem('healthcode.console.token', t)", token)
    opened.page.reload()
    opened.page.get_by_role("navigation", name="管理功能").wait_for()
    return opened


def _section(opened: Opened, name: str) -> Any:
    opened.page.get_by_role("navigation").get_by_role("button", name=name, exact=True).click()
    return opened.page


def _resident(live: LiveServer, phone: str) -> tuple[str, str, str]:
    """A resident who applied through the API: (token, person id, id number)."""
    token, id_number = live.login(phone), resident_id()
    status, created = live.call("POST", "/v1/applications", application(id_number), token)
    assert status == 201, created
    return token, created["person_id"], id_number


def _code(live: LiveServer, token: str, person_id: str) -> dict[str, Any]:
    status, view = live.call("GET", f"/v1/persons/{person_id}/code", token=token)
    assert status == 200, view
    return dict(view)


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / f"records-{uuid.uuid4().hex[:6]}.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _rid() -> str:
    return "CSV-" + os.urandom(5).hex()


def _check(opened: Opened, screenshot: str, shown: Any = None) -> None:
    """axe, text size, and a screenshot with `shown` (a locator) scrolled into the view."""
    if shown is not None:
        shown.scroll_into_view_if_needed()
    opened.check_accessibility()
    opened.check_text_size()
    opened.screenshot(screenshot)


def _login(page: Any, phone: str) -> None:
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    code = page.locator(".dev-code").inner_text()
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录").click()


def test_an_admin_logs_in_with_the_sms_code_and_sees_every_section(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str]
) -> None:
    # A second admin, made with the same management command as the live server's first one:
    # 13800000000's code has a 60 s cooldown that `live_admin_token` may have just started.
    phone = new_phone()
    _manage(live.env, "create-admin", "--phone", phone)
    opened = browser.open("/app/console")
    _check(opened, "console-login")
    _login(opened.page, phone)
    nav = opened.page.get_by_role("navigation", name="管理功能")
    nav.wait_for()
    for name in ("导入记录", "地区风险", "申诉", "认领", "赋码历史", "任务", "场所码", "核验员"):
        assert nav.get_by_role("button", name=name, exact=True).is_visible()
    opened.page.get_by_label("CSV 文件").wait_for()
    token = opened.page.evaluate("() => sessionStorage.getItem('healthcode.console.token')")
    assert all(token not in url for url in [*opened.requests, opened.page.url])
    _check(opened, "console-import")


def test_a_resident_is_told_clearly_that_they_lack_the_admin_role(
    browser: Browser, new_phone: Callable[[], str]
) -> None:
    opened = browser.open("/app/console")
    _login(opened.page, new_phone())
    alert = opened.page.get_by_role("alert").filter(has_text="无管理权限")
    alert.wait_for()
    assert "没有卫生健康部门管理员角色" in alert.inner_text()
    assert opened.page.get_by_role("navigation", name="管理功能").count() == 0
    _check(opened, "console-no-role")
    opened.page.get_by_role("button", name="退出登录").click()
    opened.page.get_by_label("手机号").wait_for()


def test_a_csv_import_is_previewed_dry_run_then_applied_and_the_holder_turns_yellow(
    browser: Browser,
    live: LiveServer,
    live_admin_token: str,
    new_phone: Callable[[], str],
    tmp_path: Path,
) -> None:
    token, person_id, id_number = _resident(live, new_phone())
    assert _code(live, token, person_id)["color"] == "green"
    record_id = _rid()
    stranger = resident_id()
    csv = _csv(
        tmp_path,
        f"{record_id},resident_id,{id_number},other_medium_risk,2026-11-27,,与病例同乘一趟列车",
        f"{_rid()},resident_id,{stranger},fever_clinic,2026-11-27,,",
    )
    opened = _console(browser, live_admin_token)
    page = opened.page
    page.get_by_label("CSV 文件").set_input_files(str(csv))

    preview = page.get_by_role("table")
    preview.get_by_role("cell", name=record_id).wait_for()
    dry_run = page.get_by_role("region", name="试算结果")
    dry_run.wait_for()
    facts = dry_run.inner_text()
    assert "试算结果（未写入任何数据）" in facts
    assert "匹配到已申领人员\n1" in facts and "未匹配（申领后生效）\n1" in facts
    assert "绿码 → 黄码: 1" in facts and "未超过防误改上限" in facts
    assert _code(live, token, person_id)["color"] == "green"  # the dry run wrote nothing
    _check(opened, "console-import-dry-run", dry_run)

    page.get_by_role("button", name="应用导入").click()
    answer = page.get_by_role("status", name="导入结果")
    answer.wait_for()
    assert answer.locator("[data-field=applied]").inner_text() == "2"
    assert answer.locator("[data-field=unmatched]").inner_text() == "1"
    assert answer.locator("[data-field=recoloured]").inner_text() == "1"
    view = _code(live, token, person_id)
    assert view["color"] == "yellow"
    reason = view["reasons"][0]
    assert reason["code"] == "other_medium_risk" and reason["note"] == "与病例同乘一趟列车"
    _check(opened, "console-import-applied", answer)


def test_a_csv_row_with_an_error_is_highlighted_with_that_error(
    browser: Browser, live: LiveServer, live_admin_token: str, tmp_path: Path
) -> None:
    good, bad = _rid(), _rid()
    csv = _csv(
        tmp_path,
        f"{good},resident_id,{resident_id()},fever_clinic,2026-11-27,,",
        f"{bad},resident_id,{resident_id()},other_medium_risk,2026-11-27,,",
        f"{_rid()},resident_id,11010519491231002,confirmed,2026-11-27,,",
    )
    opened = _console(browser, live_admin_token)
    page = opened.page
    page.get_by_label("CSV 文件").set_input_files(str(csv))
    page.get_by_role("region", name="试算结果").wait_for()
    rows = page.locator("table.preview tbody tr")
    assert rows.count() == 3
    assert "row-error" not in (rows.nth(0).get_attribute("class") or "")
    assert "row-error" in (rows.nth(1).get_attribute("class") or "")
    assert "该类别须填写说明" in rows.nth(1).inner_text()
    assert "row-error" in (rows.nth(2).get_attribute("class") or "")
    assert "id_number" in rows.nth(2).inner_text()
    assert "有问题的行\n2" in page.get_by_role("region", name="试算结果").inner_text()
    _check(opened, "console-import-row-error", rows.nth(2))
    opened.page.get_by_role("button", name="English").click()
    page.get_by_role("region", name="Dry run").wait_for()
    assert "this category needs a note" in rows.nth(1).inner_text()
    opened.screenshot("console-import-row-error-en")
    opened.page.get_by_role("button", name="中文").click()


def test_setting_a_region_s_risk_shows_the_answer_its_job_and_the_risky_list(
    browser: Browser, live: LiveServer, live_admin_token: str
) -> None:
    region = "530103"  # 昆明市盘龙区: no other test sets it
    opened = _console(browser, live_admin_token)
    page = _section(opened, "地区风险")
    try:
        page.get_by_label("地区代码").fill(region)
        page.get_by_label("风险等级", exact=True).select_option("medium")
        page.get_by_role("button", name="设置风险等级").click()
        answer = page.get_by_role("status", name="设置结果")
        answer.wait_for()
        assert f"{region} → 中风险" in answer.inner_text()
        answer.get_by_text("已完成").wait_for()  # the job, followed until done
        listed = page.get_by_role("table")
        row = listed.get_by_role("row").filter(has_text=region)
        assert "盘龙区" in row.inner_text() and "中风险" in row.inner_text()
        _check(opened, "console-regions", answer)
    finally:
        live.call("PUT", f"/v1/admin/regions/{region}", {"risk": "low"}, live_admin_token)


def test_an_appeal_is_resolved_from_the_queue_and_the_person_s_history_opens_from_it(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, id_number = _resident(live, new_phone())
    row = {
        "record_id": _rid(),
        "id_type": "resident_id",
        "id_number": id_number,
        "category": "fever_clinic",
        "since": "2026-11-27",
        "until": None,
    }
    status, _ = live.call("POST", "/v1/admin/records", {"records": [row]}, live_admin_token)
    assert status == 200 and _code(live, token, person_id)["color"] == "yellow"
    status, filed = live.call(
        "POST", f"/v1/persons/{person_id}/appeals", {"message": "我没有去过发热门诊"}, token
    )
    assert status == 201, filed

    opened = _console(browser, live_admin_token)
    page = _section(opened, "申诉")
    card = page.locator(f"[data-appeal='{filed['appeal_id']}']")
    card.wait_for()
    assert "我没有去过发热门诊" in card.inner_text() and "黄码" in card.inner_text()
    card.get_by_label("处理决定").select_option("corrected")
    card.get_by_label("处理理由").fill("核实为误录")
    _check(opened, "console-appeals", card)
    card.get_by_role("button", name="提交处理").click()
    card.locator(".decision").filter(has_text="已更正").wait_for()
    assert _code(live, token, person_id)["color"] == "green"

    card.get_by_role("button", name="查看赋码历史").click()
    assert page.get_by_label("人员编号").input_value() == person_id
    page.get_by_role("status").filter(has_text="历史链完整").wait_for()
    history = page.locator("ol.history").inner_text()
    assert "绿码 → 黄码" in history.replace("\n", " ") or "黄码" in history
    assert "appeal" in history or "卫生健康部门" in history
    _check(opened, "console-history")


def test_a_person_s_history_is_found_by_entering_the_person_id(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    _, person_id, _ = _resident(live, new_phone())
    opened = _console(browser, live_admin_token)
    page = _section(opened, "赋码历史")
    page.get_by_label("人员编号").fill(person_id)
    page.get_by_role("button", name="查询历史").click()
    page.get_by_role("status").filter(has_text="历史链完整").wait_for()
    assert page.locator("ol.history > li").count() == 1
    page.get_by_label("人员编号").fill("0" * 16)
    page.get_by_role("button", name="查询历史").click()
    page.get_by_role("alert").wait_for()


def test_a_claim_is_rejected_from_the_claims_queue(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    _, _, id_number = _resident(live, new_phone())
    claimant = live.login(new_phone())
    body = {
        "id_type": "resident_id",
        "id_number": id_number,
        "name": "张三丰",
        "message": f"我的身份证被他人冒用申领 {uuid.uuid4().hex[:6]}",
    }
    status, filed = live.call("POST", "/v1/claims", body, claimant)
    assert status == 201, filed
    opened = _console(browser, live_admin_token)
    page = _section(opened, "认领")
    card = page.locator("li.claim").filter(has_text=body["message"])
    card.wait_for()
    assert "已被他人申领" in card.inner_text()
    card.get_by_label("处理决定").select_option("reject")
    card.get_by_label("处理备注").fill("本人已持码，无冒用")
    _check(opened, "console-claims", card)
    card.get_by_role("button", name="提交处理").click()
    card.get_by_text("已驳回").wait_for()


def test_a_place_is_registered_its_qr_shown_and_then_closed(
    browser: Browser, live: LiveServer, live_admin_token: str
) -> None:
    name = f"泉城广场 {uuid.uuid4().hex[:4]}"
    opened = _console(browser, live_admin_token)
    page = _section(opened, "场所码")
    page.get_by_label("场所名称").fill(name)
    page.get_by_label("场所类型").select_option("tourism")
    page.get_by_label("所在地区").fill("370102")
    page.get_by_label("地址").fill("泺源大街1号")
    page.get_by_role("button", name="创建场所").click()
    qr = page.get_by_role("img", name=f"场所码：{name}")
    qr.wait_for()
    assert qr.get_attribute("src").startswith("blob:")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.place-qr img')].every(i => i.naturalWidth > 0)"
    )
    place_id = page.locator("code.place-id").inner_text()
    card = page.locator(f"[data-place='{place_id}']")
    assert name in card.inner_text() and "开放中" in card.inner_text()
    _check(opened, "console-places", qr)

    card.get_by_role("button", name="关闭场所").click()
    card.get_by_role("button", name="确认关闭").click()
    page.locator(f"[data-place='{place_id}']").filter(has_text="已关闭").wait_for()
    status, _ = live.call("GET", "/v1/admin/places", token=live_admin_token)
    assert status == 200


def test_a_checker_is_enrolled_listed_and_withdrawn(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    opened = _console(browser, live_admin_token)
    page = _section(opened, "核验员")
    page.get_by_label("核验员手机号").fill(phone)
    page.get_by_label("核验员姓名").fill("王五")
    page.get_by_label("场所编号").fill("gate-console")
    page.get_by_role("button", name="登记核验员").click()
    page.get_by_role("status").filter(has_text="已登记").wait_for()
    masked = f"{phone[:3]}****{phone[-4:]}"
    row = page.get_by_role("row").filter(has_text=masked)
    assert "王五" in row.inner_text() and "gate-console" in row.inner_text()
    listed = live.call("GET", "/v1/admin/checkers", token=live_admin_token)[1]["checkers"]
    assert any(c["name"] == "王五" and c["place_id"] == "gate-console" for c in listed)
    _check(opened, "console-checkers", row)

    row.get_by_role("button", name="撤销").click()
    row.get_by_role("button", name="确认撤销").click()
    page.get_by_role("row").filter(has_text=masked).wait_for(state="detached")


def test_a_recompare_run_is_started_and_a_job_followed_by_its_id(
    browser: Browser, live: LiveServer, live_admin_token: str
) -> None:
    status, changed = live.call(
        "PUT", "/v1/admin/regions/530111", {"risk": "low"}, live_admin_token
    )
    assert status == 200
    opened = _console(browser, live_admin_token)
    page = _section(opened, "任务")
    page.get_by_label("任务编号").fill(changed["job_id"])
    page.get_by_role("button", name="查看进度").click()
    progress = page.get_by_role("region", name="任务进度")
    progress.get_by_text("已完成").wait_for()
    page.get_by_role("button", name="全量重新比对 (recompare)").click()
    page.get_by_role("status", name="运行结果").wait_for()
    _check(opened, "console-jobs", progress)


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
def test_the_console_works_on_a_desktop_too(
    browser: Browser, live_admin_token: str, viewport: dict[str, int]
) -> None:
    opened = _console(browser, live_admin_token, viewport=viewport)
    opened.page.get_by_label("CSV 文件").wait_for()
    _check(opened, "console-import-desktop")


def test_a_mass_recolouring_shows_the_guard_s_report_and_a_second_admin_confirms_it(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str], tmp_path: Path
) -> None:
    """The live server's guard: more than 100 persons (and 1 %) recoloured waits for a second
    admin, who imports the same file with the report's id as the confirm id."""
    from concurrent.futures import ThreadPoolExecutor

    first, second = new_phone(), new_phone()
    for phone in (first, second):
        _manage(live.env, "create-admin", "--phone", phone)
    with ThreadPoolExecutor(4) as pool:
        residents = list(pool.map(lambda _: _resident(live, new_phone()), range(101)))
    csv = _csv(
        tmp_path,
        *(f"{_rid()},resident_id,{n},fever_clinic,2026-11-27,," for _, _, n in residents),
    )

    opened = _console(browser, live.login(first))
    page = opened.page
    page.get_by_label("CSV 文件").set_input_files(str(csv))
    dry_run = page.get_by_role("region", name="试算结果")
    dry_run.get_by_text("应用时须由另一名管理员确认").wait_for()
    assert "绿码 → 黄码: 101" in dry_run.inner_text()
    page.get_by_role("button", name="应用导入").click()
    guard = page.get_by_role("alert").filter(has_text="须第二名管理员确认")
    guard.wait_for()
    report_id = guard.locator(".report-id").inner_text()
    assert len(report_id) == 16 and "将改变赋码人数\n101" in guard.inner_text()
    _check(opened, "console-import-guard", guard)
    token, person_id, _ = residents[0]
    assert _code(live, token, person_id)["color"] == "green"  # nothing applied

    other = _console(browser, live.login(second))
    other.page.get_by_label("CSV 文件").set_input_files(str(csv))
    other.page.get_by_role("region", name="试算结果").wait_for()
    other.page.get_by_label("确认编号").fill(report_id)
    other.page.get_by_role("button", name="应用导入").click()
    answer = other.page.get_by_role("status", name="导入结果")
    answer.wait_for()
    assert answer.locator("[data-field=applied]").inner_text() == "101"
    recoloured = int(answer.locator("[data-field=recoloured]").inner_text())
    queued = int(answer.locator("[data-field=queued]").inner_text())
    assert recoloured + queued == 101
    if queued:  # the rest goes to the workers: followed on the job
        answer.get_by_text("已完成").wait_for(timeout=60_000)
    assert _code(live, token, person_id)["color"] == "yellow"


def test_an_expired_login_takes_the_console_back_to_the_login_form_with_a_message(
    browser: Browser, live_admin_token: str
) -> None:
    opened = _console(browser, live_admin_token)
    page = opened.page
    # The access token lives about an hour; here the server stops accepting it at once.
    page.evaluate("() => sessionStorage.setItem('healthcode.console.token', 'expired.token.x')")
    _section(opened, "地区风险")
    message = page.get_by_role("status").filter(has_text="登录已过期，请重新登录。")
    message.wait_for()
    page.get_by_label("手机号").wait_for()
    assert page.get_by_role("navigation", name="管理功能").count() == 0
    assert page.evaluate("() => sessionStorage.getItem('healthcode.console.token')") is None
    _check(opened, "console-session-ended")
    page.get_by_role("button", name="English").click()
    page.get_by_role("status").filter(has_text="Your login has expired").wait_for()
    page.get_by_role("button", name="中文").click()


def test_a_csv_row_with_an_unquoted_comma_in_its_note_is_shown_as_an_error_and_cannot_be_applied(
    browser: Browser, live_admin_token: str, tmp_path: Path
) -> None:
    good, broken = _rid(), _rid()
    csv = _csv(
        tmp_path,
        f"{good},resident_id,{resident_id()},fever_clinic,2026-11-27,,",
        f"{broken},resident_id,{resident_id()},other_medium_risk,2026-11-27,,同乘列车,车厢 5",
    )
    opened = _console(browser, live_admin_token)
    page = opened.page
    page.get_by_label("CSV 文件").set_input_files(str(csv))
    page.get_by_role("region", name="试算结果").wait_for()
    rows = page.locator("table.preview tbody tr")
    assert rows.count() == 2
    assert "row-error" not in (rows.nth(0).get_attribute("class") or "")
    assert "row-error" in (rows.nth(1).get_attribute("class") or "")
    assert "字段过多" in rows.nth(1).inner_text()
    assert "Too many fields" not in rows.nth(1).inner_text()
    blocked = page.get_by_role("alert").filter(has_text="不能应用导入")
    assert "1 行" in blocked.inner_text()
    apply = page.get_by_role("button", name="应用导入")
    assert apply.is_disabled()
    apply.click(force=True)
    page.wait_for_timeout(500)
    assert page.get_by_role("status", name="导入结果").count() == 0
    assert not [u for u in opened.requests if u.endswith("/v1/admin/records")]  # nothing sent
    _check(opened, "console-import-csv-problem", rows.nth(1))
    page.get_by_role("button", name="English").click()
    page.get_by_role("region", name="Dry run").wait_for()
    assert "too many fields (expected 7, found 8)" in rows.nth(1).inner_text()
    assert "cannot be applied" in page.get_by_role("alert").filter(has_text="fix").inner_text()
    opened.screenshot("console-import-csv-problem-en")
    page.get_by_role("button", name="中文").click()
