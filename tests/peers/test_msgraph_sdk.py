"""The official Microsoft Graph SDK (msgraph-sdk), unmodified, against a private emulator.

Configured only through its public options: azure-identity credentials with `authority` pointed at the
emulator, `disable_instance_discovery` and `connection_verify` (the emulator's CA file); a GraphRequestAdapter
whose httpx client trusts the CA (`verify=`) and whose `base_url` is the emulator's /v1.0. No environment
variables, no disabled verification. Every answer is checked against an independent read through plain httpx.
"""

from __future__ import annotations

import asyncio
import gc
import io
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from azure.identity import ClientSecretCredential, DeviceCodeCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (  # noqa: E501
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.drive_item_uploadable_properties import DriveItemUploadableProperties
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.messages.messages_request_builder import MessagesRequestBuilder
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import SendMailPostRequestBody
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_request_adapter import options as SDK_OPTIONS
from msgraph_core import GraphClientFactory
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from msgraph_core.tasks.large_file_upload import LargeFileUploadTask

from o365sql.emulator import Emulator

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
T = TypeVar("T")
# The SDK's async pipeline leaves sockets of its event loop unclosed after the test closed its httpx client
# (seen with paged reads; not traced further). `Peer.run` collects them at once, so they surface here, in the
# SDK's own tests, and are not counted against it or against the tests that run next.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


class Peer:
    """The SDK bound to one emulator: an app-only client, a delegated one and a raw httpx reader."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        ca = str(emu.ca_path)
        self.app_credential = ClientSecretCredential(
            emu.tenant_id,
            emu.app_client_id,
            emu.app_client_secret,
            authority=emu.authority_host,
            disable_instance_discovery=True,
            connection_verify=ca,
        )
        self.device_codes: list[str] = []
        self.http_clients: list[httpx.AsyncClient] = []

        def approve(_uri: str, user_code: str, _expires: datetime) -> None:
            self.device_codes.append(user_code)
            emu.admin("POST", f"devicecodes/{user_code}/approve", {})

        self.user_credential = DeviceCodeCredential(
            client_id=emu.client_id,
            tenant_id=emu.tenant_id,
            authority=emu.authority_host,
            disable_instance_discovery=True,
            connection_verify=ca,
            prompt_callback=approve,
        )
        self.raw_token = self.user_credential.get_token(GRAPH_SCOPE).token
        self.raw = emu.http_client(
            base_url=emu.graph_url, headers={"Authorization": f"Bearer {self.raw_token}"}, timeout=30
        )

    def client(self, app: bool = False) -> GraphServiceClient:
        """A fresh SDK client (one per event loop: its httpx.AsyncClient belongs to the loop that uses it)."""
        credential = self.app_credential if app else self.user_credential
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[GRAPH_SCOPE], allowed_hosts=["127.0.0.1"]
        )
        # A custom httpx client gets the middleware options GraphRequestAdapter uses for its own (among them
        # the `/users/me-token-to-replace` -> `/me` rewrite); without them `/me` paths are not rewritten.
        async_client = httpx.AsyncClient(verify=self.emu.ssl_context(), timeout=30)
        self.http_clients.append(async_client)
        http = GraphClientFactory.create_with_default_middleware(client=async_client, options=SDK_OPTIONS)
        adapter = GraphRequestAdapter(auth, client=http)
        adapter.base_url = self.emu.graph_url
        return GraphServiceClient(request_adapter=adapter)

    def run(self, coro: Awaitable[T]) -> T:
        """Run one test's SDK calls in a fresh event loop, closing the loop's httpx clients afterwards."""

        async def main() -> T:
            try:
                return await coro
            finally:
                while self.http_clients:
                    await self.http_clients.pop().aclose()

        try:
            return asyncio.run(main())
        finally:
            gc.collect()

    def close(self) -> None:
        self.raw.close()
        self.app_credential.close()
        self.user_credential.close()

    def read(self, path: str, **params: Any) -> Any:
        r = self.raw.get(path, params=params or None)
        assert r.status_code == 200, r.text
        return r.json()

    def read_all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        url: str | None = path
        first = True
        while url:
            body = self.read(url, **params) if first else self.raw.get(url).json()
            first = False
            out.extend(body["value"])
            url = body.get("@odata.nextLink")
        return out


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    with Emulator(data="demo") as emu:
        p = Peer(emu)
        yield p
        p.close()


async def _pages(first: Any, follow: Callable[[str], Awaitable[Any]]) -> list[Any]:
    items = list(first.value or [])
    link = first.odata_next_link
    while link:
        page = await follow(link)
        items.extend(page.value or [])
        link = page.odata_next_link
    return items


# -- sign-in ------------------------------------------------------------------------------------------------
def test_client_credentials_sign_in(peer: Peer) -> None:
    async def go() -> Any:
        return await peer.client(app=True).users.by_user_id(peer.emu.demo_user).get()

    user = peer.run(go())
    assert user is not None and user.user_principal_name == peer.emu.demo_user


def test_delegated_sign_in_with_device_code(peer: Peer) -> None:
    async def go() -> Any:
        return await peer.client().me.get()

    me = peer.run(go())
    assert me is not None and me.user_principal_name == peer.emu.demo_user
    assert peer.device_codes  # the device-code flow ran against the emulator's /devicecode


# -- directory ----------------------------------------------------------------------------------------------
def test_users_filter_select_top_and_paging(peer: Peer) -> None:
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        filter="accountEnabled eq true", select=["id", "displayName", "mail"], top=3
    )

    async def go() -> list[Any]:
        client = peer.client(app=True)
        first = await client.users.get(RequestConfiguration(query_parameters=query))
        assert first is not None and len(first.value or []) == 3
        return await _pages(first, lambda link: client.users.with_url(link).get())

    users = peer.run(go())
    expected = peer.read_all(
        "/users", **{"$filter": "accountEnabled eq true", "$select": "id", "$top": "999"}
    )
    assert sorted(u.id for u in users) == sorted(u["id"] for u in expected)
    assert all(u.mail is None or "@" in u.mail for u in users)


# -- mail ---------------------------------------------------------------------------------------------------
def test_every_page_of_the_mailbox(peer: Peer) -> None:
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(select=["id", "subject"], top=60)

    async def go() -> list[Any]:
        client = peer.client()
        first = await client.me.messages.get(RequestConfiguration(query_parameters=query))
        return await _pages(first, lambda link: client.me.messages.with_url(link).get())

    messages = peer.run(go())
    expected = peer.read_all("/me/messages", **{"$select": "id", "$top": "1000"})
    assert len(messages) == len(expected) == len({m.id for m in messages})
    assert {m.id for m in messages} == {m["id"] for m in expected}


def test_get_one_message_and_its_attachments(peer: Peer) -> None:
    with_attachments = peer.read("/me/messages", **{"$filter": "hasAttachments eq true", "$top": "1"})
    mid = with_attachments["value"][0]["id"]

    async def go() -> tuple[Any, Any]:
        client = peer.client()
        message = await client.me.messages.by_message_id(mid).get()
        attachments = await client.me.messages.by_message_id(mid).attachments.get()
        return message, attachments

    message, attachments = peer.run(go())
    assert message.id == mid and message.has_attachments is True
    raw = peer.read(f"/me/messages/{mid}/attachments")["value"]
    assert [a.name for a in attachments.value] == [a["name"] for a in raw]
    assert all(
        a.content_bytes for a in attachments.value if a.odata_type == "#microsoft.graph.fileAttachment"
    )


def test_mail_folders(peer: Peer) -> None:
    async def go() -> Any:
        return await peer.client().me.mail_folders.get()

    folders = peer.run(go())
    names = {f.display_name for f in folders.value}
    assert {"Inbox", "Sent Items", "Drafts"} <= names
    assert names == {f["displayName"] for f in peer.read("/me/mailFolders")["value"]}  # the first page


def test_send_mail(peer: Peer) -> None:
    subject = "sent by msgraph-sdk"
    body = SendMailPostRequestBody(
        message=Message(
            subject=subject,
            body=ItemBody(content_type=BodyType.Text, content="hello from the SDK"),
            to_recipients=[Recipient(email_address=EmailAddress(address=peer.emu.demo_user))],
        ),
        save_to_sent_items=True,
    )

    async def go() -> None:
        await peer.client().me.send_mail.post(body)

    peer.run(go())
    sent = peer.read("/me/mailFolders/sentitems/messages", **{"$filter": f"subject eq '{subject}'"})["value"]
    assert len(sent) == 1


def test_message_delta_to_the_delta_link(peer: Peer) -> None:
    async def go() -> tuple[list[Any], str]:
        client = peer.client()
        builder = client.me.mail_folders.by_mail_folder_id("inbox").messages.delta
        page = await builder.get()
        items = list(page.value or [])
        while page.odata_next_link:
            page = await builder.with_url(page.odata_next_link).get()
            items.extend(page.value or [])
        return items, page.odata_delta_link

    items, delta_link = peer.run(go())
    inbox = peer.read_all("/me/mailFolders/inbox/messages", **{"$select": "id", "$top": "1000"})
    assert {m.id for m in items} == {m["id"] for m in inbox}
    assert delta_link and "deltatoken" in delta_link.lower()


# -- calendar and contacts ----------------------------------------------------------------------------------
def test_events_and_calendar_view(peer: Peer) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    start, end = (now - timedelta(days=10)).isoformat(), (now + timedelta(days=10)).isoformat()
    query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=start, end_date_time=end, top=100
    )

    async def go() -> tuple[list[Any], list[Any]]:
        client = peer.client()
        events = await client.me.events.get()
        view = await client.me.calendar_view.get(RequestConfiguration(query_parameters=query))
        every_event = await _pages(events, lambda link: client.me.events.with_url(link).get())
        whole_view = await _pages(view, lambda link: client.me.calendar_view.with_url(link).get())
        return every_event, whole_view

    events, view = peer.run(go())
    assert len(events) == len(peer.read_all("/me/events", **{"$select": "id", "$top": "1000"}))
    expected = peer.read_all("/me/calendarView", startDateTime=start, endDateTime=end, **{"$top": "1000"})
    assert sorted(e.id for e in view) == sorted(e["id"] for e in expected)


def test_create_an_event(peer: Peer) -> None:
    event = Event(
        subject="made by msgraph-sdk",
        start=DateTimeTimeZone(date_time="2026-03-03T09:00:00", time_zone="W. Europe Standard Time"),
        end=DateTimeTimeZone(date_time="2026-03-03T10:00:00", time_zone="W. Europe Standard Time"),
    )

    async def go() -> Any:
        return await peer.client().me.events.post(event)

    created = peer.run(go())
    got = peer.read(f"/me/events/{created.id}")
    assert got["subject"] == "made by msgraph-sdk" and got["start"]["dateTime"].startswith("2026-03-03T08:00")


def test_contacts(peer: Peer) -> None:
    async def go() -> Any:
        return await peer.client().me.contacts.get()

    contacts = peer.run(go())
    assert [c.id for c in contacts.value] == [c["id"] for c in peer.read("/me/contacts")["value"]]


# -- drive --------------------------------------------------------------------------------------------------
def _drive_id(peer: Peer) -> str:
    return str(peer.read("/me/drive")["id"])


def test_drive_children(peer: Peer) -> None:
    drive_id = _drive_id(peer)

    async def go() -> Any:
        return await peer.client().drives.by_drive_id(drive_id).items.by_drive_item_id("root").children.get()

    children = peer.run(go())
    assert sorted(c.name for c in children.value) == sorted(
        c["name"] for c in peer.read("/me/drive/root/children")["value"]
    )


def test_small_upload(peer: Peer) -> None:
    drive_id = _drive_id(peer)

    async def go() -> Any:
        items = peer.client().drives.by_drive_id(drive_id).items
        return await items.by_drive_item_id("root:/sdk-small.txt:").content.put(b"small file from the SDK")

    item = peer.run(go())
    assert item.name == "sdk-small.txt" and item.size == 23
    content = peer.raw.get("/me/drive/root:/sdk-small.txt:/content", follow_redirects=True)
    assert content.content == b"small file from the SDK"


@pytest.mark.xfail(
    strict=True,
    raises=ValueError,
    reason="msgraph-sdk's own bug: LargeFileUploadTask appends '-' to Graph's documented open range "
    "(nextExpectedRanges ['327680-'], driveitem-createuploadsession.md) and int('') fails on the second "
    "fragment; upstream microsoftgraph/msgraph-sdk-python-core#691 (LargeFileUploadTask fails on "
    "multi-fragment sessions)",
)
def test_resumable_upload(peer: Peer) -> None:
    drive_id = _drive_id(peer)
    data = bytes(range(256)) * 4096  # 1 MiB, three 320 KiB slices and a rest

    async def go() -> Any:
        client = peer.client()
        body = CreateUploadSessionPostRequestBody(
            item=DriveItemUploadableProperties(
                additional_data={"@microsoft.graph.conflictBehavior": "replace"}
            )
        )
        item = client.drives.by_drive_id(drive_id).items.by_drive_item_id("root:/sdk-large.bin:")
        session = await item.create_upload_session.post(body)
        task = LargeFileUploadTask(
            session, client.request_adapter, io.BytesIO(data), max_chunk_size=320 * 1024
        )
        return await task.upload()

    result = peer.run(go())
    assert result.upload_succeeded, result
    got = peer.raw.get("/me/drive/root:/sdk-large.bin:/content", follow_redirects=True)
    assert got.content == data


# -- users delta and $batch ---------------------------------------------------------------------------------
def test_user_delta_to_the_delta_link(peer: Peer) -> None:
    async def go() -> tuple[list[Any], str]:
        client = peer.client(app=True)
        page = await client.users.delta.get()
        items = list(page.value or [])
        while page.odata_next_link:
            page = await client.users.delta.with_url(page.odata_next_link).get()
            items.extend(page.value or [])
        return items, page.odata_delta_link

    users, delta_link = peer.run(go())
    assert sorted(u.id for u in users) == sorted(u["id"] for u in peer.read_all("/users", **{"$top": "999"}))
    assert delta_link


def test_batch(peer: Peer) -> None:
    async def go() -> Any:
        client = peer.client()
        me = client.me.to_get_request_information()
        inbox = client.me.mail_folders.by_mail_folder_id("inbox").to_get_request_information()
        content = BatchRequestContent({"me": BatchRequestItem(me), "inbox": BatchRequestItem(inbox)})
        return await client.batch.post(batch_request_content=content)

    response = peer.run(go())
    answers = list(response.responses.values())
    assert sorted(r.status for r in answers) == [200, 200]  # the SDK numbers the requests itself
