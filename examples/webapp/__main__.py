"""`python -m examples.webapp`: serve the example app (on the emulator unless WEBAPP_CLIENT_ID is set).

Prints ``webapp: open http://localhost:PORT/`` once it is listening; WEBAPP_PORT=0 picks a free port.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

import uvicorn

from .app import create_app
from .settings import Settings


@contextlib.contextmanager
def _settings() -> Iterator[Settings]:
    settings = Settings.from_env()
    if settings is not None:
        yield settings
        return
    from o365sql.emulator import Emulator  # needs the emulator extra: pip install 'o365sql[emulator]'

    with Emulator(data="demo") as emulator:
        print(
            f"webapp: no WEBAPP_CLIENT_ID, so running on the o365sql emulator; sign in as "
            f"{emulator.demo_user} with the password {emulator.demo_password} (its pages' HTTPS certificate "
            f"comes from the CA {emulator.ca_cert})",
            flush=True,
        )
        yield Settings.for_emulator(emulator)


def main() -> None:
    """Bind, print the address, serve until interrupted."""
    with _settings() as settings:
        # Bind first, so the redirect URI can carry the port that was actually got (WEBAPP_PORT=0).
        sock = socket.create_server((settings.host, settings.port))
        settings = settings.with_port(sock.getsockname()[1])
        app = create_app(settings)
        # No access log: the callback's query string carries the authorization code.
        level = os.environ.get("WEBAPP_LOG_LEVEL", "warning")
        config = uvicorn.Config(app, log_level=level, access_log=False)
        print(f"webapp: open {settings.home_url}", flush=True)
        uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
