"""Everything about tokens: flows (msal), the loopback listener, the settings store."""

from __future__ import annotations

from ._provider import TokenProvider

__all__ = ["TokenProvider"]
