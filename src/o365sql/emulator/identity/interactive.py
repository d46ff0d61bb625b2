"""The interactive identity endpoints: /authorize, sign-in, consent, /devicelogin, admin consent, logout.

A request that needs the user is kept server-side as a `Pending` record named by a `ctx` hidden field; the
sign-in form posts to `/{tenant}/login` and the consent form to `/{tenant}/consent`, as Entra ID's pages do.
A signed-in browser gets the `emu_session` cookie, so `prompt=none` works after one sign-in.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..directory import DELEGATED_PERMISSIONS, User
from ..state import EmulatorState, state_of
from .clients import find_app, redirect_matches, resolve_tenant
from .errors import IdentityError, error_page, timestamp
from .issuing import b64url_json, new_code
from .pages import consent_page, devicecode_page, form_post_page, message_page, signin_page
from .records import AuthCode, DeviceCode, Pending, Session
from .scopes import OIDC_SCOPES, granted_delegated, needs_consent, parse_scopes, record_consent

__all__ = [
    "admin_device_decision",
    "adminconsent",
    "authorize",
    "consent",
    "devicelogin",
    "login",
    "logout",
]

COOKIE = "emu_session"
_PROMPTS = ("", "login", "none", "consent", "select_account", "create")
_MODES = ("query", "fragment", "form_post")
_TAGS = re.compile(r"<[^>]*>")


def _session(request: Request) -> tuple[str, Session] | None:
    sid = request.cookies.get(COOKIE, "")
    found = state_of(request).identity.sessions.get(sid) if sid else None
    return (sid, found) if found is not None else None


def _with_session(response: Response, sid: str | None) -> Response:
    if sid:
        response.set_cookie(COOKIE, sid, httponly=True, secure=True, samesite="none", path="/")
    return response


def _description(state: EmulatorState, code: int, message: str) -> str:
    # Redirected errors carry the same trailer lines as token errors.
    return (
        f"AADSTS{code}: {message}\r\nTrace ID: {uuid.uuid4()}\r\nCorrelation ID: {uuid.uuid4()}"
        f"\r\nTimestamp: {timestamp(state.clock.now())}"
    )


def _deliver(redirect_uri: str, mode: str, fields: dict[str, str]) -> Response:
    """Send the result to the app: 302 with a query or fragment, or the form_post page."""
    if mode == "form_post":
        return form_post_page(redirect_uri, fields)
    # A redirect URI without a path comes back with a trailing "/" (reply-url.md).
    target = redirect_uri if urlsplit(redirect_uri).path else redirect_uri + "/"
    query = urlencode(fields)  # quote_plus: '+' for spaces, as Entra ID sends them
    joiner = "#" if mode == "fragment" else ("&" if "?" in target else "?")
    url = f"{target}{joiner}{query}"
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


def _redirect_error(
    state: EmulatorState, params: dict[str, str], error: str, code: int, message: str
) -> Response:
    fields = {"error": error, "error_description": _description(state, code, message)}
    if params.get("state"):
        fields["state"] = params["state"]
    mode = params.get("response_mode", "query")
    return _deliver(params["redirect_uri"], mode if mode in _MODES else "query", fields)


def _issue_code(state: EmulatorState, pending: Pending, user: User, sid: str | None) -> Response:
    params = pending.params
    assert pending.scopes is not None
    app = state.directory.apps[pending.client_id]
    challenge = params.get("code_challenge") or None
    state.identity.prune(state.clock.time(), state.config.code_lifetime)
    code = new_code()
    state.identity.codes[code] = AuthCode(
        client_id=app.client_id,
        redirect_uri=params["redirect_uri"],
        tenant_key=pending.tenant_key,
        user_id=user.id,
        scopes=pending.scopes,
        granted=granted_delegated(state, user.id, app, pending.scopes),
        nonce=params.get("nonce"),
        challenge=challenge,
        challenge_method=(params.get("code_challenge_method") or "plain") if challenge else "plain",
        issued_at=state.clock.time(),
        auth_time=pending.auth_time,
        max_age_sent="max_age" in params,
        session_id=sid,
    )
    fields = {"code": code}
    if params.get("client_info") == "1":
        fields["client_info"] = b64url_json({"uid": user.id, "utid": state.directory.tenant.id})
    if params.get("state"):
        fields["state"] = params["state"]
    fields["session_state"] = str(uuid.uuid5(uuid.NAMESPACE_URL, sid or code))
    return _deliver(params["redirect_uri"], params.get("response_mode") or "query", fields)


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


async def authorize(request: Request) -> Response:
    """GET|POST /{tenant}/oauth2/v2.0/authorize."""
    state = state_of(request)
    tenant_path = request.path_params["tenant"]
    params = await _params(request)
    if "state" in params:
        params["state"] = _TAGS.sub("", params["state"])  # HTML is stripped from state (A2)
    try:
        tenant_key = resolve_tenant(state, tenant_path)
        if not params.get("client_id"):
            raise IdentityError(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
            )
        app = find_app(state, params["client_id"], tenant_path)
    except IdentityError as exc:
        return error_page(exc.code, exc.message, 400, request)
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        return error_page(
            900144, "The request body must contain the following parameter: 'redirect_uri'.", 400, request
        )
    if not redirect_matches(app.redirect_uris, redirect_uri):
        return error_page(
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
            f"configured for the application '{app.client_id}'. Make sure the redirect URI sent in the "
            "request matches one added to your application in the Azure portal.",
            400,
            request,
        )
    # From here the redirect URI is trusted: protocol errors go back to the app.
    if params.get("response_mode", "query") not in _MODES:
        params["response_mode"] = "query"
        return _redirect_error(
            state, params, "invalid_request", 9002313, "Invalid request. The response_mode is not valid."
        )
    response_type = params.get("response_type", "")
    if not response_type:
        return _redirect_error(
            state,
            params,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'response_type'.",
        )
    if response_type != "code":
        return _redirect_error(
            state,
            params,
            "unsupported_response_type",
            70005,
            f"response_type '{response_type}' is not supported.",
        )
    if not params.get("scope", "").strip():
        return _redirect_error(
            state,
            params,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        )
    try:
        scopes = parse_scopes(params["scope"], state)
    except IdentityError as exc:
        return _redirect_error(state, params, exc.error, exc.code, exc.message)
    if params.get("code_challenge") and (params.get("code_challenge_method") or "plain") not in (
        "S256",
        "plain",
    ):
        return _redirect_error(
            state,
            params,
            "invalid_request",
            9002313,
            "Invalid request. The code_challenge_method is not supported.",
        )
    prompt = params.get("prompt", "")
    if prompt not in _PROMPTS:
        return _redirect_error(
            state, params, "invalid_request", 9002313, f"Invalid request. The prompt '{prompt}' is not valid."
        )
    max_age = params.get("max_age")
    if max_age is not None and not max_age.isdigit():
        return _redirect_error(
            state, params, "invalid_request", 9002313, "Invalid request. max_age must be an integer."
        )
    pending = Pending("authorize", tenant_path, tenant_key, app.client_id, params, scopes, state.clock.time())
    current = _session(request)
    if (
        current is not None
        and max_age is not None
        and state.clock.time() - current[1].auth_time > int(max_age)
    ):
        current = None  # too old for max_age: sign in again
    if prompt == "none":
        if current is None:
            return _redirect_error(
                state,
                params,
                "login_required",
                50058,
                "A silent sign-in request was sent but no user is signed in.",
            )
        if needs_consent(state, current[1].user_id, app, scopes):
            return _redirect_error(
                state, params, "consent_required", 65001, _consent_message(app.client_id, app.display_name)
            )
    if current is not None and prompt not in ("login", "select_account", "create"):
        sid, session = current
        pending.user_id, pending.auth_time = session.user_id, session.auth_time
        user = state.directory.user_by_id(session.user_id)
        if user is not None:
            return _after_signin(state, pending, user, sid)
    ctx = secrets.token_urlsafe(24)
    state.identity.pending[ctx] = pending
    return signin_page(f"/{tenant_path}/login", ctx, app.display_name, params.get("login_hint", ""))


def _consent_message(client_id: str, name: str) -> str:
    return (
        f"The user or administrator has not consented to use the application with ID '{client_id}' named "
        f"'{name}'. Send an interactive authorization request for this user and resource."
    )


def _after_signin(state: EmulatorState, pending: Pending, user: User, sid: str | None) -> Response:
    """Consent if needed, else finish."""
    app = state.directory.apps[pending.client_id]
    show_consent = pending.kind in ("device", "adminconsent") or (
        pending.scopes is not None
        and (pending.params.get("prompt") == "consent" or needs_consent(state, user.id, app, pending.scopes))
    )
    if show_consent:
        ctx = secrets.token_urlsafe(24)
        state.identity.pending[ctx] = pending
        perms = (
            sorted(app.roles) if pending.kind == "adminconsent" else _permission_list(state, user, pending)
        )
        return _with_session(
            consent_page(
                f"/{pending.tenant_path}/consent",
                ctx,
                app.display_name,
                user.user_principal_name,
                perms,
                admin=pending.kind == "adminconsent",
            ),
            sid,
        )
    return _with_session(_finish(state, pending, user, sid, accepted=True), sid)


def _permission_list(state: EmulatorState, user: User, pending: Pending) -> list[str]:
    assert pending.scopes is not None
    app = state.directory.apps[pending.client_id]
    perms = granted_delegated(state, user.id, app, pending.scopes)
    return [
        *perms,
        *(
            ["Maintain access to data you have given it access to"]
            if "offline_access" in pending.scopes.oidc
            else []
        ),
    ]


def _finish(state: EmulatorState, pending: Pending, user: User, sid: str | None, accepted: bool) -> Response:
    app = state.directory.apps[pending.client_id]
    if pending.kind == "authorize":
        assert pending.scopes is not None
        if not accepted:
            return _redirect_error(
                state, pending.params, "access_denied", 65004, "User declined to consent to access the app."
            )
        if needs_consent(state, user.id, app, pending.scopes):
            record_consent(state, user.id, app, pending.scopes)
        return _issue_code(state, pending, user, sid)
    if pending.kind == "device":
        device = state.identity.devices.get(pending.device_code or "")
        if device is None or device.status != "pending" or state.clock.time() >= device.expires_at:
            return message_page(
                "Code expired", "That code has expired. Start again on your device.", 400, "error"
            )
        decide_device(state, device, user, accepted)
        if not accepted:
            return message_page(
                "Sign-in declined", f"You declined to sign in to {app.display_name}.", 200, "declined"
            )
        return message_page(
            app.display_name,
            f"You have signed in to the {app.display_name} application on your device. You may now close "
            "this window.",
            200,
            "approved",
        )
    # admin consent
    params = pending.params
    if not accepted:
        fields = {
            "error": "access_denied",
            "error_description": _description(state, 65004, "User declined to consent to access the app."),
            "admin_consent": "False",
        }
        if params.get("state"):
            fields["state"] = params["state"]
        return _deliver(params["redirect_uri"], "query", fields)
    # The emulator's apps are registered with every delegated Graph permission it knows.
    app.admin_consented = frozenset(p for p in DELEGATED_PERMISSIONS if p not in OIDC_SCOPES)
    fields = {"admin_consent": "True", "tenant": state.directory.tenant.id}
    if params.get("state"):
        fields["state"] = params["state"]
    return _deliver(params["redirect_uri"], "query", fields)


def decide_device(state: EmulatorState, device: DeviceCode, user: User, accepted: bool) -> None:
    """Approve or decline a pending device code as `user`."""
    if not accepted:
        device.status = "declined"
        return
    app = state.directory.apps[device.client_id]
    record_consent(state, user.id, app, device.scopes)
    device.user_id = user.id
    device.granted = granted_delegated(state, user.id, app, device.scopes)
    device.status = "approved"


async def login(request: Request) -> Response:
    """POST /{tenant}/login: the sign-in form."""
    state = state_of(request)
    form = await request.form()
    ctx = str(form.get("ctx", ""))
    pending: Pending | None = state.identity.pending.pop(ctx, None)
    if pending is None:
        return message_page(
            "Sign-in expired", "Your sign-in request has expired. Start again from the app.", 400, "error"
        )
    app = state.directory.apps[pending.client_id]
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    user = state.directory.user_by_login(username) if username else None
    error = None
    if user is None:
        error = (
            f"AADSTS50034: The user account {username or '(empty)'} does not exist in the "
            f"'{state.directory.tenant.domain}' directory. To sign into this application, the account must "
            "be added to the directory."
        )
    elif not secrets.compare_digest(password.encode(), user.password.encode()):
        error = "AADSTS50126: Error validating credentials due to invalid username or password."
    elif not user.account_enabled:
        error = "AADSTS50057: The user account is disabled."
    if error is not None or user is None:
        new_ctx = secrets.token_urlsafe(24)
        state.identity.pending[new_ctx] = pending
        return signin_page(f"/{pending.tenant_path}/login", new_ctx, app.display_name, username, error)
    if pending.kind == "adminconsent" and not user.is_admin:
        return error_page(
            90094,
            f"The grant requires admin permission. {user.user_principal_name} is not an administrator of the "
            "tenant.",
            403,
            request,
        )
    sid = secrets.token_urlsafe(24)
    now = int(state.clock.time())
    state.identity.sessions[sid] = Session(user.id, now)
    pending.user_id, pending.auth_time = user.id, now
    return _after_signin(state, pending, user, sid)


async def consent(request: Request) -> Response:
    """POST /{tenant}/consent: accept or decline."""
    state = state_of(request)
    form = await request.form()
    pending: Pending | None = state.identity.pending.pop(str(form.get("ctx", "")), None)
    user = state.directory.user_by_id(pending.user_id) if pending and pending.user_id else None
    if pending is None or user is None:
        return message_page(
            "Sign-in expired", "Your sign-in request has expired. Start again from the app.", 400, "error"
        )
    current = _session(request)
    return _finish(
        state, pending, user, current[0] if current else None, accepted=form.get("consent") == "accept"
    )


def _find_device(state: EmulatorState, user_code: str) -> DeviceCode | None:
    cleaned = "".join(ch for ch in user_code.upper() if ch.isalnum())
    device_code = state.identity.user_codes.get(cleaned)
    device: DeviceCode | None = state.identity.devices.get(device_code) if device_code else None
    if device is None or device.status != "pending" or state.clock.time() >= device.expires_at:
        return None
    return device


async def devicelogin(request: Request) -> Response:
    """GET|POST /devicelogin: enter the user code (or pass ?user_code=), sign in, confirm."""
    state = state_of(request)
    params = await _params(request)
    code = params.get("otc") or params.get("user_code") or ""
    if not code:
        return devicecode_page("/devicelogin")
    device = _find_device(state, code)
    if device is None:
        return devicecode_page("/devicelogin", code, "That code didn't work. Check the code and try again.")
    app = state.directory.apps[device.client_id]
    tenant_path = device.tenant_key
    pending = Pending(
        "device",
        tenant_path,
        device.tenant_key,
        app.client_id,
        {},
        device.scopes,
        state.clock.time(),
        device_code=device.device_code,
    )
    ctx = secrets.token_urlsafe(24)
    state.identity.pending[ctx] = pending
    return signin_page(f"/{tenant_path}/login", ctx, app.display_name)


async def adminconsent(request: Request) -> Response:
    """GET /{tenant}/adminconsent?client_id&redirect_uri&state: an admin grants the app tenant-wide."""
    state = state_of(request)
    tenant_path = request.path_params["tenant"]
    params = dict(request.query_params)
    try:
        tenant_key = resolve_tenant(state, tenant_path)
        app = find_app(state, params.get("client_id", ""), tenant_path)
    except IdentityError as exc:
        return error_page(exc.code, exc.message, 400, request)
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or not redirect_matches(app.redirect_uris, redirect_uri):
        return error_page(
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
            f"configured for the application '{app.client_id}'.",
            400,
            request,
        )
    pending = Pending(
        "adminconsent", tenant_path, tenant_key, app.client_id, params, None, state.clock.time()
    )
    ctx = secrets.token_urlsafe(24)
    state.identity.pending[ctx] = pending
    return signin_page(f"/{tenant_path}/login", ctx, app.display_name, params.get("login_hint", ""))


async def logout(request: Request) -> Response:
    """GET|POST /{tenant}/oauth2/v2.0/logout: end the session, then go to post_logout_redirect_uri."""
    state = state_of(request)
    params = await _params(request)
    current = _session(request)
    if current is not None:
        state.identity.sessions.pop(current[0], None)
    target = params.get("post_logout_redirect_uri", "")
    apps = state.directory.apps
    candidates = [apps[params["client_id"]]] if params.get("client_id") in apps else list(apps.values())
    if target and any(redirect_matches(a.redirect_uris, target) for a in candidates):
        response: Response = RedirectResponse(target, status_code=302)
    else:
        response = message_page(
            "You signed out of your account", "It's a good idea to close all browser windows."
        )
    response.delete_cookie(COOKIE, path="/")
    return response


async def admin_device_decision(request: Request) -> Response:
    """POST /_emulator/devicecodes/{user_code}/approve|decline (JSON body may name `user`)."""
    if request.path_params["decision"] not in ("approve", "decline"):
        return JSONResponse({"error": "use /approve or /decline"}, status_code=404)
    state = state_of(request)
    device = _find_device(state, request.path_params["user_code"])
    if device is None:
        return JSONResponse({"error": "no pending device code with that user_code"}, status_code=404)
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return JSONResponse({"error": "the body must be JSON"}, status_code=400)
    login_name = body.get("user") if isinstance(body, dict) else None
    user = state.directory.user_by_login(login_name) if login_name else state.directory.demo_user
    if user is None:
        return JSONResponse({"error": f"unknown user {login_name}"}, status_code=404)
    accepted = request.path_params["decision"] == "approve"
    decide_device(state, device, user, accepted)
    return JSONResponse(
        {"user_code": device.user_code, "status": device.status, "user": user.user_principal_name}
    )
