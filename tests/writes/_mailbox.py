"""Fixtures of the mailbox-settings and To Do write tests: a connection and raw Graph that may write them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import WRITE_SCOPES, connect, raw_graph, record_requests

__all__ = ["SCOPES", "mcon", "mraw", "sent"]

SCOPES = WRITE_SCOPES | {"MailboxSettings.ReadWrite", "Tasks.ReadWrite"}


@pytest.fixture(scope="module")
def mcon(wemu: Emulator) -> Iterator[o365sql.Connection]:
    """A connection that may write mailbox settings and To Do."""
    with connect(wemu, SCOPES) as c:
        yield c


@pytest.fixture(scope="module")
def mraw(wemu: Emulator) -> Iterator[httpx.Client]:
    """Raw Graph with the same permissions, for reading effects and sending bad bodies."""
    with raw_graph(wemu, SCOPES) as client:
        yield client


@pytest.fixture
def sent(wemu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[o365sql.Connection, list[Any]]]:
    """A connection whose Graph client records (method, path, json) of every request it sends."""
    with connect(wemu, SCOPES) as con:
        yield con, record_requests(con, monkeypatch)
