"""`o365sql shell`: an interactive SQL prompt on prompt_toolkit, with dot-commands.

A statement may span lines and runs when it ends with `;`; a line starting with `.` is a dot-command (.help
lists them). Ctrl-C drops the line being typed, or stops the running query: the scan is closed, so no further
Graph page is fetched. Ctrl-D (or .quit) leaves. History is kept in the user state directory.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

import click
import platformdirs
from prompt_toolkit import PromptSession
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory
from prompt_toolkit.lexers import PygmentsLexer
from pygments.lexers.sql import SqlLexer

from ..errors import redact
from .completion import DOT_COMMANDS, Catalog, SqlCompleter
from .formats import FORMATS
from .output import Output, OutputClosed, screen_for, show
from .session import Session
from .statements import DESCRIBE_SQL, TABLES_SQL, is_complete, split

if TYPE_CHECKING:
    from ..connection import Connection

__all__ = ["PrivateHistory", "Shell", "history_path", "run_shell"]

PROMPT = "o365sql> "
CONTINUATION = "    ...> "


# Statements that hand the OAuth procedures a token or code: kept out of the history file
_SECRET_EXEC = re.compile(r"(?i)\bEXEC(?:UTE)?\s+(?:GetOAuthAccessToken|RefreshOAuthAccessToken)\b")


class PrivateHistory(FileHistory):
    """The history file, readable by its owner only; a statement carrying a secret is not written to it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        super().__init__(str(path))

    def store_string(self, string: str) -> None:
        """Append a statement to the file unless it holds a token, code or password."""
        if redact(string) == string and not _SECRET_EXEC.search(string):
            super().store_string(string)


def history_path() -> Path:
    """The shell's history file: ``history`` in the user state directory ($XDG_STATE_HOME on Linux)."""
    return Path(platformdirs.user_state_dir("o365sql", appauthor=False)) / "history"


class Shell:
    """The state of one shell: connection, output mode, timer and stats switches, a pending `.once` file."""

    def __init__(self, con: Connection, session: Session, stdout: TextIO | None = None) -> None:
        self.con = con
        self.session = session
        self.stdout = stdout or sys.stdout
        self.mode = "table"
        self.timer = False
        self.stats = False
        self.once: Path | None = None
        self.last_stats = ""
        self._cancelled = False  # set by Ctrl-C while a statement runs

    # -- the prompt ------------------------------------------------------------------------------------------

    def _prompt_session(self) -> PromptSession[str]:
        def more_to_come() -> bool:
            # Enter adds a line until the statement is closed by ';' (a dot-command is one line)
            text = session.default_buffer.text
            stripped = text.strip()
            return bool(stripped) and not stripped.startswith(".") and not is_complete(text)

        session: PromptSession[str] = PromptSession(
            history=PrivateHistory(history_path()),
            lexer=PygmentsLexer(SqlLexer),
            completer=SqlCompleter(Catalog.read(self.con)),
            multiline=Condition(more_to_come),
            prompt_continuation=lambda width, line, soft: CONTINUATION.rjust(width),
            enable_history_search=False,
            complete_while_typing=False,  # Tab completes; the menu does not follow every key
        )
        return session

    def run(self) -> None:
        """Read and run statements until Ctrl-D or .quit."""
        prompt = self._prompt_session()
        self._say("o365sql shell: end statements with ';', .help for commands, Ctrl-D to leave.")
        while True:
            try:
                text = prompt.prompt(PROMPT)
            except KeyboardInterrupt:
                continue  # the line is dropped
            except EOFError:
                break
            if not self.handle(text):
                break

    def handle(self, text: str) -> bool:
        """Run what was typed (statements or one dot-command); False when the shell should end."""
        stripped = text.strip()
        if stripped.startswith("."):
            return self.dot(stripped)
        return self.script(text)

    def script(self, text: str) -> bool:
        """Run a script: statements, and dot-commands on lines of their own; False if it says .quit."""
        pending: list[str] = []
        for line in text.splitlines():
            if not pending and line.strip().startswith("."):
                if not self.dot(line.strip()):
                    return False
                continue
            pending.append(line)
            if is_complete("\n".join(pending)):
                for sql in split("\n".join(pending)):
                    self.execute(sql)
                pending.clear()
        for sql in split("\n".join(pending)):
            self.execute(sql)
        return True

    # -- statements ------------------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _error(self, exc: Exception) -> None:
        message = self.session.explain(exc)
        screen = screen_for(self.stdout)
        self._say(f"\x1b[31mError:\x1b[0m {message}" if screen.color else f"Error: {message}")

    @contextmanager
    def _ctrl_c_cancels(self) -> Iterator[None]:
        """While a statement runs, Ctrl-C cancels it: SQLite is interrupted and KeyboardInterrupt raised.

        The handler is installed explicitly because an inherited "ignore SIGINT" (a script's background job)
        would otherwise leave Ctrl-C dead, and the interrupt ends the statement at SQLite's next step even
        where a library in between swallows the KeyboardInterrupt.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: FrameType | None) -> None:
            self._cancelled = True
            self.con.cancel()
            raise KeyboardInterrupt

        self._cancelled = False
        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def execute(self, sql: str, parameters: Any = None, mode: str | None = None) -> None:
        """Run one statement and show its result; Ctrl-C stops it and closes its scan."""
        import o365sql

        graph = self.con.procedure_context.graph
        before = (graph.requests_sent, graph.retries, graph.bytes_received)
        started = time.perf_counter()
        target = self.once
        self.once = None
        try:
            stream: TextIO = target.open("w", encoding="utf-8") if target else self.stdout
        except OSError as exc:
            self._say(f"Cannot write {target}: {exc.strerror}")
            return
        screen = screen_for(stream)
        sink = Output(stream, paging=target is None and self.session.paging)
        cursor = self.con.cursor()
        try:
            with self._ctrl_c_cancels():
                cursor.execute(sql, parameters)
                show(cursor, mode or self.mode, sink, screen)
        except KeyboardInterrupt:
            cursor.close()  # closing the scan stops the paging: no more Graph requests
            sink.close()
            self._say("Cancelled.")
        except OutputClosed:
            pass
        except o365sql.Error as exc:
            sink.close()
            if self._cancelled:  # the interrupt ended the statement though the KeyboardInterrupt was lost
                self._say("Cancelled.")
            else:
                self._error(exc)
        finally:
            cursor.close()
            sink.close()
            if target:
                stream.close()
        elapsed = time.perf_counter() - started
        sent, retries, received = (
            graph.requests_sent - before[0],
            graph.retries - before[1],
            graph.bytes_received - before[2],
        )
        self.last_stats = (
            f"Graph: {sent} request{'' if sent == 1 else 's'}, "
            f"{retries} retr{'y' if retries == 1 else 'ies'}, {received / 1024:.1f} KiB received"
        )
        if self.timer:
            self._say(f"Time: {elapsed:.3f} s")
        if self.stats:
            self._say(self.last_stats)

    # -- dot-commands ----------------------------------------------------------------------------------------

    def dot(self, line: str) -> bool:
        """Run a dot-command; False for .quit/.exit."""
        command, _, arg = line.partition(" ")
        arg = arg.strip()
        if command in (".quit", ".exit"):
            return False
        handler = getattr(self, "_dot_" + command[1:], None)
        if command not in DOT_COMMANDS or handler is None:
            self._say(f"Unknown command {command}; .help lists the commands.")
            return True
        handler(arg)
        return True

    def _dot_help(self, arg: str) -> None:
        width = max(len(c) for c in DOT_COMMANDS)
        for command, text in DOT_COMMANDS.items():
            self._say(f"{command.ljust(width)}  {text}")

    def _dot_tables(self, arg: str) -> None:
        self.execute(TABLES_SQL, mode="table" if self.mode == "line" else None)

    def _dot_schema(self, arg: str) -> None:
        if not arg:
            self._say("Usage: .schema TABLE (.tables lists them)")
            return
        table = arg.rstrip(";")
        if not any(True for _ in self.con.execute(DESCRIBE_SQL, (table,))):
            self._say(f"No such table: {table}; .tables lists them.")
            return
        self.execute(DESCRIBE_SQL, (table,))

    def _dot_mode(self, arg: str) -> None:
        if not arg:
            self._say(f"Mode: {self.mode} (one of {', '.join(FORMATS)})")
        elif arg in FORMATS:
            self.mode = arg
        else:
            self._say(f"Unknown mode {arg!r}; use one of {', '.join(FORMATS)}")

    def _switch(self, name: str, arg: str) -> bool | None:
        if arg in ("on", "off"):
            return arg == "on"
        self._say(f"Usage: .{name} on|off")
        return None

    def _dot_timer(self, arg: str) -> None:
        value = self._switch("timer", arg)
        if value is not None:
            self.timer = value

    def _dot_stats(self, arg: str) -> None:
        if not arg:
            self._say(self.last_stats or "No statement has run yet.")
            return
        value = self._switch("stats", arg)
        if value is not None:
            self.stats = value

    def _dot_explain(self, arg: str) -> None:
        import o365sql

        if not arg:
            self._say("Usage: .explain SELECT ...")
            return
        try:
            for step in o365sql.explain(self.con, arg.rstrip().rstrip(";")):
                self._say(str(step))
        except o365sql.Error as exc:
            self._error(exc)

    def _dot_read(self, arg: str) -> None:
        if not arg:
            self._say("Usage: .read FILE")
            return
        try:
            text = Path(arg).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            self._say(f"Cannot read {arg}: {exc.strerror}")
            return
        self.script(text)

    def _dot_once(self, arg: str) -> None:
        if not arg:
            self._say("Usage: .once FILE")
            return
        self.once = Path(arg).expanduser()


def run_shell(con: Connection, session: Session) -> None:
    """Run the shell on an open connection until the user leaves."""
    if not sys.stdin.isatty():
        # piped input: run it as a script, no prompt
        Shell(con, session).script(sys.stdin.read())
        return
    Shell(con, session).run()
    click.echo()
