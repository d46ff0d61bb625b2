"""Fixtures for the sign-in tests: connection properties for an emulator, and a browser played by `browse`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from o365sql.emulator import Emulator
from o365sql.properties import Properties

from .helpers import emulator_props


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator's `browse` plays the user: signs in as the demo user, delivers the redirect."""
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m o365sql.emulator browse %s &")


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    """A settings file in a folder that does not exist yet."""
    return tmp_path / "private" / "OAuthSettings.json"


@pytest.fixture
def props_for() -> Callable[..., Properties]:
    """`props_for(emu, **overrides)`."""
    return emulator_props


@pytest.fixture
def private_emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    """An emulator of our own: these tests expire and revoke its tokens."""
    return make_emulator(data="empty", device_code_interval=1)


@pytest.fixture
def http(private_emulator: Emulator) -> Iterator[httpx.Client]:
    """An httpx client trusting the private emulator's CA."""
    with private_emulator.http_client() as client:
        yield client
