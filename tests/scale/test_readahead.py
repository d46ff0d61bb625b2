"""scale.readahead alone: reads side by side, one buffer of rows each, taken back or cancelled cleanly."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from o365sql.scale.readahead import Budget, Readahead, ReadaheadJob


def test_reads_run_at_the_same_time_and_rows_keep_their_order() -> None:
    # each read waits at a barrier for the others: only reads running side by side get past it
    barrier = threading.Barrier(3, timeout=10)

    def rows(n: int) -> Callable[[], Iterator[int]]:
        def read() -> Iterator[int]:
            barrier.wait()
            yield from range(n * 10, n * 10 + 5)

        return read

    ahead: Readahead[int] = Readahead(3, room=10, budget=Budget())
    for n in range(3):
        assert ahead.start(f"k{n}", f"owner{n}", rows(n))
    got = []
    for n in range(3):
        stream = ahead.take(f"k{n}")
        assert stream is not None
        got.append(list(stream))
    ahead.close()
    assert got == [list(range(n * 10, n * 10 + 5)) for n in range(3)]
    assert ahead.started == 3 and ahead.wasted == 0


def test_a_read_holds_at_most_one_buffer_of_rows() -> None:
    ahead: Readahead[int] = Readahead(1, room=4, budget=Budget())
    job: list[ReadaheadJob[int]] = []
    ready = threading.Event()
    held: list[int] = []

    def read() -> Iterator[int]:
        ready.wait()
        for i in range(20):
            # asked for the next row only when the buffer has room for it
            held.append(len(job[0]._buffer))
            yield i

    assert ahead.start("k", "owner", read)
    job.append(ahead.jobs["k"])
    ready.set()
    stream = ahead.take("k")
    assert stream is not None and list(stream) == list(range(20))
    ahead.close()
    assert len(held) == 20 and max(held) < 4


def test_a_read_no_worker_began_is_taken_back() -> None:
    release = threading.Event()
    called: list[str] = []

    def blocked() -> Iterator[int]:
        called.append("a")
        release.wait()
        yield 1

    def other() -> Iterator[int]:
        called.append("b")
        yield 2

    ahead: Readahead[int] = Readahead(2, room=10, budget=Budget())
    # one thread only: "b" queues behind "a"; the caller gets it back rather than wait for "a"
    ahead._pool = ThreadPoolExecutor(max_workers=1)
    assert ahead.start("a", "o1", blocked) and ahead.start("b", "o2", other)
    assert ahead.take("b") is None
    release.set()
    ahead.close()
    assert called == ["a"] and ahead.started == 1 and ahead.wasted == 1
    assert ahead.budget.running == 0


def test_cancelled_reads_close_their_rows_and_count_as_wasted() -> None:
    closed = threading.Event()
    began = threading.Event()

    def read() -> Iterator[int]:
        try:
            began.set()
            yield from range(1000)
        finally:
            closed.set()

    ahead: Readahead[int] = Readahead(2, room=5, budget=Budget())
    assert ahead.start("k", "owner", read)
    assert began.wait(10)
    ahead.keep_only(set())
    ahead.close()
    assert closed.is_set()
    assert ahead.started == 1 and ahead.wasted == 1 and not ahead.jobs


def test_the_budget_and_the_per_owner_cap_are_shared() -> None:
    budget = Budget()
    release = threading.Event()

    def read() -> Iterator[int]:
        release.wait()
        yield 1

    first: Readahead[int] = Readahead(3, room=5, budget=budget)
    second: Readahead[int] = Readahead(3, room=5, budget=budget)
    assert first.start("a", "u1", read) and first.start("b", "u1", read)
    assert second.start("c", "u2", read)
    assert not second.start("d", "u3", read)  # three running on the connection: the budget is spent
    assert not first.start("e", "u1", read)  # and u1 has 3 - 1 = 2 of Graph's 4 per mailbox (one is ours)
    release.set()
    first.close()
    second.close()
    assert budget.running == 0


def test_an_error_arrives_where_the_read_failed() -> None:
    def read() -> Iterator[int]:
        yield 1
        raise RuntimeError("page 2 failed")

    ahead: Readahead[int] = Readahead(1, room=5, budget=Budget())
    assert ahead.start("k", "o", read)
    stream = ahead.take("k")
    assert stream is not None
    assert next(stream) == 1
    with pytest.raises(RuntimeError, match="page 2 failed"):
        next(stream)
    ahead.close()
