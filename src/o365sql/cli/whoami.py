"""`o365sql whoami`: who the connection signs in as, in which tenant, and where its tokens are kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..auth import DelegatedProvider

if TYPE_CHECKING:
    from ..connection import Connection

__all__ = ["describe_sign_in"]


def describe_sign_in(con: Connection) -> list[str]:
    """Lines saying who is signed in; asks Graph (`/me`) so a stale or revoked sign-in shows as an error."""
    ctx = con.procedure_context
    tokens, props = ctx.tokens, ctx.props
    if tokens.app_only:
        tokens.get_token()
        return [
            f"App {props['OAuthClientId'] or '(managed identity)'} (application permissions, no user)",
            f"Tenant: {props['AzureTenant']}",
        ]
    me = ctx.graph.get_json("/me", params={"$select": "displayName,userPrincipalName,id"})
    name = me.get("userPrincipalName") or me.get("id")
    lines = [f"{name} ({me['displayName']})" if me.get("displayName") else str(name)]
    if isinstance(tokens, DelegatedProvider):
        lines.append(f"Tenant: {tokens.account_tenant() or props['AzureTenant']}")
        lines.append(f"Tokens: {tokens.store.location}")
    else:
        lines.append(f"Tenant: {props['AzureTenant']}")
        lines.append("Tokens: OAuthAccessToken from the connection string (never refreshed)")
    return lines
