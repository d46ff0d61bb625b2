"""Graph half of the emulator: the demo tenant's data and Microsoft Graph v1.0 routes, batching and faults.

`app.py` calls `build_store(state)`, `routes(state)` and `middleware(app, state)`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from ..state import EmulatorState
from .drive import download
from .envelope import Ctx, parse_prefer
from .faults import GraphFaults
from .router import dispatch
from .store import GraphStore
from .uploads import routes as upload_routes

__all__ = ["GraphStore", "build_store", "handle", "middleware", "routes"]

_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def build_store(state: EmulatorState) -> GraphStore:
    """The Graph data store for this run (directory objects now; mailboxes and drives on first use)."""
    return GraphStore(state)


async def handle(request: Request) -> Response:
    """Every /v1.0/... request: build the context, dispatch to a handler, encode the result."""
    state: EmulatorState = request.app.state.emulator
    body = await request.body()
    path = request.url.path[len("/v1.0/") :] if request.url.path.startswith("/v1.0/") else ""
    raw = request.scope.get("raw_path") or b""
    raw_path = raw.decode("latin-1").split("?", 1)[0]
    raw_path = raw_path[len("/v1.0/") :] if raw_path.startswith("/v1.0/") else ""
    ctx = Ctx(
        state=state,
        store=state.graph,
        method=request.method,
        path=path,
        raw_path=raw_path,
        raw_query=request.url.query,
        headers=request.headers,
        body=body,
    )
    ctx.prefer = parse_prefer(request.headers.getlist("prefer"))
    with state.graph.lock:
        result = dispatch(ctx)
    data, ctype = result.encode()
    headers = dict(result.headers)
    if ctype == "application/json" or (ctype or "").startswith("application/json;odata"):
        headers.setdefault("OData-Version", "4.0")
    return Response(content=data, status_code=result.status, headers=headers, media_type=ctype)


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Graph v1.0 routes, and the pre-authenticated download URL drive items redirect to."""
    return [
        Route("/v1.0/{path:path}", handle, methods=_METHODS),
        Route("/personal/{site}/_layouts/15/download.aspx", download, methods=["GET"]),
        *upload_routes(),
    ]


def middleware(app: ASGIApp, state: EmulatorState) -> ASGIApp:
    """Faults and latency around the app (Graph paths, and 429s for /token)."""
    return GraphFaults(app, state)
