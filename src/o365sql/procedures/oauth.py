"""The OAuth procedures (web flow and refresh); they work on a connection that has no token at all.

GetOAuthAuthorizationURL, GetOAuthAccessToken, RefreshOAuthAccessToken, GetAdminConsentURL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..auth import (
    DelegatedProvider,
    admin_consent_url,
    authorization_url,
    exchange_code,
    refresh_access_token,
)
from ..errors import ProgrammingError
from ._registry import Procedure, ProcedureContext, ProcParam

__all__ = ["PROCEDURES"]

TOKEN_COLUMNS = (("OAuthAccessToken", "TEXT"), ("OAuthRefreshToken", "TEXT"), ("ExpiresIn", "INTEGER"))


def _token_row(result: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    expires = result.get("expires_in")
    return [
        (
            result["access_token"],
            result.get("refresh_token"),
            int(expires) if expires is not None else -1,
        )
    ]


def _get_authorization_url(ctx: ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    url = authorization_url(
        ctx.props,
        ctx.http,
        callback_url=args.get("CallbackURL"),
        scope=args.get("Scope"),
        state=args.get("State"),
        prompt=args.get("Prompt"),
    )
    return [(url,)]


def _get_access_token(ctx: ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    verifier = args.get("Verifier")
    # A browser sign-in on this machine only when asked for by name: a web callback that arrived without
    # ?code= (Verifier NULL or '') must fail, not open a browser on the server.
    mode = str(args.get("AuthMode") or "WEB").strip().upper()
    if mode not in ("APP", "WEB"):
        raise ProgrammingError(f"GetOAuthAccessToken AuthMode must be APP or WEB, not {mode!r}")
    if mode == "WEB" and not str(verifier or "").strip():
        raise ProgrammingError(
            "GetOAuthAccessToken needs Verifier, the `code` parameter of the redirect URL; a redirect "
            "without one carries `error` and `error_description` instead (the user declined or the "
            "sign-in failed). To sign in in a browser on this machine, pass AuthMode='APP'"
        )
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


def _refresh_access_token(ctx: ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    token = args.get("OAuthRefreshToken")
    return _token_row(refresh_access_token(ctx.props, ctx.http, token, args.get("Scope")))


def _get_admin_consent_url(ctx: ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(admin_consent_url(ctx.props, args.get("CallbackURL"), args.get("State")),)]


def _procedures() -> tuple[Procedure, ...]:
    callback = ProcParam(
        "CallbackURL", description="The redirect URI registered for the app (default: CallbackURL)."
    )
    scope = ProcParam("Scope", description="Space-separated permissions (default: the connection's Scope).")
    state = ProcParam("State", description="A value the redirect brings back unchanged.")
    return (
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
        ),
        Procedure(
            "GetOAuthAccessToken",
            "Tokens for a user: WEB (the default) exchanges Verifier, the redirect's code; AuthMode='APP' "
            "signs in in a browser on this machine.",
            (
                ProcParam("Verifier", description="The `code` parameter of the redirect URL (AuthMode=WEB)."),
                ProcParam(
                    "AuthMode", description="WEB (default: exchange Verifier) or APP (browser sign-in here)."
                ),
                callback,
                state,
                scope,
                ProcParam("Prompt", description="APP mode: select_account, login, consent or none."),
            ),
            TOKEN_COLUMNS,
            _get_access_token,
        ),
        Procedure(
            "RefreshOAuthAccessToken",
            "A new access token (and the rotated refresh token) from a refresh token.",
            (
                ProcParam(
                    "OAuthRefreshToken",
                    description="The refresh token (default: the connection's: its OAuthRefreshToken, else "
                    "the one its OAuthSettingsLocation keeps).",
                ),
                scope,
            ),
            TOKEN_COLUMNS,
            _refresh_access_token,
        ),
        Procedure(
            "GetAdminConsentURL",
            "The URL where an administrator grants the app its permissions for the whole tenant.",
            (callback, state),
            (("URL", "TEXT"),),
            _get_admin_consent_url,
        ),
    )


PROCEDURES = _procedures()
