"""The OAuth stored procedures (web flow); they work on a connection that has no token at all."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import httpx
import msal

from ..errors import ProgrammingError
from ._common import OAuthApp, call_msal, callback_url_of, identity_error
from ._flows import DelegatedProvider, admin_consent_url
from ._scopes import delegated_scopes, prop
from ._store import open_store

__all__ = [
    "PROCEDURES",
    "authorization_url",
    "exchange_code",
    "refresh_access_token",
]

TOKEN_COLUMNS = (("OAuthAccessToken", "TEXT"), ("OAuthRefreshToken", "TEXT"), ("ExpiresIn", "INTEGER"))


def authorization_url(
    props: Mapping[str, Any],
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
    props: Mapping[str, Any],
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
    props: Mapping[str, Any], http: httpx.Client, refresh_token: str, scope: str | None = None
) -> dict[str, Any]:
    """Redeem a refresh token for a new access token (and the rotated refresh token)."""
    if not refresh_token:
        raise ProgrammingError(
            "RefreshOAuthAccessToken needs OAuthRefreshToken (the parameter, or the connection property)"
        )
    app = OAuthApp(props, http).build(msal.SerializableTokenCache())
    scopes = delegated_scopes(props, override=scope)
    result: dict[str, Any] = call_msal(
        "RefreshOAuthAccessToken", lambda: app.acquire_token_by_refresh_token(refresh_token, scopes)
    )
    if "access_token" not in result:
        raise identity_error(result, "Get a new refresh token by signing in again (GetOAuthAuthorizationURL)")
    result.setdefault("refresh_token", refresh_token)
    return result


def _token_row(result: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    expires = result.get("expires_in")
    return [
        (
            result["access_token"],
            result.get("refresh_token"),
            int(expires) if expires is not None else -1,
        )
    ]


# -- procedure bodies (ctx: o365sql.engine.procedures.ProcedureContext) --------------------------------------


def _get_authorization_url(ctx: Any, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    url = authorization_url(
        ctx.props,
        ctx.http,
        callback_url=args.get("CallbackURL"),
        scope=args.get("Scope"),
        state=args.get("State"),
        prompt=args.get("Prompt"),
    )
    return [(url,)]


def _get_access_token(ctx: Any, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    verifier = args.get("Verifier")
    mode = str(args.get("AuthMode") or ("WEB" if verifier else "APP")).upper()
    if mode not in ("APP", "WEB"):
        raise ProgrammingError(f"GetOAuthAccessToken AuthMode must be APP or WEB, not {mode!r}")
    if mode == "WEB":
        result = exchange_code(
            ctx.props,
            ctx.http,
            verifier=verifier or "",
            callback_url=args.get("CallbackURL"),
            state=args.get("State"),
            scope=args.get("Scope"),
        )
    else:  # APP: this machine's browser and the loopback listener; tokens also go to the settings store
        provider = DelegatedProvider(
            ctx.props,
            ctx.http,
            interactive=True,
            scope=args.get("Scope"),
            callback_url=args.get("CallbackURL"),
        )
        result = provider.sign_in(prompt=args.get("Prompt"))
    return _token_row(result)


def _refresh_access_token(ctx: Any, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    token = args.get("OAuthRefreshToken") or prop(ctx.props, "OAuthRefreshToken", "")
    return _token_row(refresh_access_token(ctx.props, ctx.http, str(token or ""), args.get("Scope")))


def _get_admin_consent_url(ctx: Any, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(admin_consent_url(ctx.props, args.get("CallbackURL"), args.get("State")),)]


def _register() -> tuple[Any, ...]:
    from ..engine.procedures import Procedure, ProcParam, register

    callback = ProcParam(
        "CallbackURL", description="The redirect URI registered for the app (default: CallbackURL)."
    )
    scope = ProcParam("Scope", description="Space-separated permissions (default: the connection's Scope).")
    state = ProcParam("State", description="A value the redirect brings back unchanged.")
    return (
        register(
            Procedure(
                "GetOAuthAuthorizationURL",
                "The URL where a user signs in and consents; the redirect to CallbackURL carries ?code=.",
                (
                    callback,
                    scope,
                    state,
                    ProcParam("Prompt", description="select_account (default), login, consent or none."),
                ),
                (("URL", "TEXT"),),
                _get_authorization_url,
            )
        ),
        register(
            Procedure(
                "GetOAuthAccessToken",
                "Tokens for a user: WEB exchanges Verifier (the redirect's code); APP signs in in a browser "
                "here.",
                (
                    ProcParam(
                        "Verifier", description="The `code` parameter of the redirect URL (AuthMode=WEB)."
                    ),
                    ProcParam(
                        "AuthMode", description="WEB (exchange Verifier) or APP (browser sign-in here)."
                    ),
                    callback,
                    state,
                    scope,
                    ProcParam("Prompt", description="APP mode: select_account, login, consent or none."),
                ),
                TOKEN_COLUMNS,
                _get_access_token,
            )
        ),
        register(
            Procedure(
                "RefreshOAuthAccessToken",
                "A new access token (and the rotated refresh token) from a refresh token.",
                (
                    ProcParam(
                        "OAuthRefreshToken", description="The refresh token (default: the connection's)."
                    ),
                    scope,
                ),
                TOKEN_COLUMNS,
                _refresh_access_token,
            )
        ),
        register(
            Procedure(
                "GetAdminConsentURL",
                "The URL where an administrator grants the app its permissions for the whole tenant.",
                (callback, state),
                (("URL", "TEXT"),),
                _get_admin_consent_url,
            )
        ),
    )


try:
    PROCEDURES: tuple[Any, ...] = _register()
except ImportError:  # the registry is written in parallel; the functions above work without it
    PROCEDURES = ()
