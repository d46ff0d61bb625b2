"""Identity half of the emulator: the Microsoft identity platform v2.0 endpoints msal talks to.

Discovery and JWKS live here; /authorize and the pages in `identity_authorize`, /token and /devicecode in
`identity_token`, shared records and checks in `identity_flows`, error shapes in `identity_errors`.
Managed identity is served in App Service's flavour at `/msi/token` (IDENTITY_ENDPOINT), guarded by the
secret `state.identity["msi_header"]` (IDENTITY_HEADER).
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import identity_authorize as authz
from . import identity_token
from .identity_errors import IdentityError, error_body
from .identity_flows import graph_resource, resolve_tenant
from .identity_pages import message_page
from .state import EmulatorState

__all__ = ["routes"]

_SPECIAL = ("common", "organizations", "consumers")
_MSI_API_VERSION = "2019-08-01"


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def _tenant_error(state: EmulatorState, request: Request, exc: IdentityError) -> Response:
    # The discovery endpoint names this error invalid_tenant (the token endpoint says invalid_request).
    body = error_body("invalid_tenant", exc.code, exc.message, request, state.authority_host)
    return JSONResponse(body, status_code=400, headers={"Access-Control-Allow-Origin": "*"})


async def openid_configuration(request: Request) -> Response:
    """GET /{tenant}/v2.0/.well-known/openid-configuration (keys and order as in A8)."""
    state = _state(request)
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
    state = _state(request)
    try:
        resolve_tenant(state, request.path_params["tenant"])
    except IdentityError as exc:
        return _tenant_error(state, request, exc)
    issuer = f"{state.authority_host}/{{tenantid}}/v2.0"
    return JSONResponse(
        {"keys": [state.key.jwk(issuer)]},
        headers={"Cache-Control": "max-age=86400, private", "Access-Control-Allow-Origin": "*"},
    )


def _msi_error(status: int, message: str) -> Response:
    return JSONResponse(
        {"statusCode": status, "message": message, "correlationId": str(uuid.uuid4())}, status_code=status
    )


async def msi_token(request: Request) -> Response:
    """GET /msi/token: App Service's managed-identity endpoint (api-version 2019-08-01)."""
    state = _state(request)
    sent = request.headers.get("x-identity-header", "")
    if not sent or not secrets.compare_digest(
        sent.encode(), str(state.identity.get("msi_header", "")).encode()
    ):
        # [U] App Service's wording; the shape {statusCode, message, correlationId} is what msal reads.
        return _msi_error(400, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.")
    params = request.query_params
    if params.get("api-version") != _MSI_API_VERSION:
        return _msi_error(
            400,
            f"The api-version '{params.get('api-version', '')}' is not supported; use {_MSI_API_VERSION}.",
        )
    resource = params.get("resource", "")
    if not resource:
        return _msi_error(400, "The resource parameter is required.")
    if not graph_resource(resource.rstrip("/").removesuffix("/.default"), state):
        # msal notes that a wrong resource gets a vague 500 from App Service.
        return _msi_error(
            500, f"AADSTS500011: The resource principal named {resource} was not found in the tenant."
        )
    directory = state.directory
    wanted = params.get("client_id") or directory.confidential_client_id
    app = directory.apps.get(wanted.lower())
    if app is None or app.public or params.get("object_id") or params.get("mi_res_id"):
        return _msi_error(
            400,
            "No User Assigned or Delegated Managed Identity found for specified "
            "ClientId/ResourceId/PrincipalId.",
        )
    token = identity_token.app_only_token(state, app, directory.tenant.id)
    return JSONResponse(
        {
            "access_token": token,
            "expires_on": str(int(time.time()) + state.config.access_token_lifetime),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": app.client_id,
        }
    )


async def error_info(request: Request) -> Response:
    """GET /error?code=n: the page error_uri points at."""
    code = request.query_params.get("code", "")
    return message_page(f"AADSTS{code}", f"Error code AADSTS{code}. See the error_description you received.")


async def device_decision(request: Request) -> Response:
    """POST /_emulator/devicecodes/{user_code}/approve|decline."""
    if request.path_params["decision"] not in ("approve", "decline"):
        return JSONResponse({"error": "use /approve or /decline"}, status_code=404)
    return await authz.admin_device_decision(request)


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The identity platform's routes (plus the device-code admin routes)."""
    state.identity.setdefault("msi_header", secrets.token_hex(16))
    state.identity["msi_endpoint"] = f"{state.base_url}/msi/token"
    oauth = "/{tenant}/oauth2/v2.0"
    return [
        Route("/_emulator/devicecodes/{user_code}/{decision}", device_decision, methods=["POST"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", jwks, methods=["GET"]),
        Route(f"{oauth}/authorize", authz.authorize, methods=["GET", "POST"]),
        Route(f"{oauth}/token", identity_token.token, methods=["GET", "POST"]),
        Route(f"{oauth}/devicecode", identity_token.devicecode, methods=["POST"]),
        Route(f"{oauth}/logout", authz.logout, methods=["GET", "POST"]),
        Route("/{tenant}/login", authz.login, methods=["POST"]),
        Route("/{tenant}/consent", authz.consent, methods=["POST"]),
        Route("/{tenant}/adminconsent", authz.adminconsent, methods=["GET"]),
        Route("/devicelogin", authz.devicelogin, methods=["GET", "POST"]),
        Route("/msi/token", msi_token, methods=["GET"]),
        Route("/error", error_info, methods=["GET"]),
    ]
