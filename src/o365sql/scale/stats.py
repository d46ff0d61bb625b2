"""What a statement cost: requests, pages, rows, throttled, retries, bytes, seconds, owners skipped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..graph import Counters, Traffic
from .scheduler import OwnerSkip

__all__ = ["ProgressCallback", "StatementMeter", "StatementStats"]


@dataclass(frozen=True)
class StatementStats:
    """The cost of one statement so far (``Cursor.stats``); ``skipped``: owners left out (OwnerErrors=SKIP).

    Counts cover every Graph request the connection made while the statement ran (sign-in excluded).
    ``read_ahead``: reads a join started before SQLite asked for them (engine.joins); ``read_ahead_unused``:
    those SQLite then never asked for (each cost at most one page).
    """

    requests: int = 0
    pages: int = 0
    rows: int = 0
    throttled: int = 0
    retries: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: tuple[OwnerSkip, ...] = ()
    read_ahead: int = 0
    read_ahead_unused: int = 0

    def summary(self) -> str:
        """One line, e.g. ``1,000 rows, 2 requests (2 pages), 0 throttled, 0 retries, 0.4 MB in 0.31 s``."""
        text = (
            f"{self.rows:,} rows, {self.requests:,} requests ({self.pages:,} pages), {self.throttled:,} "
            f"throttled, {self.retries:,} retries, {self.bytes / 1e6:.1f} MB in {self.seconds:.2f} s"
        )
        if self.read_ahead:
            text += f"; {self.read_ahead:,} read ahead for a join ({self.read_ahead_unused:,} unused)"
        if self.skipped:
            text += f"; {len(self.skipped)} owner(s) skipped: " + "; ".join(str(s) for s in self.skipped)
        return text


#: Called with the running statement's figures after every page Graph returns (from the thread that read it).
ProgressCallback = Callable[[StatementStats], None]


class StatementMeter:
    """Measures one statement: counter deltas since it started, rows handed out, owners skipped."""

    def __init__(self, counters: Counters) -> None:
        self._counters = counters
        self._start = counters.snapshot()
        self._started = time.perf_counter()
        self._ended: float | None = None
        self._final: Traffic | None = None
        self._lock = threading.Lock()
        self._skipped: list[OwnerSkip] = []
        self.rows = 0  # the cursor adds to it as it hands rows out
        self._ahead = 0
        self._unused = 0

    def skip(self, skip: OwnerSkip) -> None:
        """Record an owner left out."""
        with self._lock:
            self._skipped.append(skip)

    def read_ahead(self, started: int, unused: int) -> None:
        """Count reads a join started ahead, and those never asked for."""
        with self._lock:
            self._ahead += started
            self._unused += unused

    def finish(self) -> None:
        """Freeze the figures (the statement's rows are all fetched, or it was abandoned)."""
        if self._ended is None:
            self._final = self._counters.snapshot()
            self._ended = time.perf_counter()

    @property
    def finished(self) -> bool:
        """True once finish() ran."""
        return self._ended is not None

    def stats(self) -> StatementStats:
        """The figures now (or at finish)."""
        traffic = (self._final or self._counters.snapshot()) - self._start
        seconds = (self._ended or time.perf_counter()) - self._started
        with self._lock:
            skipped = tuple(self._skipped)
            ahead, unused = self._ahead, self._unused
        return StatementStats(
            requests=traffic.requests,
            pages=traffic.pages,
            rows=self.rows,
            throttled=traffic.throttled,
            retries=traffic.retries,
            bytes=traffic.bytes,
            seconds=seconds,
            skipped=skipped,
            read_ahead=ahead,
            read_ahead_unused=unused,
        )
