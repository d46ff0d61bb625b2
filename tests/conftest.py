"""Shared fixtures: one demo-tenant emulator per test session, and a factory for private ones."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from o365sql.emulator import Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The demo tenant at scale 1, shared by the session: don't change its faults without restoring them."""
    with Emulator(data="demo") as emu:
        yield emu


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    """Start private emulators (e.g. with faults or short token lifetimes); stopped after the test."""
    started: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emu = Emulator(**options).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture(autouse=True)
def _no_real_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never open a real browser from a test; tests that need one set BROWSER themselves."""
    if "BROWSER" not in os.environ:
        monkeypatch.setenv("BROWSER", "true")
