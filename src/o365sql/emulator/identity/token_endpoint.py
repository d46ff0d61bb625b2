"""POST /{tenant}/oauth2/v2.0/token and /devicecode: every grant msal uses, with Entra ID's error answers."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..directory import App, User
from ..state import EmulatorState, state_of
from .clients import authenticate_client, client_id_of, find_app, missing_parameter, resolve_tenant
from .errors import IdentityError, error_response, no_store_headers
from .issuing import app_only_token, delegated_token_response
from .records import AuthCode, DeviceCode
from .scopes import consented, parse_scopes

__all__ = ["DEVICE_GRANT", "devicecode", "token"]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _json(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers=no_store_headers())


async def _form(request: Request) -> dict[str, str]:
    # Unknown fields (client_info, claims, ...) and headers (x-client-*, X-AnchorMailbox) are ignored.
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def token(request: Request) -> Response:
    """The token endpoint."""
    state = state_of(request)
    if request.method != "POST":
        return error_response(
            IdentityError(
                "invalid_request", 900561, "The endpoint only accepts POST requests. Received a GET request."
            ),
            request,
        )
    try:
        form = await _form(request)
        tenant_path = request.path_params["tenant"]
        tenant_key = resolve_tenant(state, tenant_path)
        grant_type = form.get("grant_type", "")
        if not grant_type:
            raise missing_parameter("grant_type")
        handler = _GRANTS.get(grant_type)
        if handler is None:
            raise IdentityError(
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant_type}'.",
            )
        if grant_type == "client_credentials" and tenant_key in ("common", "consumers"):
            raise IdentityError(
                "invalid_request",
                9001023,
                "The grant type is not supported over the /common or /consumers endpoints. Please use the "
                "/organizations or tenant-specific endpoint.",
            )
        app = authenticate_client(state, request, form, tenant_path, tenant_key)
        return _json(handler(state, app, form, tenant_key))
    except IdentityError as exc:
        return error_response(exc, request)


def _user(state: EmulatorState, user_id: str) -> User:
    """The user a grant names, or AADSTS50034 when the directory no longer has them."""
    user = state.directory.user_by_id(user_id)
    if user is None:
        raise IdentityError("invalid_grant", 50034, "The user account does not exist in the directory.")
    return user


# -- authorization_code -------------------------------------------------------------------------------------
def _verify_pkce(code: AuthCode, verifier: str | None) -> None:
    if code.challenge is None:
        return
    mismatch = IdentityError(
        "invalid_grant",
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    )
    if not verifier:
        raise mismatch
    if code.challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    if not secrets.compare_digest(computed.encode(), code.challenge.encode()):
        raise mismatch


def _authorization_code(
    state: EmulatorState, app: App, form: dict[str, str], tenant_key: str
) -> dict[str, Any]:
    value = form.get("code", "")
    if not value:
        raise missing_parameter("code")
    code = state.identity.codes.get(value)
    if code is None:
        raise IdentityError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    if code.redeemed:
        raise IdentityError(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
            "existing refresh token.",
        )
    if state.clock.time() - code.issued_at > state.config.code_lifetime:
        raise IdentityError(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new "
            "interactive authorization request for this user and resource.",
        )
    if code.tenant_key != tenant_key:
        raise IdentityError(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
        )
    if code.client_id != app.client_id:
        # [U] Entra ID's code for a code issued to another client.
        raise IdentityError(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed. The code was issued to a different client.",
        )
    if form.get("redirect_uri", "") != code.redirect_uri:
        # [U] Entra ID's code for a redirect_uri that differs from the one sent to /authorize.
        raise IdentityError(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed. The redirect_uri does not match the redirect URI used "
            "in the authorization request.",
        )
    _verify_pkce(code, form.get("code_verifier"))
    user = _user(state, code.user_id)
    code.redeemed = True
    return delegated_token_response(
        state,
        app=app,
        user=user,
        scopes=code.scopes,
        granted=code.granted,
        client_info=form.get("client_info") == "1",
        nonce=code.nonce,
        auth_time=code.auth_time if code.max_age_sent else None,
        session_id=code.session_id,
    )


# -- refresh_token ------------------------------------------------------------------------------------------
def _refresh_token(state: EmulatorState, app: App, form: dict[str, str], tenant_key: str) -> dict[str, Any]:
    value = form.get("refresh_token", "")
    if not value:
        raise missing_parameter("refresh_token")
    grant = state.tokens.find_refresh(value)
    if grant is None:
        raise IdentityError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    if grant.client_id != app.client_id:
        raise IdentityError(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed. The refresh token was issued to a different client.",
        )
    issued = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(grant.issued_at))
    now = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(state.clock.time()))
    if grant.revoked:
        raise IdentityError(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user "
            f"might have changed or reset their password. The grant was issued on '{issued}' and the "
            "TokensValidFrom date "
            "(before which tokens are not valid) for this user is "
            f"'{now}'.",
        )
    if state.tokens.refresh_expired(grant):
        days = state.tokens.refresh_lifetime / 86400
        raise IdentityError(
            "invalid_grant",
            700082,
            f"The refresh token has expired due to inactivity. The token was issued on {issued} and was "
            f"inactive for {days:.2f} days.",
        )
    user = _user(state, grant.user_id)
    scopes = parse_scopes(form.get("scope") or "openid offline_access", state)
    if scopes.graph or scopes.wants_default:
        have = consented(state, user.id, app) | set(grant.scopes)
        missing = [p for p in scopes.graph if p not in have]
        if missing:
            raise IdentityError(
                "invalid_grant",
                65001,
                "The user or administrator has not consented to use the application with ID "
                f"'{app.client_id}' "
                f"named '{app.display_name}'. Send an interactive authorization request for this user and "
                "resource.",
            )
        granted = list(scopes.graph)
        if scopes.wants_default:
            granted += sorted(p for p in have if p not in granted)
    else:
        granted = sorted(grant.scopes)
    if "offline_access" not in scopes.oidc:
        scopes.oidc.append("offline_access")  # a refresh always returns the rotated refresh token
    state.tokens.touch_refresh(grant)
    return delegated_token_response(
        state,
        app=app,
        user=user,
        scopes=scopes,
        granted=granted,
        client_info=form.get("client_info") == "1",
        family=grant.family,
    )


# -- client_credentials -------------------------------------------------------------------------------------
def _client_credentials(
    state: EmulatorState, app: App, form: dict[str, str], tenant_key: str
) -> dict[str, Any]:
    text = form.get("scope", "").strip()
    if not text:
        raise missing_parameter("scope")
    items = text.split()
    for item in items:
        if not item.lower().endswith("/.default"):
            raise IdentityError(
                "invalid_scope",
                1002012,
                f"The provided value for scope {item} is not valid. Client credential flows must have a "
                "scope value with /.default suffixed to the resource identifier (application ID URI).",
            )
    resources = {item[: -len("/.default")].rstrip("/").lower() for item in items}
    if len(resources) > 1:
        raise IdentityError(
            "invalid_scope",
            700022,
            "The provided value for the input parameter scope is not valid because it contains more than "
            f"one resource. Scope {text} is not valid.",
        )
    parse_scopes(text, state)  # unknown resources -> AADSTS500011
    if app.public:
        raise IdentityError(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    life = state.config.access_token_lifetime
    tenant_id = state.directory.tenant.id if tenant_key == "organizations" else tenant_key
    access = app_only_token(state, app, tenant_id)
    # Client credentials answers carry no scope, refresh token or id token.
    return {"token_type": "Bearer", "expires_in": life, "ext_expires_in": life, "access_token": access}


# -- device code --------------------------------------------------------------------------------------------
def _device_code(state: EmulatorState, app: App, form: dict[str, str], tenant_key: str) -> dict[str, Any]:
    value = form.get("device_code") or form.get("code") or ""
    if not value:
        raise missing_parameter("device_code")
    device = state.identity.devices.get(value)
    if device is None or device.client_id != app.client_id:
        raise IdentityError(
            "bad_verification_code", 70018, "Invalid verification code entered. Check the code and try again."
        )
    now = state.clock.time()
    if now >= device.expires_at:
        raise IdentityError("expired_token", 70019, "Verification code expired.")
    last, device.last_poll = device.last_poll, now
    if device.status == "pending":
        # RFC 8628 slow_down when polled faster than the interval (the first poll may come at once).
        # [U] Entra ID's AADSTS code for slow_down; 70016 is the device-flow polling family.
        if last is not None and now - last < device.interval - 0.05:
            raise IdentityError(
                "slow_down",
                70016,
                "OAuth 2.0 device flow error. Polling too fast; increase the interval by 5 seconds.",
            )
        raise IdentityError(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
    if device.status == "declined":
        # [U] Entra ID's AADSTS code for a declined device sign-in.
        raise IdentityError("authorization_declined", 70000, "The user declined the authentication request.")
    if device.status == "redeemed":
        # [U] Entra ID's answer to a second redemption of one device code.
        raise IdentityError(
            "invalid_grant", 54005, "The device code was already redeemed, please start a new device flow."
        )
    user = _user(state, device.user_id or "")
    device.status = "redeemed"
    return delegated_token_response(
        state,
        app=app,
        user=user,
        scopes=device.scopes,
        granted=device.granted,
        client_info=form.get("client_info") == "1",
    )


_GRANTS = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    "client_credentials": _client_credentials,
    DEVICE_GRANT: _device_code,
}


async def devicecode(request: Request) -> Response:
    """POST /{tenant}/oauth2/v2.0/devicecode: start a device flow."""
    state = state_of(request)
    try:
        form = await _form(request)
        tenant_path = request.path_params["tenant"]
        tenant_key = resolve_tenant(state, tenant_path)
        app = find_app(state, client_id_of(request, form), tenant_path)
        if not app.public:
            # [U] device flow needs "Allow public client flows"; the emulator's confidential apps don't.
            raise IdentityError(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or "
                "'client_secret'.",
            )
        if not form.get("scope", "").strip():
            raise missing_parameter("scope")
        scopes = parse_scopes(form["scope"], state)
    except IdentityError as exc:
        return error_response(exc, request)
    state.identity.prune(state.clock.time(), state.config.code_lifetime)
    now = state.clock.time()
    user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(9))
    device = DeviceCode(
        device_code="DAQABAAEAAAD" + secrets.token_urlsafe(96),
        user_code=user_code,
        client_id=app.client_id,
        tenant_key=tenant_key,
        scopes=scopes,
        issued_at=now,
        expires_at=now + state.config.device_code_lifetime,
        interval=state.config.device_code_interval,
    )
    state.identity.devices[device.device_code] = device
    state.identity.user_codes[user_code] = device.device_code
    uri = f"{state.authority_host}/devicelogin"
    return _json(
        {
            "user_code": user_code,
            "device_code": device.device_code,
            "verification_uri": uri,
            "expires_in": state.config.device_code_lifetime,
            "interval": state.config.device_code_interval,
            "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} "
            "to authenticate.",
        }
    )
