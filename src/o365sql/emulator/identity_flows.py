"""The identity half's shared machinery: pending flows, scope parsing, client checks and token responses."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import jwt
from cryptography import x509
from starlette.requests import Request

from .directory import DELEGATED_PERMISSIONS, GRAPH_APP_ID, App, User, stable_guid
from .identity_errors import IdentityError
from .state import EmulatorState

__all__ = [
    "OIDC_SCOPES",
    "AuthCode",
    "DeviceCode",
    "Pending",
    "ScopeRequest",
    "Session",
    "authenticate_client",
    "b64url_json",
    "delegated_token_response",
    "find_app",
    "granted_delegated",
    "graph_resource",
    "parse_scopes",
    "prune",
    "redirect_matches",
    "resolve_tenant",
    "store",
]

OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
_GRAPH_PERMS = {p.lower(): p for p in DELEGATED_PERMISSIONS if p not in OIDC_SCOPES}
_GRAPH_HOSTS = (
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
    GRAPH_APP_ID,
)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ID_TOKEN_LIFETIME = 3600


# -- records ------------------------------------------------------------------------------------------------
@dataclass
class Session:
    """A browser's signed-in session (the cookie `emu_session` names it)."""

    user_id: str
    auth_time: int


@dataclass
class Pending:
    """An interactive request waiting for the user: sign-in, then consent."""

    kind: str  # "authorize" | "device" | "adminconsent"
    tenant_path: str  # the {tenant} segment as sent
    tenant_key: str  # resolved: a tenant id or common/organizations/consumers
    client_id: str
    params: dict[str, str]
    scopes: ScopeRequest | None
    user_id: str | None = None
    auth_time: int = 0
    device_code: str | None = None
    created: float = field(default_factory=time.time)


@dataclass
class AuthCode:
    """An issued authorization code and everything it is bound to."""

    client_id: str
    redirect_uri: str
    tenant_key: str
    user_id: str
    scopes: ScopeRequest
    granted: list[str]
    nonce: str | None
    challenge: str | None
    challenge_method: str
    issued_at: float
    auth_time: int
    max_age_sent: bool
    session_id: str | None
    redeemed: bool = False


@dataclass
class DeviceCode:
    """A device-code flow: pending until approved or declined at /devicelogin (or the admin route)."""

    device_code: str
    user_code: str
    client_id: str
    tenant_key: str
    scopes: ScopeRequest
    issued_at: float
    expires_at: float
    interval: int
    status: str = "pending"  # pending | approved | declined | redeemed
    user_id: str | None = None
    granted: list[str] = field(default_factory=list)
    last_poll: float | None = None


def store(state: EmulatorState, name: str) -> dict[str, Any]:
    """One of the identity dicts in `state.identity` (codes, devices, user_codes, pending, sessions)."""
    table: dict[str, Any] = state.identity.setdefault(name, {})
    return table


def prune(state: EmulatorState) -> None:
    """Forget codes, device codes and abandoned sign-ins well past their lifetimes (long runs, benchmarks)."""
    now = time.time()
    codes = store(state, "codes")
    for key in [k for k, c in codes.items() if now - c.issued_at > state.config.code_lifetime + 3600]:
        del codes[key]
    devices = store(state, "devices")
    user_codes = store(state, "user_codes")
    for key in [k for k, d in devices.items() if now > d.expires_at + 3600]:
        user_codes.pop(devices.pop(key).user_code, None)
    pending = store(state, "pending")
    for key in [k for k, p in pending.items() if now - p.created > 3600]:
        del pending[key]


def b64url_json(data: dict[str, Any]) -> str:
    """base64url (no padding) of compact JSON: the client_info encoding."""
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# -- tenants, apps, redirect URIs ---------------------------------------------------------------------------
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


# -- scopes -------------------------------------------------------------------------------------------------
@dataclass
class ScopeRequest:
    """A parsed `scope` parameter: OIDC scopes, Graph permissions and .default, as the client wrote them."""

    raw: list[str]
    oidc: list[str]
    graph: list[str]  # canonical permission names asked for explicitly, in request order
    forms: dict[str, str]  # canonical name -> the form the client sent it in
    default_forms: list[str]  # the .default scopes as sent
    other_resources: list[str]

    @property
    def wants_default(self) -> bool:
        """True when a Graph .default scope was asked for."""
        return bool(self.default_forms)

    def default_prefix(self) -> str:
        """How a .default request names Graph permissions when they are echoed back."""
        form = self.default_forms[0]
        if form.lower().startswith("https://"):
            return form[: -len(".default")].rstrip("/") + "/"
        return "https://graph.microsoft.com/" if "/" in form else ""


def graph_resource(resource: str, state: EmulatorState) -> bool:
    """True when a resource id names Graph: its public ids, national clouds, or this emulator's origin."""
    low = resource.lower().rstrip("/")
    own = {state.base_url.lower(), state.graph_url.lower()} if state.base_url else set()
    return low in _GRAPH_HOSTS or low in own


def parse_scopes(text: str, state: EmulatorState) -> ScopeRequest:
    """Parse a scope string; unknown Graph permission names raise invalid_scope AADSTS70011."""
    req = ScopeRequest(raw=text.split(), oidc=[], graph=[], forms={}, default_forms=[], other_resources=[])
    for item in req.raw:
        low = item.lower()
        if low in OIDC_SCOPES:
            if low not in req.oidc:
                req.oidc.append(low)
            continue
        if "/" in item:
            resource, name = item.rsplit("/", 1)
            resource = resource.rstrip("/")
            if not graph_resource(resource, state):
                if resource not in req.other_resources:
                    req.other_resources.append(resource)
                continue
        else:
            name = item
        if name.lower() == ".default":
            req.default_forms.append(item)
            continue
        canonical = _GRAPH_PERMS.get(name.lower())
        if canonical is None:
            raise IdentityError(
                "invalid_scope",
                70011,
                f"The provided value for the input parameter 'scope' is not valid. The scope '{item}' does "
                "not exist on the resource 'https://graph.microsoft.com'.",
            )
        if canonical not in req.forms:
            req.graph.append(canonical)
            req.forms[canonical] = item
    if req.other_resources:
        raise IdentityError(
            "invalid_resource",
            500011,
            f"The resource principal named {req.other_resources[0]} was not found in the tenant named "
            f"{state.directory.tenant.display_name}. This can happen if the application has not been "
            "installed by the administrator of the tenant or consented to by any user in the tenant. You "
            "might have sent your authentication request to the wrong tenant.",
        )
    return req


def consented(state: EmulatorState, user_id: str, app: App) -> set[str]:
    """Delegated permissions the user (or an admin, for everyone) has granted the app."""
    return set(state.directory.consent.get((user_id, app.client_id), set())) | set(app.admin_consented)


def granted_delegated(state: EmulatorState, user_id: str, app: App, req: ScopeRequest) -> list[str]:
    """The Graph permissions one request gets: what it names, plus everything consented for `.default`.

    [U] Entra ID puts every consented permission of the resource into `scp`; the emulator grants exactly what
    the request names (or, for .default, what is consented), so a test's token does not depend on what
    earlier tests consented. `.default` for a never-consented app means the app's configured permissions:
    the emulator's apps are registered with every delegated Graph permission it knows.
    """
    granted = list(req.graph)
    if req.wants_default:
        have = consented(state, user_id, app) or {p for p in _GRAPH_PERMS.values()}
        granted += sorted(p for p in have if p not in granted and p not in OIDC_SCOPES)
    if not granted:
        # [U] Only OIDC scopes: Entra ID still returns a Graph token carrying User.Read.
        granted = ["User.Read"]
    return granted


def needs_consent(state: EmulatorState, user_id: str, app: App, req: ScopeRequest) -> bool:
    """True when the request names a permission the user has not granted yet."""
    have = consented(state, user_id, app)
    wanted = set(req.graph) or ({"User.Read"} if not req.wants_default else set())
    if req.wants_default and not have:
        return True
    return not wanted <= have


def record_consent(state: EmulatorState, user_id: str, app: App, req: ScopeRequest) -> None:
    """Remember what the user granted."""
    grant = state.directory.consent.setdefault((user_id, app.client_id), set())
    grant.update(granted_delegated(state, user_id, app, req))


def scope_echo(req: ScopeRequest, granted: list[str]) -> str:
    """The `scope` field of a token response.

    [U] Entra ID echoes Graph permissions sometimes bare, sometimes fully qualified; the emulator answers in
    the form the client used: `Mail.Read` for `Mail.Read`, `https://graph.microsoft.com/Mail.Read` for that,
    and for `.default` each granted permission with the .default's prefix followed by the .default itself
    (so msal's cache finds the token again when asked for `.default`). OIDC scopes come last as in real
    answers ("profile openid email"); offline_access is not echoed.
    """
    out: list[str] = []
    prefix = req.default_prefix() if req.wants_default else ""
    for perm in granted:
        form = req.forms.get(perm)
        if form is None:
            form = prefix + perm if req.wants_default else perm
        if form not in out:
            out.append(form)
    out += [f for f in req.default_forms if f not in out]
    out += [s for s in ("profile", "openid", "email") if s in req.oidc]
    return " ".join(out)


# -- client authentication ----------------------------------------------------------------------------------
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


# -- token responses ----------------------------------------------------------------------------------------
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
    now = int(time.time())
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


def new_code() -> str:
    """An opaque authorization code in the shape Entra ID's have."""
    return "1.AXoA" + secrets.token_urlsafe(96)


def new_request_id() -> str:
    """A GUID for correlation."""
    return str(uuid.uuid4())
