"""Fault injection for Graph paths (and 429s for /token), enforcing `state.faults.config` per request.

Latency, 429 TooManyRequests (a share, or after N requests per mailbox or per app per window), Graph's
4-concurrent-requests-per-mailbox limit (429 ApplicationThrottled, MailboxConcurrency), 503/504, users without
a mailbox licence (404 MailboxNotEnabledForRESTAPI), and, after the request was applied: responses cut off
mid-body, bodies garbled within a correct frame, a 504, or a response that stalls. The token endpoint answers
429 or 5xx. Random choices use a seeded generator when the settings carry a seed, so a failing run can be
replayed.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import random
import re
import threading
import uuid
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .envelope import JSON_CT, Result
from .errors import error_json

if TYPE_CHECKING:
    from ..faults import FaultConfig
    from ..state import EmulatorState
    from .envelope import Ctx

__all__ = ["GraphFaults", "inner_fault", "retry_after_header"]

_TOKEN_PATH = re.compile(r"^/[^/]+/oauth2/v2\.0/token$")
_MAILBOX = re.compile(r"^/v1\.0/(?:(me)|users/([^/]+))(?:/|$)", re.IGNORECASE)
_OUTLOOK = re.compile(
    r"^/v1\.0/(?:me|users/[^/]+)/(?:messages|mailfolders|calendar|calendars|events|calendarview|contacts|"
    r"contactfolders|sendmail)(?:/|$|\()",
    re.IGNORECASE,
)


class _Dice:
    """One random generator per settings object: reseeded whenever the settings are replaced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._rng = random.Random()

    def roll(self, config: FaultConfig) -> float:
        with self._lock:
            if self._owner != id(config):
                self._owner = id(config)
                self._rng = random.Random(config.seed) if config.seed is not None else random.Random()
            return self._rng.random()


_DICE: dict[int, _Dice] = {}


def _dice(state: EmulatorState) -> _Dice:
    return _DICE.setdefault(id(state), _Dice())


def retry_after_header(config: FaultConfig) -> dict[str, str]:
    if config.retry_after is None:
        return {}
    value = float(config.retry_after)
    return {"Retry-After": str(int(value)) if value.is_integer() else f"{value:g}"}


def _error(status: int, code: str, message: str, request_id: str, client_id: str, now: dt.datetime) -> bytes:
    # A 429 also names itself in innerError, as throttling.md shows.
    inner = {"code": "429", "message": "Please retry after", "status": "429"} if status == 429 else {}
    return json.dumps(error_json(code, message, request_id, client_id, now, inner)).encode()


def _targets(config: FaultConfig, path: str) -> bool:
    """Whether the share-based faults apply to this path: all Graph paths, or those matching `throttle_paths`.

    `throttle_paths` is a regex on the path below /v1.0 (e.g. `messages|mailFolders`), checked when set.
    """
    if not config.throttle_paths:
        return True
    return re.search(config.throttle_paths, path, re.IGNORECASE) is not None


def _fault_for(
    state: EmulatorState, config: FaultConfig, mailbox: str | None, windows: Any
) -> tuple[int, str, str] | None:
    """The fault to inject for one Graph request, or None."""
    dice = _dice(state)
    if mailbox and config.throttle_after > 0:
        now = state.clock.monotonic()
        seen = windows[mailbox]
        while seen and seen[0] <= now - config.throttle_window:
            seen.popleft()
        if len(seen) >= config.throttle_after:
            return 429, "TooManyRequests", "Please retry again later."
        seen.append(now)
    if config.throttle_share > 0 and dice.roll(config) < config.throttle_share:
        return 429, "TooManyRequests", "Please retry again later."
    if config.error_share > 0 and dice.roll(config) < config.error_share:
        if dice.roll(config) < 0.5:
            return 503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later."
        return 504, "UnknownError", "The gateway timed out."  # [U] 504s often carry no Graph body at all
    return None


def inner_fault(state: EmulatorState, ctx: Ctx) -> Result | None:
    """A throttling/5xx answer for one $batch item (each inner request is throttled separately), or None."""
    config = state.faults.config
    if (config.throttle_share <= 0 and config.error_share <= 0) or not _targets(config, ctx.path):
        return None
    fault = _fault_for(state, config, None, None)
    if fault is None:
        return None
    status, code, message = fault
    body = json.loads(_error(status, code, message, ctx.request_id, ctx.client_request_id, state.clock.now()))
    return Result(status=status, body=body, headers=retry_after_header(config))


class GraphFaults:
    """ASGI middleware: Graph faults on /v1.0/ paths, 429s on /token; everything else untouched."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state
        self._lock = threading.Lock()
        self._inflight: dict[str, int] = collections.defaultdict(int)
        self._windows: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._app_windows: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)

    def _grant(self, scope: Scope) -> Any:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                token = value.decode("latin-1").partition(" ")[2].strip()
                return self.state.tokens.check_access(token or None).grant
        return None

    def _app_over_budget(self, scope: Scope, config: FaultConfig) -> bool:
        """Per-app budget: the app's N+1th Graph request within throttle_window (Graph counts per app id)."""
        grant = self._grant(scope)
        app = grant.client_id if grant is not None else None
        if not app:
            return False
        now = self.state.clock.monotonic()
        seen = self._app_windows[app]
        while seen and seen[0] <= now - config.throttle_window:
            seen.popleft()
        if len(seen) >= config.app_throttle_after:
            return True
        seen.append(now)
        return False

    def _unlicensed(self, scope: Scope, config: FaultConfig, mailbox: str | None) -> bool:
        """`no_mailbox`: this user's Outlook paths answer as for a user without an Exchange licence."""
        if not mailbox or not config.no_mailbox or not _OUTLOOK.match(scope["path"]):
            return False
        store = self.state.graph
        user = store.users_by_id.get(mailbox) if store is not None else None
        names = [mailbox] + ([str(user.get("userPrincipalName") or "")] if user else [])
        return any(re.search(config.no_mailbox, n, re.IGNORECASE) for n in names)

    def _mailbox(self, scope: Scope) -> str | None:
        match = _MAILBOX.match(scope["path"])
        if not match:
            return None
        if match.group(2):
            key = match.group(2)
            store = self.state.graph
            user = store.find_user(key) if store is not None else None
            return str(user["id"]) if user else key.lower()
        grant = self._grant(scope)
        return grant.user_id if grant and grant.user_id else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        config = self.state.faults.config
        token_faults = (
            (config.token_throttle_share > 0 or config.token_error_share > 0)
            and scope["method"] == "POST"
            and _TOKEN_PATH.match(path)
        )
        if token_faults and _dice(self.state).roll(config) < config.token_throttle_share:
            await self._token_fault(send, config, 429)
            return
        if token_faults and _dice(self.state).roll(config) < config.token_error_share:
            await self._token_fault(send, config, 503 if _dice(self.state).roll(config) < 0.5 else 500)
            return
        if not path.startswith("/v1.0/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        request_id = str(uuid.uuid4())
        client_id = headers.get("client-request-id", request_id)
        mailbox = (
            self._mailbox(scope)
            if (config.concurrency or config.throttle_after or config.no_mailbox)
            else None
        )
        if self._unlicensed(scope, config, mailbox):
            body = _error(
                404,
                "MailboxNotEnabledForRESTAPI",
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
                request_id,
                client_id,
                self.state.clock.now(),
            )
            await _send(send, 404, body, {"request-id": request_id, "client-request-id": client_id})
            return
        with self._lock:
            # A $batch is throttled per inner request (json-batching.md), so the shares apply inside it.
            is_batch = path.rstrip("/").lower() == "/v1.0/$batch"
            targeted = _targets(config, path[len("/v1.0/") :])
            fault = (
                None if is_batch or not targeted else _fault_for(self.state, config, mailbox, self._windows)
            )
            if fault is None and config.app_throttle_after > 0 and self._app_over_budget(scope, config):
                fault = (429, "TooManyRequests", "Please retry again later.")
            over = bool(mailbox and config.concurrency and self._inflight[mailbox] >= config.concurrency)
            if fault is None and over:
                fault = (429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
            if fault is None and mailbox:
                self._inflight[mailbox] += 1
        if fault is not None:
            if config.latency_ms:
                await asyncio.sleep(config.latency_ms / 1000)
            status, code, message = fault
            extra = retry_after_header(config) if status in (429, 503) else {}
            body = _error(status, code, message, request_id, client_id, self.state.clock.now())
            await _send(
                send, status, body, {"request-id": request_id, "client-request-id": client_id, **extra}
            )
            return
        try:
            if config.latency_ms:
                await asyncio.sleep(config.latency_ms / 1000)
            kind = self._after_fault(config, path)
            if kind == "drop":
                await self._dropped(scope, receive, send)
            elif kind == "garble":
                await self._garbled(scope, receive, send)
            elif kind == "late_error":
                await self._late_error(scope, receive, send, request_id, client_id)
            elif kind == "stall":
                await self._stalled(scope, receive, send, config.stall_seconds)
            else:
                await self.app(scope, receive, send)
        finally:
            if mailbox:
                with self._lock:
                    self._inflight[mailbox] -= 1

    def _after_fault(self, config: FaultConfig, path: str) -> str | None:
        """Which of the faults that let the request be applied first hits this request, if any."""
        shares = (
            ("drop", config.drop_share),
            ("garble", config.garble_share),
            ("late_error", config.late_error_share),
            ("stall", config.stall_share),
        )
        if not any(share > 0 for _, share in shares) or not _targets(config, path[len("/v1.0/") :]):
            return None
        for kind, share in shares:
            if share > 0 and _dice(self.state).roll(config) < share:
                return kind
        return None

    async def _applied(self, scope: Scope, receive: Receive) -> tuple[Message | None, bytes]:
        """Run the request to the end (its change is applied) and return the response it would send."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        return start, b"".join(chunks)

    async def _garbled(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, then send its JSON answer well framed (status, length) but with a garbled body."""
        start, body = await self._applied(scope, receive)
        if start is None:
            return
        ctype = next((v for k, v in start.get("headers", []) if k.lower() == b"content-type"), b"")
        if body and b"json" in ctype.lower():
            # what a broken proxy or a bit flip leaves: same length, no longer JSON
            body = bytes((b ^ 0x5A) | 0x80 for b in body)
        await send(start)
        await send({"type": "http.response.body", "body": body})

    async def _late_error(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, client_id: str
    ) -> None:
        """Run the request (its change is applied), then answer 504 as a gateway that gave up waiting."""
        await self._applied(scope, receive)
        now = self.state.clock.now()
        body = _error(504, "UnknownError", "The gateway timed out.", request_id, client_id, now)
        await _send(send, 504, body, {"request-id": request_id, "client-request-id": client_id})

    async def _stalled(self, scope: Scope, receive: Receive, send: Send, seconds: float) -> None:
        """Run the request, send the headers and half the body, then hold the connection without finishing."""
        start, body = await self._applied(scope, receive)
        if start is None:
            return
        await send(start)
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        try:
            async with asyncio.timeout(seconds):
                while (await receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            pass  # returning leaves the response unfinished: the server closes the connection

    async def _dropped(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, then send the headers and half the body and end without completing it."""
        start, body = await self._applied(scope, receive)
        if start is None:
            return
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(max(len(body), 2)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        # Returning now leaves the response incomplete: the server closes the connection mid-body.

    async def _token_fault(self, send: Send, config: FaultConfig, status: int) -> None:
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = self.state.clock.now().strftime("%Y-%m-%d %H:%M:%SZ")
        if status == 429:
            number, error = 90055, "temporarily_unavailable"
            text = (
                "AADSTS90055: TenantThrottlingThreshold - The number of requests sent to this tenant has "
                "exceeded the limit. Try again later."
            )
        else:  # [U] the body of a 5xx from the token endpoint varies; this is the documented error shape
            number, error = 90033, "temporarily_unavailable" if status == 503 else "server_error"
            text = "AADSTS90033: A transient error has occurred. Please try again."
        description = f"{text}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {stamp}"
        body = json.dumps(
            {
                "error": error,
                "error_description": description,
                "error_codes": [number],
                "timestamp": stamp,
                "trace_id": trace,
                "correlation_id": corr,
            }
        ).encode()
        await _send(
            send, status, body, retry_after_header(config), content_type="application/json; charset=utf-8"
        )


async def _send(
    send: Send, status: int, body: bytes, headers: dict[str, str], content_type: str = JSON_CT
) -> None:
    raw = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    raw.extend((k.lower().encode(), v.encode()) for k, v in headers.items())
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
