"""OpenID Connect discovery, the signing keys (JWKS) and the page `error_uri` points at."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..state import EmulatorState, state_of
from .clients import resolve_tenant
from .errors import IdentityError, error_body
from .pages import message_page

__all__ = ["error_info", "jwks", "openid_configuration"]

_SPECIAL = ("common", "organizations", "consumers")


def _tenant_error(state: EmulatorState, request: Request, exc: IdentityError) -> Response:
    # The discovery endpoint names this error invalid_tenant (the token endpoint says invalid_request).
    body = error_body("invalid_tenant", exc.code, exc.message, request)
    return JSONResponse(body, status_code=400, headers={"Access-Control-Allow-Origin": "*"})


async def openid_configuration(request: Request) -> Response:
    """GET /{tenant}/v2.0/.well-known/openid-configuration (keys and order as in A8)."""
    state = state_of(request)
    tenant = request.path_params["tenant"]
    try:
        key = resolve_tenant(state, tenant)
    except IdentityError as exc:
        return _tenant_error(state, request, exc)
    host = state.authority_host
    # Special tenants keep their name in the endpoints and get the issuer template; others the tenant GUID.
    path = tenant.lower() if key in _SPECIAL else key
    issuer = f"{host}/{{tenantid}}/v2.0" if key in _SPECIAL else f"{host}/{key}/v2.0"
    base = f"{host}/{path}"
    hostname = host.split("://", 1)[-1]
    body: dict[str, Any] = {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{host}/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub",
            "iss",
            "cloud_instance_name",
            "cloud_instance_host_name",
            "cloud_graph_host_name",
            "msgraph_host",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "acr",
            "nonce",
            "preferred_username",
            "name",
            "tid",
            "ver",
            "at_hash",
            "c_hash",
            "email",
        ],
        "kerberos_endpoint": f"{base}/kerberos",
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": hostname,
        "rbac_url": "https://pas.windows.net",
    }
    headers = {"Cache-Control": "max-age=86400, private", "Access-Control-Allow-Origin": "*"}
    return JSONResponse(body, headers=headers)


async def jwks(request: Request) -> Response:
    """GET /{tenant}/discovery/v2.0/keys."""
    state = state_of(request)
    try:
        resolve_tenant(state, request.path_params["tenant"])
    except IdentityError as exc:
        return _tenant_error(state, request, exc)
    issuer = f"{state.authority_host}/{{tenantid}}/v2.0"
    return JSONResponse(
        {"keys": [state.key.jwk(issuer)]},
        headers={"Cache-Control": "max-age=86400, private", "Access-Control-Allow-Origin": "*"},
    )


async def error_info(request: Request) -> Response:
    """GET /error?code=n: the page error_uri points at."""
    code = request.query_params.get("code", "")
    return message_page(f"AADSTS{code}", f"Error code AADSTS{code}. See the error_description you received.")
