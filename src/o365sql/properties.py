"""Connection properties: the ``Name=Value;...`` grammar, the property table, typing and validation.

Everything here is a pure function of its arguments (apart from reading the platform's config directory for
the default OAuthSettingsLocation): no network, no files opened.

Choices made where the commercial connector is silent or does something we don't:

* ``Pagesize`` defaults to 1000, the largest ``$top`` Outlook collections accept; the engine clamps it per
  table (directory collections take at most 999, drive children 200 by default).
* ``OAuthClientId`` empty means the embedded public client (see ``o365sql.auth``).
* ``Scope`` empty means the auth flow's default permission list (delegated) or ``{GraphURL}/.default``
  (app-only).
* ``ProxyAutoDetect`` (default false, as the commercial connector) makes the HTTP client use the
  environment's proxy settings (``HTTPS_PROXY``, ``NO_PROXY``); certificate variables such as
  ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE`` never replace the trust configured here.
* ``SSLServerCert`` adds a CA (a PEM file path or PEM text) to the default trust; ``*`` (accept any
  certificate) is refused: verification is never switched off.
* ``DefaultUser`` of the 26.x connector is not provided: ``UserId`` names the default mailbox/drive, and
  without it a delegated connection uses ``/me`` while an app-only one covers every user.
* ``OAuthJWTCertType`` ``AUTO`` (our default) recognises PEM or PFX/PKCS#12, file or inline.
* Properties of the commercial connector that do not apply here (schema files, caching, firewalls, log
  rotation, ...) are accepted and named in one ``IgnoredPropertiesWarning``, so its connection strings work
  as they are; a value that would change results if ignored (``DefaultUser=AllUsers``) is refused. See
  ``IGNORED``. ``Other`` (its bag of hidden options) is one of them: every option of o365sql is a property
  of its own.
"""

from __future__ import annotations

import difflib
import logging
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._types import parse_bool
from .errors import MASK, NotSupportedError, ProgrammingError

__all__ = [
    "AUTHORITY_HOSTS",
    "GRAPH_URLS",
    "IGNORED",
    "PROPERTIES",
    "IgnoredPropertiesWarning",
    "Properties",
    "PropertySpec",
    "default_settings_location",
    "format_connection_string",
    "get_spec",
    "log_level_for",
    "parse_connection_string",
    "resolve",
]


AUTHORITY_HOSTS: dict[str, str] = {
    "GLOBAL": "https://login.microsoftonline.com",
    "CHINA": "https://login.chinacloudapi.cn",
    "USGOVT": "https://login.microsoftonline.us",
    "USGOVTDOD": "https://login.microsoftonline.us",
}
GRAPH_URLS: dict[str, str] = {
    "GLOBAL": "https://graph.microsoft.com/v1.0",
    "CHINA": "https://microsoftgraph.chinacloudapi.cn/v1.0",
    "USGOVT": "https://graph.microsoft.us/v1.0",
    "USGOVTDOD": "https://dod-graph.microsoft.us/v1.0",
}

# Logging levels below DEBUG for the two most detailed Verbosity settings.
HEADERS = 7
TRAFFIC = 5
logging.addLevelName(HEADERS, "HEADERS")
logging.addLevelName(TRAFFIC, "TRAFFIC")


def log_level_for(verbosity: int) -> int:
    """The ``o365sql`` logger level for a Verbosity: 1 INFO, 2 DEBUG (requests), 3 headers, 4-5 bodies."""
    return {1: logging.INFO, 2: logging.DEBUG, 3: HEADERS}.get(
        verbosity, TRAFFIC if verbosity > 3 else logging.INFO
    )


@dataclass(frozen=True)
class PropertySpec:
    """One connection property: its name, Python type, default, help text and constraints."""

    name: str
    type: type
    default: Any
    help: str
    secret: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    group: str = "Connection"
    minimum: int | None = None
    maximum: int | None = None


def _p(name: str, typ: type, default: Any, help: str, **kw: Any) -> PropertySpec:
    return PropertySpec(name, typ, default, help, **kw)


_AUTH = "Authentication"
_OAUTH = "OAuth"
_JWT = "JWT OAuth"
_SSL = "SSL"
_PROXY = "Proxy"
_LOG = "Logging"
_CACHE = "Caching"

#: Every property, with its default (``None`` = derived at resolve time or empty).
PROPERTIES: tuple[PropertySpec, ...] = (
    _p(
        "AuthScheme",
        str,
        "AzureAD",
        "How to sign in: AzureAD (a user, delegated), AzureServicePrincipal (app-only, client secret), "
        "AzureServicePrincipalCert (app-only, certificate), AzureMSI (managed identity).",
        choices=("AzureAD", "AzureServicePrincipal", "AzureServicePrincipalCert", "AzureMSI"),
        group=_AUTH,
    ),
    _p(
        "AzureTenant",
        str,
        "common",
        "The tenant: a domain (contoso.onmicrosoft.com) or directory id; 'common' lets any work or school "
        "account sign in. App-only sign-in needs a real tenant.",
        aliases=("Tenant",),
        group=_AUTH,
    ),
    _p(
        "AzureEnvironment",
        str,
        "GLOBAL",
        "The national cloud: GLOBAL, CHINA, USGOVT or USGOVTDOD; sets the default AuthorityHost, GraphURL.",
        choices=("GLOBAL", "CHINA", "USGOVT", "USGOVTDOD"),
        group=_AUTH,
    ),
    _p(
        "InitiateOAuth",
        str,
        "OFF",
        "OFF: use OAuthAccessToken as given; GETANDREFRESH: sign in (browser) when needed and refresh; "
        "REFRESH: only refresh the stored/given refresh token, never prompt.",
        choices=("OFF", "GETANDREFRESH", "REFRESH"),
        group=_OAUTH,
    ),
    _p(
        "OAuthGrantType",
        str,
        "CODE",
        "CODE (authorization code, a user signs in), CLIENT (client credentials, app-only) or DEVICE_CODE.",
        choices=("CODE", "CLIENT", "DEVICE_CODE"),
        group=_OAUTH,
    ),
    _p(
        "OAuthClientId",
        str,
        "",
        "The application (client) id; empty means the embedded public client.",
        group=_OAUTH,
    ),
    _p(
        "OAuthClientSecret",
        str,
        "",
        "The client secret's Value (confidential apps).",
        secret=True,
        group=_OAUTH,
    ),
    _p(
        "CallbackURL",
        str,
        "http://localhost:33333",
        "The redirect URI registered for the app; the desktop flow listens on its port on 127.0.0.1.",
        group=_OAUTH,
    ),
    _p(
        "OAuthAccessToken",
        str,
        "",
        "An access token to use as is (InitiateOAuth=OFF).",
        secret=True,
        group=_OAUTH,
    ),
    _p(
        "OAuthRefreshToken",
        str,
        "",
        "A refresh token to redeem for access tokens.",
        secret=True,
        group=_OAUTH,
    ),
    _p(
        "OAuthVerifier",
        str,
        "",
        "The authorization code from the redirect URL (headless sign-in with GetOAuthAuthorizationURL).",
        secret=True,
        group=_OAUTH,
    ),
    _p("OAuthExpiresIn", int, None, "Lifetime of OAuthAccessToken in seconds, when known.", group=_OAUTH),
    _p(
        "OAuthTokenTimestamp",
        int,
        None,
        "When OAuthAccessToken was issued (Unix epoch, milliseconds), when known.",
        group=_OAUTH,
    ),
    _p(
        "OAuthTimeout",
        int,
        300,
        "Seconds a person gets to finish signing in (browser or device code) before the sign-in fails.",
        group=_OAUTH,
        minimum=1,
    ),
    _p(
        "OAuthSettingsLocation",
        str,
        None,
        "Where tokens are kept: a file (default OAuthSettings.json in the user config dir) or memory://NAME.",
        group=_OAUTH,
    ),
    _p(
        "Scope",
        str,
        "",
        "Space-separated permissions to request; empty means the default list (delegated) or "
        "https://graph.microsoft.com/.default (app-only).",
        group=_OAUTH,
    ),
    _p(
        "AuthorityHost",
        str,
        None,
        "The identity platform's origin (default from AzureEnvironment, e.g. https://login.microsoftonline.com).",
        group=_OAUTH,
    ),
    _p(
        "GraphURL",
        str,
        None,
        "Microsoft Graph's base URL (default from AzureEnvironment, e.g. https://graph.microsoft.com/v1.0).",
        group=_OAUTH,
    ),
    _p(
        "OAuthJWTCert",
        str,
        "",
        "The app's certificate with its private key (PEM or PFX file path, or PEM text), for "
        "AuthScheme=AzureServicePrincipalCert.",
        secret=True,
        group=_JWT,
    ),
    _p(
        "OAuthJWTCertType",
        str,
        "AUTO",
        "The format of OAuthJWTCert: AUTO, PEMKEY_FILE, PEMKEY_BLOB, PFXFILE or PFXBLOB.",
        choices=("AUTO", "PEMKEY_FILE", "PEMKEY_BLOB", "PFXFILE", "PFXBLOB"),
        group=_JWT,
    ),
    _p(
        "OAuthJWTCertPassword",
        str,
        "",
        "The password of OAuthJWTCert's private key.",
        secret=True,
        group=_JWT,
    ),
    _p(
        "SSLServerCert",
        str,
        "",
        "An extra CA certificate to trust (PEM file path or PEM text); verification is never switched off.",
        group=_SSL,
    ),
    _p(
        "ProxyAutoDetect",
        bool,
        False,
        "Use the environment's proxy settings (HTTPS_PROXY, NO_PROXY).",
        group=_PROXY,
    ),
    _p("ProxyServer", str, "", "An HTTP proxy's host name or address.", group=_PROXY),
    _p("ProxyPort", int, 80, "The proxy's port.", group=_PROXY, minimum=1, maximum=65535),
    _p(
        "ProxyAuthScheme",
        str,
        "BASIC",
        "How to authenticate to the proxy: BASIC or NONE.",
        choices=("BASIC", "NONE"),
        group=_PROXY,
    ),
    _p("ProxyUser", str, "", "The proxy user name.", group=_PROXY),
    _p("ProxyPassword", str, "", "The proxy password.", secret=True, group=_PROXY),
    _p("ProxyExceptions", str, "", "Hosts reached without the proxy, separated by ';' or ','.", group=_PROXY),
    _p(
        "UserId",
        str,
        "",
        "The default mailbox/drive (id or userPrincipalName) when a query gives no UserId; empty means /me.",
    ),
    _p(
        "Timeout",
        int,
        60,
        "Seconds to wait for an answer from Graph or the identity platform; a request that got none is asked "
        "once more at most, so a silent server holds a statement about twice this long; 0 means no limit.",
        minimum=0,
        maximum=86400,
    ),
    _p(
        "Pagesize",
        int,
        1000,
        "Items per page requested from Graph ($top); clamped to each collection's maximum.",
        minimum=1,
        maximum=1000,
    ),
    _p(
        "MaxRows",
        int,
        -1,
        "The most rows a query returns (a smaller LIMIT wins; Graph gets $top where it can); -1: no limit.",
        minimum=-1,
    ),
    _p(
        "Pushdown",
        bool,
        True,
        "Send filters/sorting/limits to Graph where it supports them; false makes SQLite do all of it.",
    ),
    _p(
        "DirectoryRetrievalDepth",
        int,
        5,
        "How many folder levels below the root the Files table walks; -1 means no limit.",
        minimum=-1,
    ),
    _p(
        "CacheLocation",
        str,
        "",
        "A SQLite file for the sync cache: EXEC SyncTable fills it through Graph's delta queries; schema "
        "Cache (Cache.Messages) and Offline=true answer from it (empty: no cache).",
        group=_CACHE,
    ),
    _p(
        "Offline",
        bool,
        False,
        "Answer queries from the sync cache at CacheLocation without calling Graph (tables SyncTable keeps: "
        "Messages, CalendarView, Contacts, Files, Users, Groups).",
        group=_CACHE,
    ),
    _p(
        "MaxConcurrentRequests",
        int,
        16,
        "Requests in flight at once when a query reads many mailboxes or drives (app-only with no UserId, "
        "UserId IN (...)) or parents; a join into such a table reads up to this many - 1 owners ahead (1: "
        "none). Each mailbox still gets at most 4, Graph's limit.",
        minimum=1,
        maximum=64,
    ),
    _p(
        "OwnerErrors",
        str,
        "RAISE",
        "When a query reads many owners and Graph refuses one (403/404: no mailbox licence, a disabled "
        "account): RAISE stops with an error naming the owner; SKIP leaves that owner out, logs a warning "
        "and lists it in cursor.stats.skipped.",
        choices=("RAISE", "SKIP"),
    ),
    _p(
        "UserDefinedViews",
        str,
        "",
        'A JSON file of named views, {"MyView": {"query": "SELECT ..."}}: each is queried as '
        "UserViews.MyView (or by its bare name) and listed in sys_tables as a VIEW of schema UserViews; "
        "CREATE, ALTER and DROP LOCAL VIEW change the file. A bad file or query fails the connection.",
    ),
    _p(
        "Verbosity",
        int,
        1,
        "Log detail: 1 statements, row counts and errors, 2 requests, 3 headers, 4-5 bodies.",
        group=_LOG,
        minimum=1,
        maximum=5,
    ),
    _p(
        "Logfile",
        str,
        "",
        "Write this connection's log to this file, or a device such as /dev/stderr (empty: no log file).",
        group=_LOG,
    ),
    _p(
        "LogModules",
        str,
        "",
        "Only log these modules (';'-separated: graph, auth, engine, connection); empty means all.",
        group=_LOG,
    ),
)


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


class IgnoredPropertiesWarning(UserWarning):
    """Connection properties of the commercial connector were given that do nothing in o365sql."""


#: Properties of the commercial connector that do not apply here, accepted and ignored (with one warning).
#: Each maps to the values that are safe to ignore (empty: any value), and what to use instead otherwise.
IGNORED: dict[str, tuple[tuple[str, ...], str]] = {
    "OAuthVersion": (("2.0", "2"), "o365sql speaks OAuth 2.0 only"),
    "OAuthAuthorizationURL": ((), "set AuthorityHost"),
    "OAuthAccessTokenURL": ((), "set AuthorityHost"),
    "OAuthJWTCertSubject": ((), "give the certificate file in OAuthJWTCert"),
    "OAuthJWTIssuer": ((), "OAuthClientId is the issuer"),
    "OAuthJWTSubject": ((), "OAuthClientId is the subject"),
    "FirewallType": (("NONE",), "use ProxyServer (an HTTP proxy)"),
    "FirewallServer": ((), "use ProxyServer"),
    "FirewallPort": ((), "use ProxyPort"),
    "FirewallUser": ((), "use ProxyUser"),
    "FirewallPassword": ((), "use ProxyPassword"),
    "ProxySSLType": ((), "HTTPS always tunnels through the proxy"),
    "MaxLogFileSize": ((), ""),
    "MaxLogFileCount": ((), ""),
    "Location": ((), "the tables are built in"),
    "BrowsableSchemas": ((), ""),
    "Tables": ((), ""),
    "Views": ((), ""),
    "AutoCache": ((), ""),
    "CacheTolerance": ((), ""),
    "CacheConnection": ((), ""),
    "CacheProvider": ((), ""),
    "CacheMetadata": ((), ""),
    "PseudoColumns": ((), ""),
    "UseClientSidePaging": ((), "paging follows Graph's @odata.nextLink"),
    "SupportEnhancedSQL": (("true", "yes", "1", "on"), "SQLite always evaluates what Graph cannot"),
    "DefaultUser": (("CurrentUser",), "set UserId to the mailbox to read"),
    "DefaultGroups": (("CurrentUser",), "query Groups, or GroupMembers WHERE GroupId = ..."),
    "MessageContentType": (("html",), "bodies come as Graph stores them; see body_contentType"),
    "AlwaysRequestTableDependencies": ((), ""),
    "Other": ((), "every option of o365sql is a property of its own"),
}
_IGNORED_BY_NAME = {_norm(name): name for name in IGNORED}


_BY_NAME: dict[str, PropertySpec] = {}
for _spec in PROPERTIES:
    _BY_NAME[_norm(_spec.name)] = _spec
    for _alias in _spec.aliases:
        _BY_NAME[_norm(_alias)] = _spec


def _unknown(name: str) -> ProgrammingError:
    known = [s.name for s in PROPERTIES] + [a for s in PROPERTIES for a in s.aliases] + list(IGNORED)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not close:
        by_lower = {k.lower(): k for k in known}
        close = [
            by_lower[m] for m in difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
        ]
    tip = (
        f"; did you mean {close[0]}?"
        if close
        else "; the properties are listed in docs/connection-properties.md and in sys_connection_props"
    )
    return ProgrammingError(f"Unknown connection property {name!r}{tip}")


def get_spec(name: str) -> PropertySpec:
    """The spec of a property by name or alias (case-insensitive); ProgrammingError if unknown."""
    spec = _BY_NAME.get(_norm(name))
    if spec is None:
        ignored = _IGNORED_BY_NAME.get(_norm(name))
        if ignored is not None:
            raise ProgrammingError(
                f"Connection property {ignored} of the commercial connector does not apply to o365sql: a "
                "connection string may carry it, and it is ignored"
            )
        raise _unknown(name)
    return spec


# ----------------------------------------------------------------------------------------------------
# The connection-string grammar
# ----------------------------------------------------------------------------------------------------


def parse_connection_string(text: str) -> dict[str, str]:
    """Split ``Name=Value;...`` into a dict (pure).

    Names are trimmed and kept as written; a name given twice (in any case): the last wins. Values are trimmed
    unless quoted with ``'`` or ``"``; inside quotes ``;`` is kept and a doubled quote stands for one. Empty
    segments are ignored. Errors never echo values (they may be secrets).
    """
    if not isinstance(text, str):
        raise ProgrammingError(f"The connection string must be text, not {type(text).__name__}")
    result: dict[str, str] = {}
    seen: dict[str, str] = {}
    previous = ""
    pos, n = 0, len(text)
    while pos < n:
        end_name = pos
        while end_name < n and text[end_name] not in "=;":
            end_name += 1
        name = text[pos:end_name].strip()
        if end_name >= n or text[end_name] == ";":
            if name and _follows_secret(previous):
                raise ProgrammingError(_after_secret(previous, "text without a value"))
            if name:
                raise ProgrammingError(
                    f"Connection string: {name!r} has no value; write Name=Value pairs separated by ';'"
                )
            pos = end_name + 1
            continue
        if not name:
            raise ProgrammingError(
                f"Connection string: a value without a property name at position {pos + 1}"
            )
        pos = end_name + 1
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos < n and text[pos] in "'\"":
            quote = text[pos]
            pos += 1
            chars: list[str] = []
            while True:
                if pos >= n:
                    raise ProgrammingError(
                        f"Connection string: the value of {name} has an opening {quote} but no closing one"
                    )
                ch = text[pos]
                if ch == quote:
                    if pos + 1 < n and text[pos + 1] == quote:
                        chars.append(quote)
                        pos += 2
                        continue
                    pos += 1
                    break
                chars.append(ch)
                pos += 1
            value = "".join(chars)
            while pos < n and text[pos] in " \t\r\n":
                pos += 1
            if pos < n and text[pos] != ";":
                raise ProgrammingError(
                    f"Connection string: unexpected text after the quoted value of {name}; "
                    f"inside quotes write a {quote} twice"
                )
            pos += 1
        else:
            end = text.find(";", pos)
            end = n if end < 0 else end
            value = text[pos:end].strip()
            pos = end + 1
        key = name.lower()
        if key in seen:
            del result[seen[key]]
        seen[key] = name
        result[name] = value
        previous = name
    return result


def _follows_secret(previous: str) -> bool:
    spec = _BY_NAME.get(_norm(previous)) if previous else None
    return spec is not None and spec.secret


def _after_secret(previous: str, what: str) -> str:
    # An unquoted ';' inside a secret splits it: what follows may be the secret's tail, so it is never shown.
    return (
        f"Connection string: {what} follows {previous} (not shown: it may be the rest of its value); "
        f'a value containing \';\' must be quoted, e.g. {previous}="...", with a " inside written twice'
    )


def _quote(value: str) -> str:
    if value == "" or (not any(c in value for c in ";'\"") and value == value.strip()):
        return value
    return '"' + value.replace('"', '""') + '"'


def format_connection_string(values: Mapping[str, Any]) -> str:
    """The inverse of parse_connection_string: ``Name=Value`` pairs joined by ';', quoting where needed."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        parts.append(f"{name}={_quote(str(value))}")
    return ";".join(parts)


# ----------------------------------------------------------------------------------------------------
# Typing and validation
# ----------------------------------------------------------------------------------------------------

_TENANT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
_APP_ONLY_REFUSED_TENANTS = frozenset({"common", "consumers"})


def _shown(spec: PropertySpec, raw: Any) -> str:
    return "(hidden)" if spec.secret else repr(raw)


def _convert(spec: PropertySpec, raw: Any) -> Any:
    """One property's raw value (text from the string, or a Python value from kwargs) -> its typed value."""
    name = spec.name
    if spec.type is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        parsed = parse_bool(str(raw))
        if parsed is not None:
            return parsed
        raise ProgrammingError(
            f"Connection property {name}: {_shown(spec, raw)} is not a boolean; "
            "use true/false, yes/no, 1/0 or on/off"
        )
    if spec.type is int:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            value = None
        elif isinstance(raw, int | float):
            value = int(raw)
        else:
            text = str(raw).strip()
            if text == "" and spec.default is None:
                return None
            value = int(text) if re.fullmatch(r"[+-]?\d+", text) else None
        if value is None:
            raise ProgrammingError(f"Connection property {name}: {_shown(spec, raw)} is not a whole number")
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            lo = spec.minimum if spec.minimum is not None else "-inf"
            hi = spec.maximum if spec.maximum is not None else "inf"
            raise ProgrammingError(
                f"Connection property {name}: {value} is out of range; allowed {lo} to {hi}"
            )
        return value
    if spec.type is float:
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise ProgrammingError(
                f"Connection property {name}: {_shown(spec, raw)} is not a number"
            ) from None
    if not isinstance(raw, str):
        if isinstance(raw, Path):
            raw = str(raw)
        else:
            raise ProgrammingError(f"Connection property {name}: expected text, got {type(raw).__name__}")
    text = raw.strip()
    if spec.choices:
        for choice in spec.choices:
            if text.lower() == choice.lower():
                return choice
        raise ProgrammingError(
            f"Connection property {name}: {_shown(spec, raw)} is not allowed; "
            f"use one of {', '.join(spec.choices)}"
        )
    return text


def _check_url(name: str, value: str, *, https: bool) -> str:
    need = "an https:// URL" if https else "an http:// or https:// URL"
    try:
        parts = urlsplit(value)
        hostname, _port = parts.hostname, parts.port  # .port raises for a port that is not 0-65535
    except ValueError as exc:
        raise ProgrammingError(f"Connection property {name}: {value!r} is not {need} ({exc})") from None
    loopback = hostname in ("localhost", "127.0.0.1", "::1")
    allowed = ("https",) if https and not loopback else ("http", "https")
    if parts.scheme.lower() not in allowed or not hostname or any(c in value for c in "\x00\r\n\t "):
        raise ProgrammingError(f"Connection property {name}: {value!r} is not {need}")
    return value.rstrip("/")


def default_settings_location() -> str:
    """The default OAuthSettingsLocation: OAuthSettings.json in the platform's user config dir for o365sql."""
    import platformdirs

    return str(Path(platformdirs.user_config_dir("o365sql", appauthor=False)) / "OAuthSettings.json")


def _validate(values: dict[str, Any], explicit: frozenset[str]) -> None:
    scheme = values["AuthScheme"]
    tenant = values["AzureTenant"]
    if not _TENANT_RE.match(tenant):
        raise ProgrammingError(
            f"Connection property AzureTenant: {tenant!r} is not a tenant; use a domain such as "
            "contoso.onmicrosoft.com, the directory id (a GUID), or 'common'"
        )
    if values["SSLServerCert"].strip() == "*":
        raise ProgrammingError(
            "Connection property SSLServerCert: '*' (accept any certificate) is refused, certificate "
            "verification is never switched off; give the CA certificate to trust (PEM file path or PEM text)"
        )
    app_only = scheme in ("AzureServicePrincipal", "AzureServicePrincipalCert") or (
        scheme == "AzureAD" and values["OAuthGrantType"] == "CLIENT"
    )
    if scheme == "AzureServicePrincipal" or (scheme == "AzureAD" and values["OAuthGrantType"] == "CLIENT"):
        what = f"AuthScheme={scheme}" if scheme != "AzureAD" else "OAuthGrantType=CLIENT"
        if not values["OAuthClientId"]:
            raise ProgrammingError(
                f"{what} (app-only sign-in) needs OAuthClientId: the app registration's client id"
            )
        if not values["OAuthClientSecret"] and not (scheme == "AzureAD" and values["OAuthJWTCert"]):
            raise ProgrammingError(
                f"{what} (app-only sign-in) needs OAuthClientSecret, the client secret's Value; for a "
                "certificate use AuthScheme=AzureServicePrincipalCert with OAuthJWTCert"
            )
    if scheme == "AzureServicePrincipalCert":
        if not values["OAuthClientId"]:
            raise ProgrammingError(
                "AuthScheme=AzureServicePrincipalCert needs OAuthClientId: the app registration's client id"
            )
        if not values["OAuthJWTCert"]:
            raise ProgrammingError(
                "AuthScheme=AzureServicePrincipalCert needs OAuthJWTCert: the app's certificate with its "
                "private key (PEM or PFX file, or PEM text)"
            )
    if app_only and tenant.lower() in _APP_ONLY_REFUSED_TENANTS:
        raise ProgrammingError(
            f"Connection property AzureTenant: app-only sign-in cannot use AzureTenant={tenant} "
            "(the identity platform answers AADSTS9001023: the client-credentials grant is not supported "
            "over /common or /consumers); set AzureTenant to your tenant's domain (contoso.onmicrosoft.com) "
            "or directory id"
        )
    if values["OAuthGrantType"] == "DEVICE_CODE" and scheme != "AzureAD":
        raise ProgrammingError(
            f"OAuthGrantType=DEVICE_CODE signs a user in, so it needs AuthScheme=AzureAD (not {scheme})"
        )
    if (values["ProxyUser"] or values["ProxyPassword"]) and not values["ProxyServer"]:
        raise ProgrammingError(
            "Connection properties ProxyUser/ProxyPassword need ProxyServer (the proxy's host)"
        )
    if "proxyport" in explicit and not values["ProxyServer"]:
        raise ProgrammingError("Connection property ProxyPort needs ProxyServer (the proxy's host)")
    location = values["OAuthSettingsLocation"]
    if location.lower().startswith("memory://") and len(location) <= len("memory://"):
        raise ProgrammingError(
            "Connection property OAuthSettingsLocation: memory:// needs a name, e.g. memory://mine"
        )


def _ignore(name: str, value: Any, ignored: list[str]) -> bool:
    """True (noting the name) when `name` is a commercial-connector property that is safe to ignore here."""
    known = _IGNORED_BY_NAME.get(_norm(name))
    if known is None or value is None:
        return known is not None
    safe, instead = IGNORED[known]
    text = str(value).strip()
    if safe and text and text.lower() not in {v.lower() for v in safe}:
        shown = repr(text) if "password" not in known.lower() else "(hidden)"
        raise NotSupportedError(
            f"Connection property {known}={shown} of the commercial connector is not supported by o365sql "
            f"(only {' or '.join(safe)} can be ignored): {instead}"
        )
    if known not in ignored:
        ignored.append(known)
    return True


def resolve(connection_string: str = "", **kwargs: Any) -> Properties:
    """Parse, merge (kwargs win; a repeated name: the last wins), type and validate connection properties."""
    raw: dict[str, tuple[PropertySpec, Any]] = {}
    ignored: list[str] = []
    previous = ""
    for name, value in parse_connection_string(connection_string or "").items():
        try:
            skip = _ignore(name, value, ignored)
        except NotSupportedError:
            if _follows_secret(previous):  # its value may be the secret's tail: never shown
                raise ProgrammingError(_after_secret(previous, "a commercial-connector property")) from None
            raise
        if skip:
            previous = name
            continue
        spec = _BY_NAME.get(_norm(name))
        if spec is None and _follows_secret(previous):
            raise ProgrammingError(_after_secret(previous, "an unknown property name"))
        if spec is None:
            raise _unknown(name)
        raw[spec.name] = (spec, value)
        previous = name
    for name, value in kwargs.items():
        if _ignore(name, value, ignored):
            continue
        spec = get_spec(name)
        if value is None:
            raw.pop(spec.name, None)
            continue
        raw[spec.name] = (spec, value)

    values: dict[str, Any] = {}
    for spec in PROPERTIES:
        if spec.name in raw:
            values[spec.name] = _convert(spec, raw[spec.name][1])
        else:
            values[spec.name] = spec.default
    explicit = frozenset(k.lower() for k in raw)

    env = values["AzureEnvironment"]
    for name, table in (("AuthorityHost", AUTHORITY_HOSTS), ("GraphURL", GRAPH_URLS)):
        values[name] = _check_url(name, values[name], https=True) if values[name] else table[env]
    if values["CallbackURL"]:
        values["CallbackURL"] = _check_url("CallbackURL", values["CallbackURL"], https=False)
    if not values["OAuthSettingsLocation"]:
        values["OAuthSettingsLocation"] = default_settings_location()
    elif not values["OAuthSettingsLocation"].lower().startswith("memory://"):
        values["OAuthSettingsLocation"] = str(Path(values["OAuthSettingsLocation"]).expanduser())
    if values["AzureTenant"] == "":
        values["AzureTenant"] = "common"
    _validate(values, explicit)
    if ignored:
        warnings.warn(
            "Ignored connection properties of the commercial connector that do not apply to o365sql: "
            + ", ".join(sorted(ignored)),
            IgnoredPropertiesWarning,
            stacklevel=3,
        )
    given = {spec.name: value for spec, value in raw.values()}
    return Properties(values, explicit, given)


class Properties(Mapping[str, Any]):
    """Resolved connection properties: a read-only, case-insensitive mapping of each property to its value."""

    __slots__ = ("_explicit", "_given", "_values")

    def __init__(self, values: dict[str, Any], explicit: frozenset[str], given: dict[str, Any]) -> None:
        self._values = values
        self._explicit = explicit
        self._given = given

    def __getitem__(self, name: str) -> Any:
        spec = _BY_NAME.get(_norm(name))
        if spec is None:
            raise KeyError(name)
        return self._values[spec.name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _norm(name) in _BY_NAME

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def explicit(self, name: str) -> bool:
        """True when the property was given (in the string or as a keyword), not defaulted or derived."""
        return get_spec(name).name.lower() in self._explicit

    def masked(self) -> dict[str, str]:
        """Every property as text, secrets that are set shown as ``********`` (sys_connection_props, repr)."""
        out: dict[str, str] = {}
        for spec in PROPERTIES:
            value = self._values[spec.name]
            if value is None:
                text = ""
            elif isinstance(value, bool):
                text = "true" if value else "false"
            else:
                text = str(value)
            out[spec.name] = MASK if spec.secret and text else text
        return out

    def replace(self, **changes: Any) -> Properties:
        """A new Properties with some values changed (validated again); ``None`` drops a value."""
        merged: dict[str, Any] = dict(self._given)
        for name, value in changes.items():
            merged[get_spec(name).name] = value
        return resolve("", **merged)

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.masked().items() if self.explicit(k)}
        return f"Properties({format_connection_string(shown)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Properties) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, str(v)) for k, v in self._values.items())))
