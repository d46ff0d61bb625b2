"""App-only connections to private emulators (the scale tests set faults and change data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator


def app_connect(emu: Emulator, **props: Any) -> o365sql.Connection:
    """An app-only connection (client credentials) to ``emu``; ``props`` add connection properties."""
    return o365sql.connect(
        AuthScheme="AzureServicePrincipal",
        OAuthClientId=emu.app_client_id,
        OAuthClientSecret=emu.app_client_secret,
        AzureTenant=emu.tenant_id,
        AuthorityHost=emu.authority_host,
        GraphURL=emu.graph_url,
        SSLServerCert=emu.ca_cert,
        **props,
    )


def app_token(emu: Emulator) -> str:
    """An app-only token straight from the emulator's registry, for raw Graph reads."""
    from o365sql.emulator.directory import APP_PERMISSIONS

    d = emu.state.directory
    token, _ = emu.state.tokens.issue_access(
        tenant_id=d.tenant.id,
        client_id=d.confidential_client_id,
        user_id=None,
        roles=frozenset(APP_PERMISSIONS),
    )
    return token


def raw_items(emu: Emulator, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every item of a Graph collection through plain httpx (an independent read)."""
    token = app_token(emu)
    out: list[dict[str, Any]] = []
    with emu.http_client(headers={"Authorization": f"Bearer {token}"}) as client:
        url: str | None = emu.graph_url + path
        query: dict[str, str] | None = params
        while url:
            page = client.get(url, params=query).json()
            out.extend(page["value"])
            url, query = page.get("@odata.nextLink"), None
    return out


@pytest.fixture
def tenant(make_emulator: Callable[..., Emulator]) -> Emulator:
    """A private demo tenant (10 users), free to throttle and change."""
    return make_emulator(data="demo")
