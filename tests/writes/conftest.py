"""Fixtures for INSERT/UPDATE/DELETE: a private demo tenant (these tests write), the driver, raw Graph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

WRITE_SCOPES = frozenset(
    {
        "User.Read",
        "Mail.ReadWrite",
        "Mail.Send",
        "Calendars.ReadWrite",
        "Contacts.ReadWrite",
        "Files.ReadWrite.All",
        "User.ReadWrite.All",
        "Group.ReadWrite.All",
        "GroupMember.ReadWrite.All",
    }
)
WRITES = ("POST", "PATCH", "PUT", "DELETE")


def token_for(emu: Emulator, scopes: frozenset[str] = WRITE_SCOPES) -> str:
    """A delegated token for the demo user, issued by the emulator."""
    d = emu.state.directory
    token, _ = emu.state.tokens.issue_access(
        tenant_id=d.tenant.id, client_id=d.public_client_id, user_id=d.demo_user.id, scopes=scopes
    )
    return token


def connect(emu: Emulator, scopes: frozenset[str] = WRITE_SCOPES, **extra: Any) -> o365sql.Connection:
    """A driver connection with a ready token (InitiateOAuth=OFF)."""
    parts = [
        "InitiateOAuth=OFF",
        f"OAuthAccessToken={token_for(emu, scopes)}",
        f"GraphURL={emu.graph_url}",
        f"SSLServerCert={emu.ca_cert}",
        *(f"{k}={v}" for k, v in extra.items()),
    ]
    return o365sql.connect(";".join(parts))


@contextmanager
def raw_graph(emu: Emulator, scopes: frozenset[str] = WRITE_SCOPES) -> Iterator[httpx.Client]:
    """Graph without the driver: httpx with a token of these scopes, for checking effects independently."""
    headers = {"Authorization": f"Bearer {token_for(emu, scopes)}"}
    with emu.http_client(base_url=emu.graph_url, headers=headers) as client:
        yield client


def record_requests(con: o365sql.Connection, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make con's Graph client note (method, path, json) of every request it sends, in the list returned."""
    log: list[Any] = []
    graph = con._graph
    real = graph.request

    def spy(method: str, path: str, **kwargs: Any) -> Any:
        log.append((method, path, kwargs.get("json")))
        return real(method, path, **kwargs)

    monkeypatch.setattr(graph, "request", spy)
    return log


@pytest.fixture(scope="package")
def wemu() -> Iterator[Emulator]:
    """A demo tenant of our own: every test in this directory writes to it."""
    with Emulator(data="demo") as emu:
        yield emu


@pytest.fixture(scope="package")
def con(wemu: Emulator) -> Iterator[o365sql.Connection]:
    """One driver connection for the directory."""
    with connect(wemu) as c:
        yield c


@pytest.fixture(scope="package")
def raw(wemu: Emulator) -> Iterator[httpx.Client]:
    """Graph without the driver: httpx with the same kind of token, for checking effects independently."""
    with raw_graph(wemu) as client:
        yield client


def get(raw: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    """GET a Graph path with the raw client; the JSON body (200 required)."""
    response = raw.get(path, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def items(raw: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a collection, following nextLink."""
    out: list[dict[str, Any]] = []
    url: str | None = path
    query: dict[str, str] | None = params
    while url:
        response = raw.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        out.extend(body["value"])
        url = body.get("@odata.nextLink")
        query = None
    return out


def status(raw: httpx.Client, path: str) -> int:
    """The status of a GET (404 once an item is gone)."""
    return raw.get(path).status_code


def writes_since(emu: Emulator, mark: int) -> list[tuple[str, str]]:
    """(method, path) of the write requests Graph received since the request-log index `mark`."""
    return [(r["method"], r["path"]) for r in emu.requests()[mark:] if r["method"] in WRITES]
