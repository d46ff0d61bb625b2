"""The token endpoint: refresh, silent, client credentials (secret, Basic, certificate) and error shapes."""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msal
import pytest
from identity_helpers import (
    GRAPH,
    assert_aad_error,
    authority,
    confidential_app,
    post_token,
    public_app,
    quiet_redirect,
    session,
)

from o365sql.emulator import Emulator
from o365sql.emulator.browse import run_browse

# msal recommends form_post when a test builds a query-mode flow on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")


def _signed_in(
    emu: Emulator, scopes: list[str] | None = None, **kwargs: Any
) -> tuple[msal.PublicClientApplication, dict[str, Any]]:
    app = public_app(emu, **kwargs)
    flow = app.initiate_auth_code_flow(scopes or ["Mail.Read"], redirect_uri=quiet_redirect())
    final = run_browse(flow["auth_uri"])
    auth_response = {k: v[0] for k, v in parse_qs(urlsplit(final).query).items()}
    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    assert "access_token" in result, result
    return app, result


def _code(
    emu: Emulator,
    challenge: str | None = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    method: str | None = "S256",
    redirect_uri: str = "http://localhost/callback",
    tenant: str | None = None,
    client_id: str | None = None,
) -> str:
    """A fresh authorization code obtained through the pages (verifier for the default challenge below)."""
    from urllib.parse import urlencode

    params = {
        "client_id": client_id or emu.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "openid offline_access User.Read",
        "state": "s",
    }
    if challenge:
        params["code_challenge"] = challenge
        if method:
            params["code_challenge_method"] = method
    final = run_browse(f"{authority(emu, tenant)}/oauth2/v2.0/authorize?{urlencode(params)}")
    return parse_qs(urlsplit(final).query)["code"][0]


VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B pair


def _redeem(emu: Emulator, code: str, **extra: str) -> Any:
    data = {
        "client_id": emu.client_id,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://localhost/callback",
        "code_verifier": VERIFIER,
        **extra,
    }
    return post_token(emu, {k: v for k, v in data.items() if v != ""}, tenant=extra.pop("_tenant", None))


def test_refresh_rotates_and_the_old_token_stays_valid(emulator: Emulator) -> None:
    app, first = _signed_in(emulator)
    second = app.acquire_token_by_refresh_token(first["refresh_token"], ["Mail.Read"])
    assert "access_token" in second, second
    assert second["refresh_token"] != first["refresh_token"]
    third = app.acquire_token_by_refresh_token(
        first["refresh_token"], [f"{GRAPH}/Mail.Read"]
    )  # old one valid
    assert "access_token" in third, third
    assert third["scope"].split()[0] == f"{GRAPH}/Mail.Read"
    # A permission never consented needs an interactive request (AADSTS65001).
    resp = post_token(
        emulator,
        {
            "grant_type": "refresh_token",
            "client_id": emulator.client_id,
            "refresh_token": first["refresh_token"],
            "scope": "Files.ReadWrite.All offline_access",
        },
    )
    assert_aad_error(resp, "invalid_grant", 65001)


def test_silent_force_refresh_and_cache_reuse(make_emulator: Any) -> None:
    emulator = make_emulator(data="empty")  # its own: the request log is counted
    cache = msal.SerializableTokenCache()
    app, first = _signed_in(emulator, token_cache=cache)
    account = app.get_accounts()[0]
    emulator.reset()
    refreshed = app.acquire_token_silent(["Mail.Read"], account, force_refresh=True)
    assert refreshed and refreshed["access_token"] != first["access_token"]
    assert [r["path"] for r in emulator.requests()] == [f"/{emulator.tenant_id}/oauth2/v2.0/token"]
    # A new app loading the serialised cache gets the token silently with zero requests.
    blob = cache.serialize()
    cache2 = msal.SerializableTokenCache()
    cache2.deserialize(blob)
    app2 = public_app(emulator, token_cache=cache2)
    emulator.reset()
    again = app2.acquire_token_silent(["Mail.Read"], app2.get_accounts()[0])
    assert again and again["access_token"] == refreshed["access_token"]
    assert again["token_source"] == "cache"
    assert emulator.requests() == []


def test_client_credentials_with_secret_and_basic(emulator: Emulator) -> None:
    app = confidential_app(emulator)
    result = app.acquire_token_for_client([f"{GRAPH}/.default"])
    assert list(result)[:4] == ["token_type", "expires_in", "ext_expires_in", "access_token"], result
    assert "scope" not in result and "refresh_token" not in result and "id_token" not in result
    grant = emulator.state.tokens.check_access(result["access_token"]).grant
    assert grant is not None and grant.app_only and "Mail.Read" in grant.roles
    basic = base64.b64encode(f"{emulator.app_client_id}:{emulator.app_client_secret}".encode()).decode()
    resp = post_token(
        emulator,
        {"grant_type": "client_credentials", "scope": f"{GRAPH}/.default"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert resp.status_code == 200 and resp.json()["token_type"] == "Bearer"
    on_orgs = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "scope": f"{GRAPH}/.default",
            "client_id": emulator.app_client_id,
            "client_secret": emulator.app_client_secret,
        },
        tenant="organizations",
    )
    assert on_orgs.status_code == 200


def test_client_credentials_with_certificate(emulator: Emulator) -> None:
    with open(emulator.cert_path) as f:
        pem = f.read()
    app = confidential_app(
        emulator,
        client_id=emulator.cert_client_id,
        client_credential={"private_key": pem, "thumbprint": emulator.cert_thumbprint},
    )
    result = app.acquire_token_for_client([f"{GRAPH}/.default"])
    assert "access_token" in result, result
    grant = emulator.state.tokens.check_access(result["access_token"]).grant
    assert grant is not None and grant.client_id == emulator.cert_client_id


def test_certificate_assertion_signed_by_another_key_is_refused(emulator: Emulator) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    import jwt

    now = int(time.time())
    assertion = jwt.encode(
        {
            "aud": f"{authority(emulator)}/oauth2/v2.0/token",
            "iss": emulator.cert_client_id,
            "sub": emulator.cert_client_id,
            "exp": now + 600,
            "iat": now,
            "jti": "x",
        },
        other,
        algorithm="RS256",
    )
    resp = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "scope": f"{GRAPH}/.default",
            "client_id": emulator.cert_client_id,
            "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        },
    )
    assert_aad_error(resp, "invalid_client", 700027, 401)


def test_unknown_fields_and_headers_are_ignored(emulator: Emulator) -> None:
    resp = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "scope": f"{GRAPH}/.default",
            "client_id": emulator.app_client_id,
            "client_secret": emulator.app_client_secret,
            "client_info": "1",
            "claims": '{"access_token":{}}',
            "x-unknown": "1",
        },
        headers={
            "x-client-sku": "MSAL.Python",
            "x-client-ver": "1.39.0",
            "X-AnchorMailbox": "UPN:a@b",
            "client-request-id": "5a1d7c3e-0000-4000-8000-000000000001",
            "x-ms-lib-capability": "retry-after, h429",
        },
    )
    assert resp.status_code == 200, resp.text


# -- negative tests (raw POSTs: msal caches identical 400s for 60 s) ---------------------------------------
def test_pkce_mismatch_and_missing_verifier(emulator: Emulator) -> None:
    code = _code(emulator)
    assert_aad_error(
        _redeem(emulator, code, code_verifier="wrong-verifier-wrong-verifier-wrong-verif"),
        "invalid_grant",
        501481,
    )
    assert_aad_error(_redeem(emulator, code, code_verifier=""), "invalid_grant", 501481)
    assert _redeem(emulator, code).status_code == 200  # failures do not burn the code


def test_plain_pkce_when_the_method_is_missing(emulator: Emulator) -> None:
    code = _code(emulator, challenge=VERIFIER, method=None)
    assert _redeem(emulator, code).status_code == 200


def test_code_is_single_use(emulator: Emulator) -> None:
    code = _code(emulator)
    assert _redeem(emulator, code).status_code == 200
    assert_aad_error(_redeem(emulator, code), "invalid_grant", 54005)


def test_code_bound_to_tenant_client_and_redirect(emulator: Emulator) -> None:
    code = _code(emulator)
    assert_aad_error(_redeem(emulator, code, _tenant="organizations"), "invalid_grant", 700005)
    assert_aad_error(_redeem(emulator, code, redirect_uri="http://localhost/other"), "invalid_grant", 70000)
    body = assert_aad_error(_redeem(emulator, "garbage-code"), "invalid_grant", 9002313)
    assert "error_uri" not in body


def test_code_expires(make_emulator: Any) -> None:
    emu = make_emulator()
    first, second = _code(emu), _code(emu)
    emu.advance_clock(599)  # codes live 600 s
    assert _redeem(emu, first).status_code == 200
    emu.advance_clock(2)
    assert_aad_error(_redeem(emu, second), "invalid_grant", 70008)


def test_client_authentication_errors(emulator: Emulator) -> None:
    cc = {
        "grant_type": "client_credentials",
        "scope": f"{GRAPH}/.default",
        "client_id": emulator.app_client_id,
    }
    assert_aad_error(post_token(emulator, {**cc, "client_secret": "wrong"}), "invalid_client", 7000215, 401)
    assert_aad_error(post_token(emulator, cc), "invalid_client", 7000218, 401)
    public = {
        "grant_type": "refresh_token",
        "refresh_token": "x",
        "client_id": emulator.client_id,
        "client_secret": "anything",
    }
    assert_aad_error(post_token(emulator, public), "invalid_client", 700025, 401)
    body = assert_aad_error(
        post_token(emulator, {**cc, "client_id": "00000000-0000-0000-0000-00000000beef"}),
        "unauthorized_client",
        700016,
    )
    assert body["error_uri"].endswith("/error?code=700016")


def test_get_on_the_token_endpoint(emulator: Emulator) -> None:
    assert_aad_error(
        session(emulator).get(f"{authority(emulator)}/oauth2/v2.0/token"), "invalid_request", 900561
    )


def test_client_credentials_scope_errors(emulator: Emulator) -> None:
    base = {
        "grant_type": "client_credentials",
        "client_id": emulator.app_client_id,
        "client_secret": emulator.app_client_secret,
    }
    assert_aad_error(post_token(emulator, {**base, "scope": f"{GRAPH}/Mail.Read"}), "invalid_scope", 1002012)
    assert_aad_error(
        post_token(emulator, {**base, "scope": f"{GRAPH}/.default https://outlook.office.com/.default"}),
        "invalid_scope",
        700022,
    )
    assert_aad_error(
        post_token(emulator, {**base, "scope": f"{GRAPH}/.default"}, tenant="common"),
        "invalid_request",
        9001023,
    )
    assert_aad_error(
        post_token(emulator, {**base, "scope": f"{GRAPH}/.default"}, tenant="consumers"),
        "invalid_request",
        9001023,
    )
    assert_aad_error(
        post_token(emulator, {**base, "scope": f"{GRAPH}/.default"}, tenant="nope.example"),
        "invalid_request",
        90002,
    )
    assert_aad_error(
        post_token(emulator, {**base, "grant_type": "password"}), "unsupported_grant_type", 70003
    )


def test_unknown_scope_and_unknown_refresh_token(emulator: Emulator) -> None:
    _app, first = _signed_in(emulator)
    data = {
        "grant_type": "refresh_token",
        "client_id": emulator.client_id,
        "refresh_token": first["refresh_token"],
    }
    assert_aad_error(
        post_token(emulator, {**data, "scope": "Mail.Nonsense offline_access"}), "invalid_scope", 70011
    )
    assert_aad_error(
        post_token(emulator, {**data, "refresh_token": "0.not-a-token"}), "invalid_grant", 9002313
    )
    ok = post_token(emulator, {**data, "scope": f"{GRAPH}/Mail.Read openid offline_access"})
    assert ok.status_code == 200 and ok.json()["scope"].startswith(f"{GRAPH}/Mail.Read")


def test_revoked_refresh_token(make_emulator: Any) -> None:
    emu = make_emulator(access_token_lifetime=4000)
    _app, first = _signed_in(emu)
    assert first["expires_in"] == 4000 and first["ext_expires_in"] == 4000
    emu.revoke_tokens()
    resp = post_token(
        emu,
        {
            "grant_type": "refresh_token",
            "client_id": emu.client_id,
            "refresh_token": first["refresh_token"],
            "scope": "Mail.Read offline_access",
        },
    )
    assert_aad_error(resp, "invalid_grant", 50173)
    assert emu.state.tokens.check_access(first["access_token"]).error == "expired"


def test_idle_refresh_token_expires(make_emulator: Any) -> None:
    """The refresh token's 90-day window rolls with each use and lapses after 90 idle days."""
    emu = make_emulator()
    _app, first = _signed_in(emu)
    data = {
        "grant_type": "refresh_token",
        "client_id": emu.client_id,
        "refresh_token": first["refresh_token"],
        "scope": "Mail.Read offline_access",
    }
    window = 90 * 24 * 3600
    emu.advance_clock(window - 60)
    assert post_token(emu, data).status_code == 200  # used within the window: it rolls
    emu.advance_clock(window - 60)
    assert post_token(emu, data).status_code == 200
    emu.advance_clock(window + 1)
    assert_aad_error(post_token(emu, data), "invalid_grant", 700082)


def test_correlation_id_is_the_client_request_id(emulator: Emulator) -> None:
    rid = "0b7e3a52-3f43-4b9a-9d55-1f6e2c1a0c11"
    resp = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": emulator.app_client_id,
            "client_secret": "bad",
            "scope": f"{GRAPH}/.default",
        },
        headers={"client-request-id": rid},
    )
    body = assert_aad_error(resp, "invalid_client", 7000215, 401)
    assert body["correlation_id"] == rid
