"""The desktop flow's loopback listener: one redirect on 127.0.0.1 and ::1, state checked, then stop."""

from __future__ import annotations

import html
import http.server
import logging
import os
import socket
import threading
import webbrowser
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ..errors import OperationalError

__all__ = ["LoopbackListener", "open_browser", "redirect_uri_for"]

log = logging.getLogger("o365sql.auth")

_DONE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>o365sql "
    "sign-in</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
)


def redirect_uri_for(callback_url: str, port: int) -> str:
    """CallbackURL with the port the listener actually got (differs only when CallbackURL asks for port 0)."""
    parts = urlsplit(callback_url)
    host = parts.hostname or "localhost"
    return urlunsplit((parts.scheme or "http", f"{host}:{port}", parts.path, parts.query, ""))


class _Server(http.server.ThreadingHTTPServer):
    # Threads, so an idle connection (a browser's speculative preconnect) cannot hold up the redirect.
    daemon_threads = True
    block_on_close = False
    listener: LoopbackListener

    def handle_error(self, request: object, client_address: object) -> None:
        # a malformed request from anyone on this machine is their problem: no traceback on our stderr
        log.debug("sign-in listener: dropped a malformed request")


class _Server6(_Server):
    # The same listener on IPv6 loopback: a browser may resolve localhost to ::1 first.
    address_family = socket.AF_INET6

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    server_version = "o365sql"
    sys_version = ""
    timeout = 30  # seconds an idle connection may stay open

    def log_message(self, format: str, *args: object) -> None:
        # The request line carries the authorization code: never log it.
        return

    def _answer(self, status: int, title: str, text: str) -> None:
        body = _DONE_PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, params: dict[str, str]) -> None:
        listener = self.server.listener
        path = urlsplit(self.path).path or "/"
        if path.rstrip("/") != listener.path.rstrip("/"):
            self._answer(404, "Not found", "This address is waiting for a sign-in redirect only.")
            return
        if not params.get("code") and not params.get("error"):
            self._answer(400, "Waiting for sign-in", "This address is waiting for a sign-in redirect.")
            return
        if params.get("state") != listener.expected_state:
            log.warning("sign-in listener: ignored a redirect whose state does not match this sign-in")
            self._answer(400, "Not this sign-in", "This response does not belong to the sign-in in progress.")
            return
        if params.get("error"):
            self._answer(200, "Sign-in failed", "You can close this window and return to the application.")
        else:
            self._answer(200, "Signed in", "Sign-in complete. You can close this window.")
        listener._deliver(params)

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        self._handle({k: v[0] for k, v in query.items()})

    def do_POST(self) -> None:
        raw = (self.headers.get("Content-Length") or "0").strip()
        if not raw.isdigit():
            self._answer(400, "Bad request", "The request's Content-Length is not a number.")
            return
        length = int(raw)
        if length > 1_000_000:
            self._answer(413, "Too large", "Request too large.")
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = parse_qs(body, keep_blank_values=True)
        self._handle({k: v[0] for k, v in form.items()})


class LoopbackListener:
    """Listens on 127.0.0.1:port (and [::1]:port) for one redirect whose `state` matches; `wait()` returns
    its fields."""

    def __init__(self, port: int, path: str, expected_state: str) -> None:
        self.path = path or "/"
        self.expected_state = expected_state
        self._result: dict[str, str] | None = None
        self._event = threading.Event()
        self._lock = threading.Lock()
        try:
            # Loopback only: no other machine can reach the redirect (RFC 8252 section 8.3).
            self._server = _Server(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise OperationalError(
                f"Cannot listen for the sign-in redirect on 127.0.0.1:{port} ({exc.strerror or exc}); free "
                "the port or set CallbackURL to another http://localhost:PORT registered for the app"
            ) from exc
        self._server.listener = self
        self._servers: list[_Server] = [self._server]
        try:
            # ::1 too, on the same port, where the machine has IPv6 (still loopback only)
            v6 = _Server6(("::1", self.port), _Handler)
        except OSError:
            log.debug("sign-in listener: no IPv6 loopback here; listening on 127.0.0.1 only")
        else:
            v6.listener = self
            self._servers.append(v6)
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        """The port bound (useful when 0 was asked for)."""
        return int(self._server.server_address[1])

    @property
    def addresses(self) -> list[str]:
        """The loopback addresses listened on (127.0.0.1, and ::1 where the machine has IPv6)."""
        return [str(server.server_address[0]) for server in self._servers]

    def start(self) -> LoopbackListener:
        """Start serving in background threads (one per address)."""
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="o365sql-signin",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _deliver(self, params: dict[str, str]) -> None:
        with self._lock:
            if self._result is None:
                self._result = params
                self._event.set()

    def wait(self, timeout: float) -> dict[str, str]:
        """The redirect's fields; OperationalError when none arrived within `timeout` seconds."""
        try:
            if not self._event.wait(timeout) or self._result is None:
                raise OperationalError(
                    f"No sign-in redirect reached {self.path!r} on 127.0.0.1:{self.port} within {timeout:g} "
                    "s: the sign-in was not finished in the browser (a wrong password keeps it on the "
                    "sign-in page, which shows why; the window may also have been closed). Sign in again and "
                    "finish within OAuthTimeout, or use OAuthGrantType=DEVICE_CODE where no browser can "
                    "reach this machine"
                )
            return dict(self._result)
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening (idempotent)."""
        threads, self._threads = self._threads, []
        for server in self._servers if threads else ():
            server.shutdown()
        for thread in threads:
            thread.join(5)
        for server in self._servers:
            server.server_close()

    def __enter__(self) -> LoopbackListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<LoopbackListener 127.0.0.1:{self.port}{self.path}>"


def open_browser(url: str) -> bool:
    """Open `url` in the user's browser; `BROWSER` is read now (webbrowser would cache its first value)."""
    env = os.environ.get("BROWSER", "").strip()
    try:
        if env:
            for command in env.split(os.pathsep):
                if not command.strip():
                    continue
                try:
                    if webbrowser.get(command.strip()).open(url):
                        return True
                except webbrowser.Error:
                    continue
            return False
        return webbrowser.open(url)
    except Exception:  # a broken browser setup must not stop the user from pasting the URL
        log.warning("could not start a browser; open the sign-in address shown on stderr yourself")
        return False
