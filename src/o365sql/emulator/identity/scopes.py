"""Scopes: parsing a `scope` parameter, Graph permissions, consent, and the `scope` a token answer echoes."""

from __future__ import annotations

from ..directory import DELEGATED_PERMISSIONS, GRAPH_APP_ID, App
from ..state import EmulatorState
from .errors import IdentityError
from .records import ScopeRequest

__all__ = [
    "OIDC_SCOPES",
    "consented",
    "granted_delegated",
    "graph_resource",
    "needs_consent",
    "parse_scopes",
    "record_consent",
    "scope_echo",
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
