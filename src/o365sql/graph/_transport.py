"""The one httpx client: HTTP/2, a trust store that adds SSLServerCert, proxies and timeouts."""

from __future__ import annotations

import contextlib
import os
import re
import ssl
from typing import Any

import httpx

from ..errors import ProgrammingError
from ..properties import Properties

__all__ = ["USER_AGENT", "make_http_client", "make_ssl_context"]


def _version() -> str:
    # read from package metadata, not `o365sql.__version__`: this module may be imported while the
    # package's __init__ is still running (connection -> engine -> graph)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("o365sql")
    except PackageNotFoundError:
        return "0"


USER_AGENT = f"o365sql/{_version()} (+httpx)"
_PEM_RE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def make_ssl_context(server_cert: str = "") -> ssl.SSLContext:
    """Default trust (certifi's bundle and the system's) plus the CA in ``server_cert`` (PEM path or text).

    Verification always stays on. The context is built here, not from environment variables, so
    SSL_CERT_FILE/REQUESTS_CA_BUNDLE cannot replace the CA given in SSLServerCert.
    """
    import certifi

    ctx = ssl.create_default_context(cafile=certifi.where())
    # a broken system store must not make the connector unusable: certifi's bundle is still there
    with contextlib.suppress(ssl.SSLError):
        ctx.load_default_certs()
    cert = (server_cert or "").strip()
    if not cert:
        return ctx
    if cert == "*":
        raise ProgrammingError(
            "Connection property SSLServerCert: '*' is refused; certificate verification is never turned off"
        )
    if "-----BEGIN" in cert:
        pems = _PEM_RE.findall(cert)
        if not pems:
            raise ProgrammingError(
                "Connection property SSLServerCert: the PEM text holds no CERTIFICATE block"
            )
        try:
            ctx.load_verify_locations(cadata="\n".join(pems))
        except ssl.SSLError as exc:
            raise ProgrammingError(
                f"Connection property SSLServerCert: the PEM text is not valid ({exc})"
            ) from None
        return ctx
    path = os.path.expanduser(cert)
    if re.fullmatch(r"[0-9A-Fa-f:]{40,95}", cert) and not os.path.exists(path):
        raise ProgrammingError(
            "Connection property SSLServerCert: a certificate thumbprint is not supported; give the CA "
            "certificate as a PEM file path or PEM text"
        )
    if not os.path.isfile(path):
        raise ProgrammingError(
            f"Connection property SSLServerCert: no file at {cert!r}; give a PEM file path or PEM text"
        )
    try:
        ctx.load_verify_locations(cafile=path)
    except ssl.SSLError as exc:
        raise ProgrammingError(
            f"Connection property SSLServerCert: {cert!r} is not a PEM certificate file ({exc})"
        ) from None
    return ctx


def _proxy(props: Properties) -> httpx.Proxy | None:
    server = str(props.get("ProxyServer") or "").strip()
    if not server:
        return None
    if "://" not in server:
        server = f"http://{server}"
    try:
        url = httpx.URL(server)
        if url.scheme not in ("http", "https") or not url.host or any(c.isspace() for c in server):
            raise httpx.InvalidURL("not an http:// proxy")
        if url.port is not None and not 0 < url.port < 65536:
            raise httpx.InvalidURL(f"port {url.port} is out of range")
        if url.port is None:
            url = url.copy_with(port=int(props.get("ProxyPort") or 80))
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ProgrammingError(
            f"Connection property ProxyServer: {server!r} is not a proxy host ({exc}); give a host name or "
            "address (with :port or ProxyPort)"
        ) from None
    auth = None
    user = str(props.get("ProxyUser") or "")
    if user and str(props.get("ProxyAuthScheme") or "BASIC").upper() == "BASIC":
        auth = (user, str(props.get("ProxyPassword") or ""))
    return httpx.Proxy(url, auth=auth)


def make_http_client(props: Properties, **overrides: Any) -> httpx.Client:
    """The httpx.Client for Graph (and msal's adapter): HTTP/2, SSLServerCert trusted, proxies, Timeout.

    ``overrides`` go to ``httpx.Client`` as is (tests pass ``transport=``).
    """
    timeout_s = int(props.get("Timeout") or 0)
    timeout = httpx.Timeout(float(timeout_s) if timeout_s > 0 else None)
    mounts: dict[str, httpx.BaseTransport | None] = {}
    proxy = _proxy(props)
    if proxy is not None:
        for host in re.split(r"[;,\s]+", str(props.get("ProxyExceptions") or "")):
            if host:
                mounts[f"all://{host}"] = None
    options: dict[str, Any] = {
        "http2": True,
        "verify": make_ssl_context(str(props.get("SSLServerCert") or "")),
        "timeout": timeout,
        # trust_env only decides whether HTTPS_PROXY/NO_PROXY apply (ProxyAutoDetect); the trust store above
        # is an SSLContext, which httpx never replaces from SSL_CERT_FILE.
        "trust_env": bool(props.get("ProxyAutoDetect")),
        "proxy": proxy,
        "mounts": mounts or None,
        "follow_redirects": False,
        "headers": {"User-Agent": USER_AGENT},
        "limits": httpx.Limits(max_connections=20, max_keepalive_connections=10),
    }
    options.update(overrides)
    return httpx.Client(**options)
