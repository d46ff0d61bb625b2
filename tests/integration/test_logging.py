"""Logfile: each connection's own file, detached on close; traffic is there, tokens and secrets are not."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string

LOGGERS = ("o365sql", "msal", "msal_extensions")


@pytest.fixture(autouse=True)
def _every_log_detached() -> Iterator[None]:
    """Each test closes its connections: no handler and no changed level may stay behind."""
    before = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).level) for name in LOGGERS
    }
    yield
    after = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).level) for name in LOGGERS
    }
    assert after == before


def test_two_connections_keep_their_own_files(emulator: Emulator, token: str, tmp_path: Path) -> None:
    first, second = tmp_path / "first.log", tmp_path / "second.log"
    a = o365sql.connect(connection_string(emulator, token, Logfile=str(first), Verbosity=2))
    b = o365sql.connect(connection_string(emulator, token, Logfile=str(second), Verbosity=2))
    rows_a = a.execute("SELECT subject FROM Messages WHERE subject = 'only the first asks'")
    rows_b = b.execute("SELECT displayName FROM MailFolders WHERE displayName = 'Inbox'")
    rows_a.fetchall()
    rows_b.fetchall()
    a.close()
    b.execute("SELECT id FROM Contacts WHERE displayName = 'after the first closed'").fetchall()
    b.close()
    one, two = first.read_text(), second.read_text()
    assert "only the first asks" in one and "/me/messages" in one
    assert "MailFolders" not in one and "/me/mailFolders" not in one and "after the first" not in one
    assert "Inbox" in two and "/me/mailFolders" in two and "after the first closed" in two
    assert "only the first asks" not in two and "/me/messages" not in two


def test_verbosity_1_writes_statements_and_row_counts(emulator: Emulator, token: str, tmp_path: Path) -> None:
    log = tmp_path / "summary.log"
    with o365sql.connect(connection_string(emulator, token, Logfile=str(log))) as con:  # Verbosity 1
        rows = con.execute("SELECT id FROM MailFolders").fetchall()
        with pytest.raises(o365sql.ProgrammingError):
            con.execute("SELECT nosuchcolumn FROM MailFolders")
    text = log.read_text()
    assert "execute: SELECT id FROM MailFolders" in text and f"{len(rows)} row(s)" in text
    assert "failed: no such column: nosuchcolumn" in text
    assert "/me/mailFolders" not in text  # requests are Verbosity 2


def test_logfile_to_stderr_through_a_pipe(emulator: Emulator, token: str) -> None:
    script = (
        "import sys, o365sql\n"
        "con = o365sql.connect(sys.argv[1])\n"
        "print(len(con.execute('SELECT id FROM MailFolders').fetchall()))\n"
        "con.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, connection_string(emulator, token, Logfile="/dev/stderr")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
    assert "execute: SELECT id FROM MailFolders" in done.stderr and "Traceback" not in done.stderr


def test_a_logfile_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(o365sql.ProgrammingError, match="Logfile"):
        o365sql.connect(f"OAuthAccessToken=x;Logfile={tmp_path / 'a-file' / 'below.log'}")
    with pytest.raises(o365sql.ProgrammingError, match="LogModules: unknown module 'grpah'"):
        o365sql.connect(f"OAuthAccessToken=x;Logfile={tmp_path / 'x.log'};LogModules=grpah")


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
