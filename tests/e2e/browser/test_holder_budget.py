"""The holder page's budget: its JavaScript and CSS at most 150 KB gzipped (issue 14), measured in
the browser as fetched after logging in and showing the code page, and again once the place-code
scanner has started, with the QR decoder's JavaScript counted."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.browser.conftest import Browser
from tests.e2e.browser.test_holder_page import fill_application, log_in, qr_shown, tab
from tests.ids import resident_id

BUDGET = 150 * 1024


def test_the_holder_page_s_javascript_and_css_stay_within_150_kb_gzipped(
    browser: Browser, new_phone: Callable[[], str]
) -> None:
    opened = browser.open("/app/")
    page = opened.page
    log_in(opened, new_phone())
    page.get_by_label("姓名", exact=True).wait_for()
    fill_application(page, resident_id())
    page.get_by_role("checkbox", name="本人承诺").click()
    page.get_by_role("button", name="提交申领").click()
    qr_shown(opened)

    code_page = opened.assets_gzipped()
    total = sum(code_page.values())
    print(f"holder page, code page shown: {total / 1024:.1f} KB gzipped JS+CSS")
    for path, size in sorted(code_page.items()):
        print(f"  {size / 1024:6.1f} KB  {path}")
    assert not any("ponyfill" in path or "QrScanner" in path for path in code_page)
    assert total <= BUDGET, code_page

    # The decoder loads when the place scanner opens (never on the code page); counted here too.
    tab(opened, "扫场所码")
    page.wait_for_function(
        "() => ['scanning', 'error'].includes(document.querySelector('.qr-scanner')?.dataset.state)"
    )
    page.wait_for_load_state("networkidle")
    scanning = opened.assets_gzipped()
    total = sum(scanning.values())
    wasm = [url for url in opened.requests if url.endswith(".wasm")]
    print(f"holder page, scanner open: {total / 1024:.1f} KB gzipped JS+CSS; wasm: {wasm}")
    for path, size in sorted(scanning.items()):
        print(f"  {size / 1024:6.1f} KB  {path}")
    assert total <= BUDGET, scanning
