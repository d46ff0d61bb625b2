"""What every flow shares: msal applications over our HTTP adapter, error mapping, log redaction."""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import msal

from .._logging import RedactingFilter
from ..errors import AuthenticationError, Error, OperationalError, error_from_identity_response, redact
from ..properties import Properties
from ._msal_http import MsalHttpAdapter
from ._scopes import DEFAULT_CLIENT_ID, authority_url, prop, tenant_of

__all__ = [
    "DEFAULT_CALLBACK_TIMEOUT",
    "OAuthApp",
    "account_key",
    "call_msal",
    "callback_timeout_of",
    "callback_url_of",
    "home_account_id",
    "identity_error",
    "install_log_redaction",
    "timeout_of",
]

DEFAULT_CALLBACK_TIMEOUT = 300.0  # seconds a person gets to finish signing in


# -- logging: msal's DEBUG output includes the authorization code and PKCE verifier --------------------------


_redaction_installed: set[str] = set()
_redaction_lock = threading.Lock()


def install_log_redaction() -> None:
    """Put a redacting filter on every msal logger (filters on a parent logger do not reach its children)."""
    with _redaction_lock:
        names = [n for n in list(logging.Logger.manager.loggerDict) if n == "msal" or n.startswith("msal.")]
        for name in ["msal", "msal_extensions", *names]:
            if name not in _redaction_installed:
                logging.getLogger(name).addFilter(RedactingFilter())
                _redaction_installed.add(name)


# -- errors --------------------------------------------------------------------------------------------------


def identity_error(result: Mapping[str, Any] | None, advice: str = "") -> AuthenticationError:
    err = error_from_identity_response(None, dict(result or {}))
    if advice:
        err = AuthenticationError(
            f"{err.message.rstrip('.')}. {advice}",
            code=err.code,
            status=err.status,
            request_id=err.request_id,
            aadsts=err.aadsts,
            correlation_id=err.correlation_id,
        )
    return err


def call_msal(what: str, func: Callable[[], Any]) -> Any:
    """Run an msal call, turning its exceptions into DB-API errors that say what to do."""
    try:
        return func()
    except Error:
        raise
    except msal.exceptions.MsalServiceError as exc:
        raise OperationalError(
            f"{what}: the identity platform failed ({redact(str(exc))[:200]}); try again later"
        ) from None
    except ValueError as exc:
        text = redact(str(exc))
        if "authority" in text.lower() or "openid-configuration" in text.lower():
            raise AuthenticationError(
                f"{what}: the identity platform has no tenant there; check AzureTenant (your tenant's domain "
                "or directory id, or 'common') and AuthorityHost",
                code="invalid_tenant",
            ) from None
        raise AuthenticationError(f"{what}: {text[:300]}") from None
    except RuntimeError as exc:  # e.g. msal's nonce check on the id_token
        raise AuthenticationError(
            f"{what}: the sign-in response failed msal's checks ({redact(str(exc))[:200]})"
        ) from None


# -- msal applications ---------------------------------------------------------------------------------------


def timeout_of(props: Properties) -> float | None:
    value = prop(props, "Timeout", 60)
    return float(value) if value else None


class OAuthApp:
    """The msal application settings of one connection: client id, credential, authority, HTTP adapter."""

    def __init__(self, props: Properties, http: httpx.Client) -> None:
        self.props = props
        self.client_id = str(prop(props, "OAuthClientId", "") or DEFAULT_CLIENT_ID)
        self.secret: str | None = prop(props, "OAuthClientSecret", None)
        self.authority = authority_url(props)
        self.tenant = tenant_of(props)
        self.adapter = MsalHttpAdapter(http, timeout=timeout_of(props))
        install_log_redaction()

    def build(
        self,
        cache: msal.TokenCache | None,
        *,
        public: bool | None = None,
        credential: Any = None,
    ) -> Any:
        """A msal app (tenant discovery is its first network request); public unless a credential is known."""
        credential = credential if credential is not None else self.secret
        use_public = public if public is not None else credential is None
        kwargs: dict[str, Any] = {
            "authority": self.authority,
            "http_client": self.adapter,
            "token_cache": cache if cache is not None else msal.SerializableTokenCache(),
            # No instance discovery: it would call login.microsoftonline.com even for another AuthorityHost
            # (national clouds, the emulator); the tenant's own discovery document is still read.
            "instance_discovery": False,
            "app_name": "o365sql",
        }
        if use_public:
            return call_msal("Sign-in setup", lambda: msal.PublicClientApplication(self.client_id, **kwargs))
        return call_msal(
            "Sign-in setup",
            lambda: msal.ConfidentialClientApplication(
                self.client_id, client_credential=credential, **kwargs
            ),
        )

    def __repr__(self) -> str:
        return f"<OAuthApp client_id={self.client_id} authority={self.authority}>"


def account_key(client_id: str) -> str:
    """The settings-store metadata key naming the account an app last signed in as."""
    return f"account:{client_id}"


def callback_url_of(props: Properties, given: str | None = None) -> str:
    return str(given or prop(props, "CallbackURL", "http://localhost:33333"))


def callback_timeout_of(props: Properties, given: float | None) -> float:
    if given is not None:
        return float(given)
    value = prop(props, "OAuthTimeout", None)
    return float(value) if value else DEFAULT_CALLBACK_TIMEOUT


def home_account_id(result: Mapping[str, Any]) -> str | None:
    info = result.get("client_info")
    if isinstance(info, str) and info:
        try:
            data = _b64json(info)
            return f"{data['uid']}.{data['utid']}"
        except (ValueError, KeyError, TypeError):
            pass
    claims = result.get("id_token_claims") or {}
    sub = claims.get("sub") if isinstance(claims, Mapping) else None
    return str(sub) if sub else None


def _b64json(text: str) -> Any:
    padded = text + "=" * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode()))
