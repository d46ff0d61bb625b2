"""The seam between the Graph client and sign-in: something that hands out bearer tokens."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["TokenProvider"]


@runtime_checkable
class TokenProvider(Protocol):
    """Gives the Graph client an access token; `force_refresh` after a 401 asks for a new one."""

    @property
    def app_only(self) -> bool:
        """True when tokens carry application permissions (no signed-in user, so no /me)."""
        ...

    def get_token(self, *, force_refresh: bool = False) -> str:
        """A valid access token for Graph, refreshing or signing in as the connection's properties allow."""
        ...
