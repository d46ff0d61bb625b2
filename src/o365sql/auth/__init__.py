"""Everything about tokens: flows (msal), the loopback listener, the settings store."""

from __future__ import annotations

from ._app_only import ClientCredentialsProvider, ManagedIdentityProvider
from ._flows import AccessTokenProvider, DelegatedProvider, provider_from_properties
from ._login import login, logout
from ._provider import TokenProvider
from ._store import SettingsStore, open_store

__all__ = [
    "AccessTokenProvider",
    "ClientCredentialsProvider",
    "DelegatedProvider",
    "ManagedIdentityProvider",
    "SettingsStore",
    "TokenProvider",
    "login",
    "logout",
    "open_store",
    "provider_from_properties",
]
