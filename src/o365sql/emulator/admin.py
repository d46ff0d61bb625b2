"""The `/_emulator/` admin routes: a stable contract for tests and outside scripts (design.md section 5)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .state import state_of

__all__ = ["routes"]


async def get_requests(request: Request) -> Response:
    """GET /_emulator/requests: every request served since the last reset, oldest first."""
    return JSONResponse(state_of(request).requests.snapshot())


async def reset(request: Request) -> Response:
    """POST /_emulator/reset: clear the request log."""
    state_of(request).requests.clear()
    return JSONResponse({"reset": True})


async def expire_tokens(request: Request) -> Response:
    """POST /_emulator/tokens/expire: every issued access token is now expired."""
    return JSONResponse({"expired": state_of(request).tokens.expire_all()})


async def revoke_tokens(request: Request) -> Response:
    """POST /_emulator/tokens/revoke: expire access tokens and invalidate refresh tokens."""
    return JSONResponse({"revoked": state_of(request).tokens.revoke_all()})


async def expire_delta(request: Request) -> Response:
    """POST /_emulator/delta/expire: every delta and skip token is now unknown (410 Gone on next use)."""
    from .graph.delta import expire_all

    store = state_of(request).graph
    return JSONResponse({"expired": expire_all(store) if store is not None else 0})


async def faults(request: Request) -> Response:
    """GET shows the fault settings; POST replaces them with the JSON body's keys (others reset)."""
    state = state_of(request)
    if request.method == "POST":
        raw = await request.body()
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            state.faults.replace(body)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse(state.faults.config.to_json())


async def clock(request: Request) -> Response:
    """GET shows the emulator's clock; POST `{"advance_seconds": N}` moves it forward by N seconds."""
    state = state_of(request)
    if request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict) or set(body) != {"advance_seconds"}:
                raise ValueError('the body must be {"advance_seconds": N}')
            seconds = body["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise ValueError(f"advance_seconds takes a number of seconds, not {seconds!r}")
            state.clock.advance(float(seconds))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse(state.clock.to_json())


async def info(request: Request) -> Response:
    """GET /_emulator/info: the same JSON `serve` prints."""
    state = state_of(request)
    ca = state.state_dir / "ca.pem" if state.state_dir else None
    return JSONResponse(state.info(ca) if ca else {})


def routes() -> list[BaseRoute]:
    """The admin routes."""
    return [
        Route("/_emulator/requests", get_requests, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/_emulator/tokens/revoke", revoke_tokens, methods=["POST"]),
        Route("/_emulator/delta/expire", expire_delta, methods=["POST"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST"]),
        Route("/_emulator/info", info, methods=["GET"]),
        Route("/_emulator/clock", clock, methods=["GET", "POST"]),
    ]
