"""GraphClient: authenticated requests with retries and throttling, lazy paging, $batch, error mapping."""

from __future__ import annotations

import contextvars
import json as jsonlib
import logging
import time
import uuid
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import (
    MASK,
    GraphError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    ThrottledError,
    redact,
)
from ..properties import HEADERS, TRAFFIC
from ._counters import Counters
from ._errors import Permissions, describe, graph_error, is_tls_failure, network_error, reached_server
from ._odata import encode_query
from ._retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy
from ._tokens import TokenProvider

if TYPE_CHECKING:
    from ._batch import BatchRequest, BatchResponse

__all__ = ["GraphClient"]

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_BODY_LOG_LIMIT = 2000
# Upload-session fragments: a multiple of 320 KiB (OneDrive's rule), at most 4 MB (Outlook's advice).
UPLOAD_FRAGMENT = 320 * 1024 * 12


def _safe_headers(headers: Mapping[str, str] | httpx.Headers) -> dict[str, str]:
    return {k: (MASK if k.lower() in _SECRET_HEADERS else redact(v)) for k, v in headers.items()}


def _next_page(pages: Iterator[dict[str, Any]]) -> dict[str, Any] | None:
    return next(pages, None)


class GraphClient:
    """Microsoft Graph over one httpx.Client: bearer tokens, retries, paging, $batch and DB-API errors.

    ``base_url`` is GraphURL (``https://graph.microsoft.com/v1.0``). Paths are relative to it
    (``/me/messages``) or absolute URLs on the same origin (nextLinks); the token is never sent to another
    origin.
    """

    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider,
        *,
        http: httpx.Client,
        retry: RetryPolicy | None = None,
        logger: logging.Logger | None = None,
        owns_http: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ProgrammingError(f"GraphURL: {base_url!r} is not an absolute https:// URL")
        self._origin = (parts.scheme.lower(), parts.netloc.lower())
        self.tokens = token_provider
        self.http = http
        self.retry = retry or RetryPolicy()
        self.log = logger or logging.getLogger("o365sql.graph")
        self._owns_http = owns_http
        self._closed = False
        #: what this client sent and received (shared by every thread that uses it)
        self.counters = Counters()
        self._prefetcher: ThreadPoolExecutor | None = None

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent (every attempt, batches count once each)."""
        return self.counters.snapshot().requests

    @property
    def retries(self) -> int:
        """Requests repeated because of throttling, 5xx, 401 or network errors."""
        return self.counters.snapshot().retries

    @property
    def bytes_received(self) -> int:
        """Response body bytes received."""
        return self.counters.snapshot().bytes

    # -- URLs ------------------------------------------------------------------------------------------------

    def url_for(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """The absolute URL for a path relative to base_url (or an absolute URL), with params encoded."""
        url = path if path.startswith(("https://", "http://")) else f"{self.base_url}/{path.lstrip('/')}"
        if params:
            url += ("&" if "?" in url else "?") + encode_query(params)
        return url

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme.lower(), parts.netloc.lower()) == self._origin

    def relative(self, url: str) -> str:
        """A URL as a path relative to base_url (``/me/messages?...``), as $batch wants it."""
        if url.startswith(("https://", "http://")):
            if not self._same_origin(url) or not urlsplit(url).path.startswith(urlsplit(self.base_url).path):
                raise ProgrammingError(f"{url!r} is not under GraphURL {self.base_url}")
            url = url[len(self.base_url) :]
        return "/" + url.lstrip("/")

    # -- requests ------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        permissions: Permissions | None = None,
    ) -> httpx.Response:
        """Send one request (retrying as the policy allows) and return the response; 4xx/5xx raise.

        ``idempotent`` overrides the method's nature (e.g. a $batch of GETs); ``permissions`` =
        (delegated, application) names what a 403 lacks.
        """
        if self._closed:
            raise InterfaceError("The Graph client is closed")
        method = method.upper()
        url = self.url_for(path, params)
        if not self._same_origin(url):
            raise ProgrammingError(
                f"Refusing to send the access token to {urlsplit(url).netloc}: not the GraphURL host "
                f"{self._origin[1]}"
            )
        send_headers = {"Accept": "application/json"}
        body: bytes | None = None
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        elif content is not None:
            body = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        send_headers.update(headers or {})
        idem = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        return self._send(method, url, body, send_headers, idem, permissions)

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        idempotent: bool,
        permissions: Permissions | None,
    ) -> httpx.Response:
        # one client-request-id for the logical request, kept across its retries so they can be correlated
        client_request_id = str(uuid.uuid4())
        where = describe(method, url)
        refreshed = False
        attempt = 0
        force = False
        began = time.monotonic()
        while True:
            token = self.tokens.get_token(force_refresh=True) if force else self.tokens.get_token()
            force = False
            request = self.http.build_request(
                method,
                url,
                content=body,
                headers={
                    **headers,
                    "Authorization": f"Bearer {token}",
                    "client-request-id": client_request_id,
                },
            )
            self._log_request(request, body)
            started = time.monotonic()
            self.counters.request()
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                sent = reached_server(exc)
                retryable = not is_tls_failure(exc) and (idempotent or not sent)
                if isinstance(exc, httpx.TimeoutException) and self._out_of_time(began):
                    retryable = False  # a silent server is asked once more, not five times: see _out_of_time
                if retryable and attempt < self.retry.max_retries:
                    delay = self.retry.backoff(attempt)
                    self.log.info(
                        "%s: %s; retrying in %.2f s (retry %d of %d)",
                        where,
                        type(exc).__name__,
                        delay,
                        attempt + 1,
                        self.retry.max_retries,
                    )
                    self._pause(delay)
                    attempt += 1
                    continue
                raise network_error(
                    exc, method, url, maybe_applied=sent and not idempotent, request_id=client_request_id
                ) from exc
            self.counters.response(len(response.content), response.status_code == 429)
            self._log_response(response, method, url, started)
            status = response.status_code
            if status == 401 and not refreshed:
                # one forced refresh: the token may have expired or been revoked since it was cached
                refreshed = True
                force = True
                self.counters.retry()
                self.log.info("%s: 401 from Graph; refreshing the access token and retrying once", where)
                continue
            if status in RETRY_STATUSES:
                if status == 504 and not idempotent:
                    # a gateway timeout says nothing about whether the backend applied the change
                    err = graph_error(
                        response, method, url, permissions=permissions, app_only=self._app_only()
                    )
                    raise OperationalError(
                        f"{err.message}; the gateway timed out, so the request may or may not have been "
                        "applied; it was not repeated automatically. Check its effect before running it "
                        "again",
                        code=err.code,
                        status=status,
                        request_id=err.request_id,
                    )
                if attempt < self.retry.max_retries:
                    retry_after = response.headers.get("Retry-After")
                    wait = self.retry.delay(attempt, retry_after)
                    if wait is not None:
                        self.log.info(
                            "%s: HTTP %d; retrying in %.2f s (%s, retry %d of %d)",
                            where,
                            status,
                            wait,
                            "Retry-After" if retry_after else "backoff",
                            attempt + 1,
                            self.retry.max_retries,
                        )
                        self._pause(wait)
                        attempt += 1
                        continue
                    err = graph_error(
                        response, method, url, permissions=permissions, app_only=self._app_only()
                    )
                    raise ThrottledError(
                        f"{err.message}; Graph asked to wait {retry_after} s before retrying, longer than "
                        f"the {self.retry.max_retry_after:.0f} s the driver waits: try again later",
                        code=err.code,
                        status=status,
                        request_id=err.request_id,
                    )
            if status >= 400:
                raise graph_error(response, method, url, permissions=permissions, app_only=self._app_only())
            return response

    def _out_of_time(self, began: float) -> bool:
        # Timeout bounds each wait; a request stops being repeated once two Timeouts have passed since it
        # was first sent, so a server that never answers holds a statement about 2 x Timeout, not 6 x.
        budget = self.http.timeout.read
        return budget is not None and time.monotonic() - began >= 2 * budget

    def _pause(self, delay: float) -> None:
        self.counters.retry()
        self.retry.sleep(delay)

    def _app_only(self) -> bool | None:
        try:
            return bool(self.tokens.app_only)
        except Exception:  # a provider that cannot tell yet: name both kinds of permission
            return None

    # -- logging (never tokens) ----------------------------------------------------------------------------

    def _log_request(self, request: httpx.Request, body: bytes | None) -> None:
        if self.log.isEnabledFor(HEADERS):
            self.log.log(
                HEADERS, "-> %s %s headers=%s", request.method, request.url, _safe_headers(request.headers)
            )
        if body and self.log.isEnabledFor(TRAFFIC):
            self.log.log(TRAFFIC, "-> body %s", redact(body[:_BODY_LOG_LIMIT].decode("utf-8", "replace")))

    def _log_response(self, response: httpx.Response, method: str, url: str, started: float) -> None:
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug(
                "%s %s -> %d in %.0f ms (%d bytes, %s, request-id %s)",
                method,
                redact(url),
                response.status_code,
                (time.monotonic() - started) * 1000,
                len(response.content),
                response.http_version,
                response.headers.get("request-id", "-"),
            )
        if self.log.isEnabledFor(HEADERS):
            self.log.log(HEADERS, "<- headers=%s", _safe_headers(response.headers))
        if self.log.isEnabledFor(TRAFFIC) and response.content:
            text = response.content[:_BODY_LOG_LIMIT].decode("utf-8", "replace")
            self.log.log(TRAFFIC, "<- body %s", redact(text))

    # -- conveniences --------------------------------------------------------------------------------------

    def get_json(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        permissions: Permissions | None = None,
    ) -> dict[str, Any]:
        """GET a JSON object (``{}`` for an empty 204 answer)."""
        return self.request_json("GET", path, params=params, headers=headers, permissions=permissions)

    def request_json(
        self, method: str, path: str, *, idempotent: bool | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """``request()`` and the JSON object it answered; an idempotent request whose answer arrived whole
        but unreadable (a garbled body) is repeated like one that failed on the network."""
        attempt = 0
        while True:
            response = self.request(method, path, idempotent=idempotent, **kwargs)
            try:
                return self._json(response, method, path)
            except OperationalError:
                idem = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent
                if not idem or attempt >= self.retry.max_retries:
                    raise
                delay = self.retry.backoff(attempt)
                self.log.info(
                    "%s: the answer is not readable JSON; retrying in %.2f s (retry %d of %d)",
                    describe(method, self.url_for(path)),
                    delay,
                    attempt + 1,
                    self.retry.max_retries,
                )
                self._pause(delay)
                attempt += 1

    def _json(self, response: httpx.Response, method: str, path: str) -> dict[str, Any]:
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise OperationalError(
                f"{method} {path}: Graph answered with something that is not JSON "
                f"({response.headers.get('Content-Type', 'no Content-Type')})",
                status=response.status_code,
                request_id=response.headers.get("request-id"),
            ) from None
        if not isinstance(data, dict):
            raise OperationalError(
                f"{method} {path}: Graph answered with JSON that is not an object",
                status=response.status_code,
                request_id=response.headers.get("request-id"),
            )
        return data

    def get_text(
        self, path: str, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
    ) -> str:
        """GET a text answer (e.g. ``/users/$count`` with ``ConsistencyLevel: eventual``)."""
        return self.request(
            "GET", path, params=params, headers={"Accept": "text/plain", **(headers or {})}
        ).text

    def iter_pages(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        permissions: Permissions | None = None,
    ) -> Generator[dict[str, Any], None, None]:
        """Yield each page (the JSON object) of a collection lazily, following ``@odata.nextLink`` whole.

        ``headers`` are sent with every page (Graph does not carry ConsistencyLevel over to nextLinks).
        The last page holds ``@odata.deltaLink`` for delta queries.
        """
        next_url: str | None = self.url_for(path, params)
        pages = 0
        while next_url:
            try:
                page = self.get_json(next_url, headers=headers, permissions=permissions)
            except GraphError as exc:
                if not pages or exc.status not in (400, 404):
                    raise  # the collection itself is missing: the caller decides whether that means no rows
                # a nextLink that vanished: what was read is a part of the collection, never all of it. No
                # status on the error: nobody may take it for a missing collection (which can mean no rows).
                raise OperationalError(
                    f"GET {path}: page {pages + 1} of the collection answered {exc.status} {exc.code or ''} "
                    f"after {pages} page(s) were read; the result would be incomplete, so none is given: "
                    "run the query again",
                    code=exc.code,
                    request_id=exc.request_id,
                ) from exc
            self.counters.page()
            pages += 1
            yield page
            link = page.get("@odata.nextLink")
            # a relative nextLink is resolved against the page's URL (Graph sends absolute ones)
            following = urljoin(next_url, link) if isinstance(link, str) and link else None
            if following == next_url:
                raise OperationalError(f"GET {path}: Graph's @odata.nextLink points at the same page again")
            next_url = following

    def iter_items(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        permissions: Permissions | None = None,
        prefetch: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Yield the items of a collection lazily (a page is fetched only when the caller reaches it).

        With ``prefetch``, the next page is fetched in the background while the caller works through the
        current one, so decoding and SQLite's work overlap the network. At most one page is fetched ahead;
        on the first page only once the caller is halfway through it, so a statement that stops early
        (a LIMIT SQLite applies itself) wastes at most one request. A single entity (an answer without
        ``value``) is yielded as the only item.
        """
        pages = self.iter_pages(path, params, headers, permissions=permissions)
        ahead: Future[dict[str, Any] | None] | None = None
        try:
            page: dict[str, Any] | None = next(pages, None)
            first = True
            while page is not None:
                if "value" not in page:
                    if page:
                        yield page
                    return
                value = page["value"]
                if not isinstance(value, list):
                    raise OperationalError(f"GET {path}: Graph's 'value' is not a list")
                start_at = (
                    (len(value) // 2 if first else 0) if prefetch and page.get("@odata.nextLink") else -1
                )
                first = False
                for index, item in enumerate(value):
                    if index == start_at:
                        # in this thread's context, so the page's log records reach this connection's log
                        context = contextvars.copy_context()
                        ahead = self._prefetch_pool().submit(context.run, _next_page, pages)
                    yield item
                if ahead is not None:
                    page, ahead = ahead.result(), None
                else:
                    page = next(pages, None)
        finally:
            # the pages generator must not be closed while the prefetch thread is running it
            if ahead is not None and not ahead.cancel():
                ahead.exception()
            pages.close()

    def _prefetch_pool(self) -> ThreadPoolExecutor:
        if self._prefetcher is None:
            self._prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="o365sql-prefetch")
        return self._prefetcher

    def get_bytes(
        self, path: str, params: Mapping[str, str] | None = None, *, max_redirects: int = 5
    ) -> bytes:
        """GET binary content (``/content``), following Graph's redirect to a pre-authenticated download URL.

        The redirect target gets no Authorization header: it is another origin with its own signed URL.
        """
        response = self.request("GET", path, params=params, headers={"Accept": "*/*"})
        url = str(response.url)
        for _ in range(max_redirects):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response.content
            location = urljoin(url, response.headers.get("Location", ""))
            if self._same_origin(location):
                response = self.request("GET", location, headers={"Accept": "*/*"})
            else:
                try:
                    self.counters.request()
                    response = self.http.get(location)
                except httpx.TransportError as exc:
                    raise network_error(exc, "GET", location, maybe_applied=False) from exc
                if response.status_code >= 400:
                    raise graph_error(response, "GET", location)
            url = location
        raise OperationalError(f"GET {path}: too many redirects")

    def batch(self, requests: list[BatchRequest]) -> list[BatchResponse]:
        """Run requests through ``$batch`` (chunks of 20), retrying throttled items; answers in input order.

        Items that fail are returned with their status (``BatchResponse.error()`` / ``raise_for_status()``).
        """
        from ._batch import run_batch

        return run_batch(self, requests)

    def upload(self, upload_url: str, data: bytes) -> httpx.Response:
        """PUT ``data`` to an upload session's pre-authenticated URL in fragments; the last answer.

        The URL carries its own credential, so no Authorization header goes with it; a fragment that fails
        is not repeated, since its effect is unknown.
        """
        total = len(data)
        if not total:
            raise ProgrammingError("an upload session needs at least one byte")
        response: httpx.Response | None = None
        for start in range(0, total, UPLOAD_FRAGMENT):
            chunk = data[start : start + UPLOAD_FRAGMENT]
            end = start + len(chunk) - 1
            headers = {
                "Content-Range": f"bytes {start}-{end}/{total}",
                "Content-Type": "application/octet-stream",
            }
            try:
                response = self.http.put(upload_url, content=chunk, headers=headers)
            except httpx.TransportError as exc:
                raise network_error(exc, "PUT", "the upload session URL", maybe_applied=True) from exc
            if response.status_code >= 400:
                raise graph_error(response, "PUT", "the upload session URL")
        assert response is not None
        return response

    def close(self) -> None:
        """Stop using this client; the httpx.Client is closed only when this client owns it."""
        self._closed = True
        if self._prefetcher is not None:
            self._prefetcher.shutdown(wait=True, cancel_futures=True)
            self._prefetcher = None
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GraphClient({self.base_url!r}, requests_sent={self.requests_sent})"
