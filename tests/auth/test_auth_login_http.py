"""`login`/`logout` for the CLI, and msal's HTTP adapter over httpx."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import httpx
import pytest

from o365sql.auth import login, logout, provider_from_properties
from o365sql.auth._msal_http import MsalHttpAdapter
from o365sql.emulator import Emulator
from o365sql.errors import AuthenticationError, OperationalError

from .helpers import emulator_props, paths


@pytest.mark.usefixtures("browser")
def test_login_then_logout(private_emulator: Emulator, http: httpx.Client, settings_path: Path) -> None:
    emu = private_emulator
    # InitiateOAuth left at OFF: `login` signs in anyway.
    props = emulator_props(emu, OAuthSettingsLocation=str(settings_path))
    out = io.StringIO()
    assert login(props, http=http, out=out, callback_timeout=30) == emu.demo_user
    assert "/oauth2/v2.0/authorize?" in out.getvalue()  # the URL is shown for a browser that does not open
    emu.reset()
    assert login(props, http=http, callback_timeout=30) == emu.demo_user  # stored: no prompt
    assert paths(emu, "/authorize") == []
    assert login(props, http=http, force=True, out=io.StringIO(), callback_timeout=30) == emu.demo_user
    assert len(paths(emu, "/authorize")) == 1
    logout(props)
    refresh_only = emulator_props(emu, InitiateOAuth="REFRESH", OAuthSettingsLocation=str(settings_path))
    with pytest.raises(AuthenticationError, match="No stored sign-in"):
        provider_from_properties(refresh_only, http).get_token()


def test_login_app_only_opens_its_own_client(emulator: Emulator) -> None:
    props = emulator_props(
        emulator,
        AuthScheme="AzureServicePrincipal",
        OAuthClientId=emulator.app_client_id,
        OAuthClientSecret=emulator.app_client_secret,
        Scope="",
    )
    who = login(props)  # builds (and closes) an HTTP client from the properties: SSLServerCert is trusted
    assert who == f"app {emulator.app_client_id} in tenant {emulator.tenant_id}"


def test_adapter_speaks_msal_shape(emulator: Emulator) -> None:
    with emulator.http_client() as http:
        adapter = MsalHttpAdapter(http, timeout=10)
        url = f"{emulator.authority_host}/{emulator.tenant_id}/v2.0/.well-known/openid-configuration"
        resp = adapter.get(url, params={"x": 1}, headers={"Accept": "application/json"})
        assert resp.status_code == 200 and "token_endpoint" in resp.text
        assert resp.headers.get("content-type", "").startswith("application/json")
        resp.raise_for_status()
        bad = adapter.post(
            f"{emulator.authority_host}/{emulator.tenant_id}/oauth2/v2.0/token",
            data={"grant_type": "nope", "client_info": 1, "client_assertion": b"bytes"},
        )
        assert bad.status_code == 400
        with pytest.raises(OperationalError, match="HTTP 400"):
            bad.raise_for_status()
        adapter.close()  # leaves the shared client open
        assert not http.is_closed


def test_adapter_network_errors_keep_queries_out() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with httpx.Client() as http:
        adapter = MsalHttpAdapter(http, timeout=5)
        with pytest.raises(OperationalError, match="Could not reach") as info:
            adapter.get(f"https://127.0.0.1:{port}/msi/token?resource=r&secretish=abc")
        assert "secretish" not in str(info.value)
