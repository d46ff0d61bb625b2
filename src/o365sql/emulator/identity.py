"""Identity half of the emulator (being built: issue 2)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from .state import EmulatorState

__all__ = ["routes"]


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The identity platform's routes."""
    return []
