"""The request log behind `GET /_emulator/requests`: every request served, oldest first."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LoggedRequest", "RequestLog", "RequestLogMiddleware"]


@dataclass
class LoggedRequest:
    """One line of the log; the JSON keys are a published contract (design.md section 5)."""

    method: str
    path: str
    query: str
    status: int
    bytes: int  # response body bytes sent
    raw_path: str = ""  # the path as received, percent-encoding untouched (added key)


class RequestLog:
    """A thread-safe list of served requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[LoggedRequest] = []

    def add(self, item: LoggedRequest) -> None:
        """Append one served request."""
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[dict[str, Any]]:
        """The log as JSON-ready dicts, oldest first."""
        with self._lock:
            return [asdict(i) for i in self._items]

    def clear(self) -> None:
        """Forget everything logged so far."""
        with self._lock:
            self._items.clear()


class RequestLogMiddleware:
    """Logs each HTTP request except the admin routes themselves."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        status = 0
        sent = 0

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.log.add(
                LoggedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status or 500,
                    bytes=sent,
                    raw_path=(scope.get("raw_path") or scope["path"].encode("utf-8")).decode("latin-1"),
                )
            )
