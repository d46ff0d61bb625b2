"""Settings of one emulator run: data set, scale, lifetimes, latency and faults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["EmulatorConfig"]


@dataclass
class EmulatorConfig:
    """What `serve` and `Emulator(...)` take; every field has a documented default."""

    data: str = "demo"  # "demo" (the generated tenant) or "empty" (directory only, empty mailboxes)
    scale: int = 1  # multiplies the demo tenant's content
    seed: int = 20240611  # the demo tenant is a pure function of (seed, scale)
    host: str = "127.0.0.1"
    port: int = 0  # 0 picks a free port
    state_dir: Path | None = None  # where ca.pem and emulator.json go; default under the temp dir
    latency_ms: float = 0.0
    faults: str | None = None  # a SPEC string, see faults.FaultConfig.parse
    access_token_lifetime: int = 3599  # seconds; msal treats < 300 s as already expired
    refresh_token_lifetime: int = 90 * 24 * 3600  # rolling inactivity window
    code_lifetime: int = 600
    device_code_lifetime: int = 900
    device_code_interval: int = 5
    # Bytes one simple upload (PUT .../content) may carry: 250 MB in current docs (older ones said 4 MB).
    drive_upload_limit: int = 250 * 1024 * 1024
