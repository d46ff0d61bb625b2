"""The `o365sql` command line against the emulator: formats, rendering, sign-in, options, clean errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

import o365sql
from o365sql.cli import main
from o365sql.emulator import Emulator
from o365sql.properties import IgnoredPropertiesWarning

from .conftest import connection_string

# Every kind of value: text, JSON, a boolean, dates, NULL next to '', a number with a fraction.
ROUND_TRIP_SQL = (
    "SELECT id, subject, toRecipients, isRead, receivedDateTime, flag_dueDateTime_dateTime, "
    "'' AS empty, NULL AS missing, 1.5 AS ratio, 42 AS answer, 'a,b \"c\"' || char(10) || 'd' AS tricky "
    "FROM Messages ORDER BY id LIMIT 15"
)


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=input)


def dbapi(emulator: Emulator, token: str, sql: str) -> tuple[list[tuple[Any, ...]], list[str | None]]:
    with o365sql.connect(connection_string(emulator, token)) as con:
        cur = con.execute(sql)
        rows = cur.fetchall()
        return rows, list(cur.declared_types or ())


def _typed(text: str, kind: str | None) -> Any:
    """A value as written by csv, back to what the DB-API returns for its declared type."""
    if not text:
        return text  # NULL or '': a csv reader cannot tell them apart
    if kind == "BOOLEAN":
        return {"true": True, "false": False}[text]
    if kind == "DATETIME":
        return dt.datetime.fromisoformat(text)
    if kind is None and text.lstrip("-").isdigit():
        return int(text)
    if kind is None and text.replace(".", "", 1).isdigit():
        return float(text)
    return text


def _from_json(value: Any, kind: str | None) -> Any:
    if kind == "JSON":
        return json.dumps(value, separators=(",", ":"))
    if kind == "DATETIME" and value is not None:
        return dt.datetime.fromisoformat(value)
    return value


def _same_json(db_value: Any, kind: str | None) -> Any:
    return json.dumps(json.loads(db_value), separators=(",", ":")) if kind == "JSON" else db_value


def test_csv_round_trips(emulator: Emulator, token: str) -> None:
    rows, kinds = dbapi(emulator, token, ROUND_TRIP_SQL)
    result = run("query", "-c", connection_string(emulator, token), "--format", "csv", ROUND_TRIP_SQL)
    assert result.exit_code == 0, result.output
    parsed = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert parsed[0][:3] == ["id", "subject", "toRecipients"] and len(parsed) == len(rows) + 1 > 1
    # NULL is an empty field and '' is "" in the text; a csv reader reads both as '', so NULL -> '' below
    conn = connection_string(emulator, token)
    blank = run("query", "-c", conn, "--format", "csv", "SELECT '' AS e, NULL AS n")
    assert blank.stdout_bytes == b'e,n\r\n"",\r\n'
    back = [tuple(_typed(v, k) for v, k in zip(row, kinds, strict=True)) for row in parsed[1:]]
    expected = [tuple("" if v is None else v for v in row) for row in rows]
    back = [tuple("" if v is None else v for v in row) for row in back]
    assert back == expected


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_round_trips_with_nested_json(emulator: Emulator, token: str, fmt: str) -> None:
    rows, kinds = dbapi(emulator, token, ROUND_TRIP_SQL)
    result = run("query", "-c", connection_string(emulator, token), "--format", fmt, ROUND_TRIP_SQL)
    assert result.exit_code == 0, result.output
    objects = (
        json.loads(result.stdout)
        if fmt == "json"
        else [json.loads(line) for line in result.stdout.splitlines()]
    )
    assert isinstance(objects, list) and len(objects) == len(rows) > 0
    assert isinstance(objects[0]["toRecipients"], list)  # nested, not an escaped string
    assert objects[0]["empty"] == "" and objects[0]["missing"] is None
    back = [tuple(_from_json(v, k) for v, k in zip(obj.values(), kinds, strict=True)) for obj in objects]
    expected = [tuple(_same_json(v, k) for v, k in zip(row, kinds, strict=True)) for row in rows]
    assert back == expected


def test_tsv_and_markdown_keep_null_apart_from_empty(emulator: Emulator, token: str) -> None:
    conn = connection_string(emulator, token)
    out = run("query", "-c", conn, "--format", "tsv", "SELECT '' AS e, NULL AS n, 'a\tb' AS t").stdout
    assert out.splitlines() == ["e\tn\tt", "\t\\N\ta\\tb"]
    out = run("query", "-c", conn, "--format", "markdown", "SELECT '' AS e, NULL AS n, 'a|b' AS t").stdout
    assert out.splitlines() == ["| e | n | t |", "| --- | --- | --- |", "|  | *NULL* | a\\|b |"]


@pytest.mark.parametrize("width", [80, 200])
def test_wide_rows_fit_the_terminal_and_show_every_column(emulator: Emulator, token: str, width: int) -> None:
    sql = "SELECT * FROM Messages LIMIT 2"
    with o365sql.connect(connection_string(emulator, token)) as con:
        names = [d[0] for d in con.execute(sql).description or ()]
    result = run("query", "-c", connection_string(emulator, token), sql, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert len(names) > 30 and all(any(line.startswith(name + " ") for line in lines) for name in names)
    assert lines[-1] == "(2 rows)"


def test_narrow_rows_make_a_table_with_cut_cells_and_null(emulator: Emulator, token: str) -> None:
    sql = "SELECT subject, bodyPreview, NULL AS missing, '' AS empty FROM Messages ORDER BY id LIMIT 3"
    result = run("query", "-c", connection_string(emulator, token), sql, env={"COLUMNS": "60"})
    lines = result.stdout.splitlines()
    assert lines[0].split("│")[0].strip() == "subject" and "missing" in lines[0]
    assert max(cell_len(line) for line in lines) <= 60
    assert all("…" in line and "<null>" in line for line in lines[2:5])
    assert lines[-1] == "(3 rows)"


def test_dates_are_iso_8601_everywhere(emulator: Emulator, token: str) -> None:
    sql = "SELECT receivedDateTime FROM Messages ORDER BY id LIMIT 1"
    rows, _ = dbapi(emulator, token, sql)
    value = rows[0][0]
    iso = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for fmt in ("table", "line", "csv", "tsv", "json", "jsonl", "markdown"):
        out = run("query", "-c", connection_string(emulator, token), "--format", fmt, sql).stdout
        assert iso in out, fmt


def test_explain_and_tables(emulator: Emulator, token: str) -> None:
    conn = connection_string(emulator, token)
    result = run("-c", conn, "explain", "SELECT subject FROM Messages WHERE isRead = 0 LIMIT 5")
    out = result.stdout
    assert result.exit_code == 0 and "GET /me/messages?" in out and "$filter=isRead eq false" in out
    result = run("tables", "-c", conn, env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Messages" in result.stdout and "GroupMembers" in result.stdout


def test_describe_lists_columns(emulator: Emulator, token: str) -> None:
    conn = connection_string(emulator, token)
    result = run("describe", "messages", "-c", conn, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["column", "type", "key"]
    assert ["receivedDateTime", "DATETIME"] in [r[:2] for r in rows]
    result = run("describe", "Mesages", "-c", conn)
    assert result.exit_code == 1 and "no such table: Mesages" in result.output


def test_export_writes_every_row(emulator: Emulator, token: str, tmp_path: Path) -> None:
    conn = connection_string(emulator, token)
    target = tmp_path / "contacts.json"
    result = run("export", "Contacts", "--format", "json", "-o", str(target), "-c", conn)
    assert result.exit_code == 0, result.output
    exported = json.loads(target.read_text(encoding="utf-8"))
    counted = run("query", "-c", conn, "--format", "csv", "SELECT count(*) FROM Contacts").stdout
    assert len(exported) == int(counted.splitlines()[1]) > 0


def test_sql_from_a_file_or_standard_input(emulator: Emulator, token: str, tmp_path: Path) -> None:
    conn = connection_string(emulator, token)
    script = tmp_path / "two.sql"
    script.write_text(
        "SELECT 'a;b' AS x;\n-- a comment; with a semicolon\nSELECT 2 AS y;\n", encoding="utf-8"
    )
    result = run("query", "-f", str(script), "--format", "csv", "-c", conn)
    assert result.exit_code == 0 and result.stdout.splitlines() == ["x", "a;b", "y", "2"]
    result = run("query", "--format", "jsonl", "-c", conn, input="SELECT count(*) AS n FROM Calendars")
    assert result.exit_code == 0 and list(json.loads(result.stdout)) == ["n"]


def test_options_before_or_after_the_command(emulator: Emulator, token: str) -> None:
    conn = connection_string(emulator, token)
    before = run("-c", conn, "query", "--format", "csv", "SELECT count(*) FROM Users")
    after = run("query", "--format", "csv", "SELECT count(*) FROM Users", "--connection", conn)
    env = run("query", "--format", "csv", "SELECT count(*) FROM Users", env={"O365SQL_CONNECTION": conn})
    assert before.exit_code == 0 and before.stdout == after.stdout == env.stdout


def test_python_dash_m(emulator: Emulator, token: str) -> None:
    conn = connection_string(emulator, token)
    done = subprocess.run(
        [sys.executable, "-m", "o365sql", "query", "--format", "csv", "SELECT 6 * 7 AS n", "-c", conn],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["n", "42"]


def test_every_command_help_has_an_example() -> None:
    for name in main.commands:  # type: ignore[attr-defined]
        result = run(name, "--help")
        assert result.exit_code == 0 and "Example" in result.output, name


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(shell: str) -> None:
    result = run("completion", shell)
    assert result.exit_code == 0 and "_O365SQL_COMPLETE" in result.stdout


def test_errors_are_one_clean_line(emulator: Emulator, token: str) -> None:
    conn = connection_string(emulator, token)
    result = run("-c", conn, "query", "SELECT nope FROM Messages")
    assert result.exit_code == 1 and result.output.startswith("Error: no such column: nope")
    assert "Traceback" not in result.output
    result = run("-c", conn, "export", "Messages; DROP")
    assert result.exit_code == 1 and result.output.startswith("Error:")
    result = run("-c", "Bogus=1", "query", "SELECT 1")
    assert result.exit_code == 1 and "Bogus" in result.output and "Traceback" not in result.output
    assert token not in result.output


def test_cdata_connection_string_connects_with_a_warning(emulator: Emulator, token: str) -> None:
    # The commercial connector's documented desktop string, plus its schema/paging/OAuth-version properties
    cdata = (
        "InitiateOAuth=OFF;OAuthClientId=MyApplicationId;CallbackURL=http://localhost:33333;"
        "Location=C:\\Users\\me\\AppData\\Roaming\\CData\\Office365 Data Provider\\Schema;"
        "Tables=Messages,Events;OAuthVersion=2.0;UseClientSidePaging=True;"
    )
    conn = cdata + connection_string(emulator, token).replace("InitiateOAuth=OFF;", "")
    with (
        pytest.warns(IgnoredPropertiesWarning, match="Location, OAuthVersion, Tables, UseClientSidePaging$"),
        o365sql.connect(conn) as con,
    ):
        assert con.execute("SELECT count(*) FROM Users").fetchone()[0] > 0
    result = run("-c", conn, "query", "--format", "csv", "SELECT count(*) AS n FROM Users")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Warning: Ignored connection properties") == 1
    result = run("-c", conn + ";UseClientSidPaging=1", "query", "SELECT 1")
    assert result.exit_code == 1 and "did you mean UseClientSidePaging?" in result.output


# -- signing in ---------------------------------------------------------------------------------------------


def _sign_in_options(emu: Emulator, settings: Path, **extra: str) -> str:
    """What a user passes to every command: tenant, app, where tokens are kept; no InitiateOAuth."""
    return ";".join(
        [
            f"AuthorityHost={emu.authority_host}",
            f"AzureTenant={emu.tenant_id}",
            f"OAuthClientId={emu.client_id}",
            f"SSLServerCert={emu.ca_cert}",
            f"GraphURL={emu.graph_url}",
            "CallbackURL=http://localhost:0",
            "Scope=User.Read User.ReadBasic.All",
            f"OAuthSettingsLocation={settings}",
            *(f"{k}={v}" for k, v in extra.items()),
        ]
    )


def _authorize_requests(emu: Emulator) -> list[dict[str, Any]]:
    return [r for r in emu.requests() if r["path"].endswith("/authorize")]


def test_login_then_query_then_logout_then_query(
    make_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu: Emulator = make_emulator(data="empty")
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m o365sql.emulator browse --quiet %s &")
    settings = tmp_path / "auth" / "OAuthSettings.json"
    conn = _sign_in_options(emu, settings)
    env = {"O365SQL_CONNECTION": conn, "COLUMNS": "120"}

    result = run("login", env=env)
    assert result.exit_code == 0, result.output
    assert f"Signed in as {emu.demo_user}" in result.output and settings.is_file()
    assert len(_authorize_requests(emu)) == 1

    emu.reset()
    result = run("query", "--format", "csv", "SELECT count(*) AS n FROM Users", env=env)
    assert result.exit_code == 0, result.output
    assert int(result.stdout.splitlines()[1]) > 0
    result = run("whoami", env=env)
    assert result.exit_code == 0 and emu.demo_user in result.stdout and emu.tenant_id in result.stdout
    result = run("login", env=env)  # a stored sign-in is refreshed, not replaced
    assert result.exit_code == 0 and f"Signed in as {emu.demo_user}" in result.output
    assert _authorize_requests(emu) == []

    result = run("logout", env=env)
    assert result.exit_code == 0 and "Signed out" in result.output
    result = run("query", "SELECT count(*) AS n FROM Users", env=env)
    assert result.exit_code == 1 and result.output == (
        "Error: Not signed in: run `o365sql login` (with the same connection options) to sign in.\n"
    )
    assert _authorize_requests(emu) == []  # the query refused; it did not open a browser

    assert run("login", env=env).exit_code == 0 and len(_authorize_requests(emu)) == 1  # nothing stored
    emu.revoke_tokens()  # e.g. an administrator revoked the sessions: the stored refresh token is dead
    result = run("query", "SELECT count(*) AS n FROM Users", env=env)
    assert result.exit_code == 1 and result.output.endswith(
        "To sign in again, run `o365sql login` (same connection options).\n"
    )


def test_whoami_for_an_app(make_emulator: Any) -> None:
    emu: Emulator = make_emulator(data="empty")
    conn = ";".join(
        [
            "AuthScheme=AzureServicePrincipal",
            f"AzureTenant={emu.tenant_id}",
            f"OAuthClientId={emu.app_client_id}",
            f"OAuthClientSecret={emu.app_client_secret}",
            f"AuthorityHost={emu.authority_host}",
            f"GraphURL={emu.graph_url}",
            f"SSLServerCert={emu.ca_cert}",
        ]
    )
    result = run("whoami", "-c", conn)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"App {emu.app_client_id} (application permissions, no user)",
        f"Tenant: {emu.tenant_id}",
    ]


def test_no_browser_suggests_device_code(
    make_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu: Emulator = make_emulator(data="empty")
    monkeypatch.setenv("BROWSER", "false")  # a browser command that cannot open anything
    conn = _sign_in_options(emu, tmp_path / "s.json", OAuthTimeout="1")
    result = run("-c", conn, "login")
    assert result.exit_code == 1
    assert "no web browser could be started" in result.stderr
    assert "OAuthGrantType=DEVICE_CODE" in result.stderr and "o365sql login --device-code" in result.stderr


def test_login_with_a_device_code(make_emulator: Any, tmp_path: Path) -> None:
    emu: Emulator = make_emulator(data="empty", device_code_interval=1)
    conn = _sign_in_options(emu, tmp_path / "s.json")
    login = subprocess.Popen(
        [sys.executable, "-m", "o365sql", "login", "--device-code", "-c", conn],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert login.stderr is not None
    shown = ""
    while not (code := re.search(r"enter the code (\S+)", shown)) and login.poll() is None:
        shown += login.stderr.readline()
    assert code, shown
    emu.admin("POST", f"devicecodes/{code.group(1)}/approve", {})  # the user, on another device
    out, _ = login.communicate(timeout=60)
    assert login.returncode == 0 and f"Signed in as {emu.demo_user}" in out
    assert _authorize_requests(emu) == []
    result = run("query", "--format", "csv", "SELECT count(*) AS n FROM Users", "-c", conn)
    assert result.exit_code == 0 and int(result.stdout.splitlines()[1]) > 0
