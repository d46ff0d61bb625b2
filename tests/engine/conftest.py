"""Fixtures for the engine tests: a deterministic fake tenant and connections with the tables installed."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import apsw
import pytest

from o365sql.engine import EngineContext, install
from o365sql.properties import resolve

from .fakegraph import FakeGraph, Mailbox

NOW = datetime(2024, 6, 15, 12, 0, 0, tzinfo=UTC)
ME = "11111111-0000-4000-8000-000000000001"
SUBJECTS = [
    "Hello",
    "hello",
    "HELLO world",
    "Quarterly report",
    "quarterly Report Q2",
    "it's done",
    "50% off",
    "a/b c",
    "Ünïcode ✓",
    "émoji 😀 party",
    "x_y",
    "",
    None,
]
NAMES = [
    "Adele",
    "adele",
    "Alex Winther",
    "alex",
    "Bob",
    "Émile",
    "Ünal",
    "O'Brien",
    "Zoë 😀",
    "Megan",
    "megan b",
]


def _ts(dt: datetime, frac: bool = False) -> str:
    if frac:
        return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_tenant(seed: int = 7) -> dict[str, Any]:
    """Users, groups and three mailboxes with messages, folders, attachments, events, contacts and files."""
    rnd = random.Random(seed)
    users = []
    for n in range(30):
        uid = ME if n == 0 else f"{n:08d}-0000-4000-8000-{n:012d}"
        name = NAMES[n % len(NAMES)] + ("" if n < len(NAMES) else f" {n}")
        users.append(
            {
                "id": uid,
                "displayName": name,
                "givenName": name.split()[0],
                "surname": None if n % 4 == 0 else f"S{n}",
                "userPrincipalName": f"user{n}@contoso.test",
                "mail": None if n % 7 == 3 else f"User{n}@contoso.test",
                "jobTitle": rnd.choice([None, "Engineer", "engineer", "Manager"]),
                "department": rnd.choice(["Sales", "sales", "R&D", None]),
                "accountEnabled": n % 5 != 0,
                "userType": "Member" if n % 6 else "Guest",
                "businessPhones": [] if n % 2 else ["+1 555 0100"],
                "createdDateTime": _ts(NOW - timedelta(days=400 - n)),
            }
        )
    groups = [
        {
            "id": f"g{n}",
            "displayName": f"Group {n}",
            "mailEnabled": n % 2 == 0,
            "securityEnabled": True,
            "groupTypes": ["Unified"] if n % 2 == 0 else [],
            "mail": f"group{n}@contoso.test",
        }
        for n in range(3)
    ]
    members = {
        g["id"]: [
            {
                "@odata.type": "#microsoft.graph.user",
                "id": u["id"],
                "displayName": u["displayName"],
                "mail": u["mail"],
                "userPrincipalName": u["userPrincipalName"],
            }
            for u in users[k::3][:6]
        ]
        for k, g in enumerate(groups)
    }
    # user 1 is in two groups: GroupMembers' key is (GroupId, id)
    members["g2"].append(dict(members["g1"][0]))
    mailboxes = {}
    for k, u in enumerate(users[:3]):
        mailboxes[u["id"]] = _mailbox(rnd, k)
    return {"users": users, "groups": groups, "members": members, "mailboxes": mailboxes}


def _mailbox(rnd: random.Random, k: int) -> Mailbox:
    box = Mailbox()
    box.root_folder = f"R{k}"
    folders = [
        ("inbox", "Inbox", box.root_folder),
        ("drafts", "Drafts", box.root_folder),
        ("sentitems", "Sent Items", box.root_folder),
        ("sub", "Projects", "inbox"),
        ("subsub", "Old", "sub"),
    ]
    ids = {key: f"AAMkF{k}-{key.upper()}==" for key, _n, _p in folders}
    ids[box.root_folder] = box.root_folder
    for key, name, parent in folders:
        box.folders.append(
            {
                "id": ids[key],
                "displayName": name,
                "parentFolderId": ids.get(parent, parent),
                "childFolderCount": sum(1 for _k, _n, p in folders if p == key),
                "unreadItemCount": 0,
                "totalItemCount": 0,
                "isHidden": False,
            }
        )
        if key in ("inbox", "drafts", "sentitems"):
            box.well_known[key] = ids[key]
    folder_ids = [ids[f] for f in ("inbox", "inbox", "inbox", "drafts", "sentitems", "sub", "subsub")]
    base = NOW - timedelta(days=90)
    for n in range(60):
        mid = f"AAMkM{k}-{n:03d}="
        received = base + timedelta(seconds=n * 3607 * 29 + rnd.randint(0, 3000))
        draft = n % 11 == 5
        box.messages.append(
            {
                "@odata.etag": f'W/"E{n}"',
                "id": mid,
                "subject": SUBJECTS[n % len(SUBJECTS)],
                "bodyPreview": "preview",
                "body": {"contentType": "html", "content": f"<p>{n}</p>"},
                "from": None
                if draft
                else {
                    "emailAddress": {"name": NAMES[n % len(NAMES)], "address": f"Sender{n % 5}@contoso.test"}
                },
                "toRecipients": [{"emailAddress": {"name": "A", "address": "a@contoso.test"}}],
                "ccRecipients": [],
                "receivedDateTime": _ts(received),
                "sentDateTime": None if draft else _ts(received - timedelta(seconds=30)),
                "createdDateTime": _ts(received),
                "lastModifiedDateTime": _ts(received + timedelta(minutes=n % 3)),
                "isRead": rnd.random() < 0.5,
                "isDraft": draft,
                "hasAttachments": n % 6 == 0,
                "importance": rnd.choice(["low", "normal", "normal", "high"]),
                "inferenceClassification": rnd.choice(["focused", "other"]),
                "parentFolderId": folder_ids[n % len(folder_ids)],
                "conversationId": f"conv{n % 9}",
                "categories": ["Blue"] if n % 4 == 0 else [],
                "flag": {"flagStatus": rnd.choice(["notFlagged", "flagged", "complete"])},
            }
        )
        if n % 6 == 0:
            box.attachments[mid] = [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "id": f"ATT{j}",
                    "name": f"f{n}-{j}.txt",
                    "contentType": "text/plain",
                    "size": 100 + n + j,
                    "isInline": j == 1,
                    "lastModifiedDateTime": _ts(received),
                }
                for j in range(2)
            ]
    box.calendars = [
        {"id": f"CAL{k}-0", "name": "Calendar", "isDefaultCalendar": True, "canEdit": True},
        {"id": f"CAL{k}-1", "name": "Team", "isDefaultCalendar": False, "canEdit": False},
    ]
    for n in range(50):
        start = NOW - timedelta(days=75) + timedelta(hours=n * 71 + 0.5 * (n % 2))
        end = start + timedelta(minutes=30 * (n % 4))  # some zero-length
        box.events.append(
            {
                "id": f"AAMkE{k}-{n:03d}=",
                "subject": SUBJECTS[(n * 3) % len(SUBJECTS)],
                "start": {"dateTime": _ts(start, True), "timeZone": "UTC"},
                "end": {"dateTime": _ts(end, True), "timeZone": "UTC"},
                "isAllDay": n % 9 == 0,
                "isCancelled": n % 13 == 0,
                "importance": rnd.choice(["low", "normal", "high"]),
                "showAs": rnd.choice(["busy", "free", "tentative"]),
                "type": "singleInstance",
                "createdDateTime": _ts(start - timedelta(days=3), False)[:-1] + ".1234567Z",
                "lastModifiedDateTime": _ts(start - timedelta(days=1)),
                "attendees": [],
                "organizer": {"emailAddress": {"name": "Org", "address": f"org{n % 3}@contoso.test"}},
                "_calendar": box.calendars[n % 3 == 0].get("id"),
            }
        )
    box.contacts = [
        {
            "id": f"C{k}-{n}",
            "displayName": NAMES[n % len(NAMES)],
            "givenName": NAMES[n % len(NAMES)],
            "emailAddresses": [{"name": "x", "address": f"c{n}@example.test"}],
            "parentFolderId": "CF",
            "createdDateTime": _ts(NOW - timedelta(days=n)),
            "lastModifiedDateTime": _ts(NOW - timedelta(days=n)),
        }
        for n in range(12)
    ]
    box.contact_folders = [{"id": "CF", "displayName": "Contacts", "parentFolderId": "CFR"}]
    box.drive_root = f"ROOT{k}"
    tree = [
        ("docs", None, True),
        ("a.txt", "docs", False),
        ("deep", "docs", True),
        ("deeper", "deep", True),
        ("b.txt", "deeper", False),
        ("top.md", None, False),
    ]
    paths: dict[str, str] = {}
    for name, parent, is_folder in tree:
        item_id = f"D{k}!{name}"
        parent_id = f"D{k}!{parent}" if parent else box.drive_root
        ppath = "/drive/root:" + (paths[parent] if parent else "")
        paths[name] = (paths[parent] if parent else "") + "/" + name
        item: dict[str, Any] = {
            "id": item_id,
            "name": name,
            "size": 10,
            "parentReference": {"id": parent_id, "path": ppath, "driveId": f"drv{k}"},
            "lastModifiedDateTime": "2024-01-02T03:04:05.678Z",
        }
        if is_folder:
            item["folder"] = {"childCount": sum(1 for _n, p, _f in tree if p == name)}
        else:
            item["file"] = {"mimeType": "text/plain"}
        box.drive.append(item)
    return box


@pytest.fixture(scope="session")
def tenant() -> dict[str, Any]:
    return make_tenant()


Connect = Callable[..., tuple[apsw.Connection, FakeGraph]]


@pytest.fixture
def connect(tenant: dict[str, Any]) -> Connect:
    """connect(pushdown=True, app_only=False, default_user=None, pagesize=1000, depth=5, owner_errors)."""

    def make(
        *,
        pushdown: bool = True,
        app_only: bool = False,
        default_user: str | None = None,
        pagesize: int = 1000,
        depth: int = 5,
        owner_errors: str = "RAISE",
    ) -> tuple[apsw.Connection, FakeGraph]:
        fake = FakeGraph(
            tenant["users"],
            tenant["mailboxes"],
            None if app_only else ME,
            groups=tenant["groups"],
            members=tenant["members"],
        )
        props = resolve(
            "", Pushdown=pushdown, Pagesize=pagesize, DirectoryRetrievalDepth=depth, OwnerErrors=owner_errors
        )
        db = apsw.Connection(":memory:")
        install(db, EngineContext(fake, props, app_only, default_user, now=lambda: NOW))
        return db, fake

    return make
