"""Traffic counters of one Graph client: requests, pages, throttled answers, retries, bytes (thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Counters", "Traffic"]


@dataclass(frozen=True)
class Traffic:
    """A snapshot of the counters; subtract two snapshots for what happened in between."""

    requests: int = 0
    pages: int = 0
    throttled: int = 0
    retries: int = 0
    bytes: int = 0

    def __sub__(self, other: Traffic) -> Traffic:
        return Traffic(
            self.requests - other.requests,
            self.pages - other.pages,
            self.throttled - other.throttled,
            self.retries - other.retries,
            self.bytes - other.bytes,
        )


class Counters:
    """Counts what a GraphClient sends and receives; the scheduler's worker threads update it concurrently.

    ``listener`` (when set) is called after each collection page arrives, from the thread that fetched it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._pages = 0
        self._throttled = 0
        self._retries = 0
        self._bytes = 0
        self.listener: Callable[[], None] | None = None

    def request(self) -> None:
        """One HTTP request sent (every attempt counts)."""
        with self._lock:
            self._requests += 1

    def response(self, size: int, throttled: bool) -> None:
        """One response received: its body size, and whether Graph answered 429."""
        with self._lock:
            self._bytes += size
            self._throttled += int(throttled)

    def retry(self) -> None:
        """One request repeated (throttling, 5xx, 401 or a network error)."""
        with self._lock:
            self._retries += 1

    def page(self) -> None:
        """One page of a collection read; tells the listener."""
        with self._lock:
            self._pages += 1
        listener = self.listener
        if listener is not None:
            listener()

    def snapshot(self) -> Traffic:
        """The counts so far."""
        with self._lock:
            return Traffic(self._requests, self._pages, self._throttled, self._retries, self._bytes)
