"""Graph half of the emulator (being built: issue 3)."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from ..state import EmulatorState

__all__ = ["build_store", "middleware", "routes"]


def build_store(state: EmulatorState) -> Any:
    """The Graph data store for this run."""
    return {}


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Graph v1.0 routes."""
    return []


def middleware(app: ASGIApp, state: EmulatorState) -> ASGIApp:
    """Faults and latency around the app."""
    return app
