"""App-only sign-in: client credentials (secret or certificate) and managed identity."""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from typing import Any

import httpx
import msal

from ..errors import OperationalError, ProgrammingError
from ..properties import Properties
from ._common import OAuthApp, call_msal, identity_error, install_log_redaction, timeout_of
from ._msal_http import MsalHttpAdapter
from ._scopes import app_only_scopes, prop

__all__ = ["ClientCredentialsProvider", "ManagedIdentityProvider", "load_certificate"]


# -- app-only ------------------------------------------------------------------------------------------------


def load_certificate(props: Properties) -> dict[str, str]:
    """msal's client_credential for OAuthJWTCert (PEM or PFX, file or text): key + SHA-1 thumbprint."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    value = str(prop(props, "OAuthJWTCert", ""))
    kind = str(prop(props, "OAuthJWTCertType", "AUTO")).upper()
    password_text = prop(props, "OAuthJWTCertPassword", None)
    password = str(password_text).encode() if password_text else None
    if not value:
        raise ProgrammingError("OAuthJWTCert is empty: give the app's certificate with its private key")
    data: bytes
    if kind in ("PEMKEY_BLOB",) or (kind == "AUTO" and "-----BEGIN" in value):
        data, kind = value.encode(), "PEM"
    elif kind == "PFXBLOB":
        try:
            data, kind = base64.b64decode(value), "PFX"
        except ValueError:
            raise ProgrammingError("OAuthJWTCert: OAuthJWTCertType=PFXBLOB needs base64 text") from None
    else:
        path = Path(value).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ProgrammingError(
                f"OAuthJWTCert: cannot read the certificate file {str(path)!r} ({exc.strerror or exc})"
            ) from None
        if kind == "AUTO":
            kind = "PEM" if b"-----BEGIN" in data else "PFX"
        elif kind == "PEMKEY_FILE":
            kind = "PEM"
        else:
            kind = "PFX"
    try:
        if kind == "PEM":
            key = serialization.load_pem_private_key(data, password)
            certs = x509.load_pem_x509_certificates(data)
            public = key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            matching = [
                c
                for c in certs
                if c.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                == public
            ]
            cert = (matching or certs)[0]
        else:
            pfx_key, pfx_cert, _ = pkcs12.load_key_and_certificates(data, password)
            if pfx_key is None or pfx_cert is None:
                raise ValueError("the PFX file needs both the private key and the certificate")
            key, cert = pfx_key, pfx_cert
    except (ValueError, TypeError, IndexError) as exc:
        reason = (
            "a wrong or missing OAuthJWTCertPassword" if "password" in str(exc).lower() else "no key+cert"
        )
        raise ProgrammingError(
            f"OAuthJWTCert: cannot load a private key and its certificate ({reason}); give a PEM file with "
            "both (or a PFX file) and OAuthJWTCertPassword if the key is encrypted"
        ) from None
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()  # x5t is SHA-1 (RS256 assertion)
    return {"private_key": key_pem, "thumbprint": thumbprint}


class ClientCredentialsProvider:
    """App-only tokens (client credentials): a client secret or a certificate; scope `{resource}/.default`."""

    app_only = True

    def __init__(self, props: Properties, http: httpx.Client) -> None:
        self._oauth = OAuthApp(props, http)
        if not prop(props, "OAuthClientId", None):
            raise ProgrammingError("App-only sign-in needs OAuthClientId: the app registration's client id")
        scheme = str(prop(props, "AuthScheme", "AzureAD"))
        self._credential: Any
        if scheme == "AzureServicePrincipalCert" or (not self._oauth.secret and prop(props, "OAuthJWTCert")):
            self._credential = load_certificate(props)
            self._kind = "certificate"
        elif self._oauth.secret:
            self._credential = self._oauth.secret
            self._kind = "secret"
        else:
            raise ProgrammingError(
                "App-only sign-in needs OAuthClientSecret (AuthScheme=AzureServicePrincipal) or "
                "OAuthJWTCert (AuthScheme=AzureServicePrincipalCert)"
            )
        self._scopes = app_only_scopes(props)
        self._lock = threading.Lock()
        self._app: Any = None

    def get_token(self, *, force_refresh: bool = False) -> str:
        """An app-only access token (cached by msal until 5 minutes before it expires)."""
        with self._lock:
            if self._app is None:
                self._app = self._oauth.build(msal.TokenCache(), public=False, credential=self._credential)
            app = self._app
            if force_refresh:
                app.remove_tokens_for_client()
            result = call_msal("App-only sign-in", lambda: app.acquire_token_for_client(self._scopes))
            if "access_token" not in result:
                raise identity_error(
                    result,
                    f"App-only sign-in with a client {self._kind} failed; check OAuthClientId, the "
                    f"{'OAuthClientSecret' if self._kind == 'secret' else 'OAuthJWTCert'} and AzureTenant, "
                    "and that an admin granted the app its Graph application permissions",
                )
            return str(result["access_token"])

    def __repr__(self) -> str:
        return f"<ClientCredentialsProvider {self._kind} {self._oauth!r}>"


class ManagedIdentityProvider:
    """AuthScheme=AzureMSI: msal's ManagedIdentityClient (system-assigned, or user-assigned by client id)."""

    app_only = True

    def __init__(self, props: Properties, http: httpx.Client) -> None:
        client_id = prop(props, "OAuthClientId", None)
        self._identity: Any = (
            msal.UserAssignedManagedIdentity(client_id=client_id)
            if client_id
            else msal.SystemAssignedManagedIdentity()
        )
        timeout = timeout_of(props)
        # The VM endpoint (169.254.169.254) simply does not answer off Azure: fail fast there.
        self._adapter = MsalHttpAdapter(
            http, timeout=httpx.Timeout(timeout, connect=min(timeout or 5.0, 5.0))
        )
        # Scope (`{resource}/.default`) may name the resource; else GraphURL's origin.
        self._resource = app_only_scopes(props)[0].removesuffix("/.default")
        self._lock = threading.Lock()
        self._client: Any = None
        install_log_redaction()

    def get_token(self, *, force_refresh: bool = False) -> str:
        """A token for the Graph resource from the platform's managed-identity endpoint."""
        with self._lock:
            if self._client is None or force_refresh:
                self._client = msal.ManagedIdentityClient(
                    self._identity, http_client=self._adapter, token_cache=msal.TokenCache()
                )
            client = self._client
            try:
                result = call_msal(
                    "Managed identity sign-in",
                    lambda: client.acquire_token_for_client(resource=self._resource),
                )
            except OperationalError as exc:
                raise OperationalError(
                    f"{exc.message}. AuthScheme=AzureMSI works only where Azure provides a managed identity "
                    "(App Service/Functions: IDENTITY_ENDPOINT and IDENTITY_HEADER; VMs: the instance "
                    "metadata service)"
                ) from None
            if "access_token" not in result:
                raise identity_error(
                    result,
                    "Managed identity sign-in failed; check the identity is assigned (and OAuthClientId)",
                )
            return str(result["access_token"])

    def __repr__(self) -> str:
        return f"<ManagedIdentityProvider resource={self._resource}>"
