"""End to end against the emulator: desktop sign-in, stored tokens, refresh, revoke, OFF, verifier, device
code, client credentials (secret and certificate), managed identity, and choosing the flow from properties."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from o365sql.auth import (
    AccessTokenProvider,
    ClientCredentialsProvider,
    DelegatedProvider,
    ManagedIdentityProvider,
    provider_from_properties,
)
from o365sql.auth._scopes import DEFAULT_CLIENT_ID, delegated_scopes
from o365sql.emulator import Emulator
from o365sql.emulator.browse import run_browse
from o365sql.errors import AuthenticationError, ProgrammingError
from o365sql.properties import resolve

from .helpers import emulator_props, paths


def _check(emu: Emulator, token: str) -> str | None:
    """What the emulator thinks of an access token: None (valid), "expired", "revoked", ..."""
    error: str | None = emu.state.tokens.check_access(token).error
    return error


@pytest.mark.usefixtures("browser")
def test_desktop_sign_in_then_stored_refresh_and_revoke(
    private_emulator: Emulator, http: httpx.Client, settings_path: Path
) -> None:
    emu = private_emulator
    props = emulator_props(emu, InitiateOAuth="GETANDREFRESH", OAuthSettingsLocation=str(settings_path))
    provider = provider_from_properties(props, http, callback_timeout=30, out=io.StringIO())
    assert isinstance(provider, DelegatedProvider)
    assert emu.requests() == []  # connecting does no network I/O
    token = provider.get_token()
    assert _check(emu, token) is None
    assert len(paths(emu, "/authorize")) == 1
    assert provider.account_name() == emu.demo_user

    # A second provider (another connection, same store) signs in silently: no authorize request.
    emu.reset()
    again = provider_from_properties(props, http, callback_timeout=30)
    assert again.get_token() == token
    assert paths(emu, "/authorize") == [] and paths(emu, "/token") == []

    # Graph rejects the expired token (401) -> force_refresh: a refresh-token grant, no browser.
    emu.expire_tokens()
    assert _check(emu, token) == "expired"
    fresh = again.get_token(force_refresh=True)
    assert fresh != token and _check(emu, fresh) is None
    assert len(paths(emu, "/token", "POST")) == 1 and paths(emu, "/authorize") == []

    # Revoked: REFRESH fails clearly and never prompts; GETANDREFRESH signs in again.
    emu.revoke_tokens()
    emu.reset()
    refresh_only = provider_from_properties(
        emulator_props(emu, InitiateOAuth="REFRESH", OAuthSettingsLocation=str(settings_path)), http
    )
    with pytest.raises(AuthenticationError, match="never prompts") as info:
        refresh_only.get_token(force_refresh=True)
    assert info.value.code == "invalid_grant"
    assert paths(emu, "/authorize") == []
    signed_in_again = provider.get_token(force_refresh=True)
    assert _check(emu, signed_in_again) is None
    assert len(paths(emu, "/authorize")) == 1


@pytest.mark.usefixtures("browser")
def test_short_lived_tokens_refresh_without_a_401(make_emulator: Any, settings_path: Path) -> None:
    # msal treats a token with less than 5 minutes left as expired, so every get_token refreshes here.
    emu = make_emulator(data="empty", access_token_lifetime=120)
    with emu.http_client() as http:
        props = emulator_props(emu, InitiateOAuth="GETANDREFRESH", OAuthSettingsLocation=str(settings_path))
        provider = provider_from_properties(props, http, callback_timeout=30, out=io.StringIO())
        first = provider.get_token()
        emu.reset()
        second = provider.get_token()
        assert second != first
        assert len(paths(emu, "/token", "POST")) == 1 and paths(emu, "/authorize") == []


def test_refresh_only_with_nothing_stored(private_emulator: Emulator, http: httpx.Client) -> None:
    props = emulator_props(
        private_emulator, InitiateOAuth="REFRESH", OAuthSettingsLocation="memory://auth-empty"
    )
    with pytest.raises(AuthenticationError, match="never prompts") as info:
        provider_from_properties(props, http).get_token()
    assert info.value.code == "no_token"


def test_refresh_mode_with_a_given_refresh_token(private_emulator: Emulator, http: httpx.Client) -> None:
    emu = private_emulator
    # get a refresh token through the web flow functions
    from o365sql.auth import authorization_url, exchange_code

    props = emulator_props(
        emu, OAuthSettingsLocation="memory://auth-given-rt", CallbackURL="http://localhost/callback"
    )
    code = _code_from(run_browse(authorization_url(props, http), ca=Path(emu.ca_cert)))
    tokens = exchange_code(props, http, verifier=code)
    rt_props = emulator_props(
        emu,
        InitiateOAuth="REFRESH",
        OAuthRefreshToken=tokens["refresh_token"],
        OAuthSettingsLocation="memory://auth-given-rt-2",
    )
    provider = provider_from_properties(rt_props, http)
    token = provider.get_token()
    assert _check(emu, token) is None
    emu.reset()
    assert provider.get_token(force_refresh=True) != token  # refreshes from the store (rotated token)
    assert len(paths(emu, "/token", "POST")) == 1
    # Another connection with the same (now redeemed) OAuthRefreshToken uses the store: no token request.
    emu.reset()
    assert provider_from_properties(rt_props, http).get_token()
    assert paths(emu, "/token") == []


def _code_from(url: str) -> str:
    found = re.search(r"[?&]code=([^&]+)", url)
    assert found, "no code in the redirect"
    return found.group(1)


def test_off_uses_the_given_token_and_explains_a_rejection(private_emulator: Emulator) -> None:
    props = emulator_props(private_emulator, InitiateOAuth="OFF", OAuthAccessToken="given-token-value")
    provider = provider_from_properties(props, httpx.Client())
    assert isinstance(provider, AccessTokenProvider) and not provider.app_only
    assert provider.get_token() == "given-token-value"
    with pytest.raises(AuthenticationError, match="InitiateOAuth=GETANDREFRESH"):
        provider.get_token(force_refresh=True)
    missing = provider_from_properties(emulator_props(private_emulator, InitiateOAuth="OFF"), httpx.Client())
    with pytest.raises(AuthenticationError, match="GetOAuthAccessToken"):
        missing.get_token()


def test_oauth_verifier_exchanged_once_then_refresh(private_emulator: Emulator, http: httpx.Client) -> None:
    emu = private_emulator
    from o365sql.auth import authorization_url

    store = "memory://auth-verifier"
    props = emulator_props(emu, OAuthSettingsLocation=store, CallbackURL="http://localhost/callback")
    url = authorization_url(props, http)  # keeps the PKCE verifier in the store
    code = _code_from(run_browse(url, ca=Path(emu.ca_cert)))
    headless = emulator_props(
        emu, OAuthSettingsLocation=store, CallbackURL="http://localhost/callback", OAuthVerifier=code
    )
    provider = provider_from_properties(headless, http)
    assert isinstance(provider, DelegatedProvider)
    token = provider.get_token()
    assert _check(emu, token) is None
    # A later connection with the same (used) verifier does not redeem it again: it refreshes from the store.
    emu.reset()
    later = provider_from_properties(headless, http)
    assert later.get_token(force_refresh=True)
    grants = paths(emu, "/token", "POST")
    assert len(grants) == 1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
# The URL is built by hand here, in query mode on purpose; msal recommends form_post.
@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")
def test_verifier_without_pending_flow_uses_plain_code_exchange(
    private_emulator: Emulator, http: httpx.Client
) -> None:
    # The URL was made elsewhere without PKCE (e.g. by hand): the code is redeemed without a verifier.
    emu = private_emulator
    import msal

    from o365sql.auth._common import OAuthApp

    props = emulator_props(
        emu, OAuthSettingsLocation="memory://auth-plain", CallbackURL="http://localhost/callback"
    )
    app = OAuthApp(props, http).build(msal.SerializableTokenCache())
    url = app.get_authorization_request_url(delegated_scopes(props), redirect_uri="http://localhost/callback")
    code = _code_from(run_browse(url, ca=Path(emu.ca_cert)))
    provider = provider_from_properties(
        emulator_props(
            emu,
            OAuthSettingsLocation="memory://auth-plain",
            CallbackURL="http://localhost/callback",
            OAuthVerifier=code,
            InitiateOAuth="REFRESH",
        ),
        http,
    )
    assert _check(emu, provider.get_token()) is None


def test_device_code(private_emulator: Emulator, http: httpx.Client) -> None:
    emu = private_emulator
    out = io.StringIO()
    props = emulator_props(emu, OAuthGrantType="DEVICE_CODE", OAuthSettingsLocation="memory://auth-device")
    provider = provider_from_properties(props, http, out=out, callback_timeout=30)
    assert isinstance(provider, DelegatedProvider)
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(provider.get_token()))
    worker.start()
    for _ in range(100):
        found = re.search(r"enter the code (\S+)", out.getvalue())
        if found:
            break
        threading.Event().wait(0.05)
    assert found, out.getvalue()
    emu.admin("POST", f"devicecodes/{found.group(1)}/approve", {})
    worker.join(30)
    assert result and _check(emu, result[0]) is None


def test_client_secret(emulator: Emulator) -> None:
    with emulator.http_client() as http:
        props = emulator_props(
            emulator,
            AuthScheme="AzureServicePrincipal",
            OAuthClientId=emulator.app_client_id,
            OAuthClientSecret=emulator.app_client_secret,
            Scope="",
        )
        provider = provider_from_properties(props, http)
        assert isinstance(provider, ClientCredentialsProvider) and provider.app_only
        token = provider.get_token()
        assert provider.get_token() == token  # cached
        assert provider.get_token(force_refresh=True) != token
        assert _check(emulator, token) is None


def test_client_secret_wrong(emulator: Emulator) -> None:
    with emulator.http_client() as http:
        props = emulator_props(
            emulator,
            OAuthGrantType="CLIENT",
            OAuthClientId=emulator.app_client_id,
            OAuthClientSecret="not-the-secret",
        )
        with pytest.raises(AuthenticationError) as info:
            provider_from_properties(props, http).get_token()
        assert info.value.code == "invalid_client"
        assert "not-the-secret" not in str(info.value) + repr(info.value)


def test_certificate(emulator: Emulator) -> None:
    with emulator.http_client() as http:
        props = emulator_props(
            emulator,
            AuthScheme="AzureServicePrincipalCert",
            OAuthClientId=emulator.cert_client_id,
            OAuthJWTCert=emulator.cert_path,
            Scope="",
        )
        provider = provider_from_properties(props, http)
        token = provider.get_token()
        assert _check(emulator, token) is None


def test_certificate_pfx_with_password(emulator: Emulator, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    pem = Path(emulator.cert_path).read_bytes()
    key = serialization.load_pem_private_key(pem, None)
    cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE") :])
    pfx = tmp_path / "app.pfx"
    pfx.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"app",
            key,
            cert,
            None,
            serialization.BestAvailableEncryption(b"pfx-pass"),  # type: ignore[arg-type]
        )
    )
    with emulator.http_client() as http:
        base = dict(AuthScheme="AzureServicePrincipalCert", OAuthClientId=emulator.cert_client_id, Scope="")
        good = emulator_props(emulator, OAuthJWTCert=str(pfx), OAuthJWTCertPassword="pfx-pass", **base)
        assert provider_from_properties(good, http).get_token()
        with pytest.raises(ProgrammingError, match="OAuthJWTCert") as info:
            provider_from_properties(
                emulator_props(emulator, OAuthJWTCert=str(pfx), OAuthJWTCertPassword="wrong-pass", **base),
                http,
            )
        assert "wrong-pass" not in str(info.value)


def test_app_only_refuses_common_tenant() -> None:
    with pytest.raises(ProgrammingError, match="AADSTS9001023"):
        resolve("AuthScheme=AzureServicePrincipal;AzureTenant=common;OAuthClientId=x;OAuthClientSecret=y")


def test_managed_identity(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    header = emulator.msi_header
    endpoint = emulator.msi_endpoint
    assert header and endpoint  # the emulator always serves a managed-identity endpoint
    monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", header)
    with emulator.http_client() as http:
        # [U] the emulator's /msi/token knows Graph by its public resource id only, so name it.
        props = emulator_props(
            emulator, AuthScheme="AzureMSI", Scope="https://graph.microsoft.com/.default", OAuthClientId=""
        )
        provider = provider_from_properties(props, http)
        assert isinstance(provider, ManagedIdentityProvider) and provider.app_only
        token = provider.get_token()
        assert token and provider.get_token() == token
        assert provider.get_token(force_refresh=True)
        user_assigned = emulator_props(
            emulator,
            AuthScheme="AzureMSI",
            Scope="https://graph.microsoft.com/.default",
            OAuthClientId=emulator.cert_client_id,
        )
        grant = emulator.state.tokens.check_access(
            provider_from_properties(user_assigned, http).get_token()
        ).grant
        assert grant is not None and grant.client_id == emulator.cert_client_id and grant.app_only
    monkeypatch.setenv("IDENTITY_HEADER", "wrong")
    with emulator.http_client() as http, pytest.raises(AuthenticationError):
        provider_from_properties(props, http).get_token()


def test_default_client_and_scopes() -> None:
    from o365sql.properties import resolve

    props = resolve("InitiateOAuth=GETANDREFRESH;OAuthSettingsLocation=memory://auth-defaults")
    provider = provider_from_properties(props, httpx.Client())
    assert isinstance(provider, DelegatedProvider)
    assert provider.client_id == DEFAULT_CLIENT_ID
    scopes = delegated_scopes(props)
    assert (
        "https://graph.microsoft.com/Mail.Send" in scopes
        and "https://graph.microsoft.com/User.Read" in scopes
    )
    assert not {"openid", "profile", "offline_access"} & {s.lower() for s in scopes}
    custom = delegated_scopes(
        resolve("Scope='offline_access Mail.Read https://graph.microsoft.com/Files.Read'")
    )
    assert custom == ["https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/Files.Read"]


def test_non_loopback_callback_refused_for_desktop_flow(
    private_emulator: Emulator, http: httpx.Client
) -> None:
    props = emulator_props(
        private_emulator,
        InitiateOAuth="GETANDREFRESH",
        CallbackURL="https://app.example.test/callback",
        OAuthSettingsLocation="memory://auth-nonloop",
    )
    with pytest.raises(ProgrammingError, match="GetOAuthAuthorizationURL"):
        provider_from_properties(props, http).get_token()


def test_unknown_tenant_is_explained(private_emulator: Emulator, http: httpx.Client) -> None:
    props = emulator_props(
        private_emulator,
        InitiateOAuth="REFRESH",
        AzureTenant="nosuch.onmicrosoft.com",
        OAuthSettingsLocation="memory://auth-tenant",
    )
    with pytest.raises(AuthenticationError, match="AzureTenant"):
        provider_from_properties(props, http).get_token()


@pytest.mark.usefixtures("browser")
def test_custom_confidential_app_desktop_flow(private_emulator: Emulator, http: httpx.Client) -> None:
    emu = private_emulator
    props = emulator_props(
        emu,
        InitiateOAuth="GETANDREFRESH",
        OAuthClientId=emu.app_client_id,
        OAuthClientSecret=emu.app_client_secret,
        OAuthSettingsLocation="memory://auth-custom-app",
    )
    provider = provider_from_properties(props, http, callback_timeout=30, out=io.StringIO())
    assert isinstance(provider, DelegatedProvider) and provider.client_id == emu.app_client_id
    token = provider.get_token()
    grant = emu.state.tokens.check_access(token).grant
    assert grant is not None and grant.client_id == emu.app_client_id and grant.user_id


def test_off_with_known_expiry(private_emulator: Emulator) -> None:
    props = emulator_props(
        private_emulator, OAuthAccessToken="tok", OAuthExpiresIn=3600, OAuthTokenTimestamp=1_000_000
    )
    with pytest.raises(AuthenticationError, match="expired"):
        provider_from_properties(props, httpx.Client()).get_token()


@pytest.mark.usefixtures("browser")
def test_given_access_token_is_used_until_rejected(private_emulator: Emulator, http: httpx.Client) -> None:
    emu = private_emulator
    props = emulator_props(
        emu,
        InitiateOAuth="GETANDREFRESH",
        OAuthAccessToken="given-token",
        OAuthSettingsLocation="memory://auth-given-at",
    )
    provider = provider_from_properties(props, http, callback_timeout=30, out=io.StringIO())
    assert provider.get_token() == "given-token"
    assert emu.requests() == []
    fresh = provider.get_token(force_refresh=True)  # Graph said 401: sign in (nothing stored yet)
    assert fresh != "given-token" and _check(emu, fresh) is None
