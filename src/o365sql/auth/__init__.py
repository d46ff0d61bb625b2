"""Everything about tokens: flows (msal), the loopback listener, the settings store, the web-flow steps."""

from __future__ import annotations

from ._app_only import ClientCredentialsProvider, ManagedIdentityProvider
from ._flows import AccessTokenProvider, DelegatedProvider, admin_consent_url, provider_from_properties
from ._login import login, logout
from ._store import SettingsStore, open_store
from ._web import authorization_url, exchange_code, refresh_access_token

__all__ = [
    "AccessTokenProvider",
    "ClientCredentialsProvider",
    "DelegatedProvider",
    "ManagedIdentityProvider",
    "SettingsStore",
    "admin_consent_url",
    "authorization_url",
    "exchange_code",
    "login",
    "logout",
    "open_store",
    "provider_from_properties",
    "refresh_access_token",
]
