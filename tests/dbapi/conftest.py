"""Fixtures for the DB-API tests: connections over a fake engine, and the test procedures registered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dbapi_helpers import TEST_PROCEDURES, FakeGraph, FakeHttp, ItemsModule, make_connection

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
