"""The `o365sql` command line against the emulator: query, explain, export, tables, clean errors."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

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
