"""The checker's page survives a reload with no network (a phone discards a background tab): a
service worker keeps the page and its assets, and the cached keys and trust list verify a code."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.browser.conftest import Browser
from tests.e2e.browser.test_checker_page import (
    WAIT_MS,
    _checked,
    _checker,
    _code,
    _holder,
    _logged_in,
    _manual,
    _offline_data_cached,
    _result,
)
from tests.live_server import LiveServer


def test_after_an_offline_reload_the_checker_page_opens_and_verifies_a_code_offline(
    browser: Browser, live: LiveServer, live_admin_token: str, new_phone: Callable[[], str]
) -> None:
    token, person_id, _ = _holder(live, new_phone())
    green = _code(live, token, person_id)["token"]  # a v1 token, as the code view gives it
    opened = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    page = opened.page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=WAIT_MS)
    _offline_data_cached(opened)

    opened.context.set_offline(True)
    page.reload()
    page.get_by_label("手动输入").wait_for()
    assert page.locator(".offline-data[data-not-after^='20']").count() == 1
    _manual(opened, green)
    dialog = _result(opened)
    assert dialog.get_by_role("heading", name="通行", exact=True).is_visible()
    assert dialog.locator(".offline-tag").inner_text() == "离线核验"
    assert dialog.locator(".color-text").inner_text().startswith("绿码")
    _checked(opened, "checker-offline-reload")

    cached = page.evaluate(
        """async () => {
            const urls = []
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) urls.push(request.url)
            }
            return urls
        }"""
    )
    paths = [url.split("/", 3)[3] for url in cached]
    assert "app/scan" in paths
    assert any(p.startswith("app/assets/") and p.endswith(".wasm") for p in paths)
    assert not [p for p in paths if p.startswith("v1/")]  # never an API answer
