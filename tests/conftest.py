"""Shared fixtures: one demo-tenant emulator per test session, and a factory for private ones."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from o365sql.emulator import Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The demo tenant at scale 1, shared by the session: don't change its faults without restoring them."""
    with Emulator(data="demo") as emu:
        yield emu


# Private emulators being stopped in the background, waited for when the session ends.
_STOPPING: list[threading.Thread] = []


@pytest.fixture(scope="session", autouse=True)
def _stopped_emulators() -> Iterator[None]:
    """Every private emulator has stopped (thread joined, state folder gone) before the session ends."""
    yield
    for thread in _STOPPING:
        thread.join()


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    """Start private emulators (e.g. with faults or short token lifetimes); stopped after the test."""
    started: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emu = Emulator(**options).start()
        started.append(emu)
        return emu

    yield make
    # A stop is 0.2 s of waiting (uvicorn's 0.1 s tick, then its 0.1 s grace for open connections) that the
    # next test need not spend: nothing reaches the stopped emulator, so it stops while the next test runs.
    for emu in started:
        thread = threading.Thread(target=emu.stop, name="o365sql-emulator-stop")
        thread.start()
        _STOPPING.append(thread)


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
_CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the same environment, whatever the machine sets.

    BROWSER is `true` (a command that opens nothing), so no test opens a real browser; tests that need
    one set BROWSER themselves. Proxy and CA variables are cleared: httpx, requests and ssl read them,
    and a machine's proxy or CA bundle would change which server a test reaches and which CA it trusts.
    """
    monkeypatch.setenv("BROWSER", "true")
    for name in (*_PROXY_VARIABLES, *(n.lower() for n in _PROXY_VARIABLES), *_CA_VARIABLES):
        monkeypatch.delenv(name, raising=False)
