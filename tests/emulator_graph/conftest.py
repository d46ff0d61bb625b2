"""Fixtures for the Graph-half tests: clients on the shared demo emulator and on private ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from graph_helpers import client_for, token_for

from o365sql.emulator import Emulator


@pytest.fixture
def graph(emulator: Emulator) -> Iterator[httpx.Client]:
    """A client on the shared demo emulator with every delegated permission (read-only use, please)."""
    with client_for(emulator, token_for(emulator)) as client:
        yield client


@pytest.fixture
def private(make_emulator: Callable[..., Emulator]) -> Emulator:
    """A private demo emulator for tests that write or set faults."""
    return make_emulator(data="demo")


@pytest.fixture
def pgraph(private: Emulator) -> Iterator[httpx.Client]:
    """A client on the private emulator with every delegated permission."""
    with client_for(private, token_for(private)) as client:
        yield client
