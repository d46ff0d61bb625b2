"""Choosing the sign-in flow from connection properties, and the user flows; msal does the OAuth protocol."""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
import warnings
from collections.abc import Mapping
from typing import Any, TextIO
from urllib.parse import urlencode, urlsplit

import httpx

from ..errors import AuthenticationError, ProgrammingError
from ..graph import TokenProvider
from ..properties import Properties
from ._app_only import ClientCredentialsProvider, ManagedIdentityProvider
from ._common import (
    OAuthApp,
    account_key,
    call_msal,
    callback_timeout_of,
    callback_url_of,
    home_account_id,
    identity_error,
)
from ._listener import LoopbackListener, open_browser, redirect_uri_for
from ._scopes import DEFAULT_CLIENT_ID, authority_url, delegated_scopes, prop
from ._store import SettingsStore, open_store

__all__ = [
    "AccessTokenProvider",
    "DelegatedProvider",
    "admin_consent_url",
    "provider_from_properties",
]

log = logging.getLogger("o365sql.auth")

_REDEEMED_KEEP = 20


# -- InitiateOAuth=OFF ---------------------------------------------------------------------------------------


class AccessTokenProvider:
    """InitiateOAuth=OFF: the caller's OAuthAccessToken, as given; never refreshed."""

    app_only = False

    def __init__(self, props: Properties) -> None:
        self._token: str | None = prop(props, "OAuthAccessToken", None)
        self._rejected = False
        expires_in = prop(props, "OAuthExpiresIn", None)
        stamp = prop(props, "OAuthTokenTimestamp", None)
        self._expires_at = (int(stamp) / 1000.0 + int(expires_in)) if expires_in and stamp else None

    def get_token(self, *, force_refresh: bool = False) -> str:
        """The given token; AuthenticationError once it is rejected or known to be expired."""
        if not self._token:
            raise AuthenticationError(
                "No access token: InitiateOAuth=OFF uses OAuthAccessToken as given and none is set. Connect "
                "with InitiateOAuth=GETANDREFRESH to sign in through the browser, or get a token with EXEC "
                "GetOAuthAuthorizationURL then EXEC GetOAuthAccessToken and pass it as OAuthAccessToken",
                code="no_token",
            )
        if force_refresh:
            self._rejected = True
        if self._rejected or (self._expires_at is not None and time.time() >= self._expires_at):
            raise AuthenticationError(
                "OAuthAccessToken was rejected or has expired, and InitiateOAuth=OFF never refreshes it: "
                "get a new one (EXEC RefreshOAuthAccessToken OAuthRefreshToken=...) and reconnect, or "
                "connect with InitiateOAuth=GETANDREFRESH (or InitiateOAuth=REFRESH with OAuthRefreshToken)",
                code="token_expired",
            )
        return self._token

    def __repr__(self) -> str:
        return f"<AccessTokenProvider token={'set' if self._token else 'missing'}>"


# -- a user signs in (delegated) -----------------------------------------------------------------------------


class DelegatedProvider:
    """A signed-in user's tokens from the settings store: silent refresh, then (if allowed) a new sign-in."""

    app_only = False

    def __init__(
        self,
        props: Properties,
        http: httpx.Client,
        *,
        interactive: bool,
        device_code: bool = False,
        callback_timeout: float | None = None,
        out: TextIO | None = None,
        scope: str | None = None,
        callback_url: str | None = None,
    ) -> None:
        self._props = props
        self._oauth = OAuthApp(props, http)
        self._scopes = delegated_scopes(props, override=scope)
        self._callback = callback_url_of(props, callback_url)
        self._store: SettingsStore = open_store(prop(props, "OAuthSettingsLocation", None))
        self._interactive = interactive
        self._device_code = device_code
        self._timeout = callback_timeout_of(props, callback_timeout)
        self._out = out
        self._given_access: str | None = prop(props, "OAuthAccessToken", None)
        self._given_refresh: str | None = prop(props, "OAuthRefreshToken", None)
        self._verifier: str | None = prop(props, "OAuthVerifier", None)
        self._lock = threading.RLock()
        self._app: Any = None

    @property
    def store(self) -> SettingsStore:
        """The settings store this provider reads and writes."""
        return self._store

    @property
    def client_id(self) -> str:
        """The app (client) id in use."""
        return self._oauth.client_id

    def __repr__(self) -> str:
        kind = (
            "device code" if self._device_code else ("interactive" if self._interactive else "refresh only")
        )
        return (
            f"<DelegatedProvider {kind} client_id={self._oauth.client_id} authority={self._oauth.authority} "
            f"store={self._store.location}>"
        )

    def _msal(self) -> Any:
        if self._app is None:
            if self._device_code:  # msal offers the device flow on public clients only
                self._app = self._oauth.build(self._store.cache, public=True)
            else:
                self._app = self._oauth.build(self._store.cache)
        return self._app

    def _stream(self) -> TextIO:
        return self._out or sys.stderr

    # -- the account in the store ------------------------------------------------------------------------
    def _meta_key(self) -> str:
        return account_key(self._oauth.client_id)

    def _account(self, app: Any) -> dict[str, Any] | None:
        accounts: list[dict[str, Any]] = app.get_accounts()
        if not accounts:
            return None
        wanted = self._store.get_meta(self._meta_key())
        for account in accounts:
            if account.get("home_account_id") == wanted:
                return account
        return accounts[0]

    def _remember(self, result: Mapping[str, Any]) -> None:
        home = home_account_id(result)
        if home:
            self._store.set_meta(self._meta_key(), home)

    def account_name(self) -> str | None:
        """The signed-in user's name as the store knows it (no network I/O once the app exists)."""
        with self._lock:
            app = self._msal()  # its discovery request (the first time) happens outside the store lock
            with self._store.locked():
                account = self._account(app)
            return str(account.get("username") or account.get("home_account_id")) if account else None

    def account_tenant(self) -> str | None:
        """The signed-in user's tenant (directory id) as the store knows it (no network I/O)."""
        with self._lock:
            app = self._msal()
            with self._store.locked():
                account = self._account(app)
            return str(account.get("realm") or "") or None if account else None

    # -- get_token ---------------------------------------------------------------------------------------
    def get_token(self, *, force_refresh: bool = False) -> str:
        """A valid access token: cached, refreshed, or (GETANDREFRESH) from a new sign-in."""
        with self._lock:
            if self._given_access and not force_refresh:
                return self._given_access
            self._given_access = None  # rejected (401) or never set: from now on the store decides
            app = self._msal()
            if self._verifier:
                self._redeem_verifier(app)
            result, error = self._from_store(app, force_refresh)
            if result is not None:
                source = result.get("token_source", "identity provider")
                log.debug("access token from the %s (store %s)", source, self._store.location)
                return str(result["access_token"])
            if not self._interactive:
                raise self._cannot_refresh(error)
            log.info("no usable stored sign-in in %s: signing in", self._store.location)
            result = self.sign_in()
            return str(result["access_token"])

    def _from_store(
        self, app: Any, force_refresh: bool
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        error: dict[str, Any] | None = None
        with self._store.locked():
            # A refresh token given in the properties that this store has not redeemed yet wins over the
            # stored sign-in (it may be another user's); once redeemed, the store's rotated tokens are newer.
            given_key = f"given-refresh:{self._oauth.client_id}"
            digest = hashlib.sha256(self._given_refresh.encode()).hexdigest() if self._given_refresh else None
            if digest and self._store.get_meta(given_key) != digest:
                result, error = self._redeem_given_refresh()
                if result is not None:
                    self._store.set_meta(given_key, digest)
                    return result, None
            account = self._account(app)
            if account is not None:
                result = call_msal(
                    "Refreshing the access token",
                    lambda: app.acquire_token_silent_with_error(
                        self._scopes, account, force_refresh=force_refresh
                    ),
                )
                if result and "access_token" in result:
                    return result, None
                error = result or error
            if self._given_refresh:  # last resort: the given token (Entra keeps used refresh tokens valid)
                result, given_error = self._redeem_given_refresh()
                if result is not None:
                    return result, None
                error = error or given_error
        return None, error

    def _redeem_given_refresh(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        refresh, self._given_refresh = self._given_refresh, None  # tried once per provider
        assert refresh is not None
        app = self._msal()
        result: dict[str, Any] = call_msal(
            "Redeeming OAuthRefreshToken", lambda: app.acquire_token_by_refresh_token(refresh, self._scopes)
        )
        if "access_token" in result:
            self._remember(result)
            return result, None
        return None, result

    def _cannot_refresh(self, error: Mapping[str, Any] | None) -> AuthenticationError:
        where = self._store.location
        if error:
            return identity_error(
                error,
                "InitiateOAuth=REFRESH never prompts; sign in again with InitiateOAuth=GETANDREFRESH (or "
                f"`o365sql login`) using OAuthSettingsLocation={where}, or give a new OAuthRefreshToken",
            )
        return AuthenticationError(
            f"No stored sign-in in OAuthSettingsLocation={where} and no OAuthRefreshToken, and "
            "InitiateOAuth=REFRESH never prompts: sign in once with InitiateOAuth=GETANDREFRESH (or "
            "`o365sql login`), pass OAuthRefreshToken, or exchange a code with OAuthVerifier",
            code="no_token",
        )

    def _redeem_verifier(self, app: Any) -> None:
        verifier, self._verifier = self._verifier, None
        assert verifier is not None
        digest = hashlib.sha256(verifier.encode()).hexdigest()
        redeemed: list[str] = list(self._store.get_meta("redeemed") or [])
        if digest in redeemed:
            return  # exchanged by an earlier connection: the store has its tokens
        flow = self._store.take_pending(None)
        if flow is not None:
            result = call_msal(
                "Exchanging OAuthVerifier",
                lambda: app.acquire_token_by_auth_code_flow(flow, {"code": verifier, "state": flow["state"]}),
            )
        else:
            redirect = self._callback
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                result = call_msal(
                    "Exchanging OAuthVerifier",
                    lambda: app.acquire_token_by_authorization_code(
                        verifier, self._scopes, redirect_uri=redirect
                    ),
                )
        if "access_token" not in result:
            raise identity_error(
                result,
                "OAuthVerifier is the `code` from the redirect URL; a code is valid about 10 minutes and "
                "only once, and needs the CallbackURL and OAuthSettingsLocation (which keeps its PKCE "
                "verifier) that GetOAuthAuthorizationURL used: get a new one with EXEC "
                "GetOAuthAuthorizationURL",
            )
        self._remember(result)
        redeemed.append(digest)
        self._store.set_meta("redeemed", redeemed[-_REDEEMED_KEEP:])

    # -- a new sign-in -----------------------------------------------------------------------------------
    def sign_in(self, *, prompt: str | None = None) -> dict[str, Any]:
        """Sign a user in now (browser or device code), save the tokens, and return msal's result."""
        with self._lock:
            app = self._msal()
            result = self._device_flow(app) if self._device_code else self._browser_flow(app, prompt)
            if "access_token" not in result:
                raise identity_error(result, "Sign-in did not complete; try again")
            self._remember(result)
            claims = result.get("id_token_claims") or {}
            log.info("signed in as %s", claims.get("preferred_username") or "a user")
            return dict(result)

    def _browser_flow(self, app: Any, prompt: str | None) -> dict[str, Any]:
        callback = self._callback
        parts = urlsplit(callback)
        if parts.scheme.lower() != "http" or parts.hostname not in ("localhost", "127.0.0.1"):
            raise ProgrammingError(
                f"CallbackURL {callback!r}: the browser sign-in (InitiateOAuth=GETANDREFRESH) needs a "
                "redirect to this machine, http://localhost:PORT, registered for the app; for a web "
                "application's callback use the GetOAuthAuthorizationURL and GetOAuthAccessToken procedures"
            )
        # No port: any port will do (loopback redirect URIs match whatever port, RFC 8252 section 7.3).
        listener = LoopbackListener(parts.port or 0, parts.path or "/", expected_state="")
        try:
            redirect = callback if parts.port else redirect_uri_for(callback, listener.port)
            flow = call_msal(
                "Starting sign-in",
                lambda: app.initiate_auth_code_flow(
                    self._scopes, redirect_uri=redirect, response_mode="form_post", prompt=prompt
                ),
            )
            listener.expected_state = flow["state"]
            listener.start()  # listening before the browser opens
            print(
                "o365sql: sign in to Microsoft 365 in your browser. If no browser opens, open this "
                f"address:\n{flow['auth_uri']}\n(waiting up to {self._timeout:.0f} s for the redirect to "
                f"{redirect})",
                file=self._stream(),
                flush=True,
            )
            if not open_browser(flow["auth_uri"]):
                print(
                    "o365sql: no web browser could be started on this machine. To sign in on another device "
                    "instead, connect with OAuthGrantType=DEVICE_CODE (o365sql login --device-code).",
                    file=self._stream(),
                    flush=True,
                )
            response = listener.wait(self._timeout)
        finally:
            listener.close()
        if response.get("error"):
            raise identity_error(response, "The sign-in was refused or cancelled in the browser")
        with self._store.locked():
            result: dict[str, Any] = call_msal(
                "Completing sign-in", lambda: app.acquire_token_by_auth_code_flow(flow, response)
            )
        return result

    def _device_flow(self, app: Any) -> dict[str, Any]:
        flow = call_msal(
            "Starting device-code sign-in", lambda: app.initiate_device_flow(scopes=self._scopes)
        )
        if "user_code" not in flow:
            raise identity_error(flow, "The identity platform refused the device-code sign-in")
        print(f"o365sql: {flow.get('message') or flow['verification_uri']}", file=self._stream(), flush=True)
        flow["expires_at"] = min(float(flow.get("expires_at", 0)) or 1e18, time.time() + self._timeout)
        result: dict[str, Any] = call_msal(
            "Device-code sign-in", lambda: app.acquire_token_by_device_flow(flow)
        )
        if result.get("error") in ("authorization_pending", "slow_down", "expired_token"):
            raise AuthenticationError(
                f"Device-code sign-in was not completed within {self._timeout:.0f} s; run it again and enter "
                "the code sooner",
                code=str(result.get("error")),
            )
        return result


# -- choosing ------------------------------------------------------------------------------------------------


def provider_from_properties(
    props: Properties,
    http: httpx.Client,
    *,
    callback_timeout: float | None = None,
    out: TextIO | None = None,
) -> TokenProvider:
    """The token provider the properties ask for; builds nothing on the network (the first get_token does)."""
    scheme = str(prop(props, "AuthScheme", "AzureAD"))
    grant = str(prop(props, "OAuthGrantType", "CODE")).upper()
    initiate = str(prop(props, "InitiateOAuth", "OFF")).upper()
    if scheme == "AzureMSI":
        return ManagedIdentityProvider(props, http)
    if scheme in ("AzureServicePrincipal", "AzureServicePrincipalCert") or grant == "CLIENT":
        return ClientCredentialsProvider(props, http)
    device = grant == "DEVICE_CODE"
    if device and initiate == "OFF" and not props.explicit("InitiateOAuth"):
        initiate = "GETANDREFRESH"  # asking for the device flow is asking the driver to sign in
    if initiate == "OFF" and not prop(props, "OAuthVerifier", None):
        return AccessTokenProvider(props)
    return DelegatedProvider(
        props,
        http,
        interactive=initiate == "GETANDREFRESH",
        device_code=device,
        callback_timeout=callback_timeout,
        out=out,
    )


def admin_consent_url(props: Properties, callback_url: str | None = None, state: str | None = None) -> str:
    """`{authority}/adminconsent?client_id=...&redirect_uri=...[&state=...]` for an admin to grant the app."""
    query = {
        "client_id": str(prop(props, "OAuthClientId", "") or DEFAULT_CLIENT_ID),
        "redirect_uri": callback_url_of(props, callback_url),
    }
    if state:
        query["state"] = state
    return f"{authority_url(props)}/adminconsent?{urlencode(query)}"
