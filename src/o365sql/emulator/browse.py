"""`python -m o365sql.emulator browse URL`: a headless user at a browser, for the emulator's sign-in pages.

It opens an authorize URL (or `/devicelogin?user_code=...`), signs in (the demo user unless told otherwise),
accepts or declines consent, then delivers the redirect the way a browser would: a GET for query/fragment
mode, the auto-submitted POST for form_post, even to `http://localhost:PORT`. If nothing listens there it
still reports the final redirect URL. Started by Python's `webbrowser` through
`BROWSER="python -m o365sql.emulator browse %s &"`, it makes msal's interactive flow run headless.

Called in-process from an msal `auth_uri_callback`, run it in a thread: msal answers the form_post only
after the callback returns.
"""

from __future__ import annotations

import json
import ssl
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import httpx

from .state import default_state_dir

__all__ = ["BrowseError", "run_browse"]

_MAX_STEPS = 20


class BrowseError(Exception):
    """The browse run could not finish (bad URL, sign-in refused, an error page)."""


class _Form:
    def __init__(self, attrs: dict[str, str]) -> None:
        self.id = attrs.get("id") or attrs.get("name") or ""
        self.action = attrs.get("action", "")
        self.method = attrs.get("method", "get").upper()
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []


class _PageParser(HTMLParser):
    """Collects forms (inputs, buttons) and the text of error elements."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.errors: list[str] = []
        self.title = ""
        self._current: _Form | None = None
        self._capture: str | None = None  # tag whose text is an error message
        self._in_title = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = _Form(a)
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and a.get("name"):
            if a.get("type", "text") != "submit":
                self._current.fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self._current is not None and a.get("name"):
            self._current.buttons.append((a["name"], a.get("value", "")))
        elif tag == "title":
            self._in_title = True
        if self._capture is None and (
            "error" in a.get("class", "").split() or a.get("class") == "error-message"
        ):
            self._capture = tag
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "title":
            self._in_title = False
        if self._capture == tag:
            self.errors.append(" ".join("".join(self._text).split()))
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._capture is not None:
            self._text.append(data)


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def _credentials(port: int, user: str | None, password: str | None) -> tuple[str, str]:
    info_path = default_state_dir("127.0.0.1", port) / "emulator.json"
    info: dict[str, Any] = {}
    if info_path.exists():
        info = json.loads(info_path.read_text())
    demo = str(info.get("demo_user") or "")
    name = user or demo
    if not name:
        raise BrowseError(
            f"no user given and no {info_path} to find the demo user in; pass --user and --password"
        )
    if password is None:
        if name.lower() != demo.lower() or not info.get("demo_password"):
            raise BrowseError(f"pass --password for {name} (only the demo user's password is known)")
        password = str(info["demo_password"])
    return name, password


def _deliver(url: str, method: str, fields: dict[str, str] | None) -> None:
    """Send the result to the app as a browser would; nobody listening is not an error."""
    target = urlunsplit(urlsplit(url)._replace(fragment=""))  # browsers never send the fragment
    try:
        with httpx.Client(timeout=10.0, trust_env=False) as client:
            if method == "POST":
                client.post(target, data=fields or {})
            else:
                client.get(target)
    except httpx.HTTPError:
        pass  # connection refused, unknown host, a listener that closed: the URL is still the result


def run_browse(
    url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    ca: Path | None = None,
    decline: bool = False,
) -> str:
    """Play the user for an authorize (or devicelogin) URL; return the final redirect URL."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise BrowseError(f"not an https URL of the emulator: {url}")
    port = parts.port or 443
    ca_file = ca or default_state_dir("127.0.0.1", port) / "ca.pem"
    if not Path(ca_file).exists():
        raise BrowseError(f"no CA certificate at {ca_file}; pass --ca with the emulator's ca.pem")
    username, secret = _credentials(port, user, password)
    origin = (parts.scheme, parts.netloc.lower())
    context = ssl.create_default_context(cafile=str(ca_file))
    signed_in = False
    with httpx.Client(verify=context, follow_redirects=False, timeout=30.0, trust_env=False) as client:
        try:
            response = client.get(url)
            for _ in range(_MAX_STEPS):
                if response.is_redirect:
                    location = urljoin(str(response.url), response.headers["location"])
                    loc = urlsplit(location)
                    if (loc.scheme, loc.netloc.lower()) == origin:
                        response = client.get(location)
                        continue
                    _deliver(location, "GET", None)
                    return location
                page = _parse(response.text)
                forms = {f.id: f for f in page.forms}
                if "hiddenform" in forms:
                    form = forms["hiddenform"]
                    _deliver(form.action, "POST", form.fields)
                    joiner = "&" if "?" in form.action else "?"
                    return f"{form.action}{joiner}{urlencode(form.fields)}"
                if "signin" in forms:
                    if signed_in:
                        raise BrowseError(
                            f"sign-in as {username} failed: {'; '.join(page.errors) or 'refused'}"
                        )
                    form = forms["signin"]
                    fields = dict(form.fields, username=username, password=secret)
                    response = client.post(urljoin(str(response.url), form.action), data=fields)
                    signed_in = True
                    continue
                if "consent" in forms:
                    form = forms["consent"]
                    fields = dict(form.fields, consent="decline" if decline else "accept")
                    response = client.post(urljoin(str(response.url), form.action), data=fields)
                    continue
                if "devicecode" in forms and not page.errors:
                    raise BrowseError("the device login page needs a code: open /devicelogin?user_code=CODE")
                if response.status_code >= 400 or page.errors:
                    detail = "; ".join(page.errors) or f"HTTP {response.status_code}"
                    raise BrowseError(f"the sign-in service refused: {detail}")
                # A page with nothing to do: device sign-in finished (or declined).
                return str(response.url)
        except httpx.HTTPError as exc:
            raise BrowseError(
                f"could not reach the emulator at {parts.scheme}://{parts.netloc}: {exc}"
            ) from exc
    raise BrowseError(f"gave up after {_MAX_STEPS} pages without reaching the app")
