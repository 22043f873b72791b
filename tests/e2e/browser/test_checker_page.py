"""The checker's page (/app/scan) in a real browser against the live server: the fake camera
reads a code, the result is full screen, manual entry, lookup by a guardian's phone, and offline
verification with the cached keys and trust list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.e2e.browser.camera import text_video
from tests.e2e.browser.conftest import Browser, Opened
from tests.live_server import LiveServer


def _logged_in(browser: Browser, token: str, camera: Path | None = None) -> Opened:
    opened = browser.open("/app/scan", camera=camera)
    opened.page.evaluate("(t) => sessionStorage.setItem('healthcode.scan.token', t)", token)
    opened.page.reload()
    return opened


def _checker(live: LiveServer, admin: str, phone: str) -> str:
    status, enrolled = live.call(
        "POST",
        "/v1/admin/checkers",
        {"phone": phone, "name": "王检查", "place_id": "gate-9"},
        admin,
    )
    assert status == 201, enrolled
    return live.login(phone)


def test_the_scanner_reads_a_code_from_the_camera_with_the_bundled_webassembly_decoder(
    browser: Browser,
    live: LiveServer,
    live_admin_token: str,
    new_phone: Callable[[], str],
    tmp_path: Path,
) -> None:
    token = _checker(live, live_admin_token, new_phone())
    opened = _logged_in(browser, token, camera=text_video("hello-healthcode", tmp_path))
    opened.page.locator(".decoded").wait_for(timeout=20000)
    assert opened.page.locator(".decoded").inner_text() == "hello-healthcode"
    assert opened.page.locator(".qr-scanner").get_attribute("data-decoder") == "wasm"
    wasm = [u for u in opened.requests if u.endswith(".wasm")]
    assert len(wasm) == 1 and "/app/assets/zxing_reader-" in wasm[0]
    # the scanner was made inactive by the page once it read a code: the camera is released
    opened.page.wait_for_function(
        "() => document.querySelector('.qr-scanner video').srcObject === null"
    )


def test_without_a_camera_the_scanner_says_so_and_offers_manual_entry(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    alert = opened.page.locator(".qr-error[role=alert]")
    alert.wait_for(timeout=10000)
    assert "手动输入" in alert.inner_text()
    assert opened.page.get_by_role("button", name="重新打开相机").is_visible()
