"""Runs the emulator under uvicorn over HTTPS on 127.0.0.1, in the foreground or in a thread."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from .app import create_app
from .config import EmulatorConfig
from .state import EmulatorState, default_state_dir
from .tls import TLSFiles, make_tls

__all__ = ["PreparedServer", "prepare"]


class PreparedServer:
    """A bound socket, its TLS files and state, ready to serve."""

    def __init__(self, config: EmulatorConfig) -> None:
        # IPPROTO_TCP explicitly: asyncio turns Nagle off only on sockets whose proto says TCP;
        # without it every small response waits ~40 ms for a delayed ACK.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((config.host, config.port))
        self.sock.listen(128)
        self.port: int = self.sock.getsockname()[1]
        self.state = EmulatorState(config)
        self.state.base_url = f"https://{config.host}:{self.port}"
        state_dir = config.state_dir or default_state_dir(config.host, self.port)
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A folder the run chose itself goes when it stops (or, if it is never stopped, when the process
        # ends); a folder the caller named (--state-dir) stays.
        self._remove_state_dir = weakref.finalize(self, shutil.rmtree, state_dir, ignore_errors=True)
        if config.state_dir is not None:
            self._remove_state_dir.detach()
        self.tls: TLSFiles = make_tls(state_dir)
        self.state.write_state_files(state_dir)
        self.app = create_app(self.state)
        self.info: dict[str, Any] = self.state.info(self.tls.ca_cert)
        (state_dir / "emulator.json").write_text(json.dumps(self.info, indent=2))
        uv_config = uvicorn.Config(
            self.app,
            ssl_certfile=str(self.tls.server_cert),
            ssl_keyfile=str(self.tls.server_key),
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_keep_alive=30,
            # An idle keep-alive connection (an msal session left open) would otherwise hold stop() for long.
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(uv_config)
        self._thread: threading.Thread | None = None

    @property
    def state_dir(self) -> Path:
        """The folder holding ca.pem, server.pem, app-cert.pem and emulator.json."""
        assert self.state.state_dir is not None
        return self.state.state_dir

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve in this thread until stopped (Ctrl-C or SIGTERM)."""

        async def main() -> None:
            task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
            while not self.server.started:
                if task.done():
                    await task
                    return
                await asyncio.sleep(0.01)
            if on_ready:
                on_ready()
            await task

        asyncio.run(main())

    def start_in_thread(self, timeout: float = 30.0) -> None:
        """Serve in a daemon thread; return once the server accepts connections."""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"on_ready": ready.set}, name="o365sql-emulator", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("the emulator did not start in time")

    def stop(self) -> None:
        """Stop serving, wait for the thread, and clean up."""
        self.server.should_exit = True
        self.server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.close()

    def close(self) -> None:
        """Close the socket and remove the state folder unless it was named by the caller (idempotent)."""
        self.sock.close()
        self._remove_state_dir()


def prepare(config: EmulatorConfig) -> PreparedServer:
    """Bind, make TLS files and state, build the app; serve with serve_forever or start_in_thread."""
    return PreparedServer(config)
