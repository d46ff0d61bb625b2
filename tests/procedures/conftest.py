"""Fixtures for the write procedures: a private demo-tenant emulator (they write to it), connections."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

import o365sql
from o365sql import Connection, Cursor
from o365sql.emulator import Emulator

SCOPES = frozenset({"Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Files.ReadWrite.All", "User.Read"})


@pytest.fixture(scope="package")
def own_emulator() -> Iterator[Emulator]:
    """A demo tenant of our own: these tests send, move and upload, so they keep off the shared one."""
    with Emulator(data="demo") as emu:
        yield emu


def connect(emu: Emulator, **extra: Any) -> Connection:
    """A delegated connection as the demo user, with a token issued by the emulator."""
    token, _ = emu.state.tokens.issue_access(
        tenant_id=emu.tenant_id,
        client_id=emu.client_id,
        user_id=emu.state.directory.demo_user.id,
        scopes=SCOPES,
    )
    conn = o365sql.connect(
        f"InitiateOAuth=OFF;OAuthAccessToken={token};GraphURL={emu.graph_url};SSLServerCert={emu.ca_cert}",
        **extra,
    )
    assert isinstance(conn, Connection)
    return conn


@pytest.fixture(scope="package")
def conn(own_emulator: Emulator) -> Iterator[Connection]:
    """One connection to the private emulator for the whole directory."""
    c = connect(own_emulator)
    yield c
    c.close()


def b64(data: bytes) -> str:
    """Base64 text, as the procedures take content."""
    return base64.b64encode(data).decode("ascii")


def one(cur: Cursor) -> tuple[Any, ...]:
    """The next row, which must exist."""
    row = cur.fetchone()
    assert row is not None, "expected a row"
    return tuple(row)


def names(cur: Cursor) -> list[str]:
    """The result's column names."""
    assert cur.description is not None
    return [d[0] for d in cur.description]
