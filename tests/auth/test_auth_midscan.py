"""Tokens that expire or are revoked in the middle of a long scan (issue 5's end-to-end checks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator

from .helpers import paths

SCAN = "SELECT id, subject, receivedDateTime FROM Messages"


@pytest.fixture
def demo_emulator(make_emulator: Any) -> Emulator:
    """A demo tenant of our own (with a mailbox to scan): these tests expire and revoke its tokens."""
    emu: Emulator = make_emulator(data="demo")
    return emu


def _props(emu: Emulator, settings: Path, **extra: Any) -> dict[str, Any]:
    return {
        "AuthorityHost": emu.authority_host,
        "AzureTenant": emu.tenant_id,
        "OAuthClientId": emu.client_id,
        "SSLServerCert": emu.ca_cert,
        "GraphURL": emu.graph_url,
        "CallbackURL": "http://localhost:0",
        "Scope": "User.Read Mail.Read",
        "OAuthSettingsLocation": str(settings),
        "Pagesize": 10,  # ~20 pages over the demo mailbox, so the expiry lands between pages
        **extra,
    }


@pytest.mark.usefixtures("browser")
def test_scan_survives_token_expiry_mid_scan(demo_emulator: Emulator, settings_path: Path) -> None:
    emu = demo_emulator
    with o365sql.connect(InitiateOAuth="GETANDREFRESH", **_props(emu, settings_path)) as con:
        expected = con.execute(SCAN).fetchall()
        assert len(expected) > 50
        cur = con.cursor()
        cur.execute(SCAN)
        first = cur.fetchmany(25)
        emu.reset()
        emu.expire_tokens()
        rest = cur.fetchall()
        assert first + rest == expected
        # the next page was refused once (401), one refresh, the scan went on; no sign-in was asked for
        graph = [r for r in emu.requests() if r["path"].startswith("/v1.0/")]
        assert any(r["status"] == 401 for r in graph)
        assert len(paths(emu, "/token", "POST")) == 1 and paths(emu, "/authorize") == []


@pytest.mark.usefixtures("browser")
def test_revoked_refresh_token_mid_scan(demo_emulator: Emulator, settings_path: Path) -> None:
    emu = demo_emulator
    with o365sql.connect(InitiateOAuth="GETANDREFRESH", **_props(emu, settings_path)) as con:
        expected = con.execute(SCAN).fetchall()
    # REFRESH never prompts: with the refresh token revoked it fails and says how to sign in again
    with o365sql.connect(InitiateOAuth="REFRESH", **_props(emu, settings_path)) as con:
        cur = con.cursor()
        cur.execute(SCAN)
        cur.fetchmany(5)
        emu.revoke_tokens()
        with pytest.raises(o365sql.OperationalError, match=r"(?i)sign in again|GETANDREFRESH"):
            cur.fetchall()
    # GETANDREFRESH signs in again through the browser and the scan gives the same rows
    emu.reset()
    with o365sql.connect(InitiateOAuth="GETANDREFRESH", **_props(emu, settings_path)) as con:
        assert con.execute(SCAN).fetchall() == expected
    assert len(paths(emu, "/authorize")) == 1
