"""A local Microsoft identity platform and Microsoft Graph v1.0, for tests, benchmarks and the demo.

with Emulator(data="demo") as emu:
    con = o365sql.connect(emu.connection_string)
"""

from __future__ import annotations

import json
import ssl
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .config import EmulatorConfig

if TYPE_CHECKING:
    import httpx
    import requests

    from .server import PreparedServer
    from .state import EmulatorState

__all__ = ["Emulator", "EmulatorConfig"]


class Emulator:
    """Runs the emulator in a background thread for the life of a `with` block."""

    def __init__(self, data: str = "demo", scale: int = 1, **options: Any) -> None:
        self.config = EmulatorConfig(data=data, scale=scale, **options)
        self._server: PreparedServer | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> Emulator:
        """Bind, build and start serving; idempotent."""
        if self._server is None:
            from .server import prepare

            self._server = prepare(self.config)
            self._server.start_in_thread()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what the JSON line says ---------------------------------------------------------------------------
    @property
    def server(self) -> PreparedServer:
        """The running server (raises if not started)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; use it in a with block or call start()")
        return self._server

    @property
    def info(self) -> dict[str, Any]:
        """The JSON line `serve` prints."""
        return dict(self.server.info)

    @property
    def state(self) -> EmulatorState:
        """The live state, for in-process tests."""
        return self.server.state

    @property
    def port(self) -> int:
        """The TCP port served on 127.0.0.1."""
        return self.server.port

    def __getattr__(self, name: str) -> Any:
        # graph_url, authority_host, ca_cert, tenant_id, client_id, app_client_id, app_client_secret,
        # demo_user, connection_string, demo_password, cert_client_id, cert_path, ...
        if name.startswith("_") or self._server is None:
            raise AttributeError(name)
        try:
            return self._server.info[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        where = self.state.base_url if self._server else "not running"
        return f"<Emulator {self.config.data} scale={self.config.scale} {where}>"

    # -- clients that trust the CA -------------------------------------------------------------------------
    def ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts only this run's CA."""
        return ssl.create_default_context(cafile=str(self.server.tls.ca_cert))

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client that trusts the emulator's CA."""
        import httpx

        return httpx.Client(verify=self.ssl_context(), **kwargs)

    def requests_session(self) -> requests.Session:
        """A requests session for msal's `http_client` (trust_env off: REQUESTS_CA_BUNDLE would override)."""
        import requests

        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.server.tls.ca_cert)
        return session

    # -- admin routes --------------------------------------------------------------------------------------
    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call a `/_emulator/` route over HTTPS and return its JSON."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.state.base_url}/_emulator/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, context=self.ssl_context()) as resp:
            return json.loads(resp.read() or b"null")

    def requests(self) -> list[dict[str, Any]]:
        """The request log (GET /_emulator/requests)."""
        result: list[dict[str, Any]] = self.admin("GET", "requests")
        return result

    def reset(self) -> None:
        """Clear the request log."""
        self.admin("POST", "reset", {})

    def expire_tokens(self) -> None:
        """Expire every issued access token."""
        self.admin("POST", "tokens/expire", {})

    def revoke_tokens(self) -> None:
        """Expire access tokens and invalidate refresh tokens."""
        self.admin("POST", "tokens/revoke", {})

    def clock(self) -> dict[str, Any]:
        """The emulator's clock (GET /_emulator/clock): `now`, `time` and `offset_seconds`."""
        result: dict[str, Any] = self.admin("GET", "clock")
        return result

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the emulator's clock forward by `seconds` (POST /_emulator/clock) and return it."""
        result: dict[str, Any] = self.admin("POST", "clock", {"advance_seconds": seconds})
        return result

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Replace the fault settings (POST /_emulator/faults)."""
        result: dict[str, Any] = self.admin("POST", "faults", settings)
        return result

    @property
    def ca_path(self) -> Path:
        """The CA certificate file."""
        return self.server.tls.ca_cert
