"""The `o365sql` command line: queries, plans, sign-in, export and a demo against the bundled emulator."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.table import Table

__all__ = ["main"]

CONNECTION_ENV = "O365SQL_CONNECTION"

DEMO_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "Unread mail in the inbox, newest first",
        "SELECT receivedDateTime, from_emailAddress_address, subject FROM Messages "
        "WHERE parentFolderId = 'inbox' AND isRead = 0 ORDER BY receivedDateTime DESC LIMIT 8",
    ),
    (
        "Next week's events",
        "SELECT start_dateTime, end_dateTime, subject, location_displayName FROM CalendarView "
        "WHERE start_dateTime >= datetime('now') AND end_dateTime <= datetime('now', '+7 days') "
        "ORDER BY start_dateTime",
    ),
    (
        "Largest files in OneDrive",
        "SELECT name, size, lastModifiedDateTime FROM Files WHERE folder_childCount IS NULL "
        "ORDER BY size DESC LIMIT 5",
    ),
    (
        "Group membership counts (a JOIN)",
        "SELECT g.displayName, count(m.id) AS members FROM Groups g JOIN GroupMembers m ON m.GroupId = g.id "
        "GROUP BY g.displayName ORDER BY members DESC, g.displayName",
    ),
)


class _Context:
    def __init__(self, connection: str | None) -> None:
        self.connection = connection if connection is not None else os.environ.get(CONNECTION_ENV, "")


def _fail(message: str) -> None:
    raise click.ClickException(message)


@contextmanager
def _connect(connection_string: str) -> Iterator[Any]:
    import o365sql

    try:
        con = o365sql.connect(connection_string)
    except o365sql.Error as exc:
        _fail(str(exc))
    try:
        yield con
    finally:
        con.close()


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value)


def _print_result(console: Console, cursor: Any, title: str | None = None, limit: int | None = None) -> int:
    if cursor.description is None:
        console.print(f"[dim]{max(cursor.rowcount, 0)} row(s) affected[/dim]")
        return 0
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in cursor.description:
        table.add_column(column[0], overflow="fold")
    count = 0
    for row in cursor:
        if limit is None or count < limit:
            table.add_row(*(_display(v) for v in row))
        count += 1
    console.print(table)
    console.print(f"[dim]{count} row(s)[/dim]")
    return count


def _run_sql(console: Console, con: Any, sql: str, title: str | None = None) -> None:
    import o365sql

    try:
        cursor = con.cursor()
        cursor.execute(sql)
        _print_result(console, cursor, title=title)
    except o365sql.Error as exc:
        _fail(str(exc))


@click.group()
@click.option(
    "-c",
    "--connection",
    default=None,
    metavar="STRING",
    help=f"Connection string (default: ${CONNECTION_ENV}).",
)
@click.version_option(package_name="o365sql")
@click.pass_context
def main(ctx: click.Context, connection: str | None) -> None:
    """Office 365 (Microsoft 365) data as SQL tables."""
    ctx.obj = _Context(connection)


@main.command()
@click.argument("sql")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.pass_obj
def query(obj: _Context, sql: str, fmt: str) -> None:
    """Run one SQL statement and print its rows."""
    import o365sql

    with _connect(obj.connection) as con:
        if fmt == "table":
            _run_sql(Console(), con, sql)
            return
        try:
            cursor = con.cursor()
            cursor.execute(sql)
            _write_rows(cursor, fmt, sys.stdout)
        except o365sql.Error as exc:
            _fail(str(exc))


def _write_rows(cursor: Any, fmt: str, out: Any) -> None:
    names = [c[0] for c in cursor.description or ()]
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(names)
        for row in cursor:
            writer.writerow(
                ["" if v is None else (v.isoformat() if isinstance(v, dt.datetime) else v) for v in row]
            )
    else:
        for row in cursor:
            out.write(json.dumps(dict(zip(names, row, strict=True)), default=str) + "\n")


@main.command()
@click.argument("table")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: standard output).",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--where", default=None, help="A WHERE clause to filter the export.")
@click.pass_obj
def export(obj: _Context, table: str, output: Any, fmt: str, where: str | None) -> None:
    """Export a whole table (or the rows matching --where) as CSV or JSON lines."""
    import o365sql

    if not table.replace("_", "").isalnum():
        _fail(f"{table!r} is not a table name; see `o365sql tables`")
    sql = f'SELECT * FROM "{table}"' + (f" WHERE {where}" if where else "")
    with _connect(obj.connection) as con:
        try:
            cursor = con.cursor()
            cursor.execute(sql)
            _write_rows(cursor, "csv" if fmt == "csv" else "json", output)
        except o365sql.Error as exc:
            _fail(str(exc))


@main.command()
@click.argument("sql")
@click.pass_obj
def explain(obj: _Context, sql: str) -> None:
    """Show the Graph requests a query would make and what SQLite still checks."""
    import o365sql

    with _connect(obj.connection) as con:
        try:
            plan = o365sql.explain(con, sql)
        except o365sql.Error as exc:
            _fail(str(exc))
        for step in plan:
            click.echo(str(step))


@main.command()
@click.pass_obj
def tables(obj: _Context) -> None:
    """List the tables and their descriptions."""
    with _connect(obj.connection) as con:
        _run_sql(Console(), con, "SELECT TableName, Description FROM sys_tables ORDER BY TableName")


@main.command()
@click.pass_obj
def shell(obj: _Context) -> None:
    """An interactive SQL prompt (end a statement with ';', quit with .quit or Ctrl-D)."""
    import o365sql

    console = Console()
    with _connect(obj.connection) as con:
        buffer: list[str] = []
        while True:
            try:
                line = input("o365sql> " if not buffer else "     ...> ")
            except EOFError:
                console.print()
                return
            if not buffer and line.strip() in (".quit", ".exit"):
                return
            buffer.append(line)
            text = "\n".join(buffer).strip()
            if not text.endswith(";"):
                continue
            buffer.clear()
            try:
                cursor = con.cursor()
                cursor.execute(text.rstrip(";"))
                _print_result(console, cursor)
            except o365sql.Error as exc:
                console.print(f"[red]Error:[/red] {exc}")


@main.command()
@click.pass_obj
def login(obj: _Context) -> None:
    """Sign in with the connection's flow and store the tokens in OAuthSettingsLocation."""
    import o365sql
    from o365sql.auth import login as do_login
    from o365sql.properties import resolve

    try:
        who = do_login(resolve(obj.connection))
    except o365sql.Error as exc:
        _fail(str(exc))
    click.echo(f"Signed in as {who}.")


@main.command()
@click.pass_obj
def logout(obj: _Context) -> None:
    """Forget the tokens stored in OAuthSettingsLocation."""
    import o365sql
    from o365sql.auth import logout as do_logout
    from o365sql.properties import resolve

    try:
        do_logout(resolve(obj.connection))
    except o365sql.Error as exc:
        _fail(str(exc))
    click.echo("Signed out: stored tokens removed.")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@main.command()
@click.argument("sql", nargs=-1)
@click.option("--scale", default=1, show_default=True, help="Size of the demo tenant.")
def demo(sql: Sequence[str], scale: int) -> None:
    """Run sample queries (or your own SQL) against the bundled emulator, signing in headless."""
    try:
        from o365sql.emulator import Emulator
    except ImportError:
        _fail("the demo needs the emulator extra: pip install 'o365sql[emulator]'")
    console = Console()
    with Emulator(data="demo", scale=scale) as emu:
        console.print(f"[dim]Emulator at {emu.authority_host} (tenant {emu.tenant_domain}).[/dim]")
        # The desktop flow opens the sign-in page with Python's webbrowser; the emulator's `browse` command
        # plays the user. The trailing '&' keeps webbrowser from waiting for it.
        os.environ["BROWSER"] = f"{sys.executable} -m o365sql.emulator browse --quiet %s &"
        connection = f"{emu.connection_string};CallbackURL=http://localhost:{_free_port()}"
        with _connect(connection) as con:
            # The first statement signs in (connect itself does no network I/O).
            who = con.cursor().execute("SELECT count(*) FROM Users").fetchone()
            account = getattr(con.procedure_context.tokens, "account_name", lambda: None)()
            if who and account:
                console.print(f"Signed in through the desktop flow as [bold]{account}[/bold].")
            statements = [(None, s) for s in sql] if sql else list(DEMO_QUERIES)
            for title, statement in statements:
                _run_sql(console, con, statement, title=title)


if __name__ == "__main__":
    main()
