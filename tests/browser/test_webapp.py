"""The example web app in Chromium: sign in with Microsoft (the emulator), see the unread count, sign out."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from o365sql.emulator import Emulator
from o365sql.emulator.directory import User

from .conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

GRAPH = "https://graph.microsoft.com"


@pytest.fixture(scope="module")
def webapp(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m examples.webapp`, configured from the environment as for a real tenant; its home URL."""
    env = dict(
        os.environ,
        WEBAPP_CLIENT_ID=emu.app_client_id,
        WEBAPP_CLIENT_SECRET=emu.app_client_secret,
        WEBAPP_TENANT=emu.tenant_id,
        WEBAPP_AUTHORITY_HOST=emu.authority_host,
        WEBAPP_GRAPH_URL=emu.graph_url,
        WEBAPP_CA_CERT=emu.ca_cert,
        WEBAPP_PORT="0",
    )
    log = tmp_path_factory.mktemp("webapp") / "stderr.log"
    with log.open("w") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "examples.webapp"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("webapp: open http://localhost:"), line + log.read_text()
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits, and closes the stdout pipe


def _graph_unread(emu: Emulator) -> int:
    """The Inbox's unread count, read straight from Graph with the app's own (app-only) token."""
    with emu.http_client() as http:
        token = http.post(
            f"{emu.authority_host}/{emu.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": emu.app_client_id,
                "client_secret": emu.app_client_secret,
                "scope": f"{GRAPH}/.default",
            },
        ).json()["access_token"]
        inbox = http.get(
            f"{emu.graph_url}/users/{emu.demo_user}/mailFolders/inbox",
            headers={"Authorization": f"Bearer {token}"},
        )
        inbox.raise_for_status()
        return int(inbox.json()["unreadItemCount"])


def test_sign_in_read_mail_sign_out(
    emu: Emulator,
    webapp: str,
    chromium: Browser,
    page: Page,
    screenshot: Callable[[Page, str], Path],
) -> None:
    page.goto(webapp)
    page.get_by_role("button", name="Sign in with Microsoft").click()
    # The emulator's sign-in page, reached through the URL GetOAuthAuthorizationURL made.
    assert page.url.startswith(f"{emu.authority_host}/{emu.tenant_id}/oauth2/v2.0/authorize?")
    state = parse_qs(urlsplit(page.url).query)["state"][0]

    # Another browser session presents this session's state at the callback: refused, and it does not
    # spoil the sign-in under way.
    other = chromium.new_context()
    try:
        forged = other.new_page()
        forged.goto(webapp)
        response = forged.goto(f"{webapp}callback?code=forged&state={state}")
        assert response is not None and response.status == 400
        assert "does not belong to this browser session" in forged.get_by_role("alert").inner_text()
    finally:
        other.close()

    page.get_by_label("Email, phone, or Skype").fill(emu.demo_user)
    page.get_by_label("Password").fill(emu.demo_password)
    screenshot(page, "signin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
    expect(page.get_by_text("Read your mail")).to_be_visible()
    screenshot(page, "consent")
    page.get_by_role("button", name="Accept").click()

    assert page.url == webapp  # back on the app, the code already exchanged and gone from the address bar
    assert int(page.locator("#unread").inner_text()) == _graph_unread(emu)
    assert page.locator("#mail tr").count() > 1 and page.locator("#events tr").count() > 1
    screenshot(page, "webapp")
    # The browser holds only an opaque session id: no token in a cookie or the page.
    cookies = page.context.cookies(webapp)
    assert [c["name"] for c in cookies] == ["webapp_session"] and cookies[0]["httpOnly"]
    assert "eyJ" not in page.content() and "eyJ" not in cookies[0]["value"]

    page.get_by_role("button", name="Sign out").click()
    assert page.url == webapp
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
    assert page.context.cookies(webapp) == []


def _user(emu: Emulator, n: int) -> User:
    """The n-th user other than the demo user: each test that needs a consent page takes its own."""
    return [u for u in emu.state.directory.users if u.user_principal_name != emu.demo_user][n]


def _sign_in(page: Page, webapp: str, user: User) -> None:
    """From the app's home page to the emulator's consent page, as `user`."""
    page.goto(webapp)
    page.get_by_role("button", name="Sign in with Microsoft").click()
    page.get_by_label("Email, phone, or Skype").fill(user.user_principal_name)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()


def test_cancelled_consent_is_shown_by_the_app(emu: Emulator, webapp: str, page: Page) -> None:
    _sign_in(page, webapp, _user(emu, 0))
    page.get_by_role("button", name="Cancel").click()
    assert page.url.startswith(f"{webapp}callback?error=access_denied")
    expect(page.get_by_role("alert")).to_have_text(
        "Sign-in did not finish: AADSTS65004: User declined to consent to access the app."
    )
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()


def test_runs_on_the_emulator_by_default(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBAPP_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "examples.webapp"],
        cwd=ROOT,
        env={**env, "WEBAPP_PORT": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        told = proc.stdout.readline()
        assert "running on the o365sql emulator; sign in as " in told
        home = proc.stdout.readline().split()[-1]
        with httpx.Client(trust_env=False) as http:
            page = http.get(home)
            assert page.status_code == 200 and "Sign in with Microsoft" in page.text
            # The sign-in goes to the emulator the app started, with the app's callback as redirect URI.
            signin = http.post(f"{home}signin")
        query = parse_qs(urlsplit(signin.headers["location"]).query)
        assert signin.status_code == 303 and query["redirect_uri"] == [f"{home}callback"]
        assert "webapp_session" in signin.cookies
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits, and closes the stdout pipe


def test_revoked_sign_in_sends_the_user_back_to_sign_in(emu: Emulator, webapp: str, page: Page) -> None:
    _sign_in(page, webapp, _user(emu, 1))
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#unread")).to_be_visible()
    emu.revoke_tokens()  # an administrator revokes the user's sessions
    response = page.reload()
    assert response is not None and response.status == 401
    expect(page.get_by_role("alert")).to_contain_text("Your sign-in has ended")
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
