"""run_owners alone: owners in parallel, at most 4 jobs of one owner at once, errors per owner, early stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from o365sql.errors import NotFoundError, ServerError
from o365sql.scale.scheduler import OwnerJob, OwnerSkip, is_owner_failure, run_owners


def _run(jobs: list[OwnerJob[int]], **kw: object) -> list[int]:
    skips: list[OwnerSkip] = []
    options = {"workers": 8, "is_owner_error": is_owner_failure, "on_skip": skips.append, **kw}
    return list(run_owners(jobs, **options))  # type: ignore[arg-type]


def test_owners_run_at_the_same_time() -> None:
    # each job waits at a barrier for the others: only a scheduler running 6 owners at once gets past it
    barrier = threading.Barrier(6, timeout=10)

    def rows(n: int) -> Iterator[int]:
        barrier.wait()
        yield from range(n * 10, n * 10 + 3)

    jobs = [OwnerJob(f"user{n}", lambda n=n: rows(n)) for n in range(6)]
    assert sorted(_run(jobs)) == sorted(v for n in range(6) for v in range(n * 10, n * 10 + 3))


def test_one_owner_never_has_more_than_four_jobs_running() -> None:
    lock = threading.Lock()
    running = {"a": 0, "b": 0}
    peak = {"a": 0, "b": 0}

    def rows(owner: str) -> Iterator[int]:
        with lock:
            running[owner] += 1
            peak[owner] = max(peak[owner], running[owner])
        time.sleep(0.02)
        with lock:
            running[owner] -= 1
        yield 1

    jobs = [OwnerJob(o, lambda o=o: rows(o)) for o in ["a"] * 10 + ["b"] * 10]
    assert len(_run(jobs, workers=16)) == 20
    assert peak["a"] <= 4 and peak["b"] <= 4
    assert peak["a"] + peak["b"] > 4  # the two owners did run side by side


def _missing() -> Iterator[int]:
    raise NotFoundError("no mailbox", code="MailboxNotEnabledForRESTAPI", status=404)
    yield 0  # pragma: no cover


def test_an_owner_error_raises_naming_the_owner_or_is_skipped() -> None:
    jobs = [OwnerJob("ok@x", lambda: iter([1, 2])), OwnerJob("gone@x", _missing)]
    with pytest.raises(NotFoundError, match=r"owner 'gone@x'.*OwnerErrors=SKIP"):
        _run(jobs)
    skips: list[OwnerSkip] = []
    rows = list(
        run_owners(
            jobs, workers=4, on_owner_error="skip", is_owner_error=is_owner_failure, on_skip=skips.append
        )
    )
    assert rows == [1, 2]
    assert [s.owner for s in skips] == ["gone@x"] and isinstance(skips[0].error, NotFoundError)


def test_other_errors_stop_the_run_even_when_skipping() -> None:
    def broken() -> Iterator[int]:
        raise ServerError("boom", status=500)
        yield 0  # pragma: no cover

    with pytest.raises(ServerError, match="boom"):
        _run([OwnerJob("a", broken)], on_owner_error="skip")


def test_closing_early_stops_the_workers() -> None:
    produced = {"n": 0}
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            while True:
                produced["n"] += 1
                yield produced["n"]
        finally:
            closed.set()

    rows = run_owners(
        [OwnerJob("a", endless)], workers=2, is_owner_error=is_owner_failure, on_skip=lambda s: None
    )
    assert next(rows) == 1
    rows.close()  # returns only once the worker has stopped
    assert closed.is_set()
    stopped_at = produced["n"]
    time.sleep(0.05)
    assert produced["n"] == stopped_at
