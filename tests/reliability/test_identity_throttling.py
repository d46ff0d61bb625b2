"""Throttling and 5xx from the identity platform are waited out and reported; they never start a sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import ServiceUnavailableError, ThrottledError

Make = Callable[..., Emulator]


def _refreshing(emu: Emulator, name: str) -> Any:
    grant = emu.state.tokens.issue_refresh(
        tenant_id=emu.tenant_id,
        client_id=emu.client_id,
        user_id=emu.state.directory.demo_user.id,
        scopes=frozenset({"User.Read", "Mail.Read", "offline_access", "openid", "profile"}),
    )
    return o365sql.connect(
        InitiateOAuth="GETANDREFRESH",
        OAuthRefreshToken=grant.token,
        OAuthClientId=emu.client_id,
        AzureTenant=emu.tenant_id,
        AuthorityHost=emu.authority_host,
        GraphURL=emu.graph_url,
        SSLServerCert=emu.ca_cert,
        Scope="User.Read Mail.Read",
        CallbackURL="http://localhost:0",
        OAuthTimeout=2,
        OAuthSettingsLocation=f"memory://{name}",
    )


def _sign_ins(emu: Emulator) -> list[dict[str, Any]]:
    return [r for r in emu.requests() if "/authorize" in r["path"] or "/devicecode" in r["path"]]


def test_a_throttled_token_endpoint_is_retried_then_reported_never_a_new_sign_in(make_emulator: Make) -> None:
    emu = make_emulator(data="empty", faults="token_throttle_share=1,retry_after=0.01")
    con = _refreshing(emu, "throttled-token")
    with pytest.raises(ThrottledError, match=r"AADSTS90055.*did not start a new sign-in") as info:
        con.cursor().execute("SELECT Id FROM Messages LIMIT 1").fetchall()
    assert info.value.status == 429 and "0.01" in info.value.message
    assert len([r for r in emu.requests() if r["path"].endswith("/token")]) == 4  # one try, three retries
    assert _sign_ins(emu) == []
    con.close()


def test_5xx_from_the_token_endpoint_is_retried_then_reported(make_emulator: Make) -> None:
    emu = make_emulator(data="empty", faults="token_error_share=1,retry_after=0.01")
    con = _refreshing(emu, "failing-token")
    with pytest.raises(ServiceUnavailableError, match=r"AADSTS90033"):
        con.cursor().execute("SELECT Id FROM Messages LIMIT 1").fetchall()
    assert _sign_ins(emu) == []
    con.close()


def test_occasional_throttling_is_outlasted(make_emulator: Make) -> None:
    emu = make_emulator(data="empty", faults="token_throttle_share=0.5,seed=1,retry_after=0.01")
    con = _refreshing(emu, "sometimes-throttled")
    assert con.cursor().execute("SELECT Id FROM Messages LIMIT 1").fetchall() == []
    assert any(r["status"] == 429 for r in emu.requests() if r["path"].endswith("/token"))
    assert _sign_ins(emu) == []
    con.close()
