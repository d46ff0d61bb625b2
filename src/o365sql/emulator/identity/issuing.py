"""Token answers: access tokens (delegated and app-only), id tokens, refresh tokens and client_info."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from ..directory import GRAPH_APP_ID, App, User, stable_guid
from ..state import EmulatorState
from .records import ScopeRequest
from .scopes import scope_echo

__all__ = [
    "app_only_token",
    "b64url_json",
    "delegated_token_response",
    "new_code",
]

ID_TOKEN_LIFETIME = 3600


def b64url_json(data: dict[str, Any]) -> str:
    """base64url (no padding) of compact JSON: the client_info encoding."""
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def pairwise_sub(user_id: str, client_id: str) -> str:
    """The v2 `sub`: stable per (user, app), opaque."""
    digest = hashlib.sha256(f"{user_id}/{client_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:32]).rstrip(b"=").decode()[:43]


def id_token(
    state: EmulatorState,
    *,
    app: App,
    user: User,
    tenant_id: str,
    nonce: str | None,
    auth_time: int | None,
    email: bool,
    session_id: str | None,
) -> str:
    """An RS256 v2.0 id_token signed with the JWKS key."""
    now = int(state.clock.time())
    claims: dict[str, Any] = {
        "aud": app.client_id,
        "iss": f"{state.authority_host}/{tenant_id}/v2.0",
        "iat": now,
        "nbf": now,
        "exp": now + ID_TOKEN_LIFETIME,
    }
    if auth_time is not None:
        claims["auth_time"] = auth_time
    if email and user.mail:
        claims["email"] = user.mail
    claims["name"] = user.display_name
    if nonce is not None:
        claims["nonce"] = nonce  # byte for byte what /authorize received
    claims.update(
        {
            "oid": user.id,
            "preferred_username": user.user_principal_name,
            "rh": "0.emulator." + secrets.token_urlsafe(8),
            "sub": pairwise_sub(user.id, app.client_id),
            "tid": tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": "2.0",
        }
    )
    if session_id:
        claims["sid"] = stable_guid("sid", session_id)
    return state.key.sign(claims)


def user_access_token(state: EmulatorState, app: App, user: User, tenant_id: str, granted: list[str]) -> str:
    """A delegated Graph access token for the granted permissions."""
    token, _grant = state.tokens.issue_access(
        tenant_id=tenant_id,
        client_id=app.client_id,
        user_id=user.id,
        scopes=frozenset(granted),
        extra_claims={
            "upn": user.user_principal_name,
            "unique_name": user.user_principal_name,
            "name": user.display_name,
            "given_name": user.given_name,
            "family_name": user.surname,
            "app_displayname": app.display_name,
            "amr": ["pwd"],
            "sub": pairwise_sub(user.id, GRAPH_APP_ID),
        },
    )
    return token


def delegated_token_response(
    state: EmulatorState,
    *,
    app: App,
    user: User,
    scopes: ScopeRequest,
    granted: list[str],
    client_info: bool,
    nonce: str | None = None,
    auth_time: int | None = None,
    session_id: str | None = None,
    family: str | None = None,
) -> dict[str, Any]:
    """A user-flow token response with the real field order."""
    tenant_id = state.directory.tenant.id
    life = state.config.access_token_lifetime
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": scope_echo(scopes, granted),
        "expires_in": life,
        "ext_expires_in": life,
        "access_token": user_access_token(state, app, user, tenant_id, granted),
    }
    if "offline_access" in scopes.oidc:
        rt = state.tokens.issue_refresh(
            tenant_id=tenant_id,
            client_id=app.client_id,
            user_id=user.id,
            scopes=frozenset(granted),
            family=family,
        )
        body["refresh_token"] = rt.token
    if "openid" in scopes.oidc:
        body["id_token"] = id_token(
            state,
            app=app,
            user=user,
            tenant_id=tenant_id,
            nonce=nonce,
            auth_time=auth_time,
            email="email" in scopes.oidc,
            session_id=session_id,
        )
    if client_info:
        body["client_info"] = b64url_json({"uid": user.id, "utid": tenant_id})
    return body


def app_only_token(state: EmulatorState, app: App, tenant_id: str) -> str:
    """An app-only Graph token carrying the app's roles (client credentials and managed identity)."""
    sp_id = stable_guid("serviceprincipal", app.client_id)
    access, _grant = state.tokens.issue_access(
        tenant_id=tenant_id,
        client_id=app.client_id,
        user_id=None,
        roles=app.roles,
        extra_claims={"app_displayname": app.display_name, "oid": sp_id, "sub": sp_id},
    )
    return access


def new_code() -> str:
    """An opaque authorization code in the shape Entra ID's have."""
    return "1.AXoA" + secrets.token_urlsafe(96)
