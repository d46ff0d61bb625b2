"""Fault-injection settings: what `--faults SPEC` and `POST /_emulator/faults` set.

Enforcement lives in the Graph half's middleware; this module only holds and parses the settings.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["FaultConfig", "FaultSettings"]


@dataclass
class FaultConfig:
    """Every knob, off by default. Shares are probabilities from 0 to 1."""

    latency_ms: float = 0.0  # added to every request
    throttle_share: float = 0.0  # share of Graph requests answered 429
    # Retry-After on injected 429/503, in seconds (may be fractional); None leaves the header out.
    retry_after: float | None = 1.0
    throttle_after: int = 0  # 429 once a mailbox has made this many requests in the window (0: off)
    throttle_window: float = 600.0  # seconds, for throttle_after
    error_share: float = 0.0  # share of Graph requests answered 503 or 504
    drop_share: float = 0.0  # share of Graph responses cut off mid-body
    concurrency: int = 0  # max concurrent requests per mailbox (Graph's is 4; 0: unlimited)
    token_throttle_share: float = 0.0  # share of /token requests answered 429
    token_error_share: float = 0.0  # share of /token requests answered 503 (or 500)
    garble_share: float = 0.0  # share of Graph responses whose body is replaced by garbage of the same length
    late_error_share: float = 0.0  # share of Graph requests applied, then answered 504 (every method)
    stall_share: float = 0.0  # share of Graph responses that send headers and half the body, then stall
    stall_seconds: float = 300.0  # how long a stalled response is held before the server gives up
    seed: int | None = None  # makes the random choices repeatable
    batch_reorder: int = 0  # 1: $batch answers come back in another order than asked (Graph may do that)
    throttle_paths: str | None = None  # a regex: only matching Graph paths get the 429/5xx/drop shares
    app_throttle_after: int = (
        0  # 429 once an app has made this many Graph requests in throttle_window (0: off)
    )
    delta_token_ttl: float = 0.0  # seconds a delta/skip token stays valid (0: until the emulator stops)
    no_mailbox: str | None = None  # a regex on user ids/UPNs: their Outlook paths answer 404 (no licence)

    @classmethod
    def parse(cls, spec: str | None) -> FaultConfig:
        """Parse `key=value,key=value` (keys are the field names); raise ValueError naming a bad item."""
        config = cls()
        if spec:
            config.update(dict(_split(item) for item in spec.split(",") if item.strip()))
        return config

    def update(self, values: dict[str, Any]) -> None:
        """Set fields from a mapping, converting types; unknown keys raise ValueError."""
        types = {f.name: f.type for f in fields(self)}
        for key, raw in values.items():
            if key not in types:
                raise ValueError(f"unknown fault setting {key!r}; known: {', '.join(sorted(types))}")
            if raw is None or (isinstance(raw, str) and raw.lower() in ("none", "null", "")):
                if key in ("retry_after", "seed", "throttle_paths", "no_mailbox"):
                    setattr(self, key, None)
                    continue
                raise ValueError(f"fault setting {key!r} needs a value")
            kind = str(types[key])
            try:
                if kind.startswith("str"):
                    re.compile(str(raw))  # throttle_paths: refuse a bad regex now, not on every request
                    setattr(self, key, str(raw))
                elif kind.startswith("int"):
                    setattr(self, key, int(raw))
                elif "float" in kind:
                    setattr(self, key, float(raw))
                else:
                    setattr(self, key, int(raw))
            except re.error as exc:
                raise ValueError(f"fault setting {key!r} is not a valid regular expression: {exc}") from None
            except (TypeError, ValueError):
                raise ValueError(f"fault setting {key!r} takes a number, not {raw!r}") from None

    def to_json(self) -> dict[str, Any]:
        """The settings as the JSON `GET /_emulator/faults` returns."""
        return asdict(self)


def _split(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep:
        raise ValueError(f"fault item {item!r} is not key=value")
    return key.strip(), value.strip()


class FaultSettings:
    """The live, thread-safe holder the middleware reads and the admin route writes."""

    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self._config = config

    @property
    def config(self) -> FaultConfig:
        """The current settings (replace, don't mutate, from outside)."""
        with self._lock:
            return self._config

    def replace(self, values: dict[str, Any]) -> FaultConfig:
        """Reset to defaults, then apply values (POST semantics: the body is the whole setting)."""
        config = FaultConfig()
        config.update(values)
        with self._lock:
            self._config = config
        return config
