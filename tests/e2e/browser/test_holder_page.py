"""The holder's page (/app/) in a real browser against the live server: log in with the local
stage's dev_code, apply, the code page (colour as a word, the QR, the ticking time, the reasons and
the day it turns green again), the daily check-in, family (add, paper code, act for, remove), the
place code at the door, history and appeal, deleting my data. Every state is checked with axe and
for text size, and photographed (holder-*)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.browser.camera import code_video
from tests.e2e.browser.conftest import SCREENSHOTS, Browser, Opened
from tests.e2e.test_family import family_body
from tests.e2e.test_journey import application
from tests.ids import resident_id
from tests.live_server import LiveServer

TOKEN_KEY = "healthcode.holder.token"


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def check(opened: Opened, name: str, full_page: bool = True) -> None:
    """axe, text size and a screenshot of the whole page as it is now (phone width, full
    length, so a state below the fold, such as the reasons of a yellow code, is in the picture)."""
    opened.check_accessibility()
    opened.check_text_size()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def log_in(opened: Opened, phone: str) -> None:
    page = opened.page
    page.get_by_label("手机号", exact=True).fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    code = page.locator(".dev-code").inner_text()
    page.get_by_label("验证码", exact=True).fill(code)
    page.get_by_role("button", name="登录").click()


def fill_application(page: Any, id_number: str, name: str = "张三丰") -> None:
    page.get_by_label("姓名", exact=True).fill(name)
    page.get_by_label("证件类型", exact=True).select_option(label="居民身份证")
    page.get_by_label("证件号码", exact=True).fill(id_number)
    page.get_by_label("国籍", exact=True).fill("CHN")
    page.get_by_label("居住地址", exact=True).fill("山东省济南市历下区泉城路1号")
    page.get_by_label("所在地区", exact=True).fill("370102")
    page.get_by_label("体温（℃）", exact=True).fill("36.5")


def commit(page: Any) -> None:
    page.get_by_role("checkbox", name=re.compile("本人承诺")).click()


def signed_in(
    browser: Browser,
    live: LiveServer,
    phone: str,
    name: str = "张三丰",
    camera: Path | None = None,
) -> Opened:
    """A resident who applied through the API, with the page opened on their code.

    The login itself is what the journey test checks through the form; here the access token is
    put where the page keeps it (session storage), so each test needs one SMS code only.
    """
    token = live.login(phone)
    status, created = live.call(
        "POST", "/v1/applications", {**application(resident_id()), "name": name}, token
    )
    assert status == 201, created
    opened = browser.open("/app/", camera=camera)
    opened.page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [TOKEN_KEY, token])
    opened.page.reload()
    opened.page.locator(".qr img").wait_for()
    return opened


def token_of(opened: Opened) -> str:
    return str(opened.page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')"))


def assert_token_never_in_a_url(opened: Opened) -> None:
    token = token_of(opened)
    assert token.count(".") == 2
    assert all(token not in url for url in [*opened.requests, opened.page.url])


def qr_shown(opened: Opened) -> str:
    """The QR image's blob: URL, once the browser has decoded it."""
    image = opened.page.locator(".qr img")
    image.wait_for()
    opened.page.wait_for_function(
        "() => { const i = document.querySelector('.qr img');"
        " return i && i.complete && i.naturalWidth > 0 }"
    )
    src = str(image.get_attribute("src"))
    assert src.startswith("blob:")
    return src


def tab(opened: Opened, name: str) -> None:
    opened.page.get_by_role("navigation").get_by_role("button", name=name, exact=True).click()


def test_a_resident_logs_in_applies_and_sees_a_green_code_with_a_live_qr_and_ticking_time(
    browser: Browser, new_phone: Callable[[], str]
) -> None:
    opened = browser.open("/app/")
    page = opened.page
    check(opened, "holder-login")
    log_in(opened, new_phone())
    page.get_by_label("姓名", exact=True).wait_for()
    assert page.get_by_label("国籍", exact=True).input_value() == "CHN"
    assert page.get_by_label("证件类型", exact=True).input_value() == "resident_id"
    options = page.get_by_label("证件类型", exact=True).locator("option").all_inner_texts()
    assert options == [
        "居民身份证",
        "护照",
        "港澳居民来往内地通行证",
        "台湾居民来往大陆通行证",
        "外国人永久居留身份证",
    ]
    fill_application(page, resident_id())
    commit(page)
    check(opened, "holder-apply")
    page.get_by_role("button", name="提交申领").click()

    page.get_by_text("绿码", exact=True).wait_for()
    src = qr_shown(opened)
    alt = page.locator(".qr img").get_attribute("alt")
    assert alt and "张*丰" in alt and "绿码" in alt
    assert page.locator(".masked-name").inner_text() == "张*丰"
    figure = page.locator(".qr")
    refresh_at = datetime.fromisoformat(str(figure.get_attribute("data-refresh-at")))
    expires_at = datetime.fromisoformat(str(figure.get_attribute("data-expires-at")))
    assert refresh_at < expires_at <= datetime.now(refresh_at.tzinfo) + timedelta(minutes=5)

    clock = page.locator(".clock .live-time")
    first = clock.inner_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first)
    page.wait_for_function(
        "(before) => document.querySelector('.clock .live-time').textContent !== before", arg=first
    )
    check(opened, "holder-code-green")

    page.get_by_role("button", name="刷新二维码").click()
    page.wait_for_function("(before) => document.querySelector('.qr img').src !== before", arg=src)
    qr_shown(opened)

    page.get_by_role("button", name="English").click()
    page.get_by_text("Green code", exact=True).wait_for()
    check(opened, "holder-code-green-en")
    page.get_by_role("button", name="中文").click()
    assert_token_never_in_a_url(opened)


def test_a_bad_id_number_and_a_missing_commitment_are_shown_beside_their_fields(
    browser: Browser, new_phone: Callable[[], str]
) -> None:
    opened = browser.open("/app/")
    page = opened.page
    log_in(opened, new_phone())
    page.get_by_label("姓名", exact=True).wait_for()
    fill_application(page, "370102199001011230")  # a wrong check digit
    page.get_by_role("button", name="提交申领").click()

    id_field = page.locator(".van-field", has=page.get_by_label("证件号码", exact=True))
    error = id_field.locator(".van-field__error-message")
    error.wait_for()
    assert error.inner_text().strip()
    assert page.locator(".commitment .field-error").is_visible()
    name_field = page.locator(".van-field", has=page.get_by_label("姓名", exact=True))
    assert name_field.locator(".van-field__error-message").count() == 0
    check(opened, "holder-apply-errors")


def test_the_daily_checkin_shows_the_streak_and_the_day_s_status(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str]
) -> None:
    opened = signed_in(browser, live, new_phone())
    page = opened.page
    status = page.locator(".checkin-status")
    assert "今日尚未打卡" in status.inner_text()
    page.get_by_label("今日体温（℃）", exact=True).fill("36.6")
    page.get_by_role("button", name="每日打卡").click()
    page.get_by_text("已连续打卡 1 天").wait_for()
    assert f"今日（{today().isoformat()}）已打卡" in status.inner_text()
    assert "绿码" in status.inner_text()
    check(opened, "holder-checkin")
    page.reload()
    page.locator(".qr img").wait_for()
    page.get_by_text("今日已打卡，体温 36.6℃").wait_for()


def test_a_guardian_adds_a_family_member_downloads_the_paper_code_acts_for_and_removes_them(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str]
) -> None:
    opened = signed_in(browser, live, new_phone())
    page = opened.page
    tab(opened, "家人")
    page.get_by_text("还没有添加家人").wait_for()
    page.get_by_role("button", name="添加家人").click()
    page.get_by_label("与我关系", exact=True).select_option(label="子女")
    fill_application(page, resident_id(birth="20150601"), name="李小明")
    commit(page)
    check(opened, "holder-family-add")
    page.get_by_role("button", name="为家人申领").click()

    member = page.locator(".family-member", has_text="李*明")
    member.wait_for()
    assert "子女" in member.inner_text() and "绿码" in member.inner_text()
    check(opened, "holder-family")

    with page.expect_download() as waiting:
        member.get_by_role("button", name="下载纸质码").click()
    download = waiting.value
    assert download.url.startswith("blob:")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_text("已下载李*明的纸质码").wait_for()

    member.get_by_role("button", name="出示健康码").click()
    page.locator(".acting-for").get_by_text("正在为子女 李*明 代办").wait_for()
    page.locator(".masked-name", has_text="李*明").wait_for()
    qr_shown(opened)
    check(opened, "holder-acting-for")
    page.get_by_role("button", name="返回本人").click()
    page.locator(".masked-name", has_text="张*丰").wait_for()

    tab(opened, "家人")
    member.get_by_role("button", name="解除绑定").click()
    dialog = page.get_by_role("dialog", name="解除绑定")
    dialog.wait_for()
    assert "李*明" in dialog.inner_text()
    check(opened, "holder-family-remove-confirm")
    dialog.get_by_role("button", name="确定解除").click()
    # The only guardian of a child with no code of their own may not leave them unattended:
    # the page says so and offers to delete the child's data instead.
    page.get_by_text("您是该人员唯一的代办人").wait_for()
    member.get_by_role("button", name="注销其信息").click()
    dialog = page.get_by_role("dialog", name="注销家人信息")
    dialog.get_by_role("button", name="确定注销").click()
    page.get_by_text("已注销李*明的信息").wait_for()
    assert page.locator(".family-member").count() == 0
    assert_token_never_in_a_url(opened)


def test_a_family_member_who_holds_their_own_code_is_unbound_after_a_confirmation(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str]
) -> None:
    parent_token, parent_id, parent_id_number = _applied(live, new_phone())
    status, issued = live.call("POST", f"/v1/persons/{parent_id}/share-codes", {}, parent_token)
    assert status == 201, issued
    opened = signed_in(browser, live, new_phone())
    page = opened.page
    token = token_of(opened)
    body = {**family_body(parent_id_number), "share_code": issued["share_code"]}
    status, bound = live.call("POST", "/v1/family", body, token)
    assert status == 201, bound
    tab(opened, "家人")
    member = page.locator(".family-member", has_text="父母")
    member.get_by_role("button", name="解除绑定").click()
    page.get_by_role("dialog", name="解除绑定").get_by_role("button", name="确定解除").click()
    page.get_by_text("已解除与张*丰的绑定").wait_for()
    assert page.locator(".family-member").count() == 0
    assert live.call("GET", f"/v1/persons/{parent_id}/code", None, parent_token)[0] == 200


def _import_record(live: LiveServer, admin: str, id_number: str, category: str) -> None:
    row = {
        "record_id": "R-" + os.urandom(6).hex(),
        "id_type": "resident_id",
        "id_number": id_number,
        "category": category,
        "since": today().isoformat(),
        "until": None,
    }
    status, report = live.call("POST", "/v1/admin/records", {"records": [row]}, admin)
    assert status == 200 and report["applied"] == 1, report


def _applied(live: LiveServer, phone: str) -> tuple[str, str, str]:
    token, id_number = live.login(phone), resident_id()
    status, created = live.call("POST", "/v1/applications", application(id_number), token)
    assert status == 201, created
    return token, created["person_id"], id_number


def _open_as(browser: Browser, token: str) -> Opened:
    opened = browser.open("/app/")
    opened.page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [TOKEN_KEY, token])
    opened.page.reload()
    qr_shown(opened)
    return opened


def test_a_yellow_code_shows_its_reasons_and_the_day_it_turns_green_again(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, _, id_number = _applied(live, new_phone())
    _import_record(live, live_admin_token, id_number, "fever_clinic")
    opened = _open_as(browser, token)
    page = opened.page
    assert page.locator(".colour-word").inner_text() == "黄码"
    last_day = today() + timedelta(days=14)
    reasons = page.locator(".reasons")
    assert f"持续至 {last_day.isoformat()}" in reasons.inner_text()
    green_on = (last_day + timedelta(days=1)).isoformat()
    assert f"恢复绿码日期：{green_on}" in page.locator(".green-again").inner_text()
    check(opened, "holder-code-yellow")
    page.get_by_role("button", name="English").click()
    page.get_by_text(f"Green again on: {green_on}").wait_for()
    page.get_by_role("button", name="中文").click()


def test_a_red_code_shows_its_reasons_and_that_the_authority_must_clear_it(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, _, id_number = _applied(live, new_phone())
    _import_record(live, live_admin_token, id_number, "close_contact")
    opened = _open_as(browser, token)
    page = opened.page
    assert page.locator(".colour-word").inner_text() == "红码"
    assert page.locator(".reasons li").count() >= 1
    assert page.locator(".reason-text").first.inner_text().strip()
    assert "待卫健部门解除后恢复" in page.locator(".green-again").inner_text()
    check(opened, "holder-code-red")


def place_token(live: LiveServer, admin: str, name: str, kind: str = "mall") -> tuple[str, bytes]:
    """A new place's printed QR (PNG) and the token in it, as a camera reads it."""
    import zxingcpp
    from PIL import Image

    body = {"name": name, "type": kind, "region_code": "370102", "address": "泉城路1号"}
    status, created = live.call("POST", "/v1/admin/places", body, admin)
    assert status == 201, created
    png = live.raw(f"/v1/admin/places/{created['place_id']}/qr?format=png", admin, "image/png")
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text, png


def test_a_place_code_entered_by_hand_records_the_visit_and_shows_the_door_screen(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, _ = place_token(live, live_admin_token, "泉城广场")
    opened = signed_in(browser, live, new_phone())
    page = opened.page
    tab(opened, "扫场所码")
    check(opened, "holder-scan")
    page.get_by_label("场所码内容", exact=True).fill("not a place code")
    page.get_by_role("button", name="登记进入").click()
    field = page.locator(".van-field", has=page.get_by_label("场所码内容", exact=True))
    field.locator(".van-field__error-message").wait_for()

    page.get_by_label("场所码内容", exact=True).fill(token)
    page.get_by_role("button", name="登记进入").click()
    door = page.get_by_role("region", name="场所登记结果")
    door.wait_for()
    text = door.inner_text()
    for expected in ("泉城广场", "商场", "绿码", "张*丰", "登记时间"):
        assert expected in text, (expected, text)
    ticking = door.locator(".live-time").inner_text()
    page.wait_for_function(
        "(before) => document.querySelector('.door-clock .live-time').textContent !== before",
        arg=ticking,
    )
    check(opened, "holder-door-green", full_page=False)
    door.get_by_role("button", name="完成").click()
    assert door.count() == 0


def test_the_camera_reads_a_place_code_at_the_door_and_the_door_screen_is_shown(
    browser: Browser,
    live: LiveServer,
    live_admin_token: str,
    new_phone: Callable[[], str],
    tmp_path: Path,
) -> None:
    _, png = place_token(live, live_admin_token, "历下区人民医院", "hospital")
    camera = code_video(png, tmp_path)  # the place's printed code, as the admin's PNG
    opened = signed_in(browser, live, new_phone(), name="王小红", camera=camera)
    page = opened.page
    assert not any("ponyfill" in url or ".wasm" in url for url in opened.requests)
    tab(opened, "扫场所码")
    door = page.get_by_role("region", name="场所登记结果")
    door.wait_for(timeout=30000)
    text = door.inner_text()
    for expected in ("历下区人民医院", "医院", "绿码", "王*红"):
        assert expected in text, (expected, text)
    check(opened, "holder-door-camera", full_page=False)  # the door screen fills the phone
    status, me = live.call("GET", "/v1/me", None, token_of(opened))
    person_id = me["persons"][0]["person_id"]
    status, visits = live.call("GET", f"/v1/persons/{person_id}/visits", None, token_of(opened))
    assert status == 200 and [v["place"]["name"] for v in visits["visits"]] == ["历下区人民医院"]
    door.get_by_role("button", name="完成").click()
    assert_token_never_in_a_url(opened)


def test_history_lists_the_changes_and_an_appeal_is_sent(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, _, id_number = _applied(live, new_phone())
    _import_record(live, live_admin_token, id_number, "fever_clinic")
    opened = _open_as(browser, token)
    page = opened.page
    tab(opened, "记录")
    changes = page.locator(".change")
    changes.first.wait_for()
    assert changes.count() >= 2
    newest = changes.first.inner_text()
    assert "绿码 → 黄码" in newest and "卫健部门" in newest
    assert "发热门诊" in newest and "fever_clinic" not in newest  # the reason in words
    page.get_by_label("申诉理由", exact=True).fill("我没有去过发热门诊，请核实。")
    page.get_by_role("button", name="提交申诉").click()
    page.get_by_text("申诉已提交").wait_for()
    check(opened, "holder-history")


def test_deleting_my_data_asks_first_then_leaves_no_code(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str]
) -> None:
    opened = signed_in(browser, live, new_phone())
    page = opened.page
    token = token_of(opened)
    tab(opened, "我的")
    page.get_by_role("button", name="注销我的数据").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    check(opened, "holder-delete-confirm")
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="hidden")
    status, me = live.call("GET", "/v1/me", None, token)
    assert status == 200 and len(me["persons"]) == 1

    page.get_by_role("button", name="注销我的数据").click()
    dialog.get_by_role("button", name="确定注销").click()
    page.get_by_role("button", name="提交申领").wait_for()
    status, me = live.call("GET", "/v1/me", None, token)
    assert status == 200 and me["persons"] == []
    check(opened, "holder-after-delete")


def test_a_login_the_server_no_longer_accepts_returns_to_the_login_form(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str]
) -> None:
    opened = signed_in(browser, live, new_phone())
    page = opened.page
    page.evaluate("(k) => sessionStorage.setItem(k, 'e30.e30.c2ln')", TOKEN_KEY)
    page.get_by_role("button", name="刷新二维码").click()
    page.get_by_text("登录已过期，请重新登录。").wait_for()
    assert page.get_by_label("手机号", exact=True).is_visible()
    assert page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')") is None
