"""Managed identity in App Service's flavour: `GET /msi/token`, guarded by the IDENTITY_HEADER secret."""

from __future__ import annotations

import secrets
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..state import state_of
from .issuing import app_only_token
from .scopes import graph_resource

__all__ = ["MSI_PATH", "msi_token"]

MSI_PATH = "/msi/token"
_MSI_API_VERSION = "2019-08-01"


def _msi_error(status: int, message: str) -> Response:
    return JSONResponse(
        {"statusCode": status, "message": message, "correlationId": str(uuid.uuid4())}, status_code=status
    )


async def msi_token(request: Request) -> Response:
    """GET /msi/token: App Service's managed-identity endpoint (api-version 2019-08-01)."""
    state = state_of(request)
    sent = request.headers.get("x-identity-header", "")
    if not sent or not secrets.compare_digest(sent.encode(), state.identity.msi_header.encode()):
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
    token = app_only_token(state, app, directory.tenant.id)
    return JSONResponse(
        {
            "access_token": token,
            "expires_on": str(int(state.clock.time()) + state.config.access_token_lifetime),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": app.client_id,
        }
    )
