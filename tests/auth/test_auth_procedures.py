"""The OAuth procedures (web-application flow) via the procedure registry, on connections with no token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from o365sql import procedures as registry
from o365sql.emulator import Emulator
from o365sql.emulator.browse import run_browse
from o365sql.errors import AuthenticationError, ProgrammingError
from o365sql.procedures import oauth

from .helpers import emulator_props

CALLBACK = "https://app.example.test/callback"


def _run(name: str, props: Any, http: httpx.Client, **args: Any) -> list[tuple[Any, ...]]:
    proc = registry.get(name)
    ctx = registry.ProcedureContext(props=props, graph=None, tokens=None, http=http)  # type: ignore[arg-type]
    return proc.func(ctx, registry.resolve_arguments(proc, args))


def _web_props(emu: Emulator, store: str) -> Any:
    # The emulator's confidential "web app": secret + an https callback.
    return emulator_props(
        emu,
        OAuthClientId=emu.app_client_id,
        OAuthClientSecret=emu.app_client_secret,
        CallbackURL=CALLBACK,
        OAuthSettingsLocation=store,
    )


def _code(url: str) -> str:
    found = re.search(r"[?&]code=([^&]+)", url)
    assert found, url
    return found.group(1)


def test_registered() -> None:
    names = {p.name for p in registry.all_procedures()}
    assert {
        "GetOAuthAuthorizationURL",
        "GetOAuthAccessToken",
        "RefreshOAuthAccessToken",
        "GetAdminConsentURL",
    } <= names
    assert len(oauth.PROCEDURES) == 4


def test_web_flow_end_to_end(private_emulator: Emulator, http: httpx.Client) -> None:
    emu = private_emulator
    props = _web_props(emu, "memory://auth-proc-web")
    assert emu.requests() == []
    [(url,)] = _run("GetOAuthAuthorizationURL", props, http, State="xyz", Scope="Mail.Read")
    query = parse_qs(urlsplit(url).query)
    assert query["state"] == ["xyz"] and query["redirect_uri"] == [CALLBACK]
    assert query["prompt"] == ["select_account"] and query["code_challenge_method"] == ["S256"]
    assert "response_mode" not in query  # the code comes back in the query string
    final = run_browse(url, ca=Path(emu.ca_cert))
    assert final.startswith(CALLBACK) and "state=xyz" in final
    [(access, refresh, expires)] = _run(
        "GetOAuthAccessToken", props, http, Verifier=_code(final), AuthMode="WEB", State="xyz"
    )
    assert emu.state.tokens.check_access(access).error is None
    assert refresh and isinstance(expires, int) and expires > 0
    # The code is single-use.
    with pytest.raises(AuthenticationError):
        _run("GetOAuthAccessToken", props, http, Verifier=_code(final), CallbackURL=CALLBACK)
    [(access2, refresh2, _)] = _run(
        "RefreshOAuthAccessToken", props, http, OAuthRefreshToken=refresh, Scope="Mail.Read"
    )
    assert access2 != access and refresh2
    assert emu.state.tokens.check_access(access2).error is None


def test_refresh_needs_a_token(private_emulator: Emulator, http: httpx.Client) -> None:
    with pytest.raises(ProgrammingError, match="OAuthRefreshToken"):
        _run("RefreshOAuthAccessToken", _web_props(private_emulator, "memory://auth-proc-r"), http)
    with pytest.raises(AuthenticationError) as info:
        _run(
            "RefreshOAuthAccessToken",
            _web_props(private_emulator, "memory://auth-proc-r"),
            http,
            OAuthRefreshToken="not-a-refresh-token",
        )
    assert "not-a-refresh-token" not in str(info.value)


def test_web_mode_needs_a_verifier(private_emulator: Emulator, http: httpx.Client) -> None:
    with pytest.raises(ProgrammingError, match="Verifier"):
        _run(
            "GetOAuthAccessToken", _web_props(private_emulator, "memory://auth-proc-v"), http, AuthMode="WEB"
        )


@pytest.mark.usefixtures("browser")
def test_app_mode_signs_in_here(private_emulator: Emulator, http: httpx.Client) -> None:
    props = emulator_props(private_emulator, OAuthSettingsLocation="memory://auth-proc-app")
    [(access, refresh, expires)] = _run("GetOAuthAccessToken", props, http, AuthMode="APP")
    assert private_emulator.state.tokens.check_access(access).error is None and refresh and expires > 0


def test_admin_consent_url(private_emulator: Emulator, http: httpx.Client) -> None:
    emu = private_emulator
    props = _web_props(emu, "memory://auth-proc-admin")
    [(url,)] = _run("GetAdminConsentURL", props, http, State="s1")
    parts = urlsplit(url)
    assert url.startswith(f"{emu.authority_host}/{emu.tenant_id}/adminconsent?")
    assert parse_qs(parts.query) == {
        "client_id": [emu.app_client_id],
        "redirect_uri": [CALLBACK],
        "state": ["s1"],
    }
    assert emu.requests() == []  # no network for a URL
