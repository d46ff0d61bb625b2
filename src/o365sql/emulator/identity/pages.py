"""HTML pages of the sign-in service: sign-in, consent, form_post, device code entry and plain messages.

The forms are plain HTML with no script, so a person can use them in any browser, a browser test can find
every field by its label, and `browse` can fill them: the sign-in form is `<form id="signin">` with
`username` and `password`, the consent form `<form id="consent">` with the buttons `consent=accept` /
`consent=decline`, the device-code form `<form id="devicecode">` with `otc`. Errors are `class="error"`
elements with `role="alert"`, shown above the form.
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
    "body{font-family:Segoe UI,Helvetica,Arial,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}"
    "main{background:#fff;max-width:440px;margin:60px auto;padding:36px 44px;"
    "box-shadow:0 2px 6px rgba(0,0,0,.2)}"
    ".brand{font-size:13px;color:#605e5c;margin:0 0 18px}h1{font-size:24px;font-weight:600;margin:0 0 14px}"
    "label{display:block;margin-top:12px}"
    "input[type=text],input[type=email],input[type=password]{display:block;box-sizing:border-box;width:100%;"
    "padding:6px 2px;margin:4px 0 8px;border:0;border-bottom:1px solid #666;font-size:15px}"
    ".actions{margin-top:22px;text-align:right}"
    "button{font-size:15px;padding:6px 22px;margin-left:8px;border:1px solid #8a8886;background:#fff}"
    "button.primary{background:#0067b8;border-color:#0067b8;color:#fff}"
    ".error{color:#e81123;margin:8px 0}ul#permissions{padding-left:20px}ul#permissions li{margin:6px 0}"
    ".scope{color:#605e5c;font-size:13px}"
)

# What each delegated permission lets the app do, as the consent page says it (our words).
_DESCRIPTIONS = {
    "User.Read": "Sign you in and read your profile",
    "User.ReadBasic.All": "Read the basic profiles of all users",
    "User.Read.All": "Read the full profiles of all users",
    "Directory.Read.All": "Read directory data",
    "Directory.AccessAsUser.All": "Access the directory as you",
    "Group.Read.All": "Read all groups",
    "Group.ReadWrite.All": "Read and write all groups",
    "Mail.Read": "Read your mail",
    "Mail.ReadBasic": "Read the basic properties of your mail",
    "Mail.ReadWrite": "Read and write your mail",
    "Mail.Send": "Send mail as you",
    "Calendars.Read": "Read your calendars",
    "Calendars.ReadWrite": "Read and write your calendars",
    "Contacts.Read": "Read your contacts",
    "Contacts.ReadWrite": "Read and write your contacts",
    "Files.Read": "Read your files",
    "Files.ReadWrite": "Read and write your files",
    "Files.Read.All": "Read all files you can access",
    "Files.ReadWrite.All": "Read and write all files you can access",
}

_BRAND = '<p class="brand">o365sql emulator &middot; local sign-in service</p>'


def _error(error: str | None, element_id: str) -> str:
    if not error:
        return ""
    return f'<p class="error" id="{element_id}" role="alert">{escape(error)}</p>'


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
    """The sign-in form (with the last attempt's error above it)."""
    body = f"""{_BRAND}
<h1>Sign in</h1>
<p>to continue to <strong>{escape(app_name)}</strong></p>
{_error(error, "usernameError")}
<form id="signin" method="post" action="{escape(action)}">
<input type="hidden" name="ctx" value="{escape(ctx)}">
<label for="username">Email, phone, or Skype</label>
<input type="email" id="username" name="username" value="{escape(username)}" autocomplete="username">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password">
<div class="actions"><button type="submit" class="primary">Sign in</button></div>
</form>"""
    return _page("Sign in to your account", body, 200)


def consent_page(
    action: str, ctx: str, app_name: str, user: str, permissions: list[str], admin: bool
) -> HTMLResponse:
    """The permissions-requested page: Cancel declines, Accept grants."""
    items = "\n".join(
        f'<li>{escape(_DESCRIPTIONS.get(p, p))} <span class="scope">({escape(p)})</span></li>'
        if p in _DESCRIPTIONS
        else f"<li>{escape(p)}</li>"
        for p in permissions
    )
    who = "Accept for your organization" if admin else "Accept"
    body = f"""{_BRAND}
<p id="account">{escape(user)}</p>
<h1>Permissions requested</h1>
<p><strong>{escape(app_name)}</strong> needs permission to:</p>
<ul id="permissions">
{items}
</ul>
<p>Accepting lets this app use your data as described. You can change this later.</p>
<form id="consent" method="post" action="{escape(action)}">
<input type="hidden" name="ctx" value="{escape(ctx)}">
<div class="actions">
<button type="submit" name="consent" value="decline">Cancel</button>
<button type="submit" name="consent" value="accept" class="primary">{who}</button>
</div>
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
    body = f"""{_BRAND}
<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
{_error(error, "error")}
<form id="devicecode" method="post" action="{escape(action)}">
<label for="otc">Code</label>
<input type="text" id="otc" name="otc" value="{escape(user_code)}" autocomplete="off">
<div class="actions"><button type="submit" class="primary">Next</button></div>
</form>"""
    return _page("Enter code", body, 400 if error else 200)


def message_page(title: str, text: str, status: int = 200, element_id: str = "message") -> HTMLResponse:
    """A page that only says something (device sign-in finished, signed out, ...); id "error" shows as one."""
    text_html = (
        _error(text, "error") if element_id == "error" else f'<p id="{escape(element_id)}">{escape(text)}</p>'
    )
    return _page(title, f"{_BRAND}\n<h1>{escape(title)}</h1>\n{text_html}", status)
