"""Checklist 17-20: bearer checks (401 + WWW-Authenticate), /me with app tokens, permissions (403s),
error body shape, request-id headers, service-specific not-found codes and malformed Outlook ids."""

from __future__ import annotations

import re

import httpx
import msal
import pytest
from graph_helpers import client_for, token_for

from o365sql.emulator import Emulator

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def assert_error(r: httpx.Response, status: int, code: str, message: str | None = None) -> None:
    """Graph's error body: code, message, innerError{date (no Z/fraction), request-id, client-request-id}."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "innerError"}
    assert error["code"] == code
    if message is not None:
        assert error["message"] == message
    inner = error["innerError"]
    assert DATE.match(inner["date"]), inner["date"]
    assert inner["request-id"] == r.headers["request-id"]
    assert inner["client-request-id"] == r.headers["client-request-id"]


WWW = re.compile(
    r'^Bearer realm="", authorization_uri="https://127\.0\.0\.1:\d+/common/oauth2/authorize", '
    r'client_id="00000003-0000-0000-c000-000000000000"$'
)


def test_missing_expired_malformed_revoked_tokens(emulator: Emulator) -> None:
    """401 InvalidAuthenticationToken with the observed messages and the WWW-Authenticate header."""
    with client_for(emulator) as anon:
        r = anon.get("/me/messages")
        assert_error(r, 401, "InvalidAuthenticationToken", "Access token is empty.")
        assert WWW.match(r.headers["www-authenticate"])
        r = anon.get("/me", headers={"Authorization": "Bearer not-a-jwt"})
        assert_error(
            r, 401, "InvalidAuthenticationToken", "CompactToken parsing failed with error code: 80049217"
        )
        expired = token_for(emulator, lifetime=-5)
        r = anon.get("/me", headers={"Authorization": f"Bearer {expired}"})
        assert_error(r, 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        assert WWW.match(r.headers["www-authenticate"])


def test_revoked_and_expired_by_admin_route(make_emulator: type[Emulator]) -> None:
    """Checklist 17: the admin routes expire tokens; Graph then answers 401."""
    emu = make_emulator()
    token = token_for(emu, lifetime=3599)
    with client_for(emu, token) as client:
        assert client.get("/me").status_code == 200
        emu.expire_tokens()
        assert_error(
            client.get("/me"),
            401,
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        )


def test_me_with_app_token(emulator: Emulator) -> None:
    """/me with an app-only token: 400 BadRequest (Graph's observed message)."""
    with client_for(emulator, token_for(emulator, app=True)) as app:
        assert_error(
            app.get("/me/messages"),
            400,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        )
        assert app.get("/users").status_code == 200


def test_request_id_headers(graph: httpx.Client) -> None:
    """Every response carries request-id and echoes client-request-id."""
    r = graph.get("/me", headers={"client-request-id": "11111111-2222-3333-4444-555555555555"})
    assert r.headers["client-request-id"] == "11111111-2222-3333-4444-555555555555"
    assert re.match(r"^[0-9a-f-]{36}$", r.headers["request-id"])
    r = graph.get("/me/messages/AAMkAGnothere==", headers={"client-request-id": "abc"})
    assert r.json()["error"]["innerError"]["client-request-id"] == "abc"
    r = graph.get("/me")
    assert r.headers["client-request-id"] == r.headers["request-id"]


def test_not_found_codes(graph: httpx.Client, emulator: Emulator) -> None:
    """Not-found codes are per service; malformed Outlook ids are 400 ErrorInvalidIdMalformed."""
    box = emulator.state.graph.mailbox(emulator.state.directory.demo_user.id)
    real = next(iter(box.messages))
    gone = real[:-8] + "AAAAAA==" if not real.endswith("AAAAAA==") else real[:-8] + "BBBBBB=="
    assert_error(
        graph.get(f"/me/messages/{gone}"),
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
    assert_error(graph.get("/me/messages/not-an-id"), 400, "ErrorInvalidIdMalformed", "Id is malformed.")
    assert_error(graph.get("/me/events/xyz"), 400, "ErrorInvalidIdMalformed", "Id is malformed.")
    assert_error(graph.get(f"/me/contacts/{gone}"), 404, "ErrorItemNotFound")
    assert_error(graph.get(f"/me/mailFolders/{gone}"), 404, "ErrorItemNotFound")
    missing = "00000000-0000-4000-8000-000000000000"
    assert_error(
        graph.get(f"/users/{missing}"),
        404,
        "Request_ResourceNotFound",
        f"Resource '{missing}' does not exist or one of its queried reference-property objects are not "
        "present.",
    )
    assert_error(graph.get(f"/groups/{missing}"), 404, "Request_ResourceNotFound")
    assert_error(
        graph.get("/me/drive/items/01AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        404,
        "itemNotFound",
        "The resource could not be found.",
    )
    assert_error(graph.get("/me/drive/root:/No/Such/File.txt:"), 404, "itemNotFound")
    assert_error(graph.get("/me/notAThing"), 400, "BadRequest")


def test_well_known_folder_names(graph: httpx.Client) -> None:
    """Well-known names work as folder ids, case-insensitively, with Outlook's display names."""
    names = {
        "inbox": "Inbox",
        "drafts": "Drafts",
        "sentitems": "Sent Items",
        "deleteditems": "Deleted Items",
        "junkemail": "Junk Email",
        "archive": "Archive",
        "outbox": "Outbox",
        "SentItems": "Sent Items",
    }
    for wk, display in names.items():
        r = graph.get(f"/me/mailFolders/{wk}")
        assert r.status_code == 200 and r.json()["displayName"] == display
    inbox = graph.get("/me/mailFolders/inbox").json()
    children = graph.get("/me/mailFolders/inbox/childFolders").json()["value"]
    assert {c["displayName"] for c in children} == {"Newsletters", "Team"}
    assert all(c["parentFolderId"] == inbox["id"] for c in children)
    assert inbox["childFolderCount"] == 2 and inbox["totalItemCount"] > 0


@pytest.mark.parametrize(
    ("scopes", "path", "code"),
    [
        ({"User.Read"}, "/me/messages", "ErrorAccessDenied"),
        ({"User.Read"}, "/me/events", "ErrorAccessDenied"),
        ({"User.Read"}, "/me/contacts", "ErrorAccessDenied"),
        ({"User.Read"}, "/me/drive/root/children", "accessDenied"),
        ({"User.Read"}, "/users", "Authorization_RequestDenied"),
        ({"User.Read"}, "/groups", "Authorization_RequestDenied"),
        ({"Mail.Read"}, "/me", "Authorization_RequestDenied"),
    ],
)
def test_missing_permission_403(emulator: Emulator, scopes: set[str], path: str, code: str) -> None:
    """Without the permission: 403 with the service's code and 'Insufficient privileges...'."""
    with client_for(emulator, token_for(emulator, scopes)) as client:
        assert_error(client.get(path), 403, code, "Insufficient privileges to complete the operation.")


def test_delegated_other_mailbox_needs_shared_scope(emulator: Emulator) -> None:
    """A delegated token reads another user's mailbox only with a .Shared scope; app tokens with the role."""
    other = emulator.state.directory.users[3]
    with client_for(emulator, token_for(emulator, {"Mail.Read", "User.Read"})) as client:
        assert client.get("/me/messages?$top=1").status_code == 200
        r = client.get(f"/users/{other.user_principal_name}/messages")
        assert_error(r, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        own = client.get(f"/users/{emulator.state.directory.demo_user.id}/messages?$top=1")
        assert own.status_code == 200
    with client_for(emulator, token_for(emulator, {"Mail.Read.Shared"})) as client:
        r = client.get(f"/users/{other.user_principal_name}/messages?$top=2")
        assert r.status_code == 200, r.text
        assert r.json()["@odata.context"].endswith(
            f"$metadata#users('{other.user_principal_name.replace('@', '%40')}')/messages"
        )
    with client_for(emulator, token_for(emulator, app=True, roles={"Mail.Read"})) as app:
        assert app.get(f"/users/{other.id}/messages?$top=1").status_code == 200
        assert_error(app.get(f"/users/{other.id}/events"), 403, "ErrorAccessDenied")
        assert_error(app.get(f"/users/{other.id}/drive/root/children"), 403, "accessDenied")
    with client_for(emulator, token_for(emulator, app=True)) as app:
        for path in ("events", "contacts", "drive/root/children", "mailFolders"):
            assert app.get(f"/users/{other.id}/{path}").status_code == 200, path


def test_unknown_user_mailbox(graph: httpx.Client) -> None:
    """A mailbox path for a user who doesn't exist: 404 ErrorInvalidUser."""
    assert_error(graph.get("/users/nobody@contoso-demo.onmicrosoft.com/messages"), 404, "ErrorInvalidUser")


def test_token_through_msal(emulator: Emulator) -> None:
    """A token from the identity routes (client credentials through msal) works on Graph."""
    app = msal.ConfidentialClientApplication(
        emulator.app_client_id,
        client_credential=emulator.app_client_secret,
        authority=f"{emulator.authority_host}/{emulator.tenant_id}",
        http_client=emulator.requests_session(),
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    with client_for(emulator, result["access_token"]) as client:
        r = client.get("/users?$top=2")
        assert r.status_code == 200, r.text
        assert_error(client.get("/me"), 400, "BadRequest")
