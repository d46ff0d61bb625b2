"""Where results go: straight to a pipe or file; on a terminal, through a pager once past a screenful."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, TextIO

from .formats import TERMINAL_FORMATS, Result, Sink, write
from .render import Screen, draw, footer

if TYPE_CHECKING:
    from ..cursor import Cursor

__all__ = ["Output", "OutputClosed", "screen_for", "show"]


class OutputClosed(Exception):
    """The reader went away (the pager was quit, the pipe closed): stop producing rows."""


def screen_for(stream: TextIO) -> Screen:
    """The screen a stream shows on: the terminal's width ($COLUMNS, else 80); colour on a terminal only."""
    tty = _isatty(stream)
    width = shutil.get_terminal_size().columns
    color = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return Screen(width=max(width, 20), color=color, unicode=encoding.startswith("utf"))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _pager_command() -> list[str] | None:
    # $PAGER as git and psql read it; set it to '' (or cat) to turn paging off
    text = os.environ.get("O365SQL_PAGER", os.environ.get("PAGER", "less"))
    argv = shlex.split(text)
    if not argv or argv[0] == "cat" or shutil.which(argv[0]) is None:
        return None
    return argv


class Output:
    """A text sink: writes pass through at once, except on a terminal, where text longer than a screen goes
    to the pager ($PAGER, default ``less``) instead of scrolling past."""

    def __init__(self, stream: TextIO, *, paging: bool = True) -> None:
        self._stream = stream
        self._pager = _pager_command() if paging and _isatty(stream) else None
        self._height = shutil.get_terminal_size().lines
        self._held: list[str] = []
        self._lines = 0
        self._proc: subprocess.Popen[str] | None = None

    @property
    def stream(self) -> TextIO:
        """Where the text ends up when no pager runs."""
        return self._stream

    def write(self, text: str) -> int:
        """Write text (held back while it may still fit on one screen)."""
        if self._proc is not None:
            self._to_pager(text)
        elif self._pager is None:
            try:
                self._stream.write(text)
                self._stream.flush()
            except BrokenPipeError:
                raise OutputClosed from None
        else:
            self._held.append(text)
            self._lines += text.count("\n")
            if self._lines >= self._height - 1:
                self._start_pager()
        return len(text)

    def _start_pager(self) -> None:
        assert self._pager is not None
        env = dict(os.environ)
        env.setdefault("LESS", "FRSX")  # quit when it fits, keep colours, cut long lines, leave the screen
        self._proc = subprocess.Popen(
            self._pager, stdin=subprocess.PIPE, text=True, encoding="utf-8", env=env
        )
        held, self._held = "".join(self._held), []
        self._to_pager(held)

    def _to_pager(self, text: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(text)
        except (BrokenPipeError, ValueError):
            raise OutputClosed from None

    def close(self) -> None:
        """Show what is held back, or wait until the reader quits the pager."""
        if self._proc is not None:
            stdin: IO[str] | None = self._proc.stdin
            with contextlib.suppress(BrokenPipeError, ValueError):
                if stdin is not None:
                    stdin.close()
            self._proc.wait()
            self._proc = None
        elif self._held:
            held, self._held = "".join(self._held), []
            with contextlib.suppress(BrokenPipeError):
                self._stream.write(held)
                self._stream.flush()

    def __enter__(self) -> Output:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _counted(rows: Iterator[Any], counter: list[int]) -> Iterator[Any]:
    for row in rows:
        counter[0] += 1
        yield row


def show(cursor: Cursor, fmt: str, out: Sink, screen: Screen) -> int:
    """Write the result of a statement that has run in `fmt` (any of FORMATS); returns the row count.

    A statement without a result set (INSERT, UPDATE, DELETE) reports how many rows it changed instead.
    """
    if cursor.description is None:
        if fmt in TERMINAL_FORMATS:
            changed = max(cursor.rowcount, 0)
            out.write(screen.dim(f"({changed} row{'' if changed == 1 else 's'} affected)") + "\n")
        return 0
    result = Result.of(cursor)
    if fmt not in TERMINAL_FORMATS:
        return write(fmt, result, out)
    counter = [0]
    result.rows = _counted(result.rows, counter)
    for line in draw(result, screen, fmt):
        out.write(line + "\n")
    out.write(footer(counter[0], screen) + "\n")
    return counter[0]
