"""Fixtures for the identity-half tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from identity_helpers import OPEN

from o365sql.emulator import Emulator


@pytest.fixture(scope="module")
def fast_emulator() -> Iterator[Emulator]:
    """A private emulator whose device codes poll every second (shared by one module)."""
    with Emulator(device_code_interval=1) as emu:
        yield emu


@pytest.fixture(autouse=True)
def _close_clients(make_emulator: Any) -> Iterator[None]:
    """Close every session/client a test opened through the helpers (before private emulators stop)."""
    yield
    while OPEN:
        OPEN.pop().close()
