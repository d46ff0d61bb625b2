"""HTML pages of the sign-in service: sign-in, consent, form_post, device code entry and plain messages.

The forms are plain HTML so a person can use them in a browser and `browse` can fill them: the sign-in form
is `<form id="signin">` with `username` and `password`, the consent form `<form id="consent">` with the
buttons `consent=accept` / `consent=decline`, the device-code form `<form id="devicecode">` with `otc`.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

__all__ = [
    "consent_page",
    "devicecode_page",
    "form_post_page",
    "message_page",
    "signin_page",
]

_STYLE = (
    "body{font-family:Segoe UI,Helvetica,Arial,sans-serif;background:#f2f2f2;margin:0}"
    "main{background:#fff;max-width:440px;margin:60px auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}"
    "input[type=text],input[type=email],input[type=password]{width:100%;padding:6px;margin:6px 0 14px}"
    "button{padding:6px 18px;margin-right:8px}.error{color:#e81123}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head>\n<body><main>\n{body}\n</main></body></html>\n"
    )
    return HTMLResponse(
        html, status_code=status, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
    )


def signin_page(
    action: str, ctx: str, app_name: str, username: str = "", error: str | None = None
) -> HTMLResponse:
    """The sign-in form."""
    err = f'<p class="error" id="usernameError">{escape(error)}</p>' if error else ""
    body = f"""<h1>Sign in</h1>
<p>to continue to {escape(app_name)}</p>
{err}
<form id="signin" method="post" action="{escape(action)}">
<input type="hidden" name="ctx" value="{escape(ctx)}">
<label>Email, phone, or Skype
<input type="email" name="username" value="{escape(username)}" autocomplete="username"></label>
<label>Password<input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>"""
    return _page("Sign in to your account", body, 200)


def consent_page(
    action: str, ctx: str, app_name: str, user: str, permissions: list[str], admin: bool
) -> HTMLResponse:
    """The permissions-requested page."""
    items = "\n".join(f"<li>{escape(p)}</li>" for p in permissions)
    who = "Accept for your organization" if admin else "Accept"
    body = f"""<h1>Permissions requested</h1>
<p>{escape(user)}</p>
<p><strong>{escape(app_name)}</strong> needs permission to:</p>
<ul id="permissions">
{items}
</ul>
<form id="consent" method="post" action="{escape(action)}">
<input type="hidden" name="ctx" value="{escape(ctx)}">
<button type="submit" name="consent" value="decline">Cancel</button>
<button type="submit" name="consent" value="accept">{who}</button>
</form>"""
    return _page("Permissions requested", body)


def form_post_page(redirect_uri: str, fields: dict[str, str]) -> HTMLResponse:
    """response_mode=form_post: an auto-submitting form that POSTs the result to the redirect URI."""
    inputs = "\n".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}" />' for k, v in fields.items()
    )
    html = f"""<html><head><title>Working...</title></head><body>
<form method="POST" name="hiddenform" id="hiddenform" action="{escape(redirect_uri)}">
{inputs}
<noscript><p>Script is disabled. Click Submit to continue.</p>
<input type="submit" value="Submit" /></noscript>
</form>
<script language="javascript">document.forms[0].submit();</script>
</body></html>
"""
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def devicecode_page(action: str, user_code: str = "", error: str | None = None) -> HTMLResponse:
    """The /devicelogin code-entry page."""
    err = f'<p class="error" id="error">{escape(error)}</p>' if error else ""
    body = f"""<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
{err}
<form id="devicecode" method="post" action="{escape(action)}">
<input type="text" name="otc" value="{escape(user_code)}" autocomplete="off">
<button type="submit">Next</button>
</form>"""
    return _page("Enter code", body, 400 if error else 200)


def message_page(title: str, text: str, status: int = 200, element_id: str = "message") -> HTMLResponse:
    """A page that only says something (device sign-in finished, signed out, ...)."""
    return _page(title, f'<h1>{escape(title)}</h1>\n<p id="{escape(element_id)}">{escape(text)}</p>', status)
