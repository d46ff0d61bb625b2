"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, one browser per module.

Chromium comes from Debian's `chromium` package (`.ci/run` installs it); Playwright only drives it, through
`executable_path`, and never downloads a browser. Where Chromium is missing the tests say so: skipped with the
reason on a developer's machine, failed under CI (`CI` set), where `.ci/run` should have installed it.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from o365sql.emulator import Emulator

CHROMIUM = Path("/usr/bin/chromium")
# As root on a machine with no network but loopback: no sandbox, no GPU, and no background connections
# (Chromium's own update, sync and QUIC probes would be refused, many at a time).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
LAUNCHER = Path(__file__).with_name("launcher.py")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless Chromium for the whole module; Playwright starts it with a fresh temporary profile."""
    if not CHROMIUM.exists():
        message = (
            f"browser tests not run: Debian's chromium is not installed ({CHROMIUM} is missing); run "
            "`apt-get install -y chromium` (.ci/run does)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test, so `page` can tell that the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture
def page(chromium: Browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Page]:
    """A new browser window with no cookies. Each emulator run makes its own CA, which this fresh profile
    cannot be taught without NSS tools, so the context accepts the emulator's certificate. When the test
    fails, the page as it was is saved (and its address printed) for the failure report."""
    context = chromium.new_context(ignore_https_errors=True, viewport={"width": 900, "height": 640})
    context.set_default_timeout(20_000)
    window = context.new_page()
    try:
        yield window
    finally:
        call = request.node.stash.get(_REPORTS, {}).get("call")
        if call is not None and call.failed:
            shot = tmp_path / "failed-page.png"
            window.screenshot(path=str(shot), full_page=True)
            print(f"browser was at {window.url}; its page is saved in {shot}")
        context.close()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A private demo tenant for the module: these tests record consent and sign users in and out."""
    with Emulator(data="demo", device_code_interval=1) as emulator:
        yield emulator


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Page, str], Path]:
    """`screenshot(page, name)`: to docs/images when O365SQL_UPDATE_SCREENSHOTS=1, else the test's tmp dir."""
    folder = IMAGES if os.environ.get("O365SQL_UPDATE_SCREENSHOTS") == "1" else tmp_path

    def take(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


class UrlInbox:
    """The test's end of the launcher: the URLs the driver asked the browser to open."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]

    @property
    def browser_command(self) -> str:
        """A `BROWSER` value that sends the URL here (`%s` is where webbrowser puts it)."""
        return f"{sys.executable} {LAUNCHER} {self.port} %s"

    def take(self, timeout: float = 30.0) -> str:
        """The next URL the driver opened."""
        self._server.settimeout(timeout)
        conn, _ = self._server.accept()
        with conn:
            conn.settimeout(timeout)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def url_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[UrlInbox]:
    """BROWSER points at the launcher, which hands each URL to this test."""
    inbox = UrlInbox()
    monkeypatch.setenv("BROWSER", inbox.browser_command)
    try:
        yield inbox
    finally:
        inbox.close()


def free_port() -> int:
    """A port free now on 127.0.0.1, for a CallbackURL the test owns."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
