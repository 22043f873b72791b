"""The phone pages in a real browser: Debian's chromium, headless, driven by Playwright's Python
library, against the live server (tests/live_server.py: chalice local, DynamoDB Local, a worker).

`make browser` installs chromium and ffmpeg when they are missing; a machine without them fails
here (a page that cannot be tested is not done). Every page opened through `browser.open`:
- is a 360 x 740 phone (touch, mobile viewport) unless asked otherwise;
- may reach 127.0.0.1 only: any other request is aborted and fails the test (no CDN);
- fails the test on a Content-Security-Policy violation or an uncaught page error.
Screenshots go to build/screenshots/ (`make screenshots` writes docs/screenshots/ instead).
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT
from tests.live_server import LiveServer

CHROMIUM = os.environ.get("HEALTHCODE_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("HEALTHCODE_SCREENSHOT_DIR", ROOT / "build" / "screenshots"))
PHONE = {"width": 360, "height": 740}
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Opened:
    """A page and what it did: the requests it made, its CSP violations and errors."""

    page: Any
    context: Any
    base_url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def check_accessibility(self) -> None:
        """axe-core on the page as it is now: no serious or critical violation."""
        self.page.evaluate(AXE.read_text())  # through the debugger, so the page's CSP allows it
        found = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
        )
        bad = [v for v in found if v["impact"] in ("serious", "critical")]
        assert bad == [], bad

    def check_text_size(self, minimum: float = 16.0) -> None:
        """Every visible piece of text is at least `minimum` CSS pixels."""
        small = self.page.evaluate(
            """(minimum) => {
                const out = [];
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                while (walker.nextNode()) {
                    const text = walker.currentNode.textContent.trim();
                    const el = walker.currentNode.parentElement;
                    if (!text || !el || !el.checkVisibility()) continue;
                    const size = parseFloat(getComputedStyle(el).fontSize);
                    if (size < minimum) out.push(`${size}px: ${text.slice(0, 30)}`);
                }
                return out;
            }""",
            minimum,
        )
        assert small == [], small

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assets_gzipped(self) -> dict[str, int]:
        """The JavaScript and CSS the page fetched, by path, each as gzip -6 would send it."""
        sizes = {}
        for url in self.requests:
            path = urlparse(url).path
            if path.endswith((".js", ".css")) and path not in sizes:
                body = self.context.request.get(url).body()
                sizes[path] = len(gzip.compress(body, compresslevel=6))
        return sizes


class Browser:
    """Opens pages in Debian's chromium; each page in a fresh profile, closed at the end."""

    def __init__(self, playwright: Any, base_url: str, tmp: Path) -> None:
        self.playwright, self.base_url, self.tmp = playwright, base_url, tmp
        self.opened: list[Opened] = []

    def open(
        self,
        path: str,
        *,
        camera: Path | None = None,
        viewport: dict[str, int] | None = None,
        mobile: bool = True,
    ) -> Opened:
        args = [*FLAGS]
        if camera is not None:
            args += [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}",
            ]
        context = self.playwright.chromium.launch_persistent_context(
            tempfile.mkdtemp(dir=self.tmp),
            executable_path=CHROMIUM,
            headless=True,
            args=args,
            viewport=viewport or PHONE,
            is_mobile=mobile,
            has_touch=mobile,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
        )
        if camera is not None:
            context.grant_permissions(["camera"], origin=self.base_url)
        page = context.pages[0] if context.pages else context.new_page()
        opened = Opened(page, context, self.base_url)
        local = urlparse(self.base_url).hostname

        def route(route: Any) -> None:
            url = route.request.url
            host = urlparse(url).hostname
            if url.startswith(("data:", "blob:")) or host == local:
                route.continue_()
            else:
                opened.blocked.append(url)
                route.abort()

        context.route("**/*", route)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("pageerror", lambda error: opened.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                opened.problems.append(f"console: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        self.opened.append(opened)
        opened.goto(path)
        return opened

    def close(self) -> None:
        for opened in self.opened:
            opened.context.close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no {CHROMIUM}: run `make browser` (Debian's chromium, as root with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def built_pages() -> None:
    if not (ROOT / "chalicelib" / "static" / "index.html").exists():
        pytest.fail("the pages are not built: run `make web`")


@pytest.fixture
def browser(
    playwright_driver: Any, built_pages: None, live: LiveServer, tmp_path: Path
) -> Iterator[Browser]:
    opened = Browser(playwright_driver, live.base_url, tmp_path)
    try:
        yield opened
    finally:
        opened.close()
    for page in opened.opened:
        assert page.blocked == [], f"requests outside 127.0.0.1: {page.blocked}"
        assert page.problems == [], page.problems


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        pytest.fail("no ffmpeg: run `make browser` (Debian's ffmpeg, for the fake camera)")
    return found
