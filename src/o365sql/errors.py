"""DB-API 2.0 exceptions, and the registry that turns Graph and identity-platform errors into them.

The PEP 249 tree, with the classes Graph and sign-in failures become::

    Exception
     +-- Warning
     +-- Error
          +-- InterfaceError
          +-- DatabaseError
               +-- DataError
               +-- OperationalError
               |    +-- AuthenticationError ............ identity platform (OAuth error / AADSTS code)
               |    |    +-- GraphAuthenticationError .. Graph 401 InvalidAuthenticationToken
               |    +-- ThrottledError ................. 429 after the retries ran out
               |    +-- ServiceUnavailableError ........ 502/503/504 after the retries
               |    +-- QuotaExceededError ............. 507 quotaLimitReached
               |    +-- SyncStateError ................. 410 / resyncRequired (delta tokens)
               |    +-- DependencyFailedError .......... 424 in a $batch
               +-- IntegrityError
               |    +-- ConflictError .................. 409 / 412 nameAlreadyExists, resourceModified
               +-- InternalError
               |    +-- ServerError .................... 500 generalException and other 5xx
               +-- ProgrammingError
               |    +-- InvalidRequestError ............ 400 BadRequest, Request_UnsupportedQuery, ...
               |    +-- PermissionDeniedError .......... 403 ErrorAccessDenied, Authorization_RequestDenied...
               |    +-- NotFoundError .................. 404 ErrorItemNotFound, itemNotFound, ...
               |         +-- InvalidIdError ............ 400 ErrorInvalidIdMalformed (an id that cannot exist)
               +-- NotSupportedError
                    +-- GraphNotSupportedError ......... 501 NotImplemented, notSupported
               +-- GraphError .......................... base of every error Graph answered with

The classes from GraphAuthenticationError down that name an HTTP status also derive from GraphError.

Every exception carries ``code`` (Graph's error code or the OAuth ``error``), ``message`` (what happened and
what to do), ``status`` (HTTP status) and ``request_id`` (Graph's ``request-id`` or the identity platform's
trace id); ``str()`` is the message followed by those details. Messages pass through :func:`redact`, so
tokens, secrets and authorization codes never reach them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "GRAPH_CODES",
    "IDENTITY_AADSTS",
    "IDENTITY_ERRORS",
    "AuthenticationError",
    "ConflictError",
    "DataError",
    "DatabaseError",
    "DependencyFailedError",
    "Error",
    "GraphAuthenticationError",
    "GraphError",
    "GraphNotSupportedError",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "InvalidIdError",
    "InvalidRequestError",
    "NotFoundError",
    "NotSupportedError",
    "OperationalError",
    "PermissionDeniedError",
    "ProgrammingError",
    "QuotaExceededError",
    "ServerError",
    "ServiceUnavailableError",
    "SyncStateError",
    "ThrottledError",
    "Warning",
    "error_from_graph_response",
    "error_from_identity_response",
    "graph_error_class",
    "owner_permission_hint",
    "permission_hint",
    "redact",
]

# ----------------------------------------------------------------------------------------------------
# Secret redaction
# ----------------------------------------------------------------------------------------------------

_SECRET_KEYS = (
    "access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|device_code|code|password|"
    "assertion|oauthaccesstoken|oauthrefreshtoken|oauthclientsecret|oauthverifier|oauthjwtcertpassword|"
    "proxypassword|token"
)
# key=value (query strings, form bodies, connection strings) and "key": "value" (JSON)
_KV_RE = re.compile(rf"(?i)(?<![A-Za-z0-9_])({_SECRET_KEYS})(\s*=\s*)([^&;\s\"',]+)")
# JSON keys: the names above, and any *_token, *secret, *assertion, *verifier (msal's device-code poll, ...)
_JSON_RE = re.compile(
    rf'(?i)("(?:{_SECRET_KEYS}|[a-z_]*_token|[a-z_]*secret|[a-z_]*assertion|[a-z_]*verifier)"\s*:\s*")'
    r'((?:[^"\\]|\\.)*)(")'
)
_BEARER_RE = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+")
# JWTs (three base64url parts, the first starting with eyJ = '{"') wherever they appear
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")
MASK = "********"
# Graph's and OAuth's error codes ("ErrorItemNotFound", "Request_BadRequest", "429"): words or a short number,
# which no authorization code is, so a JSON "code" that looks like one is kept for the reader of the log.
_ERROR_CODE_RE = re.compile(r"(?:[A-Za-z]+(?:[_.][A-Za-z]+)*|\d{1,5})")


def _mask_json(m: re.Match[str]) -> str:
    key = m.group(1).split('"')[1].lower()
    if key == "code" and len(m.group(2)) <= 64 and _ERROR_CODE_RE.fullmatch(m.group(2)):
        return m.group(0)
    return f"{m.group(1)}{MASK}{m.group(3)}"


def redact(text: str) -> str:
    """Mask bearer tokens, JWTs and secret-named values (``code=``, ``"refresh_token": ...``) in text; an
    error code (``"code": "ErrorItemNotFound"``) is kept."""
    text = _BEARER_RE.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _JWT_RE.sub(MASK, text)
    text = _JSON_RE.sub(_mask_json, text)
    return _KV_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


# ----------------------------------------------------------------------------------------------------
# The PEP 249 tree
# ----------------------------------------------------------------------------------------------------


class Warning(Exception):
    """Important warnings, e.g. data truncation (PEP 249)."""


class Error(Exception):
    """Base of every o365sql error (PEP 249); carries ``code``, ``message``, ``status`` and ``request_id``."""

    def __init__(
        self,
        message: object = "",
        *args: object,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.message = redact(str(message))
        self.code = code
        self.status = status
        self.request_id = request_id
        super().__init__(self.message, *args)

    def _details(self) -> list[str]:
        details: list[str] = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.code:
            details.append(f"code {self.code}")
        if self.request_id:
            details.append(f"request-id {self.request_id}")
        return details

    def __str__(self) -> str:
        details = self._details()
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, status={self.status!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments would otherwise be lost when pickling (multiprocessing, pytest-xdist)
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[Error], state: dict[str, Any]) -> Error:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class InterfaceError(Error):
    """Misuse of the driver's interface itself, e.g. a closed cursor (PEP 249)."""


class DatabaseError(Error):
    """Errors related to the data source: Graph or the identity platform (PEP 249)."""


class DataError(DatabaseError):
    """Problems with the data: a value of the wrong type or out of range (PEP 249)."""


class OperationalError(DatabaseError):
    """Failures outside the programmer's control: network, sign-in, throttling, outages (PEP 249)."""


class IntegrityError(DatabaseError):
    """The source refused a change because of a conflict with existing data (PEP 249)."""


class InternalError(DatabaseError):
    """The source failed internally (PEP 249)."""


class ProgrammingError(DatabaseError):
    """A mistake in the SQL, the parameters or the connection properties (PEP 249)."""


class NotSupportedError(DatabaseError):
    """Something Graph or the driver does not support (PEP 249)."""


class GraphError(DatabaseError):
    """An error Microsoft Graph answered with; ``code`` is Graph's error code."""


class AuthenticationError(OperationalError):
    """Sign-in failed; ``code`` is the OAuth ``error``, ``aadsts`` the AADSTS number when there is one."""

    def __init__(
        self,
        message: object = "",
        *args: object,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        aadsts: int | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, *args, code=code, status=status, request_id=request_id)
        self.aadsts = aadsts
        self.correlation_id = correlation_id

    def _details(self) -> list[str]:
        details: list[str] = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.code:
            details.append(self.code)
        if self.aadsts is not None:
            details.append(f"AADSTS{self.aadsts}")
        if self.request_id:
            details.append(f"trace id {self.request_id}")
        if self.correlation_id:
            details.append(f"correlation id {self.correlation_id}")
        return details


class GraphAuthenticationError(GraphError, AuthenticationError):
    """Graph refused the access token (401) even after one refresh."""


class ThrottledError(GraphError, OperationalError):
    """Graph kept answering 429 Too Many Requests after the retries ran out."""


class ServiceUnavailableError(GraphError, OperationalError):
    """Graph kept answering 502/503/504 after the retries ran out."""


class QuotaExceededError(GraphError, OperationalError):
    """The mailbox or drive is out of quota (507 quotaLimitReached)."""


class SyncStateError(GraphError, OperationalError):
    """A delta token expired or is invalid (410, syncStateNotFound, resyncRequired): start a new sync."""


class DependencyFailedError(GraphError, OperationalError):
    """A $batch item was not run because the item it depended on failed (424)."""


class ConflictError(GraphError, IntegrityError):
    """The change conflicts with existing data (409 nameAlreadyExists, 412 resourceModified)."""


class ServerError(GraphError, InternalError):
    """Graph failed internally (500 generalException and other 5xx)."""


class InvalidRequestError(GraphError, ProgrammingError):
    """Graph rejected the request as sent (400: bad query option, unsupported filter, bad value)."""


class PermissionDeniedError(GraphError, ProgrammingError):
    """Graph answered 403: the token lacks a permission; the message names it when known."""


class NotFoundError(GraphError, ProgrammingError):
    """The item, user or resource does not exist or is not visible to this account (404)."""


class InvalidIdError(NotFoundError):
    """Graph answered 400 ErrorInvalidIdMalformed: the id cannot name any item, so nothing is found."""


class GraphNotSupportedError(GraphError, NotSupportedError):
    """Graph does not support the operation (501 NotImplemented, notSupported)."""


# ----------------------------------------------------------------------------------------------------
# Graph error registry
# ----------------------------------------------------------------------------------------------------

_QUERY_HINT = (
    "Graph cannot run this query as sent; if it came from a WHERE/ORDER BY, Pushdown=false makes SQLite "
    "evaluate it locally (and please report it)"
)
_AUTH_HINT = (
    "Graph rejected the access token: sign in again (InitiateOAuth=GETANDREFRESH) or give a new "
    "OAuthAccessToken"
)

#: Graph error code -> (exception class, what to do). Codes from graph-protocol.md C4 and errors.md.
GRAPH_CODES: dict[str, tuple[type[GraphError], str]] = {
    "InvalidAuthenticationToken": (GraphAuthenticationError, _AUTH_HINT),
    "unauthenticated": (GraphAuthenticationError, _AUTH_HINT),
    "ErrorAccessDenied": (PermissionDeniedError, ""),
    "Authorization_RequestDenied": (PermissionDeniedError, ""),
    "accessDenied": (PermissionDeniedError, ""),
    "ErrorItemNotFound": (NotFoundError, "the item does not exist or this account cannot see it"),
    "Request_ResourceNotFound": (NotFoundError, "the directory object does not exist"),
    "itemNotFound": (NotFoundError, "the drive item does not exist or this account cannot see it"),
    "ResourceNotFound": (NotFoundError, "the resource does not exist"),
    "ErrorInvalidUser": (NotFoundError, "the user or mailbox does not exist: check UserId"),
    "MailboxNotEnabledForRESTAPI": (
        NotFoundError,
        "the user has no Exchange Online mailbox (or it is inactive, soft-deleted or on-premises)",
    ),
    "ErrorInvalidIdMalformed": (InvalidIdError, "the id is not a valid id for this kind of item"),
    "BadRequest": (InvalidRequestError, ""),
    "Request_BadRequest": (InvalidRequestError, ""),
    "invalidRequest": (InvalidRequestError, ""),
    "Request_UnsupportedQuery": (InvalidRequestError, _QUERY_HINT),
    "ErrorInvalidUrlQuery": (InvalidRequestError, _QUERY_HINT),
    "ErrorInvalidUrlQueryFilter": (InvalidRequestError, _QUERY_HINT),
    "InefficientFilter": (InvalidRequestError, _QUERY_HINT),
    "ErrorInvalidParameter": (InvalidRequestError, "a value in the request is not valid for Graph"),
    "ErrorInvalidProperty": (InvalidRequestError, "a column is not valid for this item"),
    "ErrorInvalidRecipients": (InvalidRequestError, "check the recipients' addresses"),
    "invalidRange": (InvalidRequestError, ""),
    "malwareDetected": (InvalidRequestError, "the file was flagged as malware and cannot be downloaded"),
    "notAllowed": (InvalidRequestError, "the operation is not allowed on this item"),
    "nameAlreadyExists": (ConflictError, "an item with that name already exists in the folder"),
    "resourceModified": (ConflictError, "the item changed since it was read: read it again and retry"),
    "ErrorIrresolvableConflict": (
        ConflictError,
        "the item changed since it was read: read it again and retry",
    ),
    "TooManyRequests": (ThrottledError, "Graph is throttling this app/mailbox: wait a while and try again"),
    "activityLimitReached": (ThrottledError, "Graph is throttling this app/user: wait a while and try again"),
    "ApplicationThrottled": (ThrottledError, "Graph is throttling this app: wait a while and try again"),
    "ErrorTooManyObjectsOpened": (ThrottledError, "too many concurrent requests to one mailbox"),
    "serviceNotAvailable": (ServiceUnavailableError, "the service is unavailable: try again later"),
    "ServiceUnavailable": (ServiceUnavailableError, "the service is unavailable: try again later"),
    "UnknownError": (ServerError, ""),
    "generalException": (ServerError, "Graph failed while handling the request: try again later"),
    "ErrorInternalServerError": (ServerError, "Graph failed while handling the request: try again later"),
    "quotaLimitReached": (QuotaExceededError, "the mailbox or drive is full: free space first"),
    "ErrorQuotaExceeded": (QuotaExceededError, "the mailbox or drive is full: free space first"),
    "NotImplemented": (GraphNotSupportedError, "Graph v1.0 does not support this"),
    "notSupported": (GraphNotSupportedError, "Graph does not support this"),
    "syncStateNotFound": (SyncStateError, "the delta token expired: start a new sync"),
    "resyncRequired": (SyncStateError, "the delta token expired: start a new sync"),
    "SyncStateNotFound": (SyncStateError, "the delta token expired: start a new sync"),
}
_GRAPH_CODES_CI = {k.lower(): v for k, v in GRAPH_CODES.items()}

_STATUS_CLASSES: dict[int, type[GraphError]] = {
    400: InvalidRequestError,
    401: GraphAuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: InvalidRequestError,
    406: InvalidRequestError,
    409: ConflictError,
    410: SyncStateError,
    411: InvalidRequestError,
    412: ConflictError,
    413: InvalidRequestError,
    415: InvalidRequestError,
    416: InvalidRequestError,
    422: InvalidRequestError,
    423: ConflictError,
    424: DependencyFailedError,
    429: ThrottledError,
    500: ServerError,
    501: GraphNotSupportedError,
    502: ServiceUnavailableError,
    503: ServiceUnavailableError,
    504: ServiceUnavailableError,
    507: QuotaExceededError,
    509: ThrottledError,
}


def graph_error_class(status: int | None, code: str | None) -> type[GraphError]:
    """The exception class for a Graph error: by code when known, else by HTTP status.

    A gateway's 502/503/504 is a ServiceUnavailableError whatever code it carries (504 often says
    ``UnknownError``): it reports the way to the service, not a failure inside it.
    """
    if status in (502, 503, 504):
        return _STATUS_CLASSES[status]
    if code:
        known = GRAPH_CODES.get(code) or _GRAPH_CODES_CI.get(code.lower())
        if known:
            return known[0]
    if status is not None:
        if status in _STATUS_CLASSES:
            return _STATUS_CLASSES[status]
        if 400 <= status < 500:
            return InvalidRequestError
        if status >= 500:
            return ServerError
    return GraphError


def _parse_body(body: Any) -> Any:
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        text = body.strip()
        if text.startswith("{"):
            try:
                return json.loads(text)
            except ValueError:
                return text
        return text
    return body


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]] | None, name: str) -> str | None:
    if headers is None:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key.lower() == name:
            return value
    return None


def permission_hint(delegated: Sequence[str], application: Sequence[str], app_only: bool | None) -> str:
    deleg = " or ".join(delegated)
    appl = " or ".join(application)
    if app_only is True and appl:
        return f"needs the {appl} application permission; grant it to the app (with admin consent)"
    if app_only is False and deleg:
        return f"needs the {deleg} permission (delegated); add it to Scope and sign in again"
    if deleg and appl:
        return (
            f"needs the {deleg} permission (delegated) or {appl} (application); add it to Scope "
            "(delegated) or grant it to the app (application)"
        )
    if deleg or appl:
        return f"needs the {deleg or appl} permission; add it to Scope / grant it to the app"
    return (
        "the token lacks a permission this request needs: add it to Scope (delegated) or grant it to the "
        "app (application), then sign in again"
    )


def owner_permission_hint(
    table: str, owner: str, permissions: tuple[tuple[str, ...], tuple[str, ...]], app_only: bool | None
) -> str:
    """What a 403 below another owner than a user says (a group's calendar: signed-in users only)."""
    delegated, application = permissions
    if app_only and not application:
        return (
            f"Graph serves a {owner}'s {table} to signed-in users only (delegated "
            f"{' or '.join(delegated)}): an app-only connection cannot read or write it; connect as a user "
            "(AuthScheme=AzureAD) with that permission in Scope"
        )
    return permission_hint(delegated, application, app_only)


def error_from_graph_response(
    status: int | None,
    body: Any,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    *,
    request: str | None = None,
    delegated_permissions: Sequence[str] = (),
    application_permissions: Sequence[str] = (),
    app_only: bool | None = None,
) -> GraphError:
    """Map a Graph error answer (status, JSON body or text, headers) to the matching exception.

    ``request`` (e.g. ``"GET /me/messages"``) is named in the message; for a 403 the permissions the table
    needs, when given, are named too.
    """
    parsed = _parse_body(body)
    code: str | None = None
    graph_message = ""
    request_id = _header(headers, "request-id")
    if isinstance(parsed, Mapping):
        err = parsed.get("error", parsed)
        if isinstance(err, Mapping):
            code = err.get("code") if isinstance(err.get("code"), str) else None
            graph_message = str(err.get("message") or "")
            inner = err.get("innerError") or err.get("innererror")
            if isinstance(inner, Mapping) and not request_id:
                rid = inner.get("request-id") or inner.get("requestId")
                request_id = str(rid) if rid else None
        elif isinstance(err, str):
            graph_message = err
    elif isinstance(parsed, str):
        graph_message = parsed[:500]

    cls = graph_error_class(status, code)
    hint = ""
    if code:
        known = GRAPH_CODES.get(code) or _GRAPH_CODES_CI.get(code.lower())
        hint = known[1] if known else ""
    if cls is PermissionDeniedError:
        hint = permission_hint(delegated_permissions, application_permissions, app_only)
    elif cls is GraphAuthenticationError:
        hint = _AUTH_HINT
    elif cls is ThrottledError and not hint:
        hint = "Graph is throttling these requests: wait a while and try again"

    where = f"{request[:200]}: " if request else ""
    what = graph_message or (f"HTTP {status}" if status is not None else "Graph error")
    parts = [f"{where}{what}".rstrip(". ")]
    if hint:
        parts.append(hint)
    return cls("; ".join(parts), code=code, status=status, request_id=request_id)


# ----------------------------------------------------------------------------------------------------
# Identity platform registry
# ----------------------------------------------------------------------------------------------------

_SIGN_IN_AGAIN = "sign in again (InitiateOAuth=GETANDREFRESH) or give a new OAuthRefreshToken"

#: AADSTS number -> what to do (graph-protocol.md A6, reference-error-codes).
IDENTITY_AADSTS: dict[int, str] = {
    70008: f"the refresh token or authorization code has expired or was revoked: {_SIGN_IN_AGAIN}",
    700082: f"the refresh token has expired due to inactivity: {_SIGN_IN_AGAIN}",
    700084: f"the refresh token (issued to a single-page app) has expired: {_SIGN_IN_AGAIN}",
    50173: f"the refresh token was revoked (password change or admin revoke): {_SIGN_IN_AGAIN}",
    54005: (
        "the authorization code was already redeemed: get a new one (GetOAuthAuthorizationURL) and pass it "
        "as OAuthVerifier, or use the stored OAuthRefreshToken"
    ),
    501481: (
        "the authorization code does not belong to this sign-in (PKCE verifier mismatch): start again with "
        "GetOAuthAuthorizationURL"
    ),
    65001: (
        "the user or an administrator has not consented to the app's permissions: sign in interactively "
        "(InitiateOAuth=GETANDREFRESH) and accept, or ask an administrator to grant consent "
        "(GetAdminConsentURL)"
    ),
    50126: "the user name or password is wrong",
    50034: "the user account does not exist in this tenant: check the account and AzureTenant",
    50020: "the user is not in tenant AzureTenant: set AzureTenant to the user's tenant or 'common'",
    50058: "there is no signed-in session: sign in interactively (InitiateOAuth=GETANDREFRESH)",
    50076: "multi-factor authentication is required: sign in interactively (InitiateOAuth=GETANDREFRESH)",
    50079: "the user must register for multi-factor authentication: sign in interactively",
    53003: "a Conditional Access policy blocked the sign-in: ask your administrator",
    7000215: (
        "OAuthClientSecret is not valid: use the secret's Value (not its Secret ID) from the app "
        "registration, and check it has not expired"
    ),
    7000222: "OAuthClientSecret has expired: create a new secret for the app and set OAuthClientSecret",
    7000218: (
        "the app is a confidential client: set OAuthClientSecret (AuthScheme=AzureServicePrincipal) or "
        "OAuthJWTCert (AuthScheme=AzureServicePrincipalCert)"
    ),
    700025: "OAuthClientId is a public client app: remove OAuthClientSecret/OAuthJWTCert",
    700016: (
        "the app OAuthClientId was not found in tenant AzureTenant: check OAuthClientId and AzureTenant, or "
        "have an administrator consent to the app (GetAdminConsentURL)"
    ),
    700027: "the client assertion's signature is not valid: OAuthJWTCert must be the app's certificate",
    700024: "the client assertion is outside its valid time range: check the computer's clock",
    7000112: "the app OAuthClientId is disabled in the tenant: ask your administrator",
    500011: "Microsoft Graph is not available in tenant AzureTenant: check AzureTenant and AzureEnvironment",
    50011: "CallbackURL is not a redirect URI registered for the app: register it or change CallbackURL",
    70011: (
        "Scope is not valid: give space-separated Graph permissions such as 'Mail.Read offline_access'; "
        "app-only sign-in (AzureServicePrincipal) needs 'https://graph.microsoft.com/.default'"
    ),
    1002012: "app-only sign-in needs Scope=https://graph.microsoft.com/.default (or leave Scope empty)",
    9001023: (
        "app-only sign-in (client credentials) cannot use the 'common' or 'consumers' tenant: set "
        "AzureTenant to your tenant's domain (contoso.onmicrosoft.com) or directory id"
    ),
    90002: (
        "tenant AzureTenant was not found: check AzureTenant (a domain such as contoso.onmicrosoft.com or "
        "the directory id) and AzureEnvironment"
    ),
    90014: "the request is missing a required field",
    900144: "the request is missing a required field",
    9002313: "the request was malformed",
    900561: "the token endpoint accepts only POST",
    70016: "the user has not finished signing in with the device code yet",
    70018: "the device code is not valid: start the device-code sign-in again",
    70019: "the device code expired before the user signed in: start the device-code sign-in again",
    70003: "OAuthGrantType is not supported by this app or endpoint",
    70000: f"the grant is not valid: {_SIGN_IN_AGAIN}",
}

#: OAuth ``error`` -> what to do, when the AADSTS code is unknown.
IDENTITY_ERRORS: dict[str, str] = {
    "invalid_grant": f"the refresh token or authorization code is not valid any more: {_SIGN_IN_AGAIN}",
    "invalid_client": (
        "the identity platform did not accept the app's credentials: check OAuthClientId, OAuthClientSecret "
        "and OAuthJWTCert"
    ),
    "unauthorized_client": "the app OAuthClientId may not use this sign-in method or tenant: check it",
    "invalid_scope": IDENTITY_AADSTS[70011],
    "interaction_required": "interactive sign-in is needed: connect with InitiateOAuth=GETANDREFRESH",
    "consent_required": IDENTITY_AADSTS[65001],
    "invalid_request": "the sign-in request was not valid: check AzureTenant, OAuthClientId and CallbackURL",
    "unsupported_grant_type": IDENTITY_AADSTS[70003],
    "invalid_resource": "the resource is not known in this tenant: check GraphURL and AzureEnvironment",
    "temporarily_unavailable": "the identity platform is temporarily unavailable: try again later",
    "server_error": "the identity platform failed: try again later",
    "access_denied": "the user or an administrator declined the sign-in or consent",
    "authorization_pending": IDENTITY_AADSTS[70016],
    "authorization_declined": "the user declined the device-code sign-in",
    "bad_verification_code": IDENTITY_AADSTS[70018],
    "expired_token": IDENTITY_AADSTS[70019],
    "login_required": "interactive sign-in is needed: connect with InitiateOAuth=GETANDREFRESH",
}

_AADSTS_RE = re.compile(r"AADSTS(\d+)")
_TRAILER_RE = re.compile(r"\s*(Trace ID|Correlation ID|Timestamp):.*$", re.IGNORECASE | re.DOTALL)


def error_from_identity_response(status: int | None, body: Any) -> AuthenticationError:
    """Map an identity-platform error (token JSON, msal result dict or text) to AuthenticationError."""
    parsed = _parse_body(body)
    code: str | None = None
    description = ""
    aadsts: int | None = None
    trace_id: str | None = None
    correlation_id: str | None = None
    if isinstance(parsed, Mapping):
        code = str(parsed["error"]) if parsed.get("error") else None
        description = str(parsed.get("error_description") or "")
        codes = parsed.get("error_codes")
        if isinstance(codes, list) and codes and all(isinstance(c, int) for c in codes):
            # older responses carry two codes, e.g. [70002, 70008]: the last is the specific one
            known = [c for c in codes if c in IDENTITY_AADSTS]
            aadsts = known[-1] if known else codes[-1]
        trace_id = str(parsed["trace_id"]) if parsed.get("trace_id") else None
        correlation_id = str(parsed["correlation_id"]) if parsed.get("correlation_id") else None
    elif isinstance(parsed, str):
        description = parsed[:500]
    if aadsts is None:
        found = _AADSTS_RE.search(description)
        if found:
            aadsts = int(found.group(1))
    said = _TRAILER_RE.sub("", description).strip()
    hint = (IDENTITY_AADSTS.get(aadsts) if aadsts is not None else None) or IDENTITY_ERRORS.get(
        code or "", ""
    )
    if not hint:
        hint = f"sign-in failed: check the connection properties, then {_SIGN_IN_AGAIN}"
    message = f"Sign-in failed: {hint}"
    if said:
        message += f". Microsoft identity platform said: {said}"
    return AuthenticationError(
        message,
        code=code,
        status=status,
        request_id=trace_id,
        aadsts=aadsts,
        correlation_id=correlation_id,
    )
