"""The emulator's clock: real time, moved forward on request, so expiry can be tested exactly and fast.

Everything time-based in the emulator reads this clock: token lifetimes and expiry, refresh-token
inactivity, authorization-code and device-code expiry, device-code polling intervals, upload-session and
download-URL lifetimes, the throttling windows, and the timestamps written on items and errors. The admin
route `POST /_emulator/clock` (and `Emulator.advance_clock`) moves it forward; it never goes back, so
nothing issued so far ends up in the future. Clients keep their own (real) clock: what they stamp, such as
a client assertion's expiry, is judged by real time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

__all__ = ["Clock"]


class Clock:
    """Real time plus an offset that only grows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    @property
    def offset(self) -> float:
        """Seconds the clock has been moved forward in all."""
        with self._lock:
            return self._offset

    def time(self) -> float:
        """Seconds since the epoch, as `time.time()` but moved forward."""
        return time.time() + self.offset

    def monotonic(self) -> float:
        """A monotonic reading for measuring windows, moved forward with the clock."""
        return time.monotonic() + self.offset

    def now(self) -> dt.datetime:
        """The current moment in UTC."""
        return dt.datetime.fromtimestamp(self.time(), dt.UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward; a negative or non-finite amount raises ValueError."""
        if not seconds >= 0 or seconds == float("inf"):
            raise ValueError(f"the clock only moves forward by a finite number of seconds, not {seconds!r}")
        with self._lock:
            self._offset += seconds

    def to_json(self) -> dict[str, object]:
        """What `GET /_emulator/clock` answers."""
        now = self.now()
        return {
            "now": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "time": round(now.timestamp(), 3),
            "offset_seconds": self.offset,
        }
