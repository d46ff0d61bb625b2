"""Error shapes of the identity platform: token-endpoint JSON errors (A6) and the HTML error page.

Every token error carries `error`, an `error_description` that starts `AADSTSnnnn: ` and ends with the Trace
ID, Correlation ID and Timestamp lines, `error_codes`, `timestamp`, `trace_id` and `correlation_id`.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from ..state import state_of

__all__ = [
    "IdentityError",
    "error_body",
    "error_page",
    "error_response",
    "no_store_headers",
    "timestamp",
]

# Codes whose real answers carry an error_uri (the docs list it for scope, tenant and grant errors) [U].
_WITH_ERROR_URI = {70011, 90002, 700016, 1002012, 700022, 500011, 9001023, 70003}


def timestamp(now: dt.datetime) -> str:
    """The identity platform's timestamp format: `YYYY-MM-DD HH:MM:SSZ` (a space, not a T)."""
    return now.strftime("%Y-%m-%d %H:%M:%SZ")


def no_store_headers() -> dict[str, str]:
    """Headers every token-endpoint answer carries."""
    return {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


class IdentityError(Exception):
    """A protocol error the token, device-code or discovery endpoints answer with (A6 shape)."""

    def __init__(self, error: str, code: int, message: str, status: int | None = None) -> None:
        super().__init__(f"AADSTS{code}: {message}")
        self.error = error
        self.code = code
        self.message = message
        self.status = status if status is not None else (401 if error == "invalid_client" else 400)


def _correlation_id(request: Request) -> str:
    # Entra ID uses the caller's client-request-id as the correlation id when it is a GUID.
    try:
        return str(uuid.UUID(request.headers.get("client-request-id", "")))
    except ValueError:
        return str(uuid.uuid4())


def error_body(error: str, code: int, message: str, request: Request) -> dict[str, Any]:
    """The JSON body of a token error, in the real field order."""
    state = state_of(request)
    now = timestamp(state.clock.now())
    trace_id = str(uuid.uuid4())
    correlation_id = _correlation_id(request)
    description = (
        f"AADSTS{code}: {message}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}"
        f"\r\nTimestamp: {now}"
    )
    body: dict[str, Any] = {
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": now,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
    }
    if code in _WITH_ERROR_URI:
        body["error_uri"] = f"{state.authority_host}/error?code={code}"
    return body


def error_response(exc: IdentityError, request: Request) -> JSONResponse:
    """An IdentityError as the HTTP answer the identity platform gives."""
    body = error_body(exc.error, exc.code, exc.message, request)
    headers = no_store_headers()
    headers["x-ms-request-id"] = body["trace_id"]
    if "client-request-id" in request.headers:
        headers["client-request-id"] = request.headers["client-request-id"]
    return JSONResponse(body, status_code=exc.status, headers=headers)


def error_page(code: int, message: str, status: int, request: Request) -> HTMLResponse:
    """The sign-in service's error page: used where redirecting back would be unsafe (bad client/redirect)."""
    trace_id = str(uuid.uuid4())
    correlation_id = _correlation_id(request)
    text = html.escape(f"AADSTS{code}: {message}")
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body>
<h1>Sorry, but we're having trouble signing you in.</h1>
<div id="error" data-error-code="{code}"><p class="error-message">{text}</p></div>
<table class="troubleshooting">
<tr><td>Request Id</td><td>{trace_id}</td></tr>
<tr><td>Correlation Id</td><td>{correlation_id}</td></tr>
<tr><td>Timestamp</td><td>{timestamp(state_of(request).clock.now())}</td></tr>
<tr><td>Message</td><td>{text}</td></tr>
</table>
</body></html>
"""
    return HTMLResponse(page, status_code=status)
