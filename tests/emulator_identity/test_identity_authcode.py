"""Authorization-code flow with PKCE, driven by msal, with `run_browse` playing the user."""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from identity_helpers import authority, browser, confidential_app, public_app, quiet_redirect, session

from o365sql.emulator import Emulator
from o365sql.emulator.browse import run_browse

# msal recommends form_post when a test builds a query-mode flow on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _sign_in(client: httpx.Client, emu: Emulator, response: httpx.Response) -> httpx.Response:
    """Fill the sign-in form on a page (as a person would) and return the next response."""
    assert 'id="signin"' in response.text
    ctx = response.text.split('name="ctx" value="', 1)[1].split('"', 1)[0]
    action = response.text.split('<form id="signin" method="post" action="', 1)[1].split('"', 1)[0]
    return client.post(
        f"{emu.authority_host}{action}",
        data={"ctx": ctx, "username": emu.demo_user, "password": emu.demo_password},
    )


def test_auth_code_pkce_query_mode(emulator: Emulator) -> None:
    app = public_app(emulator)
    redirect = quiet_redirect()
    flow = app.initiate_auth_code_flow(
        ["Mail.Read", "https://graph.microsoft.com/User.Read"], redirect_uri=redirect, max_age=3600
    )
    assert "code_challenge_method=S256" in flow["auth_uri"]
    final = run_browse(flow["auth_uri"])
    assert final.startswith(f"{redirect}/?code=")  # trailing "/" for a path-less redirect URI
    auth_response = _query(final)
    assert auth_response["state"] == flow["state"]
    assert "client_info" in auth_response
    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    assert "access_token" in result, result
    assert list(result)[:8] == [
        "token_type",
        "scope",
        "expires_in",
        "ext_expires_in",
        "access_token",
        "refresh_token",
        "id_token",
        "client_info",
    ]
    # Scopes echo in the form the client used.
    assert result["scope"].split()[:2] == ["Mail.Read", "https://graph.microsoft.com/User.Read"]
    assert isinstance(result["expires_in"], int) and result["expires_in"] >= 3599
    check = emulator.state.tokens.check_access(result["access_token"])
    assert check.grant is not None and check.grant.scopes == {"Mail.Read", "User.Read"}
    assert check.grant.user_id is not None and not check.grant.app_only
    # id_token: RS256, kid in JWKS, nonce byte for byte, auth_time because max_age was sent.
    header = jwt.get_unverified_header(result["id_token"])
    jwks = session(emulator).get(f"{authority(emulator)}/discovery/v2.0/keys").json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(key)
    claims = jwt.decode(result["id_token"], public_key, algorithms=["RS256"], audience=emulator.client_id)  # type: ignore[arg-type]
    sent_nonce = _query(flow["auth_uri"])["nonce"]
    assert claims["nonce"] == sent_nonce
    assert claims["iss"] == f"{emulator.authority_host}/{emulator.tenant_id}/v2.0"
    assert claims["ver"] == "2.0" and claims["tid"] == emulator.tenant_id
    assert claims["preferred_username"] == emulator.demo_user
    for name in ("iat", "nbf", "exp", "sub", "oid", "name", "auth_time"):
        assert name in claims
    assert result["id_token_claims"]["oid"] == claims["oid"]
    accounts = app.get_accounts()
    assert accounts and accounts[0]["username"] == emulator.demo_user
    assert accounts[0]["home_account_id"] == f"{claims['oid']}.{emulator.tenant_id}"


def test_auth_code_form_post_and_confidential_client(emulator: Emulator) -> None:
    app = confidential_app(emulator)
    redirect = quiet_redirect()
    flow = app.initiate_auth_code_flow(["Calendars.Read"], redirect_uri=redirect, response_mode="form_post")
    final = run_browse(flow["auth_uri"])  # nothing listens there: the URL is still reported
    assert final.startswith(f"{redirect}?code=")
    auth_response = _query(final)
    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    assert result.get("token_type") == "Bearer", result
    assert result["scope"].split()[0] == "Calendars.Read"


def test_tampered_nonce_is_rejected_by_msal(emulator: Emulator) -> None:
    app = public_app(emulator)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=quiet_redirect())
    auth_response = _query(run_browse(flow["auth_uri"]))
    flow["nonce"] = "not-the-nonce"
    with pytest.raises(RuntimeError):
        app.acquire_token_by_auth_code_flow(flow, auth_response)


def test_plain_pkce_and_fragment_mode(emulator: Emulator) -> None:
    client = browser(emulator)
    params = {
        "client_id": emulator.client_id,
        "response_type": "code",
        "scope": "openid User.Read",
        "code_challenge": "plain-verifier-0123456789-0123456789-0123456789",
        "response_mode": "fragment",
        "state": "s1",
    }
    redirect = f"{quiet_redirect()}/callback"
    params["redirect_uri"] = redirect
    resp = client.get(f"{authority(emulator)}/oauth2/v2.0/authorize", params=params)
    resp = _sign_in(client, emulator, resp)
    if resp.status_code == 200 and 'id="consent"' in resp.text:
        ctx = resp.text.split('name="ctx" value="', 1)[1].split('"', 1)[0]
        resp = client.post(f"{authority(emulator)}/consent", data={"ctx": ctx, "consent": "accept"})
    assert resp.status_code == 302
    location = resp.headers["location"]
    assert location.startswith(f"{redirect}#code=")
    fields = {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}
    assert fields["state"] == "s1"
    token = session(emulator).post(
        f"{authority(emulator)}/oauth2/v2.0/token",
        data={
            "client_id": emulator.client_id,
            "grant_type": "authorization_code",
            "code": fields["code"],
            "redirect_uri": redirect,
            "code_verifier": params["code_challenge"],
        },
    )
    body = token.json()
    assert token.status_code == 200, body
    # openid without offline_access: an id_token and no refresh token; no client_info when not asked.
    assert "id_token" in body and "refresh_token" not in body and "client_info" not in body


def test_interactive_with_auth_uri_callback(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: False)  # no real browser: msal calls back instead
    app = public_app(emulator)
    seen: list[str] = []

    def callback(uri: str) -> None:
        seen.append(uri)
        # msal answers the form_post only after this callback returns, so the "browser" runs beside it.
        threading.Thread(target=run_browse, args=(uri,), daemon=True).start()

    result = app.acquire_token_interactive(["Mail.Read"], auth_uri_callback=callback, port=0, timeout=20)
    assert "access_token" in result, result
    assert "response_mode=form_post" in seen[0]


@pytest.mark.timeout(60)
def test_interactive_with_browser_env_var(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m o365sql.emulator browse %s &")
    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    monkeypatch.setenv("PYTHONPATH", os.path.abspath(src) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # webbrowser reads BROWSER once; make it read it again.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    app = public_app(emulator)
    result = app.acquire_token_interactive(["User.Read"], port=0, timeout=40)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == emulator.demo_user


def test_prompt_none_uses_the_session_cookie(emulator: Emulator) -> None:
    client = browser(emulator)
    url = f"{authority(emulator)}/oauth2/v2.0/authorize"
    base = {
        "client_id": emulator.client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost/callback",
        "scope": "openid User.Read",
        "state": "st",
    }
    # No session yet: login_required, redirected back with state.
    resp = client.get(url, params={**base, "prompt": "none"})
    assert resp.status_code == 302
    fields = _query(resp.headers["location"])
    assert fields["error"] == "login_required" and fields["state"] == "st"
    assert fields["error_description"].startswith("AADSTS50058: ")
    assert "+" in resp.headers["location"].split("error_description=", 1)[1]  # '+' for spaces
    # Sign in once (consenting if needed), then prompt=none goes straight back with a code.
    resp = _sign_in(client, emulator, client.get(url, params=base))
    if 'id="consent"' in resp.text:
        ctx = resp.text.split('name="ctx" value="', 1)[1].split('"', 1)[0]
        resp = client.post(f"{authority(emulator)}/consent", data={"ctx": ctx, "consent": "accept"})
    assert resp.status_code == 302 and "code=" in resp.headers["location"]
    again = client.get(url, params={**base, "prompt": "none"})
    assert again.status_code == 302
    assert _query(again.headers["location"])["code"]
    # A permission not consented yet cannot be granted silently.
    silent = client.get(url, params={**base, "prompt": "none", "scope": "openid Mail.Send.Shared"})
    fields = _query(silent.headers["location"])
    assert fields["error"] == "consent_required" and fields["error_description"].startswith("AADSTS65001: ")
    # prompt=login asks again even with a session.
    assert 'id="signin"' in client.get(url, params={**base, "prompt": "login"}).text
    # Logout ends the session.
    out = client.get(
        f"{authority(emulator)}/oauth2/v2.0/logout",
        params={"post_logout_redirect_uri": "http://localhost/callback"},
    )
    assert out.status_code == 302 and out.headers["location"] == "http://localhost/callback"
    after = client.get(url, params={**base, "prompt": "none"})
    assert _query(after.headers["location"])["error"] == "login_required"


def test_declining_consent_redirects_access_denied(emulator: Emulator) -> None:
    app = public_app(emulator)
    # A permission nobody has consented to yet, so the consent page appears.
    flow = app.initiate_auth_code_flow(["Contacts.ReadWrite"], redirect_uri=quiet_redirect())
    final = run_browse(flow["auth_uri"], decline=True)
    fields = _query(final)
    assert fields["error"] == "access_denied" and fields["state"] == flow["state"]
    assert fields["error_description"].startswith("AADSTS65004: ")
    result = app.acquire_token_by_auth_code_flow(flow, fields)
    assert result["error"] == "access_denied"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"client_id": "00000000-0000-0000-0000-00000000dead"}, 700016),
        ({"redirect_uri": "http://localhost/elsewhere"}, 50011),
        ({"redirect_uri": "http://localhost:1234/Callback"}, 50011),  # path is case-sensitive
        ({"redirect_uri": "https://evil.example/callback"}, 50011),
    ],
)
def test_bad_client_or_redirect_shows_an_error_page(
    emulator: Emulator, params: dict[str, str], code: int
) -> None:
    query = {
        "client_id": emulator.client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost/callback",
        "scope": "User.Read",
        "state": "x",
        **params,
    }
    resp = browser(emulator).get(f"{authority(emulator)}/oauth2/v2.0/authorize", params=query)
    assert resp.status_code == 400 and "location" not in resp.headers  # never redirected to an untrusted URI
    assert resp.headers["content-type"].startswith("text/html")
    assert f"AADSTS{code}" in resp.text


def test_loopback_redirect_ignores_the_port(emulator: Emulator) -> None:
    for uri in ("http://localhost:1234/callback", "http://127.0.0.1:55555", "http://localhost:80"):
        resp = browser(emulator).get(
            f"{authority(emulator)}/oauth2/v2.0/authorize",
            params={
                "client_id": emulator.client_id,
                "response_type": "code",
                "redirect_uri": uri,
                "scope": "User.Read",
            },
        )
        assert resp.status_code == 200 and 'id="signin"' in resp.text, uri


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        ({"response_type": None}, "invalid_request", 900144),
        ({"response_type": "token"}, "unsupported_response_type", 70005),
        ({"scope": "Mail.Nonsense"}, "invalid_scope", 70011),
        ({"code_challenge": "abc", "code_challenge_method": "S512"}, "invalid_request", 9002313),
    ],
)
def test_protocol_errors_are_redirected(
    emulator: Emulator, change: dict[str, Any], error: str, code: int
) -> None:
    query = {
        "client_id": emulator.client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost/callback",
        "scope": "User.Read",
        "state": "keep me",
    }
    query.update(change)
    resp = browser(emulator).get(
        f"{authority(emulator)}/oauth2/v2.0/authorize",
        params={k: v for k, v in query.items() if v is not None},
    )
    assert resp.status_code == 302
    location = resp.headers["location"]
    assert location.startswith("http://localhost/callback?error=")
    fields = _query(location)
    assert fields["error"] == error and fields["state"] == "keep me"
    assert fields["error_description"].startswith(f"AADSTS{code}: ")
    assert "\r\nTrace ID: " in fields["error_description"]


def test_admin_consent_redirects_back(make_emulator: Any) -> None:
    emulator = make_emulator()  # admin consent changes the app for everyone: a private emulator
    url = (
        f"{authority(emulator)}/adminconsent?client_id={emulator.app_client_id}"
        "&redirect_uri=https://app.example.test/callback&state=adm"
    )
    final = run_browse(url)  # app.example.test does not resolve: the URL is still returned
    fields = _query(final)
    assert final.startswith("https://app.example.test/callback?")
    assert fields == {"admin_consent": "True", "tenant": emulator.tenant_id, "state": "adm"}
    assert "Mail.Read" in emulator.state.directory.apps[emulator.app_client_id].admin_consented


def test_signin_with_a_wrong_password_fails_in_browse(emulator: Emulator) -> None:
    app = public_app(emulator)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=quiet_redirect())
    from o365sql.emulator.browse import BrowseError

    with pytest.raises(BrowseError, match="AADSTS50126"):
        run_browse(flow["auth_uri"], password="wrong")


@pytest.mark.parametrize("tenant", ["organizations", "common", "TENANT_DOMAIN"])
def test_auth_code_on_other_tenant_names(emulator: Emulator, tenant: str) -> None:
    name = emulator.tenant_domain if tenant == "TENANT_DOMAIN" else tenant
    app = public_app(emulator, name)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=quiet_redirect())
    result = app.acquire_token_by_auth_code_flow(flow, _query(run_browse(flow["auth_uri"])))
    assert "access_token" in result, result
    assert result["id_token_claims"]["tid"] == emulator.tenant_id


def test_default_scope_expands_to_consented_permissions(make_emulator: Any) -> None:
    emu = make_emulator()
    app = public_app(emu)
    flow = app.initiate_auth_code_flow(
        ["https://graph.microsoft.com/.default"], redirect_uri=quiet_redirect()
    )
    result = app.acquire_token_by_auth_code_flow(flow, _query(run_browse(flow["auth_uri"])))
    scopes = result["scope"].split()
    assert {"https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/.default"} <= set(scopes)
    grant = emu.state.tokens.check_access(result["access_token"]).grant
    assert grant is not None and {"Mail.Read", "Files.ReadWrite.All"} <= grant.scopes
    assert "openid" not in grant.scopes
    assert {"Mail.Read", "User.Read"} <= emu.state.directory.consent[(grant.user_id, emu.client_id)]
    # msal finds it again in its cache for .default.
    emu.reset()
    again = app.acquire_token_silent(["https://graph.microsoft.com/.default"], app.get_accounts()[0])
    assert again and again["token_source"] == "cache" and emu.requests() == []
