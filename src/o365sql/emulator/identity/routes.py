"""The identity half's route table: every identity platform endpoint and the handler that answers it."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from ..state import EmulatorState
from . import discovery, interactive, msi, token_endpoint

__all__ = ["routes"]

_OAUTH = "/{tenant}/oauth2/v2.0"


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The identity platform's routes (plus the device-code admin routes)."""
    state.identity.msi_endpoint = f"{state.base_url}{msi.MSI_PATH}"
    return [
        Route(
            "/_emulator/devicecodes/{user_code}/{decision}",
            interactive.admin_device_decision,
            methods=["POST"],
        ),
        Route(
            "/{tenant}/v2.0/.well-known/openid-configuration", discovery.openid_configuration, methods=["GET"]
        ),
        Route("/{tenant}/discovery/v2.0/keys", discovery.jwks, methods=["GET"]),
        Route(f"{_OAUTH}/authorize", interactive.authorize, methods=["GET", "POST"]),
        Route(f"{_OAUTH}/token", token_endpoint.token, methods=["GET", "POST"]),
        Route(f"{_OAUTH}/devicecode", token_endpoint.devicecode, methods=["POST"]),
        Route(f"{_OAUTH}/logout", interactive.logout, methods=["GET", "POST"]),
        Route("/{tenant}/login", interactive.login, methods=["POST"]),
        Route("/{tenant}/consent", interactive.consent, methods=["POST"]),
        Route("/{tenant}/adminconsent", interactive.adminconsent, methods=["GET"]),
        Route("/devicelogin", interactive.devicelogin, methods=["GET", "POST"]),
        Route(msi.MSI_PATH, msi.msi_token, methods=["GET"]),
        Route("/error", discovery.error_info, methods=["GET"]),
    ]
