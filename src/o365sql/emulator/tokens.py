"""Tokens the identity half issues and the Graph half checks: signing key, JWKS, and the grant registry.

Access tokens are RS256 JWTs (as Entra ID issues for work accounts) whose `uti` claim keys a record here,
so the admin routes can expire or revoke them and Graph can tell "expired" from "revoked" from "unknown".
Clients must treat them as opaque; only the emulator decodes them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .clock import Clock

__all__ = [
    "AccessGrant",
    "RefreshGrant",
    "SigningKey",
    "TokenCheck",
    "TokenRegistry",
]

GRAPH_AUDIENCE = "https://graph.microsoft.com"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SigningKey:
    """One RSA key per run; its public half is served in the JWKS."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pub = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = base64.urlsafe_b64encode(hashlib.sha1(pub).digest()).rstrip(b"=").decode()
        self.private_pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.public_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any]) -> str:
        """Sign claims as an RS256 JWT with this key's kid."""
        return jwt.encode(
            claims, self.private_pem, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"}
        )

    def decode(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """Verify the signature (not expiry: the registry decides that) and return the claims."""
        options: Any = {
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
            "verify_aud": audience is not None,
        }
        claims: dict[str, Any] = jwt.decode(
            token, self.public_pem, algorithms=["RS256"], audience=audience, options=options
        )
        return claims

    def jwk(self, issuer: str) -> dict[str, Any]:
        """The public key as a JWKS entry."""
        numbers = self._key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
            "issuer": issuer,
        }


@dataclass
class AccessGrant:
    """What one issued access token allows; Graph reads this to authorise a request."""

    uti: str
    tenant_id: str
    client_id: str
    user_id: str | None  # None for app-only tokens
    scopes: frozenset[str]  # delegated permissions (scp), as issued
    roles: frozenset[str]  # application permissions (roles)
    issued_at: float
    expires_at: float
    revoked: bool = False

    @property
    def app_only(self) -> bool:
        """True for client-credentials tokens (no signed-in user)."""
        return self.user_id is None

    def has_any(self, permissions: set[str] | frozenset[str] | tuple[str, ...]) -> bool:
        """True if the token carries any of the given permissions (case-insensitive, scp or roles)."""
        held = {p.lower() for p in (self.roles if self.app_only else self.scopes)}
        return any(p.lower() in held for p in permissions)


@dataclass
class RefreshGrant:
    """A refresh token's record: who, which client, which scopes, and its rolling expiry."""

    token: str
    tenant_id: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    issued_at: float
    last_used: float
    revoked: bool = False
    family: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass(frozen=True)
class TokenCheck:
    """The result of checking a bearer token: a grant, or the reason Graph refuses it."""

    grant: AccessGrant | None
    error: str | None  # None | "empty" | "malformed" | "expired" | "revoked"


class TokenRegistry:
    """Issued grants, thread-safe, with the admin operations of `/_emulator/tokens/...`."""

    def __init__(self, key: SigningKey, clock: Clock, access_lifetime: int, refresh_lifetime: int) -> None:
        self.key = key
        self.clock = clock
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self._lock = threading.Lock()
        self._access: dict[str, AccessGrant] = {}
        self._refresh: dict[str, RefreshGrant] = {}

    # -- issuing -------------------------------------------------------------------------------------------
    def issue_access(
        self,
        *,
        tenant_id: str,
        client_id: str,
        user_id: str | None,
        scopes: frozenset[str] = frozenset(),
        roles: frozenset[str] = frozenset(),
        extra_claims: dict[str, Any] | None = None,
        lifetime: int | None = None,
    ) -> tuple[str, AccessGrant]:
        """Issue an access token for Graph and record its grant."""
        now = self.clock.time()
        life = self.access_lifetime if lifetime is None else lifetime
        uti = secrets.token_urlsafe(16)
        grant = AccessGrant(
            uti=uti,
            tenant_id=tenant_id,
            client_id=client_id,
            user_id=user_id,
            scopes=scopes,
            roles=roles,
            issued_at=now,
            expires_at=now + life,
        )
        claims: dict[str, Any] = {
            "aud": GRAPH_AUDIENCE,
            "iss": f"https://sts.windows.net/{tenant_id}/",
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now + life),
            "appid": client_id,
            "tid": tenant_id,
            "uti": uti,
            "ver": "1.0",
        }
        if user_id is None:
            claims["roles"] = sorted(roles)
            claims["idtyp"] = "app"
        else:
            claims["scp"] = " ".join(sorted(scopes))
            claims["oid"] = user_id
            claims["idtyp"] = "user"
        if extra_claims:
            claims.update(extra_claims)
        token = self.key.sign(claims)
        with self._lock:
            self._access[uti] = grant
        return token, grant

    def issue_refresh(
        self,
        *,
        tenant_id: str,
        client_id: str,
        user_id: str,
        scopes: frozenset[str],
        family: str | None = None,
    ) -> RefreshGrant:
        """Issue a refresh token (opaque) and record it."""
        now = self.clock.time()
        grant = RefreshGrant(
            token="0." + secrets.token_urlsafe(48),
            tenant_id=tenant_id,
            client_id=client_id,
            user_id=user_id,
            scopes=scopes,
            issued_at=now,
            last_used=now,
        )
        if family:
            grant.family = family
        with self._lock:
            self._refresh[grant.token] = grant
        return grant

    # -- checking ------------------------------------------------------------------------------------------
    def check_access(self, token: str | None) -> TokenCheck:
        """Check a bearer token as Graph would."""
        if not token:
            return TokenCheck(None, "empty")
        try:
            claims = self.key.decode(token)
        except jwt.PyJWTError:
            return TokenCheck(None, "malformed")
        with self._lock:
            grant = self._access.get(str(claims.get("uti", "")))
        if grant is None:
            return TokenCheck(None, "malformed")
        if grant.revoked:
            return TokenCheck(None, "revoked")
        if self.clock.time() >= grant.expires_at:
            return TokenCheck(None, "expired")
        return TokenCheck(grant, None)

    def find_refresh(self, token: str) -> RefreshGrant | None:
        """The record of a refresh token, or None when unknown."""
        with self._lock:
            return self._refresh.get(token)

    def refresh_expired(self, grant: RefreshGrant) -> bool:
        """True when the refresh token has been idle longer than its lifetime."""
        return self.clock.time() - grant.last_used > self.refresh_lifetime

    def touch_refresh(self, grant: RefreshGrant) -> None:
        """Record a redemption (the inactivity window rolls; the old token stays valid, as in Entra ID)."""
        with self._lock:
            grant.last_used = self.clock.time()

    # -- admin ---------------------------------------------------------------------------------------------
    def expire_all(self) -> int:
        """Make every issued access token expired; returns how many."""
        now = self.clock.time()
        with self._lock:
            for grant in self._access.values():
                grant.expires_at = min(grant.expires_at, now - 1)
            return len(self._access)

    def revoke_all(self) -> int:
        """Expire every access token and invalidate every refresh token; returns how many refresh tokens."""
        self.expire_all()
        with self._lock:
            for rgrant in self._refresh.values():
                rgrant.revoked = True
            return len(self._refresh)
