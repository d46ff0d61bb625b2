"""Turning failed HTTP exchanges into o365sql exceptions: Graph answers, dropped connections, TLS failures."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from ..errors import GraphError, OperationalError, error_from_graph_response

__all__ = ["Permissions", "graph_error", "network_error", "reached_server"]

#: (delegated permissions, application permissions) a request needs; named in 403 messages.
Permissions = tuple[Sequence[str], Sequence[str]]


def describe(method: str, url: str) -> str:
    """``GET /v1.0/me/messages`` (path only: enough to recognise the request, short enough to read)."""
    parts = urlsplit(url)
    return f"{method.upper()} {parts.path}"


def graph_error(
    response: httpx.Response,
    method: str,
    url: str,
    *,
    permissions: Permissions | None = None,
    app_only: bool | None = None,
) -> GraphError:
    """The exception for a Graph error response."""
    delegated, application = permissions or ((), ())
    return error_from_graph_response(
        response.status_code,
        response.content,
        response.headers,
        request=describe(method, url),
        delegated_permissions=delegated,
        application_permissions=application,
        app_only=app_only,
    )


def reached_server(exc: httpx.TransportError) -> bool:
    """False when the request surely never reached the server (the connection was not established)."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _tls_failure(exc: BaseException) -> bool:
    text = f"{exc} {exc.__cause__ or ''} {exc.__context__ or ''}"
    return "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text


def is_tls_failure(exc: httpx.TransportError) -> bool:
    """True for a certificate verification failure: retrying cannot help."""
    return isinstance(exc, httpx.ConnectError) and _tls_failure(exc)


def network_error(
    exc: httpx.TransportError, method: str, url: str, *, maybe_applied: bool, request_id: str | None = None
) -> OperationalError:
    """The exception for a failed exchange with no usable answer."""
    where = describe(method, url)
    host = urlsplit(url).netloc
    kind = type(exc).__name__
    if is_tls_failure(exc):
        msg = (
            f"{where}: the certificate of {host} is not trusted ({exc}); if it is signed by a private CA "
            "(the emulator, a TLS-inspecting proxy), give that CA in SSLServerCert (PEM file or PEM text)"
        )
    elif maybe_applied:
        msg = (
            f"{where}: the connection to {host} failed after the request was sent ({kind}), so it may or "
            "may not have been applied; it was not repeated automatically. Check its effect before running "
            "it again"
        )
    elif isinstance(exc, httpx.TimeoutException):
        msg = (
            f"{where}: {host} did not answer in time ({kind}); it was asked again until twice Timeout had "
            "passed: try again, or raise Timeout (seconds)"
        )
    elif reached_server(exc):
        msg = (
            f"{where}: the connection to {host} broke during the request ({kind}: {exc}) on every try; try "
            "again later, and check the network and any proxy (ProxyServer/ProxyPort, ProxyAutoDetect)"
        )
    else:
        msg = (
            f"{where}: cannot reach {host} ({kind}: {exc}); check the network and GraphURL, and behind a "
            "proxy set ProxyServer/ProxyPort or ProxyAutoDetect=true"
        )
    return OperationalError(msg, code=kind, request_id=request_id)
