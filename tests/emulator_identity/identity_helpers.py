"""Helpers for the identity tests: msal apps bound to an emulator, raw token POSTs, error-shape checks."""

from __future__ import annotations

import re
import socket
import uuid
from typing import Any

import httpx
import msal
import requests

from o365sql.emulator import Emulator

GRAPH = "https://graph.microsoft.com"
_TS = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z"

# Sessions and clients opened by a test; conftest closes them after it. An idle keep-alive TLS connection
# left open would make the emulator's shutdown wait for the client's close_notify.
OPEN: list[Any] = []


def quiet_redirect() -> str:
    """A loopback redirect URI on a port nothing listens on: the redirect is delivered to no one."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://localhost:{sock.getsockname()[1]}"


def session(emu: Emulator) -> requests.Session:
    """A requests session trusting the emulator's CA (for msal's http_client), closed after the test."""
    s = emu.requests_session()
    OPEN.append(s)
    return s


def browser(emu: Emulator) -> httpx.Client:
    """An httpx client trusting the CA, not following redirects (a browser); closed after the test."""
    client = emu.http_client(follow_redirects=False)
    OPEN.append(client)
    return client


def authority(emu: Emulator, tenant: str | None = None) -> str:
    """The msal authority for a tenant of the emulator (default: its tenant GUID)."""
    return f"{emu.authority_host}/{tenant or emu.tenant_id}"


def public_app(emu: Emulator, tenant: str | None = None, **kwargs: Any) -> msal.PublicClientApplication:
    """msal's public client against the emulator, trusting its CA through a requests session."""
    return msal.PublicClientApplication(
        kwargs.pop("client_id", emu.client_id),
        authority=authority(emu, tenant),
        instance_discovery=False,
        http_client=session(emu),
        **kwargs,
    )


def confidential_app(
    emu: Emulator, tenant: str | None = None, **kwargs: Any
) -> msal.ConfidentialClientApplication:
    """msal's confidential client (the emulator's web app with a secret, unless told otherwise)."""
    return msal.ConfidentialClientApplication(
        kwargs.pop("client_id", emu.app_client_id),
        client_credential=kwargs.pop("client_credential", emu.app_client_secret),
        authority=authority(emu, tenant),
        instance_discovery=False,
        http_client=session(emu),
        **kwargs,
    )


def post_token(
    emu: Emulator, data: dict[str, str], tenant: str | None = None, **kwargs: Any
) -> requests.Response:
    """A raw token POST (no msal, so no ThrottledHttpClient cache between negative tests)."""
    return session(emu).post(f"{authority(emu, tenant)}/oauth2/v2.0/token", data=data, **kwargs)


def assert_aad_error(resp: requests.Response, error: str, code: int, status: int = 400) -> dict[str, Any]:
    """Check the exact A6 error shape and return the body."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = resp.json()
    assert list(body)[:6] == [
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
    ]
    assert body["error"] == error, body
    assert body["error_codes"] == [code]
    desc = body["error_description"]
    assert desc.startswith(f"AADSTS{code}: "), desc
    match = re.search(r"\r\nTrace ID: (\S+)\r\nCorrelation ID: (\S+)\r\nTimestamp: (" + _TS + r")$", desc)
    assert match, repr(desc)
    assert match.group(1) == body["trace_id"] and match.group(2) == body["correlation_id"]
    assert match.group(3) == body["timestamp"]
    assert re.fullmatch(_TS, body["timestamp"])
    uuid.UUID(body["trace_id"])
    uuid.UUID(body["correlation_id"])
    return body
