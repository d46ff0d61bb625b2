"""A delegated connection to the shared demo emulator, and a raw httpx client with the same token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.emulator.directory import DELEGATED_PERMISSIONS

READ_SCOPES = frozenset(
    p for p in DELEGATED_PERMISSIONS if p not in ("offline_access", "openid", "profile", "email")
)


def token_for(emulator: Emulator, scopes: frozenset[str] = READ_SCOPES) -> str:
    """A delegated Graph token for the demo user, straight from the emulator's registry."""
    d = emulator.state.directory
    token, _ = emulator.state.tokens.issue_access(
        tenant_id=d.tenant.id, client_id=d.public_client_id, user_id=d.demo_user.id, scopes=scopes
    )
    return token


def connection_string(emulator: Emulator, token: str, **extra: Any) -> str:
    """InitiateOAuth=OFF with a given token, trusting the emulator's CA."""
    parts = [
        "InitiateOAuth=OFF",
        f"OAuthAccessToken={token}",
        f"GraphURL={emulator.graph_url}",
        f"SSLServerCert={emulator.ca_cert}",
        *(f"{k}={v}" for k, v in extra.items()),
    ]
    return ";".join(parts)


@pytest.fixture(scope="module")
def token(emulator: Emulator) -> str:
    return token_for(emulator)


@pytest.fixture(scope="module")
def con(emulator: Emulator, token: str) -> Iterator[o365sql.Connection]:
    with o365sql.connect(connection_string(emulator, token)) as connection:
        yield connection


@pytest.fixture(scope="module")
def raw(emulator: Emulator, token: str) -> Iterator[httpx.Client]:
    with emulator.http_client(base_url=emulator.graph_url, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def logged(emulator: Emulator, fragment: str) -> list[tuple[str, str]]:
    """(path, query) of every logged Graph request whose path contains fragment, both percent-decoded."""
    return [
        (unquote(r["path"]), unquote(r["query"]).replace("+", " "))
        for r in emulator.requests()
        if fragment in unquote(r["path"])
    ]


def app_connection(emulator: Emulator) -> o365sql.Connection:
    """An application (client credentials) connection: it may read every mailbox's settings."""
    return o365sql.connect(
        ";".join(
            [
                "AuthScheme=AzureServicePrincipal",
                f"AzureTenant={emulator.tenant_id}",
                f"OAuthClientId={emulator.app_client_id}",
                f"OAuthClientSecret={emulator.app_client_secret}",
                f"AuthorityHost={emulator.authority_host}",
                f"GraphURL={emulator.graph_url}",
                f"SSLServerCert={emulator.ca_cert}",
            ]
        )
    )
