"""The `o365sql` commands: query, export, sync, explain, tables, describe, shell, login, whoami, and more."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO, TypeVar

import click

from .formats import FILE_FORMATS, FORMATS, TERMINAL_FORMATS
from .output import Output, OutputClosed, screen_for, show
from .progress import progress_shown, summary
from .session import CONNECTION_ENV, Session, fail
from .statements import DESCRIBE_SQL, TABLES_SQL, split
from .whoami import describe_sign_in

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

# -- options every command takes, before or after its name -----------------------------------------------


def _set_connection(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(Session).connection = value


def _set_no_pager(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Session).paging = False


def _set_stats(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Session).stats = True


_CONNECTION_HELP = f"Connection string, Name=Value;... (default: ${CONNECTION_ENV})."


_STATS_HELP = "After each statement, print what it cost (rows, requests, pages, retries, bytes) on stderr."


def common_options(func: F) -> F:
    """`-c/--connection`, `--no-pager` and `--stats`, accepted after the command name as well as before it."""
    func = click.option("--stats", is_flag=True, expose_value=False, callback=_set_stats, help=_STATS_HELP)(
        func
    )
    func = click.option(
        "-c",
        "--connection",
        metavar="STRING",
        expose_value=False,
        callback=_set_connection,
        help=_CONNECTION_HELP,
    )(func)
    return click.option(
        "--no-pager",
        is_flag=True,
        expose_value=False,
        callback=_set_no_pager,
        help="Never page long output, even on a terminal.",
    )(func)


def _format_option(default: str, choices: Sequence[str] = FORMATS) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="table and line fit the terminal; csv, tsv, json (an array), jsonl and markdown are for files.",
    )


def _run(session: Session, statements: Sequence[str], fmt: str, out: TextIO | None = None) -> None:
    """Run statements one after another and write each result; stops at the first error."""
    stream = out or sys.stdout
    screen = screen_for(stream)
    # Rows streaming to a terminal are their own progress; the live line on stderr is for output elsewhere.
    live = contextlib.nullcontext if stream.isatty() else progress_shown
    with session.connect() as con, Output(stream, paging=out is None and session.paging) as sink:
        cursor = con.cursor()
        try:
            for number, sql in enumerate(statements):
                if number and fmt in TERMINAL_FORMATS:
                    sink.write("\n")  # a blank line between two results on the screen
                with live(con):
                    cursor.execute(sql)
                    show(cursor, fmt, sink, screen)
                if session.stats:
                    click.echo(summary(cursor.stats), err=True)
        except OutputClosed:
            pass  # the pager was quit: fetch nothing more
        finally:
            cursor.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-c", "--connection", default=None, metavar="STRING", help=_CONNECTION_HELP)
@click.option("--no-pager", is_flag=True, help="Never page long output, even on a terminal.")
@click.option("--stats", is_flag=True, help=_STATS_HELP)
@click.version_option(package_name="o365sql")
@click.pass_context
def main(ctx: click.Context, connection: str | None, no_pager: bool, stats: bool) -> None:
    """Office 365 (Microsoft 365) data as SQL tables.

    \b
    Examples:
      o365sql login                  sign in once (browser, or --device-code)
      o365sql shell                  an interactive SQL prompt
      o365sql query "SELECT subject FROM Messages WHERE isRead = 0 LIMIT 5"
      o365sql demo                   try it on the bundled emulator, no tenant needed
    """
    session = ctx.ensure_object(Session)
    session.connection = connection if connection is not None else session.connection
    session.paging = session.paging and not no_pager
    session.stats = session.stats or stats


@main.command()
@click.argument("sql", required=False)
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"), help="Read the SQL from FILE.")
@_format_option("table")
@common_options
@click.pass_obj
def query(session: Session, sql: str | None, file: TextIO | None, fmt: str) -> None:
    """Run SQL and print the rows.

    One statement or several separated by ';', from the argument, from -f FILE, or from standard input.

    \b
    Examples:
      o365sql query "SELECT subject, receivedDateTime FROM Messages LIMIT 5"
      o365sql query -f report.sql --format csv > report.csv
      echo "SELECT count(*) FROM Users" | o365sql query --format json
    """
    if sql is not None and file is not None:
        fail("give the SQL as an argument or with -f FILE, not both")
    if sql is None:
        if file is None and sys.stdin.isatty():
            fail('no SQL given: o365sql query "SELECT ..." (or -f FILE, or pipe it in)')
        sql = (file or sys.stdin).read()
    statements = list(split(sql))
    if not statements:
        fail("no SQL statement in the input")
    _run(session, statements, fmt)


@main.command()
@click.argument("table")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="File to write (default: standard output).",
)
@_format_option("csv", FILE_FORMATS)
@click.option("--where", default=None, help="A WHERE clause to filter the export.")
@common_options
@click.pass_obj
def export(session: Session, table: str, output: TextIO, fmt: str, where: str | None) -> None:
    """Export a table to a file or standard output.

    The whole table, or the rows matching --where, as csv, tsv, json, jsonl or markdown.

    \b
    Examples:
      o365sql export Contacts -o contacts.csv
      o365sql export Messages --where "isRead = 0" --format jsonl > unread.jsonl
    """
    if not table.replace("_", "").isalnum():
        fail(f"{table!r} is not a table name; see `o365sql tables`")
    sql = f'SELECT * FROM "{table}"' + (f" WHERE {where}" if where else "")
    _run(session, [sql], fmt, out=output)


@main.command()
@click.argument("table")
@click.option("-u", "--user", "users", multiple=True, help="A mailbox or drive owner to sync (repeatable).")
@_format_option("table")
@common_options
@click.pass_obj
def sync(session: Session, table: str, users: Sequence[str], fmt: str) -> None:
    """Bring a table's sync cache (CacheLocation) up to date through Graph's delta queries.

    The first run reads everything; later runs read only what changed, and an interrupted run resumes.
    Query the cache with Offline=true.

    \b
    Examples:
      o365sql -c "CacheLocation=o365.db" sync Messages
      o365sql -c "CacheLocation=o365.db;Offline=true" query "SELECT count(*) FROM Messages"
    """
    sql = "EXEC SyncTable Table = ?" + (", UserId = ?" if users else "")
    params: tuple[str, ...] = (table, ",".join(users)) if users else (table,)
    with session.connect() as con:
        cursor = con.cursor()
        with progress_shown(con):
            cursor.execute(sql, params)
        with Output(sys.stdout, paging=False) as sink:
            show(cursor, fmt, sink, screen_for(sys.stdout))
        if session.stats:
            click.echo(summary(cursor.stats), err=True)


@main.command()
@click.argument("sql")
@common_options
@click.pass_obj
def explain(session: Session, sql: str) -> None:
    """Show the Graph requests a query would make.

    And which conditions SQLite still checks itself. Nothing is fetched.

    \b
    Example:
      o365sql explain "SELECT subject FROM Messages WHERE isRead = 0 LIMIT 5"
    """
    import o365sql

    with session.connect() as con:
        for step in o365sql.explain(con, sql):
            click.echo(str(step))


@main.command()
@common_options
@click.pass_obj
def tables(session: Session) -> None:
    """List the tables and what each holds.

    \b
    Example:
      o365sql tables
    """
    _run(session, [TABLES_SQL], "table")


@main.command()
@click.argument("table")
@_format_option("table")
@common_options
@click.pass_obj
def describe(session: Session, table: str, fmt: str) -> None:
    """List a table's columns.

    With each column's type, whether it is the key or read-only, and what it holds.

    \b
    Example:
      o365sql describe Messages
    """
    stream = sys.stdout
    with session.connect() as con, Output(stream, paging=session.paging) as sink:
        cursor = con.cursor().execute(DESCRIBE_SQL, (table,))
        first = cursor.fetchone()
        if first is None:
            fail(f"no such table: {table}; see `o365sql tables`")
        cursor.execute(DESCRIBE_SQL, (table,))
        with contextlib.suppress(OutputClosed):  # the pager was quit
            show(cursor, fmt, sink, screen_for(stream))


@main.command()
@common_options
@click.pass_obj
def shell(session: Session) -> None:
    """An interactive SQL prompt.

    With history, completion, highlighting and dot-commands (.help lists them). End a statement
    with ';' (it may span lines). Ctrl-C drops the line or stops a running query; Ctrl-D or .quit
    leaves.

    \b
    Example:
      o365sql shell
      o365sql> SELECT subject FROM Messages
          ...> WHERE isRead = 0 LIMIT 5;
    """
    try:
        from .shell import run_shell
    except ImportError as exc:
        if exc.name and exc.name.startswith(("prompt_toolkit", "pygments")):
            fail("the shell needs the shell extra: pip install 'o365sql[shell]'")
        raise
    with session.connect() as con:
        run_shell(con, session)


@main.command()
@click.option("--force", is_flag=True, help="Sign in again even when a sign-in is stored (pick the account).")
@click.option(
    "--device-code",
    is_flag=True,
    help="Sign in on another device with a code (OAuthGrantType=DEVICE_CODE): for machines with no browser.",
)
@common_options
@click.pass_obj
def login(session: Session, force: bool, device_code: bool) -> None:
    """Sign in and store the tokens.

    The tokens go to OAuthSettingsLocation, and the other commands use them. With a sign-in
    stored, login only refreshes it; the browser opens when nothing is stored or with --force.

    \b
    Examples:
      o365sql login
      o365sql login --device-code
      o365sql -c "AzureTenant=contoso.onmicrosoft.com;OAuthClientId=..." login --force
    """
    import o365sql
    from o365sql.auth import login as do_login

    props = session.properties(**({"OAuthGrantType": "DEVICE_CODE"} if device_code else {}))
    try:
        who = do_login(props, force=force)
    except o365sql.Error as exc:
        fail(str(exc))
    click.echo(f"Signed in as {who}.")


@main.command()
@common_options
@click.pass_obj
def logout(session: Session) -> None:
    """Forget the tokens stored in OAuthSettingsLocation.

    \b
    Example:
      o365sql logout
    """
    import o365sql
    from o365sql.auth import logout as do_logout

    try:
        do_logout(session.properties())
    except o365sql.Error as exc:
        fail(str(exc))
    click.echo("Signed out: stored tokens removed. Run `o365sql login` to sign in again.")


@main.command()
@common_options
@click.pass_obj
def whoami(session: Session) -> None:
    """Say who is signed in, and in which tenant.

    Also where the tokens are kept. It asks Graph, so a lapsed sign-in shows as an error.

    \b
    Example:
      o365sql whoami
    """
    with session.connect() as con:
        for line in describe_sign_in(con):
            click.echo(line)


@main.command()
@click.argument("shell_name", metavar="SHELL", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell_name: str) -> None:
    """Print the completion script for a shell.

    The script completes o365sql's commands and options in bash, zsh or fish.

    \b
    Examples:
      eval "$(o365sql completion bash)"          # in ~/.bashrc
      eval "$(o365sql completion zsh)"           # in ~/.zshrc
      o365sql completion fish > ~/.config/fish/completions/o365sql.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell_name)
    assert cls is not None  # click knows the three shells offered
    click.echo(cls(main, {}, "o365sql", "_O365SQL_COMPLETE").source())


@main.command()
@click.argument("sql", nargs=-1)
@click.option("--scale", default=1, show_default=True, help="Size of the demo tenant.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True)
def demo(sql: Sequence[str], scale: int, fmt: str) -> None:
    """Run queries on the bundled emulator.

    Sample queries, or your own SQL, against a demo tenant; the sign-in runs headless.

    \b
    Examples:
      o365sql demo
      o365sql demo "SELECT displayName, mail FROM Users LIMIT 5"
    """
    from .demo import run_demo

    run_demo(sql, scale, fmt)
