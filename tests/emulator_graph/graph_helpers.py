"""Token and client helpers for the Graph-half tests (imported by conftest and the test modules)."""

from __future__ import annotations

from typing import Any

import httpx

from o365sql.emulator import Emulator

ALL_DELEGATED = frozenset(
    {
        "User.Read",
        "User.Read.All",
        "Group.Read.All",
        "Mail.ReadWrite",
        "Mail.Send",
        "Calendars.ReadWrite",
        "Contacts.ReadWrite",
        "Files.ReadWrite",
    }
)
ALL_APP = frozenset(
    {
        "User.Read.All",
        "Group.Read.All",
        "Mail.ReadWrite",
        "Mail.Send",
        "Calendars.ReadWrite",
        "Contacts.ReadWrite",
        "Files.ReadWrite.All",
    }
)


def token_for(
    emu: Emulator,
    scopes: frozenset[str] | set[str] = ALL_DELEGATED,
    *,
    user: str | None = None,
    app: bool = False,
    roles: frozenset[str] | set[str] = ALL_APP,
    lifetime: int | None = None,
) -> str:
    """An access token straight from the registry: delegated (demo user by default) or app-only."""
    d = emu.state.directory
    if app:
        token, _ = emu.state.tokens.issue_access(
            tenant_id=d.tenant.id,
            client_id=d.confidential_client_id,
            user_id=None,
            roles=frozenset(roles),
            lifetime=lifetime,
        )
    else:
        token, _ = emu.state.tokens.issue_access(
            tenant_id=d.tenant.id,
            client_id=d.public_client_id,
            user_id=user or d.demo_user.id,
            scopes=frozenset(scopes),
            lifetime=lifetime,
        )
    return token


def client_for(emu: Emulator, token: str | None = None, **kwargs: Any) -> httpx.Client:
    """An httpx client on graph_url that trusts the emulator's CA and sends the bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return emu.http_client(base_url=emu.graph_url, headers=headers, timeout=30, **kwargs)
