"""Fixtures for the DB-API tests: connections over a fake engine, and the test procedures registered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dbapi_helpers import TEST_PROCEDURES, FakeGraph, FakeHttp, ItemsModule, make_connection

import o365sql
from o365sql import procedures
from o365sql.connection import Connection


@pytest.fixture
def fake() -> Iterator[tuple[Connection, FakeGraph, FakeHttp, ItemsModule]]:
    """(connection, fake graph, fake http, module) over 25 items in pages of 10."""
    parts = make_connection()
    yield parts
    parts[0].close()


@pytest.fixture
def con(fake: tuple[Connection, FakeGraph, FakeHttp, ItemsModule]) -> Connection:
    """A connection over the fake engine."""
    return fake[0]


@pytest.fixture(autouse=True)
def _test_procedures() -> Iterator[None]:
    for proc in TEST_PROCEDURES:
        procedures.register(proc)
    yield
    for proc in TEST_PROCEDURES:
        procedures.unregister(proc.name)


LIVE_SCOPES = frozenset(
    {"User.Read", "User.Read.All", "Mail.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite",
     "Files.ReadWrite.All", "Group.Read.All", "GroupMember.Read.All"}
)  # fmt: skip


@pytest.fixture
def live_connect(emulator: Any) -> Iterator[Callable[..., Connection]]:
    """connect(**properties): a connection as the demo user to the shared emulator (read only: no writes)."""
    opened: list[Connection] = []

    def connect(**properties: Any) -> Connection:
        token, _ = emulator.state.tokens.issue_access(
            tenant_id=emulator.tenant_id,
            client_id=emulator.client_id,
            user_id=emulator.state.directory.demo_user.id,
            scopes=LIVE_SCOPES,
        )
        con = o365sql.connect(
            f"InitiateOAuth=OFF;OAuthAccessToken={token};GraphURL={emulator.graph_url};"
            f"SSLServerCert={emulator.ca_cert}",
            **properties,
        )
        opened.append(con)
        return con

    yield connect
    for con in opened:
        con.close()
