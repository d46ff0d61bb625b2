"""Who is asking: the path tenant, the registered app, its redirect URIs and its credential."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any
from urllib.parse import unquote, urlsplit

import jwt
from cryptography import x509
from starlette.requests import Request

from ..directory import App
from ..state import EmulatorState
from .errors import IdentityError

__all__ = [
    "ASSERTION_TYPE",
    "authenticate_client",
    "client_id_of",
    "find_app",
    "missing_parameter",
    "redirect_matches",
    "resolve_tenant",
]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def resolve_tenant(state: EmulatorState, tenant: str) -> str:
    """The path tenant resolved, or AADSTS90002."""
    key = state.directory.resolve_tenant(tenant)
    if key is None:
        raise IdentityError(
            "invalid_request",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
            "into the correct cloud. Check with your subscription administrator, this may happen if there "
            "are no active subscriptions for the tenant.",
        )
    return key


def find_app(state: EmulatorState, client_id: str, tenant: str) -> App:
    """The registered app, or AADSTS700016 (unauthorized_client)."""
    app = state.directory.apps.get(client_id.strip().lower())
    if app is None:
        raise IdentityError(
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can "
            "happen if the application has not been installed by the administrator of the tenant or "
            "consented to by any user in the tenant. You may have sent your authentication request to the "
            "wrong tenant.",
        )
    return app


def _is_loopback(host: str | None) -> bool:
    return (host or "").lower() in ("localhost", "127.0.0.1")


def redirect_matches(registered: list[str], candidate: str) -> bool:
    """Exact match, except that the port is ignored for http://localhost and http://127.0.0.1 (RFC 8252)."""
    if candidate in registered:
        return True
    try:
        want = urlsplit(candidate)
        _ = want.port  # a malformed port never matches
    except ValueError:
        return False
    for uri in registered:
        have = urlsplit(uri)
        if not (want.scheme == have.scheme == "http" and _is_loopback(want.hostname)):
            continue
        # The host itself must match (localhost is not 127.0.0.1); the path exactly and case-sensitively.
        # An empty path and "/" are the same resource [U].
        if (
            (want.hostname or "").lower() == (have.hostname or "").lower()
            and (want.path or "/") == (have.path or "/")
            and want.query == have.query
        ):
            return True
    return False


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    # RFC 6749 section 2.3.1: both halves are form-urlencoded before joining.
    return unquote(user.replace("+", " ")), unquote(password.replace("+", " "))


def client_id_of(request: Request, form: dict[str, str]) -> str:
    """client_id from the body, else from HTTP Basic; AADSTS900144 when absent."""
    cid = form.get("client_id", "")
    if not cid:
        basic = _basic_credentials(request)
        cid = basic[0] if basic else ""
    if not cid:
        raise missing_parameter("client_id")
    return cid


def missing_parameter(name: str) -> IdentityError:
    """AADSTS900144 for a missing required parameter."""
    return IdentityError(
        "invalid_request", 900144, f"The request body must contain the following parameter: '{name}'."
    )


def authenticate_client(
    state: EmulatorState, request: Request, form: dict[str, str], tenant_path: str, tenant_key: str
) -> App:
    """Identify the client and check its credential (secret in body or HTTP Basic, or a certificate JWT)."""
    cid = client_id_of(request, form)
    app = find_app(state, cid, tenant_path)
    basic = _basic_credentials(request)
    secret = form.get("client_secret") or (basic[1] if basic and basic[0].lower() == app.client_id else None)
    assertion = form.get("client_assertion")
    if app.public:
        if secret or assertion:
            raise IdentityError(
                "invalid_client",
                700025,
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
            )
        return app
    if assertion:
        _check_assertion(state, app, form, assertion, tenant_path, tenant_key)
        return app
    if not secret:
        raise IdentityError(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    if not any(hmac.compare_digest(secret.encode(), s.encode()) for s in app.secrets):
        raise IdentityError(
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client "
            f"secret value, not the client secret ID, for a secret added to app '{app.client_id}'.",
        )
    return app


def _check_assertion(
    state: EmulatorState, app: App, form: dict[str, str], assertion: str, tenant_path: str, tenant_key: str
) -> None:
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise IdentityError(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_assertion_type'.",
        )
    if not app.certificate_pem:
        raise IdentityError(
            "invalid_client",
            700027,
            "Client assertion contains an invalid signature. [Reason - The key was not found.]",
        )
    base = state.authority_host
    audiences = {
        f"{base}/{t}/oauth2/v2.0/token"
        for t in (tenant_path, tenant_key, state.directory.tenant.domain, state.directory.tenant.id)
    }
    public_key = x509.load_pem_x509_certificate(app.certificate_pem.encode()).public_key()
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            public_key,  # type: ignore[arg-type]
            algorithms=["RS256", "PS256"],
            audience=list(audiences),
            options={"require": ["exp", "aud", "iss"]},
            leeway=300,
        )
    except jwt.ExpiredSignatureError:
        raise IdentityError(
            "invalid_client", 700024, "Client assertion is not within its valid time range."
        ) from None
    except jwt.InvalidAudienceError:
        # [U] the exact code for a wrong audience; the message follows Entra ID's wording.
        raise IdentityError(
            "invalid_client",
            700027,
            "Client assertion failed signature validation. [Reason - The audience claim is not the token "
            "endpoint.]",
        ) from None
    except jwt.PyJWTError:
        raise IdentityError(
            "invalid_client",
            700027,
            "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of "
            f"key used by client: '{_thumbprint_hint(assertion)}']",
        ) from None
    if claims.get("iss") != app.client_id or claims.get("sub", app.client_id) != app.client_id:
        raise IdentityError(
            "invalid_client",
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        )


def _thumbprint_hint(assertion: str) -> str:
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        return ""
    x5t = str(header.get("x5t") or header.get("x5t#S256") or "")
    try:
        return base64.urlsafe_b64decode(x5t + "=" * (-len(x5t) % 4)).hex().upper()
    except (binascii.Error, ValueError):
        return ""
