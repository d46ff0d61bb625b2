"""python-o365 (package O365), unmodified, against a private emulator.

Configured through its public options only:
- the Graph base URL through a `MSGraphProtocol` subclass, the extension point python-o365 gives for other
  Graph hosts (the national-cloud answers in O365/python-o365#403 and #1131);
- the emulator's CA through `verify_ssl` (handed to requests' `verify`, which takes a CA file);
- tokens through `token_backend` (an msal token cache it reads from).

python-o365's own sign-in cannot reach the emulator: `Connection.__init__` fixes its msal authority to
`https://login.microsoftonline.com/{tenant}` with no option to change it (O365/python-o365#1131 asks for
configurable URLs), and a test may call nothing but 127.0.0.1. So both sign-ins (client credentials and the
delegated device-code flow) run through msal against the emulator into python-o365's token backend, and
python-o365 takes the tokens from there, as it does for tokens it acquired itself.

requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's `verify` (psf/requests#4726), and this
machine sets them; each test removes them for its own duration (monkeypatch), so `verify_ssl` is what counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import msal
import pytest
from O365 import Account, MSGraphProtocol
from O365.utils.token import MemoryTokenBackend

from o365sql.emulator import Emulator

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class Peer:
    """python-o365 accounts (app-only and delegated) on one emulator, and a raw httpx reader."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        base = emu.graph_url[: -len("v1.0")]
        self.protocol = type("EmulatorGraphProtocol", (MSGraphProtocol,), {"_protocol_url": base})
        authority = f"{emu.authority_host}/{emu.tenant_id}"

        self.accounts: list[Account] = []
        self.sessions = [emu.requests_session(), emu.requests_session()]
        self.app_tokens = MemoryTokenBackend()
        app = msal.ConfidentialClientApplication(
            emu.app_client_id,
            client_credential=emu.app_client_secret,
            authority=authority,
            instance_discovery=False,
            http_client=self.sessions[0],
            token_cache=self.app_tokens,
        )
        self.app_result = app.acquire_token_for_client([GRAPH_SCOPE])

        self.user_tokens = MemoryTokenBackend()
        public = msal.PublicClientApplication(
            emu.client_id,
            authority=authority,
            instance_discovery=False,
            http_client=self.sessions[1],
            token_cache=self.user_tokens,
        )
        scopes = [
            "User.Read.All",
            "Mail.ReadWrite",
            "Mail.Send",
            "Calendars.ReadWrite",
            "Contacts.ReadWrite",
            "Files.ReadWrite",
        ]
        flow = public.initiate_device_flow(scopes)
        emu.admin("POST", f"devicecodes/{flow['user_code']}/approve", {})
        self.user_result = public.acquire_token_by_device_flow(flow)
        self.raw = emu.http_client(
            base_url=emu.graph_url,
            headers={"Authorization": f"Bearer {self.user_result['access_token']}"},
            timeout=30,
        )

    def app(self) -> Account:
        return self._keep(
            Account(
                (self.emu.app_client_id, self.emu.app_client_secret),
                auth_flow_type="credentials",
                tenant_id=self.emu.tenant_id,
                protocol=self.protocol(),
                token_backend=self.app_tokens,
                verify_ssl=str(self.emu.ca_path),
            )
        )

    def user(self) -> Account:
        return self._keep(
            Account(
                (self.emu.client_id,),
                auth_flow_type="public",
                tenant_id=self.emu.tenant_id,
                protocol=self.protocol(),
                token_backend=self.user_tokens,
                verify_ssl=str(self.emu.ca_path),
            )
        )

    def _keep(self, account: Account) -> Account:
        self.accounts.append(account)
        return account

    def close_accounts(self) -> None:
        """Close the requests sessions python-o365 opened (it leaves that to its caller)."""
        while self.accounts:
            con = self.accounts.pop().con
            for session in (con.session, con.naive_session):
                if session is not None:
                    session.close()

    def close(self) -> None:
        self.close_accounts()
        self.raw.close()
        for session in self.sessions:
            session.close()

    def read(self, path: str, **params: Any) -> Any:
        r = self.raw.get(path, params=params or None)
        assert r.status_code == 200, r.text
        return r.json()

    def read_all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        body = self.read(path, **params)
        out = list(body["value"])
        while "@odata.nextLink" in body:
            body = self.raw.get(body["@odata.nextLink"]).json()
            out.extend(body["value"])
        return out


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    with Emulator(data="demo") as emu:
        p = Peer(emu)
        yield p
        p.close()


@pytest.fixture(autouse=True)
def _session_verify_counts(peer: Peer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    yield
    peer.close_accounts()


# -- sign-in ------------------------------------------------------------------------------------------------
def test_client_credentials_sign_in(peer: Peer) -> None:
    assert "access_token" in peer.app_result, peer.app_result
    account = peer.app()
    assert account.is_authenticated
    user = account.directory().get_user(peer.emu.demo_user)
    assert user.user_principal_name == peer.emu.demo_user


def test_delegated_sign_in(peer: Peer) -> None:
    assert "access_token" in peer.user_result, peer.user_result
    account = peer.user()
    assert account.is_authenticated
    me = account.directory(resource="me").get_current_user()
    assert me.user_principal_name == peer.emu.demo_user


# -- directory ----------------------------------------------------------------------------------------------
def test_users_filter_select_top_and_paging(peer: Peer) -> None:
    directory = peer.app().directory()
    query = directory.new_query().equals("accountEnabled", True)
    query = query & directory.new_query().select("id", "displayName", "mail")
    users = list(directory.get_users(limit=None, batch=3, query=query))
    expected = peer.read_all(
        "/users", **{"$filter": "accountEnabled eq true", "$select": "id", "$top": "999"}
    )
    assert sorted(u.object_id for u in users) == sorted(u["id"] for u in expected)


# -- mail ---------------------------------------------------------------------------------------------------
def test_every_page_of_the_mailbox(peer: Peer) -> None:
    mailbox = peer.user().mailbox()
    messages = list(mailbox.get_messages(limit=None, batch=40))
    expected = peer.read_all("/me/messages", **{"$select": "id", "$top": "1000"})
    assert len(messages) == len(expected) and {m.object_id for m in messages} == {m["id"] for m in expected}


def test_get_one_message_and_its_attachments(peer: Peer) -> None:
    mid = peer.read("/me/messages", **{"$filter": "hasAttachments eq true", "$top": "1"})["value"][0]["id"]
    mailbox = peer.user().mailbox()
    message = mailbox.get_message(mid, download_attachments=True)
    assert message.object_id == mid and message.has_attachments
    raw = peer.read(f"/me/messages/{mid}/attachments")["value"]
    assert sorted(a.name for a in message.attachments) == sorted(a["name"] for a in raw)


def test_mail_folders(peer: Peer) -> None:
    folders = peer.user().mailbox().get_folders()
    assert sorted(f.name for f in folders) == sorted(
        f["displayName"] for f in peer.read_all("/me/mailFolders")
    )


def test_send_mail(peer: Peer) -> None:
    message = peer.user().new_message()
    message.to.add(peer.emu.demo_user)
    message.subject = "sent by python-o365"
    message.body = "hello from python-o365"
    assert message.send()
    sent = peer.read("/me/mailFolders/sentitems/messages", **{"$filter": "subject eq 'sent by python-o365'"})
    assert len(sent["value"]) == 1


def test_message_delta_to_the_delta_link(peer: Peer) -> None:
    """python-o365 has no delta API; its connection's public request method follows the links."""
    con = peer.user().con
    url: str | None = f"{peer.emu.graph_url}/me/mailFolders/inbox/messages/delta()"
    seen: list[str] = []
    delta_link = None
    while url:
        body = con.get(url).json()
        seen.extend(m["id"] for m in body["value"])
        url = body.get("@odata.nextLink")
        delta_link = body.get("@odata.deltaLink", delta_link)
    inbox = peer.read_all("/me/mailFolders/inbox/messages", **{"$select": "id", "$top": "1000"})
    assert sorted(seen) == sorted(m["id"] for m in inbox) and delta_link


# -- calendar and contacts ----------------------------------------------------------------------------------
def test_events_and_calendar_view(peer: Peer) -> None:
    schedule = peer.user().schedule()
    calendar = schedule.get_default_calendar()
    events = list(calendar.get_events(limit=None, batch=50, include_recurring=False))
    assert len(events) == len(peer.read_all("/me/events", **{"$select": "id", "$top": "1000"}))
    now = datetime.now(UTC).replace(microsecond=0)
    start, end = now - timedelta(days=10), now + timedelta(days=10)
    view = list(
        calendar.get_events(
            limit=None, batch=50, include_recurring=True, start_recurring=start, end_recurring=end
        )
    )
    expected = peer.read_all(
        "/me/calendarView",
        startDateTime=start.isoformat(),
        endDateTime=end.isoformat(),
        **{"$select": "id", "$top": "1000"},
    )
    assert sorted(e.object_id for e in view) == sorted(e["id"] for e in expected)


def test_create_an_event(peer: Peer) -> None:
    """python-o365 sends a singleValueExtendedProperties entry (DoNotForward) with every event it creates."""
    calendar = peer.user().schedule().get_default_calendar()
    event = calendar.new_event("made by python-o365")
    event.start = datetime(2026, 3, 4, 9, 0, tzinfo=ZoneInfo("UTC"))
    event.end = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert event.save()
    got = peer.read(f"/me/events/{event.object_id}")
    assert got["subject"] == "made by python-o365" and got["start"]["dateTime"].startswith("2026-03-04T09:00")


def test_contacts(peer: Peer) -> None:
    contacts = list(peer.user().address_book().get_contacts(limit=None))
    assert sorted(c.object_id for c in contacts) == sorted(c["id"] for c in peer.read_all("/me/contacts"))


# -- drive --------------------------------------------------------------------------------------------------
def test_drive_children(peer: Peer) -> None:
    root = peer.user().storage().get_default_drive().get_root_folder()
    names = sorted(i.name for i in root.get_items())
    assert names == sorted(i["name"] for i in peer.read_all("/me/drive/root/children"))


@pytest.mark.parametrize(("size", "chunks"), [(1000, False), (800 * 1024, True)])
def test_upload(peer: Peer, tmp_path: Path, size: int, chunks: bool) -> None:
    """A small upload is one PUT .../content; upload_in_chunks uses an upload session (resumable)."""
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / f"o365-{size}.bin"
    path.write_bytes(data)
    root = peer.user().storage().get_default_drive().get_root_folder()
    item = root.upload_file(path, upload_in_chunks=chunks, chunk_size=320 * 1024)
    assert item is not None and item.name == path.name
    got = peer.raw.get(f"/me/drive/root:/{path.name}:/content", follow_redirects=True)
    assert got.content == data


# -- users delta and $batch ---------------------------------------------------------------------------------
def test_user_delta_to_the_delta_link(peer: Peer) -> None:
    con = peer.app().con
    url: str | None = f"{peer.emu.graph_url}/users/delta()"
    seen: list[str] = []
    delta_link = None
    while url:
        body = con.get(url).json()
        seen.extend(u["id"] for u in body["value"])
        url = body.get("@odata.nextLink")
        delta_link = body.get("@odata.deltaLink", delta_link)
    assert sorted(seen) == sorted(u["id"] for u in peer.read_all("/users", **{"$top": "999"})) and delta_link


def test_batch(peer: Peer) -> None:
    con = peer.user().con
    requests = {
        "requests": [
            {"id": "1", "method": "GET", "url": "/me?$select=displayName"},
            {"id": "2", "method": "GET", "url": "/me/mailFolders/inbox"},
        ]
    }
    answer = con.post(f"{peer.emu.graph_url}/$batch", data=requests).json()
    statuses = {r["id"]: r["status"] for r in answer["responses"]}
    assert statuses == {"1": 200, "2": 200}
    assert json.dumps(answer).count("displayName") >= 1


def test_raw_reader_sees_the_same_tenant(peer: Peer) -> None:
    me = httpx.get(
        f"{peer.emu.graph_url}/me",
        headers={"Authorization": f"Bearer {peer.user_result['access_token']}"},
        verify=peer.emu.ssl_context(),
    ).json()
    assert me["userPrincipalName"] == peer.emu.demo_user
