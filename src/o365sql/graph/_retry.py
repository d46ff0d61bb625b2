"""The retry and throttling policy: Retry-After honoured, else jittered exponential backoff."""

from __future__ import annotations

import datetime as dt
import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Methods that may be repeated after a network error without changing the result (RFC 9110 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: Statuses that mean "try again later" (graph-protocol.md C5).
RETRY_STATUSES = frozenset({429, 503, 504})


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: an integer, a fraction (``2.128``) or an HTTP-date."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN -> unusable
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RetryPolicy:
    """How often and how long to wait before repeating a request Graph asked us to repeat.

    ``sleep``, ``jitter`` (a random number in [0, 1)) and ``now`` are injectable, so tests can record the
    delays instead of waiting.
    A Retry-After longer than ``max_retry_after`` is not waited for: the request fails with a message that
    says how long Graph asked to wait.
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = field(default=_random.random)
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter for retry number ``attempt`` (0-based): half fixed, half random."""
        ceiling = min(self.max_delay, self.base_delay * (2.0**attempt))
        return ceiling * (0.5 + 0.5 * self.jitter())

    def delay(self, attempt: int, retry_after: str | None) -> float | None:
        """Seconds to wait before retry ``attempt``: Retry-After if given, else backoff; None = too long."""
        wanted = parse_retry_after(retry_after, self.now())
        if wanted is None:
            return self.backoff(attempt)
        return wanted if wanted <= self.max_retry_after else None
