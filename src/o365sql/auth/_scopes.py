"""Endpoints and scopes: the authority, the Graph resource, and the delegated/app-only scope lists."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..errors import ProgrammingError
from ..properties import Properties

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_DELEGATED_PERMISSIONS",
    "RESERVED_SCOPES",
    "app_only_scopes",
    "authority_url",
    "delegated_scopes",
    "graph_resource",
    "prop",
    "tenant_of",
]

# Microsoft's "Microsoft Graph Command Line Tools" public client (design.md section 4): multi-tenant, allows
# http://localhost redirects and dynamic consent to Graph scopes.
DEFAULT_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

# The seed page's permission list (full access to files, contacts, calendars, send + read/write mail,
# directory as the user, groups), plus User.Read so /me works.
DEFAULT_DELEGATED_PERMISSIONS = (
    "User.Read",
    "Files.ReadWrite.All",
    "Contacts.ReadWrite",
    "Calendars.ReadWrite",
    "Mail.Send",
    "Mail.ReadWrite",
    "Directory.AccessAsUser.All",
    "Group.ReadWrite.All",
)

# msal adds these to every user flow itself and raises ValueError when a caller passes one of them.
RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})


def prop(props: Properties, name: str, default: Any = None) -> Any:
    """A property's value (text trimmed), or `default` when it is empty."""
    value = props[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return value.strip() if isinstance(value, str) else value


def authority_url(props: Properties) -> str:
    """`AuthorityHost/AzureTenant`, as msal wants it (https only: msal refuses anything else)."""
    host = str(props["AuthorityHost"])
    parts = urlsplit(host)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ProgrammingError(
            f"AuthorityHost must be an https URL such as https://login.microsoftonline.com (got {host!r})"
        )
    tenant = str(prop(props, "AzureTenant", "common")).strip("/")
    return f"{host.rstrip('/')}/{tenant}"


def tenant_of(props: Properties) -> str:
    """The tenant path segment (default `common`)."""
    return str(prop(props, "AzureTenant", "common")).strip("/")


def graph_resource(props: Properties) -> str:
    """The Graph resource identifier: GraphURL's origin (https://graph.microsoft.com for the global cloud)."""
    url = str(props["GraphURL"])
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ProgrammingError(
            f"GraphURL must be an absolute URL such as https://graph.microsoft.com/v1.0 (got {url!r})"
        )
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _qualify(name: str, resource: str) -> str:
    # A bare permission name is a Graph permission; anything with a scheme or a GUID resource is kept as is.
    if "://" in name or "/" in name:
        return name
    return f"{resource}/{name}"


def delegated_scopes(props: Properties, override: str | None = None) -> list[str]:
    """Scopes for user flows: `Scope` (or the default list) on the Graph resource, less msal's OIDC ones."""
    resource = graph_resource(props)
    text = override if override else prop(props, "Scope", "")
    names = str(text).replace(",", " ").split() if text else list(DEFAULT_DELEGATED_PERMISSIONS)
    scopes: list[str] = []
    for name in names:
        if name.lower() in RESERVED_SCOPES:
            continue
        scoped = _qualify(name, resource)
        if scoped.lower() not in (s.lower() for s in scopes):
            scopes.append(scoped)
    if not scopes:  # only OIDC scopes were asked for: Graph's User.Read is what the platform grants then
        scopes.append(f"{resource}/User.Read")
    return scopes


def app_only_scopes(props: Properties) -> list[str]:
    """Scopes for client credentials: `{resource}/.default` (the only form that grant accepts)."""
    text = str(prop(props, "Scope", ""))
    defaults = [s for s in text.split() if s.endswith("/.default")]
    return defaults[:1] or [f"{graph_resource(props)}/.default"]
