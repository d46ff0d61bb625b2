"""The Graph half's data: one user's mailbox and OneDrive, with the lookups every route makes in them.

A lookup that finds nothing raises the GraphError the real service answers with, so routes never re-code the
"malformed id or missing item" rule: Outlook says 400 ErrorInvalidIdMalformed for an id that cannot be an
Outlook id and 404 ErrorItemNotFound for one that names nothing; OneDrive says 404 itemNotFound.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..directory import Directory
from .errors import GraphError
from .recurrence import OCCURRENCE_MARK, occurrence, occurs_on
from .util import MIME, bump, fmt_s, parse_outlook_id

__all__ = [
    "NOT_FOUND",
    "DemoBasis",
    "Drive",
    "Mailbox",
    "UploadSession",
    "drive_not_found",
    "outlook_not_found",
]

Item = dict[str, Any]
NOT_FOUND = "The specified object was not found in the store."


def outlook_not_found(value: str) -> GraphError:
    """Outlook's answer for an id that names nothing: 400 when it cannot be an id at all, else 404."""
    if parse_outlook_id(value) is None:
        return GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
    return GraphError(404, "ErrorItemNotFound", NOT_FOUND)


def drive_not_found() -> GraphError:
    """OneDrive's answer for an item that does not exist."""
    return GraphError(404, "itemNotFound", "The resource could not be found.")


@dataclass
class DemoBasis:
    """What the demo tenant's generators read: seed, scale, the day the data hangs from, and the users."""

    seed: int
    scale: int
    empty: bool  # --data empty: the directory with empty mailboxes and drives
    anchor: dt.datetime  # every generated timestamp is relative to the start of this day (UTC)
    directory: Directory
    users: list[Item] = field(default_factory=list)  # the Graph user objects, in directory order

    def index_of(self, user_id: str) -> int:
        """The user's position in the directory (it seeds that user's content)."""
        return next(i for i, u in enumerate(self.users) if u["id"] == user_id)


@dataclass
class Mailbox:
    """One user's Exchange mailbox: folders, messages, calendars, events, contacts."""

    user_id: str
    key: bytes  # 16 bytes feeding the user's Outlook ids
    folders: dict[str, Item] = field(default_factory=dict)
    wellknown: dict[str, str] = field(default_factory=dict)  # well-known name -> folder id
    messages: dict[str, Item] = field(default_factory=dict)
    attachments: dict[str, list[Item]] = field(default_factory=dict)  # built lazily per message
    calendars: dict[str, Item] = field(default_factory=dict)
    events: dict[str, Item] = field(default_factory=dict)
    contact_folders: dict[str, Item] = field(default_factory=dict)
    default_contact_folder: str = ""
    contacts: dict[str, Item] = field(default_factory=dict)
    counter: int = 1_000_000  # numbers for ids minted at runtime
    # mailboxSettings, inbox rules and calendar groups: generated on first use, then changed by writes
    settings: Item | None = None
    rules: list[Item] | None = None
    calendar_groups: list[Item] | None = None
    _sorted: list[Item] | None = None

    def next_number(self) -> int:
        """A fresh number for a runtime-created id."""
        self.counter += 1
        return self.counter

    def sorted_messages(self) -> list[Item]:
        """Messages newest first by receivedDateTime (the order Outlook lists them in)."""
        if self._sorted is None:
            self._sorted = sorted(self.messages.values(), key=lambda m: m["receivedDateTime"], reverse=True)
        return self._sorted

    def touch(self) -> None:
        """Forget cached orderings after a change."""
        self._sorted = None

    def folder_id(self, name_or_id: str) -> str | None:
        """A folder id from an id or a well-known name (case-insensitive)."""
        if name_or_id in self.folders:
            return name_or_id
        return self.wellknown.get(name_or_id.lower())

    # -- lookups: the item, or the GraphError Outlook answers with -------------------------------------------
    def mail_folder(self, fid: str) -> Item:
        """A mail folder by id or well-known name."""
        found = self.folder_id(fid)
        if found is None:
            raise outlook_not_found(fid)
        return self.folders[found]

    def message(self, mid: str) -> Item:
        """A message by id."""
        found = self.messages.get(mid)
        if found is None:
            raise outlook_not_found(mid)
        return found

    def calendar(self, cid: str | None) -> Item:
        """A calendar by id; None names the default calendar."""
        if cid is None:
            return next(c for c in self.calendars.values() if c["isDefaultCalendar"])
        found = self.calendars.get(cid)
        if found is None:
            raise outlook_not_found(cid)
        return found

    def event(self, eid: str) -> Item:
        """An event by id: a stored event, or an occurrence of a stored series (built from its id)."""
        found = self.events.get(eid)
        if found is not None:
            return found
        raw = parse_outlook_id(eid)
        if raw is None:
            raise outlook_not_found(eid)
        if len(raw) > 10 and raw[-10:-8] == OCCURRENCE_MARK:
            master = self.events.get(base64.urlsafe_b64encode(raw[:-10]).decode())
            if master is not None and master.get("recurrence"):
                day = dt.datetime.strptime(raw[-8:].decode(), "%Y%m%d").date()
                if occurs_on(master, day):
                    return occurrence(master, day)
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)

    def contact_folder(self, fid: str) -> Item:
        """A contact folder by id; `contacts` is the well-known name of the default folder."""
        if fid.lower() == "contacts":
            fid = self.default_contact_folder
        found = self.contact_folders.get(fid)
        if found is None:
            raise outlook_not_found(fid)
        return found

    def contact(self, cid: str) -> Item:
        """A contact by id."""
        found = self.contacts.get(cid)
        if found is None:
            raise outlook_not_found(cid)
        return found

    # -- changes shared by several routes ------------------------------------------------------------------
    def with_counts(self, folders: list[Item]) -> list[Item]:
        """Mail folders with their item, unread and size counts as they stand now."""
        total: dict[str, int] = {}
        unread: dict[str, int] = {}
        size: dict[str, int] = {}
        for message in self.messages.values():
            fid = message["parentFolderId"]
            total[fid] = total.get(fid, 0) + 1
            size[fid] = size.get(fid, 0) + len(message["body"]["content"]) + 800
            if not message["isRead"]:
                unread[fid] = unread.get(fid, 0) + 1
        return [
            {
                **folder,
                "totalItemCount": total.get(folder["id"], 0),
                "unreadItemCount": unread.get(folder["id"], 0),
                "sizeInBytes": size.get(folder["id"], 0),
            }
            for folder in folders
        ]

    def remove_event(self, event: Item, now: dt.datetime) -> None:
        """Take an event off the calendar: a series with its exceptions, or one occurrence of a series."""
        if event["id"] in self.events:
            for exc_id in event.get("_exceptions", {}).values():
                self.events.pop(exc_id, None)
            del self.events[event["id"]]
            return
        master = self.events[event["seriesMasterId"]]
        day = event["start"]["dateTime"][:10]
        master["_cancelled"] = [*master.get("_cancelled", []), day]
        master["cancelledOccurrences"] = [
            *master.get("cancelledOccurrences", []),
            f"OID.{master['id']}.{day}",
        ]
        bump(master, now)


@dataclass
class Drive:
    """One user's OneDrive: the drive resource, its items, their children and contents."""

    drive: Item
    root_id: str
    items: dict[str, Item] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    content: dict[str, bytes] = field(default_factory=dict)

    def path_of(self, item_id: str) -> str:
        """The item's path below the root, without a leading slash ("" for the root)."""
        parts: list[str] = []
        item = self.items[item_id]
        while item["id"] != self.root_id:
            parts.append(item["name"])
            item = self.items[item["parentReference"]["id"]]
        return "/".join(reversed(parts))

    def by_path(self, path: str) -> Item | None:
        """Resolve a path below the root (case-insensitive, as OneDrive is)."""
        node = self.items[self.root_id]
        for part in [p for p in path.strip("/").split("/") if p]:
            low = part.lower()
            for child_id in self.children.get(node["id"], []):
                if self.items[child_id]["name"].lower() == low:
                    node = self.items[child_id]
                    break
            else:
                return None
        return node

    # -- lookups: the item, or OneDrive's 404 ----------------------------------------------------------------
    def item(self, iid: str) -> Item:
        """An item by id; `root` names the root folder."""
        if iid.lower() == "root":
            return self.items[self.root_id]
        found = self.items.get(iid)
        if found is None:
            raise drive_not_found()
        return found

    def item_at(self, path: str) -> Item:
        """An item by its path below the root."""
        found = self.by_path(path)
        if found is None:
            raise drive_not_found()
        return found

    def resolve_target(self, path: str) -> tuple[Item | None, Item, str]:
        """(existing item or None, parent folder, name) for a path below the root; 404/400 when impossible."""
        parent_path, _, name = path.strip("/").rpartition("/")
        parent = self.item_at(parent_path)
        if "folder" not in parent:
            raise GraphError(400, "invalidRequest", "The parent is not a folder.")  # [U]
        return self.by_path(path), parent, name

    # -- changes ---------------------------------------------------------------------------------------------
    def add_item(
        self,
        iid: str,
        name: str,
        parent: Item | None,
        *,
        who: Item,
        created: str,
        modified: str,
        fs_created: str,
        fs_modified: str,
        version: int = 1,
        ctag_version: int | None = None,
        kind: str | None = None,
        size: int = 0,
    ) -> Item:
        """Build a driveItem (a folder, or a file when `kind` is given) and file it under `parent`.

        The root is the item without a parent. The generator and the upload and create-folder routes all
        build items here, so a generated item and an uploaded one have the same shape.
        """
        path = f"{self.path_of(parent['id'])}/{name}".lstrip("/") if parent else ""
        guid = str(uuid.UUID(bytes=hashlib.sha256(iid.encode()).digest()[:16])).upper()
        drive_id = self.drive["id"]
        item: Item = {
            "createdDateTime": created,
            "eTag": f'"{{{guid}}},{version}"',
            "id": iid,
            "lastModifiedDateTime": modified,
            "name": name if parent else "root",
            "webUrl": self.drive["webUrl"] + ("/" + path if path else ""),
            "cTag": f'"c:{{{guid}}},{version if ctag_version is None else ctag_version}"',
            "size": size,
            "createdBy": who,
            "lastModifiedBy": who,
            "parentReference": {"driveType": "business", "driveId": drive_id},
            "fileSystemInfo": {"createdDateTime": fs_created, "lastModifiedDateTime": fs_modified},
        }
        if parent is None:
            item["root"] = {}
            item["folder"] = {"childCount": 0}
        else:
            ppath = self.path_of(parent["id"])
            item["parentReference"] = {
                "driveType": "business",
                "driveId": drive_id,
                "id": parent["id"],
                "name": parent["name"] if parent["id"] != self.root_id else "Documents",
                "path": "/drive/root:" + ("/" + ppath if ppath else ""),
            }
            if kind is None:
                item["folder"] = {"childCount": 0}
            else:
                item["file"] = {"mimeType": MIME[kind], "hashes": {"quickXorHash": None}}
                item["_kind"] = kind
            self.children.setdefault(parent["id"], []).append(iid)
            parent["folder"]["childCount"] += 1
        self.items[iid] = item
        if kind is None:
            self.children.setdefault(iid, [])
        return item

    def remove(self, iid: str) -> None:
        """Delete an item (a folder with everything below it)."""
        item = self.items[iid]
        for child in list(self.children.get(iid, [])):
            self.remove(child)
        self.children.pop(iid, None)
        self.content.pop(iid, None)
        parent_id = item["parentReference"]["id"]
        self.children[parent_id].remove(iid)
        self.items[parent_id]["folder"]["childCount"] -= 1
        del self.items[iid]


@dataclass
class UploadSession:
    """One upload in progress (an Outlook attachment or a OneDrive file), named by its uploadUrl."""

    kind: str  # "outlook" or "drive"
    token: str
    user_id: str
    size: int  # total bytes announced (drive: from the first Content-Range)
    target: dict[str, str]  # outlook: message id, name, contentType; drive: path, conflict behaviour
    expires: float  # the emulator clock's time when the session lapses
    data: bytearray = field(default_factory=bytearray)

    def expiry(self) -> str:
        """The session's expirationDateTime."""
        return fmt_s(dt.datetime.fromtimestamp(self.expires, dt.UTC))
