"""The checker's page (/app/scan) in a real browser against the live server: the fake camera
reads a code (the bundled ZXing WebAssembly decoder: Linux Chromium has no BarcodeDetector), the
full-screen result, manual entry, lookup by a guardian's phone, offline verification with the
cached keys and trust list, and a resident who is not a checker."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.browser.camera import code_video, text_video
from tests.e2e.browser.conftest import Browser, Opened
from tests.e2e.test_journey import application
from tests.ids import resident_id
from tests.live_server import LiveServer

WAIT_MS = 20000


def _enrol(live: LiveServer, admin: str, phone: str) -> None:
    body = {"phone": phone, "name": "王检查", "place_id": "gate-9"}
    status, enrolled = live.call("POST", "/v1/admin/checkers", body, admin)
    assert status == 201, enrolled


def _checker(live: LiveServer, admin: str, phone: str) -> str:
    _enrol(live, admin, phone)
    return live.login(phone)


def _holder(live: LiveServer, phone: str) -> tuple[str, str, str]:
    """A resident with a green code: (access token, person id, id number)."""
    token, id_number = live.login(phone), resident_id()
    status, created = live.call("POST", "/v1/applications", application(id_number), token)
    assert status == 201 and created["code"]["color"] == "green", created
    return token, created["person_id"], id_number


def _code(live: LiveServer, token: str, person_id: str) -> dict[str, Any]:
    status, code = live.call("GET", f"/v1/persons/{person_id}/code", None, token)
    assert status == 200, code
    return dict(code)


def _make_red(live: LiveServer, admin: str, id_number: str) -> None:
    today = datetime.now(UTC).date().isoformat()
    row = {
        "record_id": "R-" + os.urandom(6).hex(),
        "id_type": "resident_id",
        "id_number": id_number,
        "category": "confirmed",
        "since": today,
    }
    status, report = live.call("POST", "/v1/admin/records", {"records": [row]}, admin)
    assert status == 200 and report["recoloured"] == 1, report


def _logged_in(browser: Browser, token: str, camera: Path | None = None) -> Opened:
    """The page with the checker's session (as the login form leaves it)."""
    opened = browser.open("/app/scan", camera=camera)
    opened.page.evaluate("(t) => sessionStorage.setItem('healthcode.scan.token', t)", token)
    opened.page.reload()
    return opened


def _offline_data_cached(opened: Opened) -> str:
    """Waits until the page cached the JWKS and the signed trust list; their not_after."""
    hint = opened.page.locator(".offline-data[data-not-after^='20']")
    hint.wait_for(timeout=WAIT_MS)
    return str(hint.get_attribute("data-not-after"))


def _manual(opened: Opened, token: str, temperature: str = "") -> None:
    page = opened.page
    if temperature:
        page.get_by_label("测温（°C）").fill(temperature)
    page.get_by_label("手动输入").fill(token)
    page.get_by_role("button", name="核验", exact=True).click()


def _result(opened: Opened) -> Any:
    dialog = opened.page.get_by_role("dialog")
    dialog.wait_for(timeout=WAIT_MS)
    return dialog


def _next(opened: Opened) -> None:
    opened.page.get_by_role("button", name="扫下一个").click()
    opened.page.get_by_role("dialog").wait_for(state="detached")


def _checked(opened: Opened, screenshot: str) -> None:
    opened.check_accessibility()
    opened.check_text_size()
    opened.screenshot(screenshot)


def test_a_checker_logs_in_and_the_camera_reads_a_live_green_code_that_passes_with_the_masked_name(
    browser: Browser,
    live: LiveServer,
    live_admin_token: str,
    new_phone: Callable[[], str],
    tmp_path: Path,
) -> None:
    token, person_id, _ = _holder(live, new_phone())
    png = live.raw(f"/v1/persons/{person_id}/qr?format=png", token, "image/png")
    camera = code_video(png, tmp_path)  # the API's own rendering, framed in green
    phone = new_phone()
    _enrol(live, live_admin_token, phone)

    opened = browser.open("/app/scan", camera=camera)
    page = opened.page
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("验证码").fill(page.locator(".dev-code").inner_text())
    _checked(opened, "checker-login")
    page.get_by_role("button", name="登录").click()

    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="通行", exact=True).is_visible()
    assert dialog.locator(".color-text").inner_text() == "绿码"
    assert dialog.locator(".band").get_attribute("data-color") == "green"
    assert dialog.locator(".masked-name").inner_text() == "张*丰"
    assert "离线核验" not in dialog.inner_text()
    assert page.locator(".qr-scanner").get_attribute("data-decoder") == "wasm"
    wasm = [url for url in opened.requests if url.endswith(".wasm")]
    assert len(wasm) == 1 and "/app/assets/zxing_reader-" in wasm[0]
    sizes = opened.assets_gzipped()  # the holder page's budget, met here too with the decoder
    assert any("ponyfill" in path for path in sizes) and sum(sizes.values()) <= 150_000, sizes
    # the camera is released while the result is shown
    page.wait_for_function("() => document.querySelector('.qr-scanner video').srcObject === null")
    _checked(opened, "checker-pass")

    _next(opened)
    page.locator(".qr-scanner[data-state=scanning]").wait_for(timeout=WAIT_MS)
    _checked(opened, "checker-scanner")


def test_the_camera_reads_a_red_persons_code_and_the_result_is_no_entry_with_the_reason(
    browser: Browser,
    live: LiveServer,
    live_admin_token: str,
    new_phone: Callable[[], str],
    tmp_path: Path,
) -> None:
    token, person_id, id_number = _holder(live, new_phone())
    _make_red(live, live_admin_token, id_number)
    code = _code(live, token, person_id)
    assert code["color"] == "red"
    camera = text_video(code["token"], tmp_path)
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()), camera)

    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".color-text").inner_text() == "红码"
    assert dialog.locator(".band").get_attribute("data-color") == "red"
    assert dialog.locator(".masked-name").inner_text() == "张*丰"
    assert "红码人员不予通行" in dialog.locator(".reason").inner_text()
    _checked(opened, "checker-deny")


def _forged(token: str) -> str:
    """The same code with its colour changed to green: the signature no longer matches."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["color"] = "green"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_manual_entry_verifies_a_code_and_refuses_forged_or_garbage_ones_with_the_reason(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, id_number = _holder(live, new_phone())
    green = _code(live, token, person_id)["token"]
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))

    _manual(opened, green)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="通行", exact=True).is_visible()
    assert dialog.locator(".masked-name").inner_text() == "张*丰"
    _next(opened)

    _make_red(live, live_admin_token, id_number)
    _manual(opened, _forged(_code(live, token, person_id)["token"]))
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").get_attribute("data-reason") == "bad_signature"
    assert "签名无效" in dialog.locator(".reason").inner_text()
    assert dialog.locator(".masked-name").count() == 0
    _next(opened)

    _manual(opened, "not-a-health-code")
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").inner_text() == "不是有效的健康码"
    _checked(opened, "checker-deny-garbage")


def test_a_fever_measured_at_the_gate_stops_a_green_code(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = _holder(live, new_phone())
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _manual(opened, _code(live, token, person_id)["token"], temperature="38.2")
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").get_attribute("data-reason") == "fever_at_gate"
    assert "卡口测温发热" in dialog.locator(".reason").inner_text()


def test_a_lookup_by_a_guardians_phone_lists_the_dependents_with_colour_and_pass(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    guardian_phone = new_phone()
    guardian = live.login(guardian_phone)
    for relation in ("parent", "child"):
        body = {**application(resident_id()), "relation": relation}
        status, created = live.call("POST", "/v1/family", body, guardian)
        assert status == 201, created
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))

    opened.page.get_by_label("监护人手机号").fill(guardian_phone)
    opened.page.get_by_role("button", name="查询家属").click()
    dialog = _result(opened)
    people = dialog.locator(".people li")
    assert people.count() == 2
    for i in range(2):
        assert people.nth(i).locator(".masked-name").inner_text() == "张*丰"
        assert people.nth(i).locator(".color-text").inner_text() == "绿码"
        assert people.nth(i).locator(".person-verdict").inner_text() == "通行"
    assert guardian_phone not in dialog.inner_text()  # shown masked
    _checked(opened, "checker-by-phone")


def test_with_the_network_cut_a_code_is_verified_offline_and_the_result_says_so(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = _holder(live, new_phone())
    green = _code(live, token, person_id)["token"]
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _offline_data_cached(opened)

    opened.context.set_offline(True)
    opened.page.get_by_role("status").filter(has_text="网络不可用").wait_for()
    _manual(opened, green)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="通行", exact=True).is_visible()
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"
    assert dialog.locator(".color-text").inner_text().startswith("绿码")
    assert dialog.locator(".band").get_attribute("data-color") == "green"
    assert dialog.locator(".masked-name").count() == 0  # the token holds no name
    assert "是否已作废" in dialog.inner_text() and "当前最新颜色" in dialog.inner_text()
    _checked(opened, "checker-offline")
    _next(opened)

    _manual(opened, _forged(green.replace(".", ".", 1)))
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").get_attribute("data-reason") == "bad_signature"
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"


def _paper_token(live: LiveServer, token: str, person_id: str) -> str:
    import io

    import zxingcpp
    from PIL import Image

    png = live.raw(f"/v1/persons/{person_id}/paper-code?format=png", token, "image/png")
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return str(found[0].text)


def test_offline_a_paper_code_passes_and_an_expired_live_code_does_not(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = _holder(live, new_phone())
    live_code = _code(live, token, person_id)["token"]
    paper = _paper_token(live, token, person_id)
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _offline_data_cached(opened)
    opened.context.set_offline(True)
    opened.page.clock.set_system_time(datetime.now(UTC) + timedelta(minutes=6))

    _manual(opened, paper)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="通行", exact=True).is_visible()
    assert "（纸质码）" in dialog.inner_text() and "离线核验" in dialog.inner_text()
    _next(opened)

    _manual(opened, live_code)  # lives 5 minutes
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").get_attribute("data-reason") == "expired"


def test_offline_verification_refuses_a_trust_list_past_its_not_after(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = _holder(live, new_phone())
    green = _code(live, token, person_id)["token"]
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    not_after = datetime.fromisoformat(_offline_data_cached(opened))

    opened.context.set_offline(True)
    opened.page.clock.set_system_time(not_after + timedelta(minutes=1))
    _manual(opened, green)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="无法核验").is_visible()
    assert "离线核验数据已过期" in dialog.get_by_role("alert").inner_text()
    assert "通行" not in dialog.inner_text().replace("不能放行", "")
    _checked(opened, "checker-offline-stale")


def test_offline_verification_refuses_a_phone_clock_set_back_before_the_trust_list(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    """Setting the clock back would let an expired screenshot's code pass offline."""
    token, person_id, _ = _holder(live, new_phone())
    green = _code(live, token, person_id)["token"]
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _offline_data_cached(opened)

    opened.context.set_offline(True)
    opened.page.clock.set_system_time(datetime.now(UTC) - timedelta(hours=2))
    _manual(opened, green)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="无法核验").is_visible()
    assert "本机时间早于离线核验数据的签发时间" in dialog.get_by_role("alert").inner_text()


def test_a_resident_who_is_not_a_checker_is_told_they_cannot_verify(
    browser: Browser, live: LiveServer, new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    opened = browser.open("/app/scan")
    page = opened.page
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("验证码").fill(page.locator(".dev-code").inner_text())
    page.get_by_role("button", name="登录").click()
    alert = page.locator(".not-checker [role=alert]")
    alert.wait_for(timeout=WAIT_MS)
    assert "不是核验员" in alert.inner_text()
    assert page.get_by_label("手动输入").count() == 0
    assert page.locator(".qr-scanner").count() == 0
    _checked(opened, "checker-not-a-checker")


def test_without_a_camera_the_scanner_says_so_and_manual_entry_remains(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    alert = opened.page.locator(".qr-error[role=alert]")
    alert.wait_for(timeout=WAIT_MS)
    assert "手动输入" in alert.inner_text()
    assert opened.page.get_by_role("button", name="重新打开相机").is_visible()
    assert opened.page.get_by_label("手动输入").is_visible()


def test_the_result_reads_in_english_after_the_switch(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    opened.page.get_by_role("button", name="English").click()
    opened.page.get_by_label("Manual entry").fill("garbage")
    opened.page.get_by_role("button", name="Verify", exact=True).click()
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="No entry").is_visible()
    assert dialog.locator(".reason").inner_text() == "Not a valid health code"


def test_offline_a_trusted_partners_code_is_checked_with_the_cached_trust_list(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    from tests.e2e.test_arrivals_and_trust import Partner
    from tests.e2e.test_partner_tokens import library_token

    partner, stranger = Partner(), Partner("120000")
    status, entry = live.call("POST", "/v1/admin/issuers", partner.body(), live_admin_token)
    assert status == 201, entry
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _offline_data_cached(opened)
    opened.context.set_offline(True)

    _manual(opened, library_token(partner, "yellow"))
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"
    assert dialog.locator(".color-text").inner_text().startswith("黄码")
    assert entry["name"] in dialog.inner_text() and "110000" in dialog.inner_text()
    _next(opened)

    _manual(opened, library_token(stranger, "green"))
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").get_attribute("data-reason") == "untrusted_issuer"


# --- offline, v2 (`HC2:`) codes ------------------------------------------------------------------


def _flipped_signature(token: str) -> str:
    """The same v2 code with one bit of its signature's last byte flipped."""
    import base45

    raw = bytearray(base45.b45decode(token.removeprefix("HC2:")))
    raw[-1] ^= 0x01
    return "HC2:" + base45.b45encode(bytes(raw)).decode()


def test_offline_a_v2_green_code_passes_and_a_red_forged_truncated_or_expired_one_does_not(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, id_number = _holder(live, new_phone())
    green = _code(live, token, person_id)["compact_token"]
    _make_red(live, live_admin_token, id_number)
    red = _code(live, token, person_id)["compact_token"]
    assert green.startswith("HC2:") and red.startswith("HC2:")
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _offline_data_cached(opened)
    opened.context.set_offline(True)
    opened.page.get_by_role("status").filter(has_text="网络不可用").wait_for()

    _manual(opened, green)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="通行", exact=True).is_visible()
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"
    assert dialog.locator(".color-text").inner_text().startswith("绿码")
    assert dialog.locator(".band").get_attribute("data-color") == "green"
    assert dialog.locator(".masked-name").count() == 0  # the token holds no name
    assert "（纸质码）" not in dialog.inner_text()  # a live code
    _checked(opened, "checker-offline-v2")
    _next(opened)

    _manual(opened, red)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"
    assert dialog.locator(".color-text").inner_text().startswith("红码")
    assert dialog.locator(".band").get_attribute("data-color") == "red"
    _checked(opened, "checker-offline-v2-red")
    _next(opened)

    for bad, reason in ((_flipped_signature(green), "bad_signature"), (green[:120], "malformed")):
        _manual(opened, bad)
        dialog = _result(opened)
        assert dialog.get_by_role("heading", name="不予通行").is_visible()
        assert dialog.locator(".reason").get_attribute("data-reason") == reason
        assert dialog.locator(".offline-tag").inner_text() == "离线核验"
        _next(opened)

    opened.page.clock.set_system_time(datetime.now(UTC) + timedelta(minutes=6))
    _manual(opened, green)  # lives 5 minutes
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").get_attribute("data-reason") == "expired"


def test_offline_a_trusted_partners_v2_code_is_checked_and_an_untrusted_issuers_is_refused(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests import compact_forge as forge
    from tests.e2e.test_arrivals_and_trust import Partner

    partner = Partner()
    status, entry = live.call("POST", "/v1/admin/issuers", partner.body(), live_admin_token)
    assert status == 201, entry
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _offline_data_cached(opened)
    opened.context.set_offline(True)
    now = int(datetime.now(UTC).timestamp())

    _manual(opened, forge.token(partner.key, partner.issuer, now, color="yellow"))
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"
    assert dialog.locator(".color-text").inner_text().startswith("黄码")
    assert entry["name"] in dialog.inner_text() and "110000" in dialog.inner_text()
    _next(opened)

    stranger = ec.generate_private_key(ec.SECP256R1())
    _manual(opened, forge.token(stranger, "partner-unknown:120000", now, color="green"))
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="不予通行").is_visible()
    assert dialog.locator(".reason").get_attribute("data-reason") == "untrusted_issuer"
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"
    _checked(opened, "checker-offline-v2-untrusted")
