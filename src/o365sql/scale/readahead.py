"""Keyed readahead: owners' first pages fetched side by side before the consumer asks for them.

A join such as ``Users u JOIN Messages m ON m.UserId = u.id`` reaches the inner table one owner at a time
(SQLite's nested loop). ``Readahead`` runs the reads of the owners the join will ask for next on a few
worker threads, each into its own small buffer, and hands an owner's rows over in their own order when the
consumer gets there. The caps are the scheduler's: ``workers`` reads at once on the connection (its
``Budget``; the statement's own read is the one more), at most ``MAILBOX_CONCURRENCY`` - 1 of one owner.
A buffer holds one page: the worker asks for the next row (and so the next page) only when there is room,
so a read nobody consumes costs one request.

A read is started only on a prediction, and the consumer never waits for a read that has not started: it
takes it back and reads itself (so the pool can never deadlock on reads queued behind unconsumed ones).
"""

from __future__ import annotations

import collections
import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from .scheduler import MAILBOX_CONCURRENCY

__all__ = ["Budget", "Readahead", "ReadaheadJob"]

T = TypeVar("T")

_END = object()


class _Cancelled(Exception):
    """Raised inside a worker whose read was cancelled."""


class Budget:
    """Reads ahead running at once on one connection, across all its joins' inner tables."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0

    def acquire(self, limit: int) -> bool:
        """Count one more read unless ``limit`` are running; never waits."""
        with self._lock:
            if self.running >= limit:
                return False
            self.running += 1
            return True

    def release(self) -> None:
        """A read finished, failed or was cancelled before it began."""
        with self._lock:
            self.running -= 1


class ReadaheadJob(Generic[T]):
    """One predicted read: its rows arrive in a buffer of at most ``room`` rows."""

    def __init__(self, owner: str, rows: Callable[[], Iterator[T]], room: int, budget: Budget) -> None:
        self.owner = owner
        self._budget = budget
        self._counted = True
        self._rows = rows
        self._room = max(1, room)
        self._buffer: collections.deque[object] = collections.deque()
        self._cond = threading.Condition()
        self._cancelled = False
        self.future: Future[None] | None = None
        self.finished = False  # the worker is done (rows all read, failed or cancelled)

    def work(self) -> None:
        """Run in a worker: read the rows into the buffer, waiting for room before each next row."""
        rows: Iterator[T] | None = None
        try:
            rows = self._rows()
            while True:
                with self._cond:
                    while len(self._buffer) >= self._room and not self._cancelled:
                        self._cond.wait()
                    if self._cancelled:
                        raise _Cancelled
                try:
                    row = next(rows)
                except StopIteration:
                    self._push(_END)
                    return
                self._push(row)
        except _Cancelled:
            pass
        except BaseException as exc:  # handed to the consumer at the point the read failed
            self._push(exc)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
            with self._cond:
                self.finished = True
                self._cond.notify_all()
            self.uncount()

    def uncount(self) -> None:
        """Give the read's place in the budget back (once)."""
        with self._cond:
            counted, self._counted = self._counted, False
        if counted:
            self._budget.release()

    def _push(self, value: object) -> None:
        with self._cond:
            self._buffer.append(value)
            self._cond.notify_all()

    def stream(self) -> Iterator[T]:
        """The rows, in the order the read produced them; its error, raised where it happened."""
        try:
            while True:
                with self._cond:
                    while not self._buffer and not self.finished:
                        self._cond.wait()
                    if not self._buffer:
                        return  # the worker stopped without an end mark (cancelled): nothing more
                    value = self._buffer.popleft()
                    self._cond.notify_all()
                if value is _END:
                    return
                if isinstance(value, BaseException):
                    raise value
                yield value  # type: ignore[misc]
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the read at its next row (a request in flight completes); drop what it buffered."""
        with self._cond:
            self._cancelled = True
            self._buffer.clear()
            self._cond.notify_all()


class Readahead(Generic[T]):
    """Predicted reads keyed by what identifies them (a plan and its values), run ``workers`` at a time."""

    def __init__(self, workers: int, room: int, budget: Budget) -> None:
        self.workers = max(1, workers)
        self.room = room
        self.budget = budget
        self.jobs: dict[str, ReadaheadJob[T]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self.started = 0  # reads that began (counted when they are taken or cancelled)
        self.wasted = 0  # reads started and then cancelled unasked (each cost at most one page)

    def owners_busy(self, owner: str) -> int:
        """Reads of this owner not yet finished."""
        return sum(1 for j in self.jobs.values() if j.owner == owner and not j.finished)

    def start(self, key: str, owner: str, rows: Callable[[], Iterator[T]]) -> bool:
        """Start reading ``rows`` for ``key`` unless it is already read or the caps are reached."""
        if key in self.jobs:
            return True
        if len(self.jobs) >= self.workers or self.owners_busy(owner) >= MAILBOX_CONCURRENCY - 1:
            return False
        if not self.budget.acquire(self.workers):
            return False
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="o365sql-join")
        job: ReadaheadJob[T] = ReadaheadJob(owner, rows, self.room, self.budget)
        # in the statement's context, so the pages' log records reach this connection's log
        context = contextvars.copy_context()
        job.future = self._pool.submit(context.run, job.work)
        self.jobs[key] = job
        return True

    def take(self, key: str) -> Iterator[T] | None:
        """The rows read ahead for ``key`` (None: not started, or taken back because no worker had begun)."""
        job = self.jobs.pop(key, None)
        if job is None:
            return None
        if job.future is not None and job.future.cancel():
            job.uncount()
            return None  # never ran: no request was made
        self.started += 1
        return job.stream()

    def keep_only(self, keys: set[str]) -> None:
        """Cancel the reads whose keys are not among ``keys`` (their rows will not be asked for)."""
        for key in [k for k in self.jobs if k not in keys]:
            job = self.jobs.pop(key)
            if job.future is None or not job.future.cancel():
                self.started += 1
                self.wasted += 1
            else:
                job.uncount()
            job.cancel()

    def close(self) -> None:
        """Cancel every read and wait for the workers (each finishes the request it has in flight)."""
        self.keep_only(set())
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
