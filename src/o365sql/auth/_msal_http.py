"""msal's `http_client` interface over the connection's httpx client (proxies and trusted CAs set once)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import OperationalError, ServiceUnavailableError, ThrottledError
from ..graph import RetryPolicy

__all__ = ["MsalHttpAdapter", "MsalResponse"]

log = logging.getLogger("o365sql.auth")


class MsalResponse:
    """The response shape msal reads: `status_code`, `text`, `headers`, `raise_for_status()`."""

    __slots__ = ("_where", "headers", "status_code", "text")

    def __init__(self, status_code: int, text: str, headers: Mapping[str, str], where: str) -> None:
        self.status_code = status_code
        self.text = text
        self.headers = dict(headers)
        self._where = where

    def raise_for_status(self) -> None:
        """Raise OperationalError for 4xx/5xx (msal calls this on discovery and 5xx token replies)."""
        if self.status_code >= 400:
            raise OperationalError(
                f"The identity platform at {self._where} answered HTTP {self.status_code}; check "
                "AuthorityHost and AzureTenant, or try again later",
                status=self.status_code,
            )

    def __repr__(self) -> str:  # never the body: it holds tokens
        return f"<MsalResponse {self.status_code} from {self._where}>"


def _text(value: Any) -> str:
    # msal hands over some values as bytes (the client assertion): str() would send "b'...'".
    return value.decode() if isinstance(value, bytes) else str(value)


def _where(url: str) -> str:
    # Scheme, host and path only: query strings are kept out of messages.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class MsalHttpAdapter:
    """Give this to msal as `http_client=`; closing it leaves the shared httpx client open."""

    def __init__(
        self,
        client: httpx.Client,
        timeout: float | httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self._timeout = timeout
        # the identity platform's throttling (AADSTS90055, 429) and 5xx are waited out here, below msal, so
        # msal never sees them: its own answer to a 429 is to fail every identical request until Retry-After
        self.retry = retry or RetryPolicy(max_retries=3)

    def _send(self, method: str, url: str, **kwargs: Any) -> MsalResponse:
        where = _where(url)
        timeout = kwargs.pop("timeout", None) or self._timeout
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = timeout
        data = kwargs.pop("data", None)
        if isinstance(data, (str, bytes)):
            extra["content"] = data
        elif data is not None:
            extra["data"] = {k: _text(v) for k, v in dict(data).items() if v is not None}
        params = kwargs.pop("params", None)
        if params:
            extra["params"] = {k: _text(v) for k, v in dict(params).items() if v is not None}
        headers = kwargs.pop("headers", None)
        if headers:
            extra["headers"] = {k: str(v) for k, v in dict(headers).items() if v is not None}
        # Anything else msal may pass (e.g. allow_redirects, stream) has no httpx meaning here.
        attempt = 0
        while True:
            resp = self._request(method, url, where, extra)
            if resp.status_code != 429 and resp.status_code < 500:
                break
            retry_after = resp.headers.get("Retry-After")
            wait = self.retry.delay(attempt, retry_after) if attempt < self.retry.max_retries else None
            if wait is None:
                raise _unavailable(resp, where, retry_after)
            log.info(
                "identity platform: %s %s -> HTTP %s; retrying in %.2f s (retry %d of %d)",
                method,
                where,
                resp.status_code,
                wait,
                attempt + 1,
                self.retry.max_retries,
            )
            self.retry.sleep(wait)
            attempt += 1
        log.debug("identity platform: %s %s -> HTTP %s", method, where, resp.status_code)
        return MsalResponse(resp.status_code, resp.text, resp.headers, where)

    def _request(self, method: str, url: str, where: str, extra: dict[str, Any]) -> httpx.Response:
        try:
            return self._client.request(method, url, **extra)
        except httpx.TimeoutException as exc:
            raise OperationalError(
                f"Timed out talking to the identity platform at {where}; raise Timeout or check the network"
            ) from exc
        except httpx.HTTPError as exc:
            raise OperationalError(
                f"Could not reach the identity platform at {where} ({type(exc).__name__}); check the "
                "network, ProxyServer and AuthorityHost"
            ) from exc

    def get(self, url: str, params: Any = None, headers: Any = None, **kwargs: Any) -> MsalResponse:
        """GET as msal calls it (discovery documents, managed-identity endpoints)."""
        return self._send("GET", url, params=params, headers=headers, **kwargs)

    def post(
        self, url: str, params: Any = None, data: Any = None, headers: Any = None, **kwargs: Any
    ) -> MsalResponse:
        """POST as msal calls it (token and device-code endpoints; `data` is the form)."""
        return self._send("POST", url, params=params, data=data, headers=headers, **kwargs)

    def close(self) -> None:
        """Nothing to do: the connection owns and closes the httpx client."""

    def __repr__(self) -> str:
        return "<MsalHttpAdapter>"


def _unavailable(resp: httpx.Response, where: str, retry_after: str | None) -> OperationalError:
    """The error for a 429/5xx the retries did not outlast: the AADSTS code and Retry-After kept."""
    try:
        body = json.loads(resp.text)
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    codes = body.get("error_codes")
    aadsts = f"AADSTS{codes[0]}" if isinstance(codes, list) and codes else None
    code = str(body.get("error") or "") or None
    trace = body.get("trace_id") if isinstance(body.get("trace_id"), str) else None
    what = " ".join(filter(None, [aadsts, code]))
    detail = f" ({what})" if what else ""
    wait = f"; it asked to wait {retry_after} s" if retry_after else ""
    if resp.status_code == 429:
        return ThrottledError(
            f"The identity platform at {where} is throttling sign-in requests: HTTP 429{detail}{wait}"
            "; the driver retried and did not start a new sign-in: try again later",
            code=aadsts or code,
            status=429,
            request_id=trace,
        )
    return ServiceUnavailableError(
        f"The identity platform at {where} answered HTTP {resp.status_code}{detail} after retries"
        f"{wait}; the stored sign-in was kept: try again later",
        code=aadsts or code,
        status=resp.status_code,
        request_id=trace,
    )
