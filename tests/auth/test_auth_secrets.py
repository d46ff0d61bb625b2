"""Tokens, secrets and codes never reach logs (at DEBUG), exception messages or reprs."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx
import pytest

from o365sql.auth import (
    authorization_url,
    exchange_code,
    open_store,
    provider_from_properties,
    refresh_access_token,
)
from o365sql.auth._msal_http import MsalHttpAdapter
from o365sql.emulator import Emulator
from o365sql.emulator.browse import run_browse
from o365sql.errors import AuthenticationError, Error

from .helpers import emulator_props

CALLBACK = "https://app.example.test/callback"


def _pieces(secret: str) -> list[str]:
    """The secret and distinctive slices of it (a partial leak counts too)."""
    out = [secret]
    if len(secret) > 40:
        out += [secret[-24:], secret[len(secret) // 2 : len(secret) // 2 + 24]]
    return out


@pytest.mark.usefixtures("browser")
def test_no_secret_in_logs_errors_or_reprs(
    private_emulator: Emulator, http: httpx.Client, settings_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emu = private_emulator
    caplog.set_level(logging.DEBUG)  # everything: msal, httpx, httpcore, o365sql
    secrets: list[str] = [emu.app_client_secret]
    texts: list[str] = []

    # Desktop sign-in, then a forced refresh.
    props = emulator_props(emu, InitiateOAuth="GETANDREFRESH", OAuthSettingsLocation=str(settings_path))
    desktop = provider_from_properties(props, http, callback_timeout=30, out=io.StringIO())
    secrets += [desktop.get_token(), desktop.get_token(force_refresh=True)]
    doc = settings_path.read_text()
    secrets += re.findall(r'"secret":\s*"([^"]+)"', doc)  # every access and refresh token in the store

    # Web flow with a confidential client: code, PKCE verifier, tokens, refresh.
    web = emulator_props(
        emu,
        OAuthClientId=emu.app_client_id,
        OAuthClientSecret=emu.app_client_secret,
        CallbackURL=CALLBACK,
        OAuthSettingsLocation="memory://auth-secrets",
    )
    url = authorization_url(web, http, state="st1")
    store = open_store("memory://auth-secrets")
    with store.locked():
        secrets.append(store._pending["st1"]["flow"]["code_verifier"])
    logging.disable(logging.CRITICAL)  # the stand-in browser's own httpx logs show its redirects: not ours
    try:
        final = run_browse(url, ca=Path(emu.ca_cert))
    finally:
        logging.disable(logging.NOTSET)
    code = re.search(r"[?&]code=([^&]+)", final)
    assert code
    secrets.append(code.group(1))
    tokens = exchange_code(web, http, verifier=code.group(1), state="st1")
    secrets += [tokens["access_token"], tokens["refresh_token"], tokens["id_token"]]
    refreshed = refresh_access_token(web, http, tokens["refresh_token"])
    secrets += [refreshed["access_token"], refreshed["refresh_token"]]

    # Failures whose inputs are secrets.
    errors: list[Error] = []
    for attempt in (
        lambda: exchange_code(web, http, verifier=code.group(1), state="st1"),  # used code
        lambda: refresh_access_token(web, http, "bogus-refresh-token-" + "x" * 30),
        lambda: provider_from_properties(
            emulator_props(
                emu,
                OAuthGrantType="CLIENT",
                OAuthClientId=emu.app_client_id,
                OAuthClientSecret="wrong-secret-value-123",
            ),
            http,
        ).get_token(),
        lambda: provider_from_properties(
            emulator_props(emu, InitiateOAuth="OFF", OAuthAccessToken="given-access-token-abc"), http
        ).get_token(force_refresh=True),
    ):
        with pytest.raises(AuthenticationError) as info:
            attempt()
        errors.append(info.value)
    secrets += ["bogus-refresh-token-" + "x" * 30, "wrong-secret-value-123", "given-access-token-abc"]
    app_only = provider_from_properties(
        emulator_props(
            emu,
            AuthScheme="AzureServicePrincipal",
            OAuthClientId=emu.app_client_id,
            OAuthClientSecret=emu.app_client_secret,
            Scope="",
        ),
        http,
    )
    secrets.append(app_only.get_token())

    # Device code: the device_code is a bearer secret for the sign-in being approved.
    out = io.StringIO()
    device = provider_from_properties(
        emulator_props(emu, OAuthGrantType="DEVICE_CODE", OAuthSettingsLocation="memory://auth-secrets-dev"),
        http,
        out=out,
        callback_timeout=30,
    )
    got: list[str] = []
    worker = threading.Thread(target=lambda: got.append(device.get_token()))
    worker.start()
    for _ in range(200):
        user_code = re.search(r"enter the code (\S+)", out.getvalue())
        if user_code:
            break
        time.sleep(0.05)
    assert user_code
    emu.admin("POST", f"devicecodes/{user_code.group(1)}/approve", {})
    worker.join(30)
    secrets += got + [d.device_code for d in emu.state.identity.devices.values()]
    assert len(secrets) > 15 and got

    texts.append(caplog.text)
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [repr(x) for x in (desktop, app_only, store, MsalHttpAdapter(http), desktop.store.cache)]
    texts += [repr(props), repr(web), str(web.masked())]
    blob = "\n".join(texts)
    assert "DEBUG" in caplog.text and "msal" in caplog.text  # the logs really were captured
    leaks = [s[:12] + "..." for s in secrets for piece in _pieces(s) if piece and piece in blob]
    assert not leaks, f"secrets found in logs/errors/reprs: {sorted(set(leaks))}"


def test_listener_does_not_log_the_request_line(caplog: pytest.LogCaptureFixture, capsys: Any) -> None:
    from o365sql.auth._listener import LoopbackListener

    caplog.set_level(logging.DEBUG)
    listener = LoopbackListener(0, "/", "st").start()
    # urllib, not httpx: httpx would log the URL itself (the stand-in browser is not under test)
    urllib.request.urlopen(f"http://127.0.0.1:{listener.port}/?code=secret-code-value-999&state=st").read()
    listener.wait(5)
    captured = capsys.readouterr()
    assert "secret-code-value-999" not in caplog.text + captured.err + captured.out
