"""The desktop flows with a person at Chromium: the browser sign-in (and when they refuse), the device code.

The driver opens the sign-in page through `BROWSER` (a launcher that hands the URL to this test's Chromium),
listens on the CallbackURL's port, and takes the redirect that the browser delivers after sign-in.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

import o365sql
from o365sql.emulator import Emulator

from .conftest import UrlInbox, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    """The OAuthSettingsLocation of the test's connection (not created yet)."""
    return tmp_path / "settings" / "OAuthSettings.json"


@pytest.fixture
def desktop(emu: Emulator, settings_file: Path) -> Iterator[Callable[..., Future[list[Any]]]]:
    """`desktop(**props)`: connect and query in a thread, as a program would, while the test is the person."""
    pool = ThreadPoolExecutor(1)

    def start(**props: Any) -> Future[list[Any]]:
        def run() -> list[Any]:
            given = {
                "CallbackURL": f"http://localhost:{free_port()}",
                "OAuthSettingsLocation": str(settings_file),
                "Scope": "User.Read Mail.Read",
                **props,
            }
            # InitiateOAuth=GETANDREFRESH with the emulator's public client, listening on a port of ours.
            with o365sql.connect(emu.connection_string, **given) as con:
                cur = con.cursor()
                cur.execute("SELECT subject FROM Messages WHERE parentFolderId = 'inbox' LIMIT 5")
                return list(cur.fetchall())

        return pool.submit(run)

    yield start
    pool.shutdown(wait=True)


def _sign_in(page: Page, user: str, password: str) -> None:
    page.get_by_label("Email, phone, or Skype").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _stored_tokens(settings_file: Path) -> dict[str, Any]:
    """The token cache in the settings file, read as a file (empty when there is no file)."""
    if not settings_file.exists():
        return {}
    cache: dict[str, Any] = json.loads(settings_file.read_text()).get("token_cache") or {}
    return {kind: entries for kind, entries in cache.items() if entries}


def test_desktop_sign_in_returns_rows(
    emu: Emulator,
    page: Page,
    url_inbox: UrlInbox,
    desktop: Callable[..., Future[list[Any]]],
    settings_file: Path,
) -> None:
    query = desktop(OAuthTimeout=60)
    page.goto(url_inbox.take())
    _sign_in(page, emu.demo_user, emu.demo_password)
    page.get_by_role("button", name="Accept").click()
    # The emulator's form_post page delivers the code to the driver's listener, which answers the browser.
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    assert len(query.result(timeout=60)) == 5
    assert set(_stored_tokens(settings_file)) >= {"AccessToken", "RefreshToken"}


def test_declined_consent_is_named_and_nothing_is_stored(
    emu: Emulator,
    page: Page,
    url_inbox: UrlInbox,
    desktop: Callable[..., Future[list[Any]]],
    settings_file: Path,
) -> None:
    # A permission nobody granted yet, so the consent page comes up whatever ran before.
    query = desktop(OAuthTimeout=60, Scope="User.Read Contacts.Read")
    page.goto(url_inbox.take())
    _sign_in(page, emu.demo_user, emu.demo_password)
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Sign-in failed")).to_be_visible()
    with pytest.raises(o365sql.errors.AuthenticationError, match="declined to consent") as info:
        query.result(timeout=60)
    assert "refused or cancelled in the browser" in str(info.value)
    assert _stored_tokens(settings_file) == {}


def test_wrong_password_stays_on_the_page_and_nothing_is_stored(
    emu: Emulator,
    page: Page,
    url_inbox: UrlInbox,
    desktop: Callable[..., Future[list[Any]]],
    settings_file: Path,
    screenshot: Callable[[Page, str], Path],
) -> None:
    # As with Entra ID, a wrong password never leaves the sign-in page: the person sees why there, and the
    # program sees only that no redirect came within OAuthTimeout.
    query = desktop(OAuthTimeout=2)
    page.goto(url_inbox.take())
    _sign_in(page, emu.demo_user, "not-the-password")
    alert = page.get_by_role("alert")
    assert "AADSTS50126" in alert.inner_text() and "invalid username or password" in alert.inner_text()
    assert page.get_by_label("Email, phone, or Skype").input_value() == emu.demo_user
    screenshot(page, "signin-error")
    with pytest.raises(o365sql.OperationalError, match=r"No sign-in redirect .* within 2 s") as info:
        query.result(timeout=60)
    assert "a wrong password keeps it on the sign-in page" in str(info.value)
    assert _stored_tokens(settings_file) == {}


def _device_message(capsys: pytest.CaptureFixture[str]) -> str:
    """What the driver told the person to do (it prints to stderr), once it has said it."""
    seen = ""
    for _ in range(300):  # the driver asks for a code first: a few requests to the emulator
        seen += capsys.readouterr().err
        if "enter the code" in seen:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the driver never showed a device code; it printed: {seen!r}")


def test_device_code_entered_in_the_browser(
    emu: Emulator,
    page: Page,
    desktop: Callable[..., Future[list[Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    query = desktop(OAuthGrantType="DEVICE_CODE", OAuthTimeout=60, Scope="User.Read Mail.ReadBasic")
    message = _device_message(capsys)
    found = re.search(r"open the page (\S+) and enter the code (\w+)", message)
    assert found, message
    page.goto(found.group(1))
    page.get_by_label("Code").fill("NOTACODE")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_contain_text("That code didn't work")
    page.get_by_label("Code").fill(found.group(2))
    page.get_by_role("button", name="Next").click()
    _sign_in(page, emu.demo_user, emu.demo_password)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#approved")).to_contain_text("You have signed in")
    assert len(query.result(timeout=60)) == 5
