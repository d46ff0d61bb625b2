"""The multi-owner scheduler: many owners' reads in flight at once, rows handed over as they arrive.

Graph limits each mailbox to 4 concurrent requests and each app to a global rate, and a tenant-wide query
reads hundreds of mailboxes one stream each. ``run_owners`` runs one job per owner on a pool of ``workers``
threads (the global cap: each job has at most one request in flight, since it follows its nextLinks in
order), never more than ``MAILBOX_CONCURRENCY`` jobs of one owner at once. A throttled request sleeps in its
own worker thread, so an owner's Retry-After delays that owner only. Rows travel to the consumer in small
chunks through a bounded queue: a slow consumer (SQLite) holds the workers back, so memory stays flat however
many rows the owners hold.

An owner whose job fails with an error ``is_owner_error`` accepts (403/404: no mailbox licence, a disabled
account) is either raised, naming the owner, or skipped and reported through ``on_skip``; any other error
stops the whole run and is raised as is.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from ..errors import Error, GraphError

__all__ = [
    "MAILBOX_CONCURRENCY",
    "OwnerErrors",
    "OwnerJob",
    "OwnerSkip",
    "fan_out_page",
    "is_owner_failure",
    "owner_error",
    "run_owners",
]

T = TypeVar("T")

#: Graph's limit of concurrent requests to one mailbox (graph-protocol.md C5).
MAILBOX_CONCURRENCY = 4
#: Rows a worker hands over at a time; the queue holds at most two chunks per worker.
CHUNK_ROWS = 100
#: A row of at most this many selected properties is narrow (ids, flags, dates): its pages stay full size.
NARROW_SELECT = 8
#: The smallest page a multi-owner read asks for.
MIN_PAGE = 50
#: Wide rows all workers of a multi-owner read hold at once, at most: two pages of 1,000.
WIDE_ROWS_IN_FLIGHT = 2000
_POLL = 0.05  # seconds between checks of the stop flag while a worker waits for room in the queue

OwnerErrors = Literal["raise", "skip"]


@dataclass(frozen=True)
class OwnerJob(Generic[T]):
    """One owner's share of a query: ``rows()`` is run in a worker thread and iterated to the end."""

    owner: str  # the mailbox/drive owner's id or UPN, as reports name it
    rows: Callable[[], Iterator[T]]


@dataclass(frozen=True)
class OwnerSkip:
    """An owner left out of the result (OwnerErrors=SKIP), and the error Graph answered with."""

    owner: str
    error: BaseException

    def __str__(self) -> str:
        return f"{self.owner}: {self.error.message if isinstance(self.error, GraphError) else self.error}"


def fan_out_page(page: int, workers: int, selected: int) -> int:
    """The page size of each owner's stream when ``workers`` owners are read at once.

    Every worker holds its current page while SQLite works through the rows, so wide rows (a `SELECT *` of
    messages, bodies included) get smaller pages: all workers together then hold about two pages of 1,000,
    as a single scan with its page fetched ahead does. Narrow rows keep the full page: fewer round trips.
    """
    if selected <= NARROW_SELECT:
        return page
    return max(MIN_PAGE, min(page, WIDE_ROWS_IN_FLIGHT // max(1, workers)))


def is_owner_failure(exc: BaseException) -> bool:
    """True for an error that belongs to one owner (403 refused, 404 missing), not to the whole query."""
    return getattr(exc, "status", None) in (403, 404)


def owner_error(owner: str, table: str, exc: BaseException) -> Error:
    """The same error, its message naming the owner and the property that skips such owners instead."""
    message = getattr(exc, "message", str(exc))
    cls = type(exc) if isinstance(exc, Error) else GraphError
    named = cls(
        f"{table}: owner {owner!r}: {message}; to leave out owners Graph refuses (no mailbox licence, a "
        "disabled account) and report them instead, set OwnerErrors=SKIP",
        code=getattr(exc, "code", None),
        status=getattr(exc, "status", None),
        request_id=getattr(exc, "request_id", None),
    )
    return named


class _Stop(Exception):
    """Raised inside a worker when the run was cancelled."""


class _Run(Generic[T]):
    def __init__(self, workers: int, per_owner: int, chunk: int) -> None:
        self.chunk = chunk
        self.out: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=2 * workers)
        self.stop = threading.Event()
        self.slots = threading.BoundedSemaphore(workers)
        self.per_owner = per_owner
        self.owner_lock = threading.Lock()
        self.owner_slots: dict[str, threading.BoundedSemaphore] = collections.defaultdict(
            lambda: threading.BoundedSemaphore(per_owner)
        )

    def put(self, kind: str, value: object) -> None:
        while True:
            if self.stop.is_set():
                raise _Stop
            try:
                self.out.put((kind, value), timeout=_POLL)
                return
            except queue.Full:
                continue

    def owner_slot(self, owner: str) -> threading.BoundedSemaphore:
        with self.owner_lock:
            return self.owner_slots[owner]

    def work(self, job: OwnerJob[T]) -> None:
        slot = self.owner_slot(job.owner)
        try:
            while not slot.acquire(timeout=_POLL):
                if self.stop.is_set():
                    raise _Stop
            try:
                rows = job.rows()
                try:
                    chunk: list[T] = []
                    for row in rows:
                        chunk.append(row)
                        if len(chunk) >= self.chunk:
                            self.put("rows", chunk)
                            chunk = []
                    if chunk:
                        self.put("rows", chunk)
                finally:
                    close = getattr(rows, "close", None)
                    if close is not None:
                        close()
            finally:
                slot.release()
            self.put("done", None)
        except _Stop:
            pass
        except BaseException as exc:  # handed to the consumer, which decides
            with contextlib.suppress(_Stop):
                self.put("failed", (job.owner, exc))
        finally:
            self.slots.release()

    def feed(self, jobs: Iterable[OwnerJob[T]], pool: ThreadPoolExecutor) -> None:
        count = 0
        try:
            for job in jobs:
                while not self.slots.acquire(timeout=_POLL):
                    if self.stop.is_set():
                        raise _Stop
                if self.stop.is_set():
                    self.slots.release()
                    raise _Stop
                pool.submit(self.work, job)
                count += 1
            self.put("fed", count)
        except _Stop:
            pass
        except BaseException as exc:
            with contextlib.suppress(_Stop):
                self.put("error", exc)


def run_owners(
    jobs: Iterable[OwnerJob[T]],
    *,
    workers: int,
    per_owner: int = MAILBOX_CONCURRENCY,
    on_owner_error: OwnerErrors = "raise",
    is_owner_error: Callable[[BaseException], bool],
    on_skip: Callable[[OwnerSkip], None],
    table: str = "",
    chunk: int = CHUNK_ROWS,
) -> Iterator[T]:
    """Every job's rows, in arrival order, with up to ``workers`` jobs running at once.

    ``jobs`` is consumed lazily on a feeder thread (it may page through /users itself). A job hands its rows
    over ``chunk`` at a time (1: each at once, as a sync's pages must arrive before a later failure).
    Closing the returned generator early (a LIMIT) stops the workers at their next chunk and waits for them.
    """
    run: _Run[T] = _Run(max(1, workers), max(1, per_owner), max(1, chunk))
    pool = ThreadPoolExecutor(max_workers=max(1, workers) + 1, thread_name_prefix="o365sql-owner")
    pool.submit(run.feed, jobs, pool)
    fed: int | None = None
    finished = 0
    try:
        while fed is None or finished < fed:
            kind, value = run.out.get()
            if kind == "rows":
                assert isinstance(value, list)
                yield from value
            elif kind == "done":
                finished += 1
            elif kind == "fed":
                assert isinstance(value, int)
                fed = value
            elif kind == "failed":
                assert isinstance(value, tuple)
                owner, exc = value
                finished += 1
                if is_owner_error(exc):
                    if on_owner_error == "skip":
                        on_skip(OwnerSkip(owner, exc))
                        continue
                    raise owner_error(owner, table, exc) from exc
                raise exc
            else:  # "error": the job source itself failed (e.g. listing the users)
                assert isinstance(value, BaseException)
                raise value
    finally:
        run.stop.set()
        # unblock workers waiting for room in the queue, then wait for them (each finishes its request)
        drain = threading.Thread(target=_drain, args=(run,), daemon=True)
        drain.start()
        pool.shutdown(wait=True, cancel_futures=True)
        run.out.put(("end", None))
        drain.join()


def _drain(run: _Run[T]) -> None:
    while True:
        kind, _value = run.out.get()
        if kind == "end":
            return
