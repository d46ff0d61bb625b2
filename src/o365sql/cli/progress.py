"""What a statement costs, on stderr: a live progress line on a terminal and the `--stats` summary."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console

from ..connection import Connection
from ..scale import StatementStats

__all__ = ["progress_shown", "summary"]


def summary(stats: StatementStats) -> str:
    """One line: rows, requests, pages, throttled responses, retries, bytes and seconds."""
    line = (
        f"{stats.rows} rows, {stats.requests} requests, {stats.pages} pages, {stats.throttled} throttled, "
        f"{stats.retries} retries, {stats.bytes} bytes, {stats.seconds:.2f} s"
    )
    if stats.skipped:
        line += f", {len(stats.skipped)} owners skipped"
    return line


@contextmanager
def progress_shown(con: Connection, stream: TextIO | None = None) -> Iterator[None]:
    """While the block runs, keep a progress line on ``stream`` (stderr) if it is a terminal; else nothing.

    The line goes away when the block ends, so it never mixes with the results written to stdout.
    """
    err = stream or sys.stderr
    if not err.isatty():
        yield
        return
    console = Console(file=err, stderr=True)
    with console.status("starting…") as status:

        def report(stats: StatementStats) -> None:
            status.update(f"{stats.pages} pages, {stats.rows} rows, {stats.requests} requests")

        con.set_progress(report)
        try:
            yield
        finally:
            con.set_progress(None)
