"""Sign-in through real connections: the first statement signs in, a 401 refreshes, procedures need none."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.emulator.browse import run_browse

from .helpers import paths

CALLBACK = "https://app.example.test/callback"


def _base(emu: Emulator, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "AuthorityHost": emu.authority_host,
        "AzureTenant": emu.tenant_id,
        "SSLServerCert": emu.ca_cert,
        "GraphURL": emu.graph_url,
    }
    values.update(extra)
    return values


@pytest.mark.usefixtures("browser")
def test_first_statement_signs_in_and_a_401_refreshes(
    private_emulator: Emulator, settings_path: Path
) -> None:
    emu = private_emulator
    props = _base(
        emu,
        InitiateOAuth="GETANDREFRESH",
        OAuthClientId=emu.client_id,
        CallbackURL="http://localhost:0",
        Scope="User.Read User.ReadBasic.All",
        OAuthSettingsLocation=str(settings_path),
    )
    con = o365sql.connect(**props)
    try:
        assert emu.requests() == []  # connect does no network I/O
        cur = con.cursor()
        cur.execute("SELECT displayName FROM Users")
        assert cur.fetchall()
        assert len(paths(emu, "/authorize")) == 1
        emu.expire_tokens()
        emu.reset()
        cur.execute("SELECT displayName FROM Users")  # Graph answers 401 once; the provider refreshes
        assert cur.fetchall()
        assert paths(emu, "/authorize") == [] and len(paths(emu, "/token", "POST")) == 1
    finally:
        con.close()
    emu.reset()
    again = o365sql.connect(**props)  # another connection over the same settings file: no sign-in
    try:
        again.cursor().execute("SELECT displayName FROM Users").fetchall()
        assert paths(emu, "/authorize") == []
    finally:
        again.close()


def test_web_flow_procedures_on_a_connection_without_token(private_emulator: Emulator) -> None:
    emu = private_emulator
    web = _base(
        emu,
        OAuthClientId=emu.app_client_id,
        OAuthClientSecret=emu.app_client_secret,
        CallbackURL=CALLBACK,
        Scope="User.Read User.ReadBasic.All",
        OAuthSettingsLocation="memory://auth-connection-web",
    )
    con = o365sql.connect(**web)  # InitiateOAuth=OFF and no token at all
    try:
        cur = con.cursor()
        cur.execute("EXEC GetOAuthAuthorizationURL State = 'abc'")
        [(url,)] = cur.fetchall()
        code = re.search(r"[?&]code=([^&]+)", run_browse(url, ca=Path(emu.ca_cert)))
        assert code
        cur.execute("EXEC GetOAuthAccessToken Verifier = ?, State = 'abc'", [code.group(1)])
        [(access, refresh, expires)] = cur.fetchall()
        assert [d[0] for d in cur.description] == ["OAuthAccessToken", "OAuthRefreshToken", "ExpiresIn"]
        assert refresh and expires > 0
    finally:
        con.close()
    with o365sql.connect(**web, OAuthAccessToken=access) as user_con:
        assert user_con.cursor().execute("SELECT displayName FROM Users").fetchall()


@pytest.mark.usefixtures("browser")
def test_refresh_procedure_without_argument_uses_the_connections_token(private_emulator: Emulator) -> None:
    emu = private_emulator
    props = _base(
        emu,
        InitiateOAuth="GETANDREFRESH",
        OAuthClientId=emu.client_id,
        CallbackURL="http://localhost:0",
        Scope="User.Read User.ReadBasic.All",
        OAuthSettingsLocation="memory://auth-connection-refresh",
    )
    with o365sql.connect(**props) as con:
        con.execute("SELECT displayName FROM Users").fetchall()  # signs in: the store keeps the tokens
        emu.reset()
        access, refresh, expires = con.execute("EXEC RefreshOAuthAccessToken").fetchone() or ()
        assert emu.state.tokens.check_access(access).error is None and refresh and expires > 0
        assert len(paths(emu, "/token", "POST")) == 1 and paths(emu, "/authorize") == []
    # the refresh token it returned is the connection's from then on: a property wins over the store
    given = {**props, "InitiateOAuth": "OFF", "OAuthRefreshToken": refresh}
    given["OAuthSettingsLocation"] = "memory://auth-connection-refresh-empty"
    with o365sql.connect(**given) as con:
        access2, _, _ = con.execute("EXEC RefreshOAuthAccessToken").fetchone() or ()
        assert emu.state.tokens.check_access(access2).error is None
    with (
        o365sql.connect(**given | {"OAuthRefreshToken": None}) as con,
        pytest.raises(o365sql.ProgrammingError, match="sign in first"),
    ):
        con.execute("EXEC RefreshOAuthAccessToken")
