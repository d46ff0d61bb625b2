"""The web flow, step by step: the authorize URL, redeeming its code, redeeming a refresh token."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import msal

from ..errors import ProgrammingError
from ..properties import Properties
from ._common import OAuthApp, account_key, call_msal, callback_url_of, identity_error
from ._scopes import delegated_scopes, prop
from ._store import SettingsStore, open_store

__all__ = ["authorization_url", "exchange_code", "refresh_access_token"]


def authorization_url(
    props: Properties,
    http: httpx.Client,
    *,
    callback_url: str | None = None,
    scope: str | None = None,
    state: str | None = None,
    prompt: str | None = None,
) -> str:
    """The authorize URL to send a user to; the pending flow (PKCE verifier, state, nonce) is stored."""
    app = OAuthApp(props, http).build(msal.SerializableTokenCache())
    scopes = delegated_scopes(props, override=scope)
    redirect = callback_url_of(props, callback_url)
    with warnings.catch_warnings():
        # msal recommends form_post, but a web app's callback reads ?code= from the query (the default mode).
        warnings.simplefilter("ignore", UserWarning)
        flow = call_msal(
            "GetOAuthAuthorizationURL",
            lambda: app.initiate_auth_code_flow(
                scopes, redirect_uri=redirect, state=state or None, prompt=prompt or "select_account"
            ),
        )
    open_store(prop(props, "OAuthSettingsLocation", None)).save_pending(flow)
    return str(flow["auth_uri"])


def exchange_code(
    props: Properties,
    http: httpx.Client,
    *,
    verifier: str,
    callback_url: str | None = None,
    state: str | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    """Redeem an authorization code (with the pending flow's PKCE verifier when the store has it)."""
    if not verifier:
        raise ProgrammingError("GetOAuthAccessToken needs Verifier: the `code` parameter of the redirect URL")
    app = OAuthApp(props, http).build(msal.SerializableTokenCache())
    flow = open_store(prop(props, "OAuthSettingsLocation", None)).take_pending(state or None)
    if flow is not None:
        result: dict[str, Any] = call_msal(
            "GetOAuthAccessToken",
            lambda: app.acquire_token_by_auth_code_flow(flow, {"code": verifier, "state": flow["state"]}),
        )
    else:
        redirect = callback_url_of(props, callback_url)
        scopes = delegated_scopes(props, override=scope)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = call_msal(
                "GetOAuthAccessToken",
                lambda: app.acquire_token_by_authorization_code(verifier, scopes, redirect_uri=redirect),
            )
    if "access_token" not in result:
        raise identity_error(
            result,
            "The Verifier is the `code` from the redirect URL, valid about 10 minutes and only once, with "
            "the CallbackURL, State and OAuthSettingsLocation (which keeps its PKCE verifier) that "
            "GetOAuthAuthorizationURL used",
        )
    return result


def refresh_access_token(
    props: Properties, http: httpx.Client, refresh_token: str | None = None, scope: str | None = None
) -> dict[str, Any]:
    """Redeem a refresh token for a new access token (and the rotated refresh token).

    Without one, the connection's own is used: the OAuthRefreshToken property, else the refresh token the
    settings store keeps for the app's signed-in account (the rotated one is then saved there).
    """
    oauth = OAuthApp(props, http)
    store = open_store(prop(props, "OAuthSettingsLocation", None))
    cache = msal.SerializableTokenCache()
    refresh_token = refresh_token or prop(props, "OAuthRefreshToken", None)
    if not refresh_token:
        refresh_token = _stored_refresh_token(store, oauth.client_id)
        cache = store.cache
    if not refresh_token:
        raise ProgrammingError(
            "RefreshOAuthAccessToken needs a refresh token: pass OAuthRefreshToken, set the connection "
            f"property, or sign in first (no sign-in is stored in OAuthSettingsLocation={store.location})"
        )
    app = oauth.build(cache)
    scopes = delegated_scopes(props, override=scope)
    result: dict[str, Any] = call_msal(
        "RefreshOAuthAccessToken", lambda: app.acquire_token_by_refresh_token(refresh_token, scopes)
    )
    if "access_token" not in result:
        raise identity_error(result, "Get a new refresh token by signing in again (GetOAuthAuthorizationURL)")
    result.setdefault("refresh_token", refresh_token)
    return result


def _stored_refresh_token(store: SettingsStore, client_id: str) -> str | None:
    """The refresh token the store keeps for the account the app last signed in as (else any of its own)."""
    with store.locked():
        home = store.get_meta(account_key(client_id))
        found = list(
            store.cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN, query={"client_id": client_id})
        )
    mine = [t for t in found if t.get("home_account_id") == home] or found
    return str(mine[0]["secret"]) if mine else None
