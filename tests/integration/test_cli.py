"""The `o365sql` command line against the emulator: query, explain, export, tables, clean errors."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import o365sql
from o365sql.cli import main
from o365sql.emulator import Emulator

from .conftest import connection_string


def run(emulator: Emulator, token: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-c", connection_string(emulator, token), *args])
    return result.exit_code, result.output


def test_query_formats(emulator: Emulator, token: str) -> None:
    code, out = run(emulator, token, "query", "--format", "csv", "SELECT id, isRead FROM Messages LIMIT 3")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "isRead"] and len(rows) == 4 and rows[1][1] in ("True", "False")
    code, out = run(emulator, token, "query", "--format", "json", "SELECT displayName FROM Users LIMIT 2")
    assert code == 0 and [set(json.loads(line)) for line in out.splitlines()] == [{"displayName"}] * 2
    code, out = run(emulator, token, "query", "SELECT count(*) AS n FROM Calendars")
    assert code == 0 and "1 row(s)" in out


def test_explain_and_tables(emulator: Emulator, token: str) -> None:
    code, out = run(emulator, token, "explain", "SELECT subject FROM Messages WHERE isRead = 0 LIMIT 5")
    assert code == 0 and "GET /me/messages?" in out and "$filter=isRead eq false" in out and "$top=5" in out
    code, out = run(emulator, token, "tables")
    assert code == 0 and "Messages" in out and "GroupMembers" in out


def test_export_writes_every_row(emulator: Emulator, token: str) -> None:
    code, out = run(emulator, token, "export", "Contacts", "--format", "jsonl")
    assert code == 0
    exported = [json.loads(line) for line in out.splitlines()]
    code, counted = run(emulator, token, "query", "--format", "csv", "SELECT count(*) FROM Contacts")
    assert len(exported) == int(counted.splitlines()[1]) > 0


def test_errors_are_one_clean_line(emulator: Emulator, token: str) -> None:
    code, out = run(emulator, token, "query", "SELECT nope FROM Messages")
    assert code == 1 and out.startswith("Error: no such column: nope") and "Traceback" not in out
    code, out = run(emulator, token, "export", "Messages; DROP")
    assert code == 1 and out.startswith("Error:")
    result = CliRunner().invoke(main, ["-c", "Bogus=1", "query", "SELECT 1"])
    assert result.exit_code == 1 and "Bogus" in result.output and "Traceback" not in result.output
    assert token not in out


def test_login_and_logout_commands(
    make_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu: Emulator = make_emulator(data="empty")
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m o365sql.emulator browse --quiet %s &")
    settings = tmp_path / "auth" / "OAuthSettings.json"
    conn = ";".join(
        [
            "InitiateOAuth=GETANDREFRESH",
            f"AuthorityHost={emu.authority_host}",
            f"AzureTenant={emu.tenant_id}",
            f"OAuthClientId={emu.client_id}",
            f"SSLServerCert={emu.ca_cert}",
            f"GraphURL={emu.graph_url}",
            "CallbackURL=http://localhost:0",
            "Scope=User.Read User.ReadBasic.All",
            f"OAuthSettingsLocation={settings}",
        ]
    )
    result = CliRunner().invoke(main, ["-c", conn, "login"])
    assert result.exit_code == 0, result.output
    assert f"Signed in as {emu.demo_user}" in result.output and settings.is_file()
    emu.reset()
    with o365sql.connect(conn) as con:  # the stored sign-in is used: no browser, no /authorize
        assert con.execute("SELECT count(*) FROM Users").fetchone()[0] > 0
    assert not [r for r in emu.requests() if r["path"].endswith("/authorize")]
    result = CliRunner().invoke(main, ["-c", conn, "logout"])
    assert result.exit_code == 0 and "Signed out" in result.output
    refresh_only = conn.replace("GETANDREFRESH", "REFRESH")
    with o365sql.connect(refresh_only) as con, pytest.raises(o365sql.Error, match=r"(?i)sign in"):
        con.execute("SELECT count(*) FROM Users").fetchone()
