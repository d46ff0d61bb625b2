"""The web app's settings, read from the environment (WEBAPP_*), or made for the o365sql emulator."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:
    from o365sql.emulator import Emulator

__all__ = ["Settings"]

# Only what the pages need: the user's profile, mail and calendar (read-only). msal adds openid, profile and
# offline_access (for the refresh token) itself.
SCOPE = "User.Read Mail.Read Calendars.Read"


@dataclass(frozen=True)
class Settings:
    """The app registration and where the identity platform and Graph are."""

    client_id: str
    client_secret: str
    tenant: str
    redirect_uri: str = ""  # empty: http://localhost:PORT/callback once the port is known
    authority_host: str = "https://login.microsoftonline.com"
    graph_url: str = ""  # empty: the driver's default (Graph v1.0 of the tenant's cloud)
    ca_cert: str = ""  # an extra CA to trust (the emulator's)
    host: str = "127.0.0.1"
    port: int = 8000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings | None:
        """Settings from WEBAPP_* variables; None when WEBAPP_CLIENT_ID is not set (use the emulator)."""
        if not environ.get("WEBAPP_CLIENT_ID"):
            return None
        secret = environ.get("WEBAPP_CLIENT_SECRET", "")
        if not secret:
            raise SystemExit("WEBAPP_CLIENT_SECRET is not set: a web app signs in with its client secret")
        return cls(
            client_id=environ["WEBAPP_CLIENT_ID"],
            client_secret=secret,
            tenant=environ.get("WEBAPP_TENANT", "organizations"),
            redirect_uri=environ.get("WEBAPP_REDIRECT_URI", ""),
            authority_host=environ.get("WEBAPP_AUTHORITY_HOST", cls.authority_host),
            graph_url=environ.get("WEBAPP_GRAPH_URL", ""),
            ca_cert=environ.get("WEBAPP_CA_CERT", ""),
            host=environ.get("WEBAPP_HOST", cls.host),
            port=int(environ.get("WEBAPP_PORT", cls.port)),
        )

    @classmethod
    def for_emulator(cls, emulator: Emulator, environ: Mapping[str, str] = os.environ) -> Settings:
        """The emulator's registered web app (a confidential client with loopback redirect URIs)."""
        return cls(
            client_id=emulator.app_client_id,
            client_secret=emulator.app_client_secret,
            tenant=emulator.tenant_id,
            authority_host=emulator.authority_host,
            graph_url=emulator.graph_url,
            ca_cert=emulator.ca_cert,
            host=environ.get("WEBAPP_HOST", cls.host),
            port=int(environ.get("WEBAPP_PORT", cls.port)),
        )

    def with_port(self, port: int) -> Settings:
        """The settings once the server has its port (fills in the default redirect URI)."""
        return replace(self, port=port, redirect_uri=self.redirect_uri or f"http://localhost:{port}/callback")

    @property
    def home_url(self) -> str:
        """The app's home page: the root of the redirect URI's origin."""
        parts = urlsplit(self.redirect_uri)
        return f"{parts.scheme}://{parts.netloc}/"

    @property
    def callback_path(self) -> str:
        """The path the identity platform sends the browser back to."""
        return urlsplit(self.redirect_uri).path or "/callback"

    def connection_properties(self) -> dict[str, Any]:
        """o365sql connection properties shared by every user of the app (tokens come per user)."""
        props: dict[str, Any] = {
            "AuthScheme": "AzureAD",
            "AzureTenant": self.tenant,
            "OAuthClientId": self.client_id,
            "OAuthClientSecret": self.client_secret,
            "CallbackURL": self.redirect_uri,
            "AuthorityHost": self.authority_host,
            "Scope": SCOPE,
        }
        if self.graph_url:
            props["GraphURL"] = self.graph_url
        if self.ca_cert:
            props["SSLServerCert"] = self.ca_cert
        return props

    def logout_url(self) -> str:
        """The identity platform's sign-out page, which sends the browser back to the app's home page."""
        query = urlencode({"post_logout_redirect_uri": self.home_url, "client_id": self.client_id})
        return f"{self.authority_host.rstrip('/')}/{self.tenant}/oauth2/v2.0/logout?{query}"
