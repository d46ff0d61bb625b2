"""The Graph half's data: directory objects built eagerly, mailboxes and drives built lazily per user."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..state import EmulatorState

__all__ = ["Drive", "GraphStore", "Mailbox"]

Item = dict[str, Any]


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


class GraphStore:
    """Everything Graph serves for one emulator run."""

    def __init__(self, state: EmulatorState) -> None:
        from . import generate

        self.state = state
        self.seed = state.config.seed
        self.scale = max(1, int(state.config.scale))
        self.empty = state.config.data == "empty"
        today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.anchor: dt.datetime = today  # every generated timestamp is relative to the start of today (UTC)
        self.lock = threading.RLock()
        self.users: list[Item] = generate.graph_users(self)
        self.users_by_id: dict[str, Item] = {u["id"]: u for u in self.users}
        self.user_index: dict[str, int] = {u["id"]: i for i, u in enumerate(self.users)}
        self.groups: list[Item] = []
        self.members: dict[str, list[str]] = {}
        self.owners: dict[str, list[str]] = {}
        generate.build_groups(self)
        self.groups_by_id: dict[str, Item] = {g["id"]: g for g in self.groups}
        self._mailboxes: dict[str, Mailbox] = {}
        self._drives: dict[str, Drive] = {}
        self.drive_owner: dict[str, str] = {}  # drive id -> user id
        self.download_secret = secrets.token_bytes(32)
        self.delta_state: Any = None  # delta tokens and rounds, owned by the delta module
        self.upload_sessions: Any = None  # upload sessions in progress, owned by the uploads module

    # -- lookups ---------------------------------------------------------------------------------------------
    def find_user(self, key: str) -> Item | None:
        """A user by object id, UPN or mail (case-insensitive)."""
        if key in self.users_by_id:
            return self.users_by_id[key]
        low = key.lower()
        for user in self.users:
            if (
                user["id"] == low
                or user["userPrincipalName"].lower() == low
                or (user.get("mail") or "").lower() == low
            ):
                return user
        return None

    def user_by_address(self, address: str) -> Item | None:
        """A tenant user by e-mail address, or None for outside senders."""
        low = address.lower()
        for user in self.users:
            if (user.get("mail") or "").lower() == low or user["userPrincipalName"].lower() == low:
                return user
        return None

    def mailbox(self, user_id: str) -> Mailbox:
        """The user's mailbox, generated on first use."""
        with self.lock:
            box = self._mailboxes.get(user_id)
            if box is None:
                from . import generate

                box = generate.build_mailbox(self, self.users_by_id[user_id])
                self._mailboxes[user_id] = box
            return box

    def drive(self, user_id: str) -> Drive:
        """The user's OneDrive, generated on first use."""
        with self.lock:
            drv = self._drives.get(user_id)
            if drv is None:
                from . import generate

                drv = generate.build_drive(self, self.users_by_id[user_id])
                self._drives[user_id] = drv
                self.drive_owner[drv.drive["id"]] = user_id
            return drv

    def drive_by_id(self, drive_id: str) -> Drive | None:
        """A drive by its id (drives are named after their owners, so this builds it if needed)."""
        owner = self.drive_owner.get(drive_id)
        if owner is None:
            from .generate import drive_id_for

            for user in self.users:
                if drive_id_for(self, user) == drive_id:
                    owner = user["id"]
                    break
        return self.drive(owner) if owner else None

    # -- pre-authenticated download URLs ---------------------------------------------------------------------
    def download_token(self, user_id: str, item_id: str, lifetime: int = 3600) -> str:
        """A short-lived signed token for the item's download URL (no Authorization needed)."""
        expires = int(time.time()) + lifetime
        body = f"{user_id}.{item_id}.{expires}"
        sig = hmac.new(self.download_secret, body.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{body}.{sig}"

    def check_download_token(self, token: str) -> tuple[str, str] | None:
        """(user id, item id) when the token is genuine and unexpired."""
        parts = token.split(".")
        if len(parts) != 4:
            return None
        user_id, item_id, expires, sig = parts
        body = f"{user_id}.{item_id}.{expires}"
        good = hmac.new(self.download_secret, body.encode(), hashlib.sha256).hexdigest()[:32]
        if not hmac.compare_digest(good, sig) or not expires.isdigit() or int(expires) < time.time():
            return None
        return user_id, item_id
