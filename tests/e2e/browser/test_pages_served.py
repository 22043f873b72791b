"""The three pages as served: strict CSP, no inline script, nothing from elsewhere, accessible
login forms, and the access token kept out of URLs."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.browser.conftest import Browser
from tests.live_server import LiveServer

PAGES = {"holder": "/app/", "checker": "/app/scan", "console": "/app/console"}


@pytest.mark.parametrize("path", PAGES.values())
def test_each_page_is_served_with_a_strict_csp_and_no_inline_script(
    live: LiveServer, path: str
) -> None:
    with urllib.request.urlopen(live.base_url + path, timeout=10) as response:
        html = response.read().decode()
        csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"  # no 'unsafe-inline', no host
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and "http" not in csp
    assert directives["frame-ancestors"] == "'none'"
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/app/assets/' in attrs and not body for attrs, body in scripts)


def test_an_asset_name_that_leaves_the_assets_folder_is_not_found(live: LiveServer) -> None:
    for name in ("..%2F..%2Fapp.py", "..%2Findex.html", ".env.js"):
        try:
            urllib.request.urlopen(f"{live.base_url}/app/assets/{name}", timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 404
        else:
            raise AssertionError(name)


@pytest.mark.parametrize("name", PAGES)
def test_each_login_form_is_labelled_accessible_and_large_enough(
    browser: Browser, name: str
) -> None:
    page = browser.open(PAGES[name])
    assert page.page.get_by_label("手机号").is_visible()
    assert page.page.get_by_label("验证码").is_visible()
    assert page.page.get_by_role("button", name="获取验证码").is_visible()
    assert page.page.get_by_role("button", name="登录").is_visible()
    page.check_accessibility()
    page.check_text_size()


def test_the_english_switch_changes_the_labels_and_is_kept(browser: Browser) -> None:
    opened = browser.open("/app/")
    opened.page.get_by_role("button", name="English").click()
    assert opened.page.get_by_label("Phone").is_visible()
    assert opened.page.evaluate("document.documentElement.lang") == "en"
    opened.page.reload()
    assert opened.page.get_by_label("Phone").is_visible()
    opened.page.get_by_role("button", name="中文").click()
    assert opened.page.get_by_label("手机号").is_visible()


def test_login_keeps_the_token_in_session_storage_never_in_a_url(
    browser: Browser, new_phone: Callable[[], str]
) -> None:
    opened = browser.open("/app/")
    page = opened.page
    page.get_by_label("手机号").fill(new_phone())
    page.get_by_role("button", name="获取验证码").click()
    code = page.locator(".dev-code").inner_text()
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_function("() => sessionStorage.getItem('healthcode.holder.token') !== null")
    token = page.evaluate("sessionStorage.getItem('healthcode.holder.token')")
    assert token.count(".") == 2
    assert page.evaluate("JSON.stringify(localStorage)").find(token) == -1
    assert all(token not in url for url in [*opened.requests, page.url])


def test_no_stylesheet_names_a_file_on_another_host() -> None:
    from tests.conftest import ROOT

    sheets = list((ROOT / "chalicelib" / "static" / "assets").glob("*.css"))
    assert sheets
    for sheet in sheets:
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", sheet.read_text()), sheet.name


def test_a_page_built_again_while_the_server_runs_is_served_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make web` under `make run`: the new page names new assets, which must be found."""
    from chalicelib.api import pages

    (tmp_path / "assets").mkdir()
    monkeypatch.setenv("HEALTHCODE_STATIC_DIR", str(tmp_path))
    for build in ("one", "two"):
        (tmp_path / "index.html").write_text(f'<script src="/app/assets/{build}.js"></script>')
        (tmp_path / "assets" / f"{build}.js").write_text(f"// {build}")
        assert f"{build}.js" in pages.holder().body
        assert pages.asset(f"{build}.js").body == f"// {build}"
