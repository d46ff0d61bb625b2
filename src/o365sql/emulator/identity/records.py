"""What the identity half remembers between requests: sessions, pending sign-ins, codes and device codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

__all__ = ["AuthCode", "DeviceCode", "FlowStore", "Pending", "ScopeRequest", "Session"]


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
    created: float  # when the request arrived (the emulator clock)
    user_id: str | None = None
    auth_time: int = 0
    device_code: str | None = None


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


@dataclass
class FlowStore:
    """The identity half's records of one run, each table keyed by the value the client holds."""

    codes: dict[str, AuthCode] = field(default_factory=dict)  # authorization code -> record
    devices: dict[str, DeviceCode] = field(default_factory=dict)  # device_code -> record
    user_codes: dict[str, str] = field(default_factory=dict)  # user_code -> device_code
    pending: dict[str, Pending] = field(default_factory=dict)  # the ctx hidden field -> request
    sessions: dict[str, Session] = field(default_factory=dict)  # the emu_session cookie -> session
    # Managed identity (App Service flavour): IDENTITY_HEADER's secret and IDENTITY_ENDPOINT's URL.
    msi_header: str = field(default_factory=lambda: secrets.token_hex(16))
    msi_endpoint: str = ""

    def prune(self, now: float, code_lifetime: int) -> None:
        """Forget codes, device codes and abandoned sign-ins well past their lifetimes (long runs)."""
        for key in [k for k, c in self.codes.items() if now - c.issued_at > code_lifetime + 3600]:
            del self.codes[key]
        for key in [k for k, d in self.devices.items() if now > d.expires_at + 3600]:
            self.user_codes.pop(self.devices.pop(key).user_code, None)
        for key in [k for k, p in self.pending.items() if now - p.created > 3600]:
            del self.pending[key]
