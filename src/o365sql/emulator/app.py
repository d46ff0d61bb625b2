"""Builds the emulator's ASGI app: identity routes, Graph routes, admin routes, request log, faults."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from . import admin, graph
from .identity.routes import routes as identity_routes
from .requestlog import RequestLogMiddleware
from .state import EmulatorState

__all__ = ["create_app"]


def create_app(state: EmulatorState) -> ASGIApp:
    """The whole emulator as one ASGI app (mountable in httpx.ASGITransport for in-process tests)."""
    if state.graph is None:
        state.graph = graph.build_store(state)
    app = Starlette(routes=[*admin.routes(), *identity_routes(state), *graph.routes(state)])
    app.state.emulator = state
    wrapped: ASGIApp = graph.middleware(app, state)
    return RequestLogMiddleware(wrapped, state.requests)
