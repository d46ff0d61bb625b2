"""`python -m o365sql.emulator browse URL` as a subprocess: prints the final redirect URL."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from identity_helpers import authority, quiet_redirect

from o365sql.emulator import Emulator

# msal recommends form_post when a test builds a query-mode flow on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")


def _browse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "o365sql.emulator", "browse", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _url(emu: Emulator, redirect_uri: str, **extra: str) -> str:
    params = {
        "client_id": emu.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "openid offline_access User.Read",
        "state": "cli-state",
        **extra,
    }
    return f"{authority(emu)}/oauth2/v2.0/authorize?{urlencode(params)}"


def test_browse_prints_the_final_url_when_nothing_listens(emulator: Emulator) -> None:
    redirect = f"{quiet_redirect()}/callback"
    done = _browse(_url(emulator, redirect))  # connection refused
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{redirect}?code=")
    assert parse_qs(urlsplit(lines[0]).query)["state"] == ["cli-state"]
    assert emulator.demo_password not in done.stdout + done.stderr


def test_browse_delivers_form_post_to_a_listener(emulator: Emulator) -> None:
    received: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append({k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        done = _browse(_url(emulator, f"http://127.0.0.1:{port}", response_mode="form_post"))
        thread.join(10)
    finally:
        server.server_close()
    assert done.returncode == 0, done.stderr
    final = done.stdout.strip()
    assert final.startswith(f"http://127.0.0.1:{port}?code=")
    assert received and received[0]["state"] == "cli-state" and received[0]["code"] in final
    assert "client_info" not in received[0]


def test_browse_reports_errors(emulator: Emulator) -> None:
    done = _browse(_url(emulator, "http://localhost/not-registered"))
    assert done.returncode != 0
    assert "AADSTS50011" in done.stderr
    done = _browse("--password", "wrong-password", _url(emulator, "http://localhost/callback"))
    assert done.returncode != 0 and "AADSTS50126" in done.stderr
    assert "wrong-password" not in done.stderr
