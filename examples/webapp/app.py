"""The web app: "Sign in with Microsoft", then the user's unread mail and next events, read with SQL.

The browser holds only a random session id (an HttpOnly cookie); everything else is kept here, per session:
the sign-in's `state`, the refresh token, and the session's own OAuthSettingsLocation (`memory://...`),
where o365sql keeps the pending sign-in (its PKCE verifier) and then the user's tokens.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

import o365sql
from o365sql.auth import logout
from o365sql.errors import AuthenticationError
from o365sql.properties import resolve

from .settings import Settings

__all__ = ["create_app"]

COOKIE = "webapp_session"


SESSION_HOURS = 8  # then the visitor signs in again


@dataclass
class UserSession:
    """What the server keeps for one browser session."""

    store: str = field(default_factory=lambda: f"memory://webapp-{secrets.token_urlsafe(16)}")
    state: str | None = None  # the State of the sign-in under way
    refresh_token: str | None = None  # set once signed in
    expires: float = 0.0  # time.monotonic() when the session ends

    def __repr__(self) -> str:  # never show the tokens
        return f"<UserSession signed_in={self.refresh_token is not None}>"


def _forget(session: UserSession) -> None:
    """Clear the session's OAuthSettingsLocation: its tokens and any pending sign-in."""
    logout(resolve("", OAuthSettingsLocation=session.store))


class Sessions:
    """Server-side sessions, found by the cookie's random id; they end after SESSION_HOURS."""

    def __init__(self) -> None:
        self._items: dict[str, UserSession] = {}
        self._lock = threading.Lock()

    def find(self, request: Request) -> UserSession | None:
        """The session the request's cookie names, if any and not ended."""
        with self._lock:
            session = self._items.get(request.cookies.get(COOKIE, ""))
        return session if session is not None and session.expires > time.monotonic() else None

    def start(self, session: UserSession | None = None) -> tuple[str, UserSession]:
        """A new session id for `session` (a new one when None), good for SESSION_HOURS; it goes into the
        cookie. Sessions that have ended are swept out here."""
        sid = secrets.token_urlsafe(32)
        session = session or UserSession()
        now = time.monotonic()
        session.expires = now + SESSION_HOURS * 3600
        with self._lock:
            ended = [self._items.pop(k) for k, v in list(self._items.items()) if v.expires <= now]
            self._items[sid] = session
        for old in ended:
            _forget(old)
        return sid, session

    def end(self, request: Request) -> UserSession | None:
        """Forget the request's session."""
        with self._lock:
            return self._items.pop(request.cookies.get(COOKIE, ""), None)


_STYLE = (
    "body{font-family:Segoe UI,Helvetica,Arial,sans-serif;margin:0;background:#faf9f8;color:#201f1e}"
    "header{background:#0f6cbd;color:#fff;padding:14px 28px;font-size:20px}"
    "main{max-width:760px;margin:28px auto;padding:0 20px}"
    "table{border-collapse:collapse;width:100%;margin-bottom:28px;background:#fff}"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e1dfdd}"
    "button{font-size:15px;padding:8px 20px;background:#0f6cbd;color:#fff;border:0;cursor:pointer}"
    ".error{color:#a4262c;background:#fde7e9;padding:10px}.count{font-size:40px;font-weight:600}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head>\n<body><header>Contoso Mail Glance</header><main>\n{body}\n"
        "</main></body></html>\n"
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _button(action: str, label: str) -> str:
    return f'<form method="post" action="{action}"><button type="submit">{escape(label)}</button></form>'


def _signed_out_page(message: str = "", status: int = 200) -> HTMLResponse:
    error = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    body = (
        f"<h1>Your mail at a glance</h1>\n{error}\n<p>Sign in with your work account to see your unread "
        f"mail and your next meetings.</p>\n{_button('/signin', 'Sign in with Microsoft')}"
    )
    return _page("Mail Glance", body, status)


def _rows(cursor: o365sql.Cursor, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params or [])
    return list(cursor.fetchall())


def _when(value: datetime | None) -> str:
    return value.strftime("%a %d %b %H:%M UTC") if value else ""


def create_app(settings: Settings) -> Starlette:
    """The Starlette application for `settings` (their redirect URI must be set: `with_port`)."""
    sessions = Sessions()
    secure_cookie = settings.redirect_uri.startswith("https://")

    def connect(session: UserSession) -> o365sql.Connection:
        # Before sign-in the connection has no token (the OAuth procedures need none); after it, the driver
        # redeems the refresh token once and then refreshes from the session's store by itself.
        if session.refresh_token is None:
            tokens: dict[str, Any] = {"InitiateOAuth": "OFF"}
        else:
            tokens = {"InitiateOAuth": "REFRESH", "OAuthRefreshToken": session.refresh_token}
        return o365sql.connect(
            **settings.connection_properties(), OAuthSettingsLocation=session.store, **tokens
        )

    def with_cookie(response: Response, sid: str) -> Response:
        response.set_cookie(COOKIE, sid, httponly=True, secure=secure_cookie, samesite="lax", path="/")
        return response

    def home(request: Request) -> Response:
        session = sessions.find(request)
        if session is None or session.refresh_token is None:
            return _signed_out_page()
        now = datetime.now(UTC)
        try:
            with connect(session) as con:
                cur = con.cursor()
                [(unread,)] = _rows(
                    cur, "SELECT COUNT(*) FROM Messages WHERE parentFolderId = 'inbox' AND isRead = 0"
                )
                latest = _rows(
                    cur,
                    "SELECT receivedDateTime, from_emailAddress_name, subject FROM Messages "
                    "WHERE parentFolderId = 'inbox' AND isRead = 0 ORDER BY receivedDateTime DESC LIMIT 5",
                )
                events = _rows(
                    cur,
                    "SELECT start_dateTime, subject, location_displayName FROM CalendarView "
                    "WHERE start_dateTime >= ? AND end_dateTime <= ? ORDER BY start_dateTime LIMIT 5",
                    [now, now + timedelta(days=14)],
                )
        except AuthenticationError as exc:
            # E.g. the refresh token was revoked or has expired: the user has to sign in again.
            sessions.end(request)
            _forget(session)
            return _signed_out_page(f"Your sign-in has ended ({exc}). Sign in again.", 401)
        except o365sql.Error as exc:  # Graph unreachable, throttling that did not clear, ...
            problem = f'<p class="error" role="alert">Your mail could not be read: {escape(str(exc))}</p>'
            return _page("Mail Glance", f"{problem}\n{_button('/signout', 'Sign out')}", 502)
        mail = "".join(
            f"<tr><td>{_when(r)}</td><td>{escape(f or '')}</td><td>{escape(s or '')}</td></tr>"
            for r, f, s in latest
        )
        meetings = "".join(
            f"<tr><td>{_when(start)}</td><td>{escape(s or '')}</td><td>{escape(where or '')}</td></tr>"
            for start, s, where in events
        )
        body = f"""<h1>Your mail at a glance</h1>
<p>Unread in your Inbox</p><p class="count" id="unread">{unread}</p>
<table id="mail"><tr><th>Received</th><th>From</th><th>Subject</th></tr>{mail}</table>
<h2>Next meetings</h2>
<table id="events"><tr><th>Starts</th><th>Subject</th><th>Where</th></tr>{meetings}</table>
{_button("/signout", "Sign out")}"""
        return _page("Mail Glance", body)

    def signin(request: Request) -> Response:
        session = sessions.find(request)
        sid = None
        if session is None:
            sid, session = sessions.start()
        session.state = secrets.token_urlsafe(24)
        try:
            with connect(session) as con:
                cur = con.cursor()
                cur.execute("EXEC GetOAuthAuthorizationURL State = ?", [session.state])
                [(url,)] = cur.fetchall()
        except o365sql.Error as exc:  # e.g. the identity platform cannot be reached
            response: Response = _signed_out_page(f"Sign-in could not start: {exc}", 503)
        else:
            response = RedirectResponse(url, status_code=303)
        return with_cookie(response, sid) if sid else response

    def callback(request: Request) -> Response:
        session = sessions.find(request)
        state = request.query_params.get("state", "")
        if session is None or not session.state or not secrets.compare_digest(state, session.state):
            return _signed_out_page("That sign-in response does not belong to this browser session.", 400)
        session.state = None  # one response per sign-in
        if "error" in request.query_params:
            reason = request.query_params.get("error_description", "").splitlines()
            return _signed_out_page(
                f"Sign-in did not finish: {reason[0] if reason else request.query_params['error']}", 400
            )
        try:
            with connect(session) as con:
                cur = con.cursor()
                cur.execute(
                    "EXEC GetOAuthAccessToken AuthMode = 'WEB', Verifier = ?, State = ?",
                    [request.query_params.get("code", ""), state],
                )
                [(_, refresh_token, _)] = cur.fetchall()
        except o365sql.Error as exc:
            return _signed_out_page(f"Sign-in did not finish: {exc}", 400)
        session.refresh_token = refresh_token
        # A new session id once signed in, so an id seen before sign-in is worth nothing.
        sessions.end(request)
        sid, _ = sessions.start(session)
        return with_cookie(RedirectResponse("/", status_code=303), sid)

    def signout(request: Request) -> Response:
        session = sessions.end(request)
        if session is not None:
            _forget(session)
        response = RedirectResponse(settings.logout_url(), status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return Starlette(
        routes=[
            Route("/", home),
            Route("/signin", signin, methods=["POST"]),
            Route(settings.callback_path, callback),
            Route("/signout", signout, methods=["POST"]),
        ]
    )
