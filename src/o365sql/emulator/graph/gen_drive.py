"""The demo tenant's OneDrives: folders and files whose real content is generated on first read."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from typing import Any

from .model import DemoBasis, Drive
from .util import drive_item_id, fmt_ms, fmt_s, identity_of

__all__ = ["build_drive", "drive_id_for"]

Item = dict[str, Any]

# -- drives --------------------------------------------------------------------------------------------------
_TREE = (
    "Documents",
    "Documents/Contracts",
    "Pictures",
    "Projects",
    "Projects/Falcon",
    "Projects/Orion",
    "Finance",
    "Finance/2024",
    "Meeting Notes",
    "Shared",
    "Recordings",
)
_FILES = (
    ("Documents/Welcome.docx", 14_000),
    ("Documents/Contracts/Fabrikam MSA.pdf", 48_000),
    ("Documents/Contracts/Northwind NDA.pdf", 22_000),
    ("Documents/Team roster.csv", 3_200),
    ("Pictures/Whiteboard.png", 18_000),
    ("Pictures/Offsite.png", 52_000),
    ("Projects/Falcon/Plan.md", 5_000),
    ("Projects/Falcon/Budget.csv", 9_000),
    ("Projects/Falcon/Architecture.pdf", 31_000),
    ("Projects/Orion/Notes.txt", 2_400),
    ("Projects/Orion/settings.json", 1_800),
    ("Finance/2024/Q1 results.csv", 16_000),
    ("Finance/2024/Q2 results.csv", 17_500),
    ("Finance/Expense policy.docx", 21_000),
    ("Meeting Notes/Standup.md", 3_600),
    ("Meeting Notes/Retro.txt", 4_100),
    ("Recordings/standup.bin", 3_145_728),
    ("Readme.txt", 700),
    ("Big report.txt", 420_000),
)


def drive_id_for(basis: DemoBasis, user: Item) -> str:
    """A business drive id ("b!" and 64 URL-safe base64 characters) for the user's OneDrive."""
    digest = hashlib.sha256(f"{basis.seed}/drive/{user['id']}".encode()).digest()
    digest += hashlib.sha256(digest).digest()[:16]
    return "b!" + base64.urlsafe_b64encode(digest).decode()[:64]


def build_drive(basis: DemoBasis, user: Item) -> Drive:
    """A user's OneDrive with folders and files of real (lazily generated) content."""
    rng = random.Random(f"{basis.seed}/drive/{user['id']}")
    drive_id = drive_id_for(basis, user)
    alias = user["userPrincipalName"].replace("@", "_").replace(".", "_")
    web = f"https://contosodemo-my.sharepoint.com/personal/{alias}/Documents"
    who = identity_of(user)
    created = basis.anchor - dt.timedelta(days=400)
    drive_obj = {
        "id": drive_id,
        "createdDateTime": fmt_s(created),
        "description": "",
        "lastModifiedDateTime": fmt_s(basis.anchor - dt.timedelta(hours=3)),
        "name": "OneDrive",
        "webUrl": web,
        "driveType": "business",
        "createdBy": {"user": {"displayName": "System Account"}},
        "lastModifiedBy": who,
        "owner": who,
        "quota": {"deleted": 0, "remaining": 0, "state": "normal", "total": 1_099_511_627_776, "used": 0},
    }
    root_id = drive_item_id(basis.seed, drive_id, "root")
    drv = Drive(drive=drive_obj, root_id=root_id)

    def add(name: str, parent: Item | None, size: int = 0, kind: str | None = None) -> Item:
        path = f"{drv.path_of(parent['id'])}/{name}".lstrip("/") if parent else ""
        iid = root_id if parent is None else drive_item_id(basis.seed, drive_id, path)
        moment = basis.anchor - dt.timedelta(days=rng.randrange(1, 300), seconds=rng.randrange(86400))
        version = rng.randrange(1, 9)
        created = fmt_ms(moment - dt.timedelta(days=rng.randrange(0, 30)))
        return drv.add_item(
            iid,
            name,
            parent,
            who=who,
            created=created,
            modified=fmt_ms(moment),
            fs_created=fmt_s(moment - dt.timedelta(days=1)),
            fs_modified=fmt_s(moment),
            version=version,
            kind=kind,
            size=size,
        )

    root = add("root", None)
    folders = {"": root}
    if basis.empty:
        for path in ("Documents",):
            folders[path] = add(path, root)
        return drv
    for path in _TREE:
        parent_path, _, name = path.rpartition("/")
        folders[path] = add(name, folders[parent_path])
    is_demo = user["id"] == basis.directory.demo_user.id
    files = list(_FILES) if is_demo else rng.sample(_FILES[:16], 6)
    extra = (15 if is_demo else 4) * (basis.scale - 1)
    for k in range(extra):
        folder = rng.choice(_TREE)
        kind = rng.choice(("txt", "csv", "md", "json", "pdf", "png", "docx"))
        stem = rng.choice(("Report", "Notes", "Budget", "Plan", "Summary", "Draft", "Photo", "Export"))
        files.append((f"{folder}/{stem} {k + 1:04d}.{kind}", rng.choice((900, 2_500, 8_000, 30_000, 60_000))))
    for path, size in files:
        parent_path, _, name = path.rpartition("/")
        kind = name.rsplit(".", 1)[1]
        add(name, folders[parent_path], size, kind)

    # Folder sizes are the sum of what they hold (as OneDrive reports them).
    def total(item_id: str) -> int:
        item = drv.items[item_id]
        if "file" in item:
            return int(item["size"])
        item["size"] = sum(total(c) for c in drv.children.get(item_id, []))
        return int(item["size"])

    used = total(root_id)
    drive_obj["quota"] = {
        "deleted": 0,
        "remaining": 1_099_511_627_776 - used,
        "state": "normal",
        "total": 1_099_511_627_776,
        "used": used,
    }
    return drv
