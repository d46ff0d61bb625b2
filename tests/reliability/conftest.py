"""Fixtures for the reliability and security tests: connections to private emulators, raw Graph reads."""

from __future__ import annotations

from typing import Any

import httpx

import o365sql
from o365sql.connection import Connection
from o365sql.emulator import Emulator

ALL_SCOPES = frozenset(
    {
        "Mail.ReadWrite",
        "Mail.Send",
        "Calendars.ReadWrite",
        "Contacts.ReadWrite",
        "Files.ReadWrite.All",
        "User.Read",
        "User.Read.All",
        "Group.Read.All",
    }
)


def token_for(emu: Emulator, user_id: str | None = None, scopes: frozenset[str] = ALL_SCOPES) -> str:
    """A delegated access token the emulator issued (no sign-in round trip)."""
    token, _ = emu.state.tokens.issue_access(
        tenant_id=emu.tenant_id,
        client_id=emu.client_id,
        user_id=user_id or emu.state.directory.demo_user.id,
        scopes=scopes,
    )
    return str(token)


def connect(emu: Emulator, scopes: frozenset[str] = ALL_SCOPES, **extra: Any) -> Connection:
    """A delegated connection as the demo user (with ALL_SCOPES, or the scopes given)."""
    conn = o365sql.connect(
        f"InitiateOAuth=OFF;OAuthAccessToken={token_for(emu, scopes=scopes)};GraphURL={emu.graph_url};"
        f"SSLServerCert={emu.ca_cert}",
        **extra,
    )
    assert isinstance(conn, Connection)
    return conn


def connect_app(emu: Emulator, **extra: Any) -> Connection:
    """An app-only connection (client secret) covering every mailbox."""
    conn = o365sql.connect(
        AuthScheme="AzureServicePrincipal",
        AzureTenant=emu.tenant_id,
        OAuthClientId=emu.app_client_id,
        OAuthClientSecret=emu.app_client_secret,
        AuthorityHost=emu.authority_host,
        GraphURL=emu.graph_url,
        SSLServerCert=emu.ca_cert,
        OAuthSettingsLocation="memory://reliability-app",
        **extra,
    )
    assert isinstance(conn, Connection)
    return conn


def raw_client(emu: Emulator, user_id: str | None = None) -> httpx.Client:
    """An httpx client straight to the emulator's Graph with a token: the independent check of effects."""
    return emu.http_client(
        base_url=emu.graph_url + "/", headers={"Authorization": f"Bearer {token_for(emu, user_id)}"}
    )
