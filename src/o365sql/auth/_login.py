"""`o365sql login` / `o365sql logout`: sign in now and say who, or forget the stored tokens."""

from __future__ import annotations

from typing import TextIO

import httpx

from ..graph import make_http_client
from ..properties import Properties
from ._app_only import ClientCredentialsProvider, ManagedIdentityProvider
from ._flows import DelegatedProvider, provider_from_properties
from ._scopes import prop, tenant_of
from ._store import open_store

__all__ = ["login", "logout"]


def login(
    props: Properties,
    *,
    http: httpx.Client | None = None,
    force: bool = False,
    out: TextIO | None = None,
    callback_timeout: float | None = None,
) -> str:
    """Sign in as the properties say and return who signed in.

    A user signs in through the browser or a device code, whatever InitiateOAuth says; `force` skips the
    stored sign-in and always prompts.
    """
    own = http is None
    client = http or make_http_client(props)
    try:
        scheme = str(prop(props, "AuthScheme", "AzureAD"))
        grant = str(prop(props, "OAuthGrantType", "CODE")).upper()
        provider = provider_from_properties(props, client, callback_timeout=callback_timeout, out=out)
        if isinstance(provider, ManagedIdentityProvider):
            provider.get_token()
            return "managed identity" + (
                f" {prop(props, 'OAuthClientId')}" if prop(props, "OAuthClientId") else ""
            )
        if isinstance(provider, ClientCredentialsProvider):
            provider.get_token()
            return f"app {prop(props, 'OAuthClientId')} in tenant {tenant_of(props)}"
        if scheme != "AzureAD":  # pragma: no cover - provider_from_properties covers every scheme
            raise AssertionError(scheme)
        # A user: `login` always may prompt, whatever InitiateOAuth says.
        user = DelegatedProvider(
            props,
            client,
            interactive=True,
            device_code=grant == "DEVICE_CODE",
            callback_timeout=callback_timeout,
            out=out,
        )
        if force:
            user.sign_in(prompt="select_account")
        else:
            user.get_token()
        return user.account_name() or "a user (no name in the token)"
    finally:
        if own:
            client.close()


def logout(props: Properties) -> None:
    """Forget every token and pending sign-in kept in OAuthSettingsLocation."""
    open_store(prop(props, "OAuthSettingsLocation", None)).clear()
