"""The three pages in one story, each in its own browser: the authority's console imports a CSV
file, the holder's page turns yellow, and the checker's page no longer lets the code through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from tests.e2e.browser.conftest import Browser
from tests.e2e.browser.test_checker_page import _checker, _code, _logged_in, _manual, _result
from tests.e2e.browser.test_console_page import _console, _csv, _resident, _rid
from tests.e2e.browser.test_holder_page import _open_as, today
from tests.live_server import LiveServer


def test_a_csv_imported_in_the_console_turns_the_holders_page_yellow(
    browser: Browser,
    live: LiveServer,
    live_admin_token: str,
    new_phone: Callable[[], str],
    tmp_path: Path,
) -> None:
    token, person_id, id_number = _resident(live, new_phone())
    holder = _open_as(browser, token)
    assert holder.page.locator(".colour-word").inner_text() == "绿码"
    checker = _logged_in(browser, _checker(live, live_admin_token, new_phone()))
    _manual(checker, _code(live, token, person_id)["token"])
    assert _result(checker).get_by_role("heading", name="通行", exact=True).is_visible()

    since: date = today() - timedelta(days=1)
    record = f"{_rid()},resident_id,{id_number},fever_clinic,{since.isoformat()},,"
    console = _console(browser, live_admin_token)
    console.page.get_by_label("CSV 文件").set_input_files(str(_csv(tmp_path, record)))
    console.page.get_by_role("region", name="试算结果").wait_for()
    assert "绿码 → 黄码: 1" in console.page.get_by_role("region", name="试算结果").inner_text()
    assert holder.page.locator(".colour-word").inner_text() == "绿码"  # a dry run writes nothing
    console.page.get_by_role("button", name="应用导入").click()
    console.page.get_by_role("status", name="导入结果").wait_for()

    holder.page.reload()
    holder.page.locator(".colour-word").wait_for()
    assert holder.page.locator(".colour-word").inner_text() == "黄码"
    green_on = (since + timedelta(days=15)).isoformat()
    assert green_on in holder.page.locator(".green-again").inner_text()
    holder.screenshot("together-holder-yellow-after-import")

    checker.page.reload()  # the checker's next scan of the same holder
    _manual(checker, _code(live, token, person_id)["token"])
    assert _result(checker).get_by_role("heading", name="不予通行", exact=True).is_visible()
