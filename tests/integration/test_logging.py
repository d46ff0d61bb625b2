"""Logfile at the highest Verbosity: the traffic is there, the tokens, codes and secrets are not."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string


@pytest.fixture(autouse=True)
def _detach_handlers() -> Any:
    yield
    from o365sql import _logging

    for handler in list(_logging._handlers.values()):
        for name in ("o365sql", "o365sql.graph", "msal", "msal_extensions"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()
    _logging._handlers.clear()
    for name in ("o365sql", "msal", "msal_extensions"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_graph_traffic_logged_without_the_token(emulator: Emulator, token: str, tmp_path: Path) -> None:
    log = tmp_path / "logs" / "o365sql.log"
    with o365sql.connect(connection_string(emulator, token, Logfile=str(log), Verbosity=5)) as con:
        con.execute("SELECT subject FROM Messages WHERE isRead = 0 LIMIT 3").fetchall()
    text = log.read_text()
    assert "/me/messages" in text and "'authorization': '********'" in text  # headers: Verbosity 3+
    assert token not in text and token[:40] not in text


def test_sign_in_logged_without_secrets(
    make_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu: Emulator = make_emulator(data="demo")
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m o365sql.emulator browse --quiet %s &")
    log, settings = tmp_path / "o365sql.log", tmp_path / "settings" / "OAuthSettings.json"
    props = {
        "InitiateOAuth": "GETANDREFRESH",
        "AuthorityHost": emu.authority_host,
        "AzureTenant": emu.tenant_id,
        "OAuthClientId": emu.app_client_id,  # a confidential app: its secret must not reach the log either
        "OAuthClientSecret": emu.app_client_secret,
        "CallbackURL": "http://localhost:0",
        "SSLServerCert": emu.ca_cert,
        "GraphURL": emu.graph_url,
        "Scope": "User.Read Mail.Read",
        "OAuthSettingsLocation": str(settings),
        "Logfile": str(log),
        "Verbosity": 5,
    }
    with o365sql.connect(**props) as con:
        assert con.execute("SELECT count(*) FROM Messages").fetchone()[0] > 0
        emu.expire_tokens()
        assert con.execute("SELECT count(*) FROM Messages").fetchone()[0] > 0  # a refresh, logged too
    text = log.read_text()
    assert "/token" in text and "/me/messages" in text
    stored = settings.read_text()
    secrets = set(re.findall(r'"secret":\s*"([^"]{20,})"', stored)) | {emu.app_client_secret}
    try:  # the cache may be stored as JSON text; collect every long value under a secret-ish key
        for section in json.loads(stored).values():
            if isinstance(section, dict):
                for entry in section.values():
                    if isinstance(entry, dict) and isinstance(entry.get("secret"), str):
                        secrets.add(entry["secret"])
    except (ValueError, AttributeError):
        pass
    assert len(secrets) >= 2  # the client secret and at least one token were found to look for
    for secret in secrets:
        assert secret not in text
    assert not re.search(r"code=[A-Za-z0-9._-]{20,}", text)
