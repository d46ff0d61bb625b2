"""The Graph half's data store: the directory built at start, mailboxes and drives on first use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from typing import Any

from ..state import EmulatorState
from . import generate
from .errors import directory_not_found
from .gen_directory import build_directory_extra
from .gen_group_calendar import build_group_calendar
from .gen_groups import GroupContent, build_group_content
from .gen_places import Places, build_places
from .gen_sites import SharePoint, build_sharepoint
from .gen_tasks import Planner, TodoLists, build_planner, build_todo
from .gen_teams import TeamContent, build_team
from .model import DemoBasis, Drive, Mailbox, UploadSession

__all__ = ["GraphStore"]

Item = dict[str, Any]


class GraphStore:
    """Everything Graph serves for one emulator run."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        today = state.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        self.basis = DemoBasis(
            seed=state.config.seed,
            scale=max(1, int(state.config.scale)),
            empty=state.config.data == "empty",
            anchor=today,
            directory=state.directory,
        )
        self.seed = self.basis.seed
        self.lock = threading.RLock()
        self.users: list[Item] = generate.graph_users(self.basis)
        self.basis.users = self.users
        self.users_by_id: dict[str, Item] = {u["id"]: u for u in self.users}
        self.directory_extra = build_directory_extra(self.basis)  # also writes licences into the users
        self.groups, self.members, self.owners = generate.build_groups(self.basis)
        self.groups_by_id: dict[str, Item] = {g["id"]: g for g in self.groups}
        self._mailboxes: dict[str, Mailbox] = {}
        self._drives: dict[str, Drive] = {}
        self.drive_owner: dict[str, str] = {}  # drive id -> user id
        self._group_content: dict[str, GroupContent] = {}
        self._planners: dict[str, Planner] = {}
        self._todo: dict[str, TodoLists] = {}
        self._teams: dict[str, TeamContent] = {}
        self._sharepoint: SharePoint | None = None
        self._group_calendars: dict[str, Mailbox] = {}
        self.places: Places = build_places(self.basis)
        self.download_secret = secrets.token_bytes(32)
        self.delta_state: Any = None  # delta tokens and rounds, owned by the delta module
        self.upload_sessions: dict[str, UploadSession] = {}  # by session id, while uploads are in progress

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

    def group(self, key: str) -> Item:
        """A group by object id (case-insensitive), or the directory's 404."""
        found = self.groups_by_id.get(key.lower())
        if found is None:
            raise directory_not_found(key)
        return found

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
                box = generate.build_mailbox(self.basis, self.users_by_id[user_id])
                self._mailboxes[user_id] = box
            return box

    def drive(self, user_id: str) -> Drive:
        """The user's OneDrive (generated on first use), or the document library whose drive id this is."""
        with self.lock:
            if user_id not in self.users_by_id and user_id in self.sharepoint.libraries:
                return self.sharepoint.libraries[user_id]
            drv = self._drives.get(user_id)
            if drv is None:
                drv = generate.build_drive(self.basis, self.users_by_id[user_id])
                self._drives[user_id] = drv
                self.drive_owner[drv.drive["id"]] = user_id
            return drv

    def group_content(self, group_id: str) -> GroupContent:
        """A group's conversations, threads and posts, generated on first use."""
        with self.lock:
            found = self._group_content.get(group_id)
            if found is None:
                found = build_group_content(self.basis, self.groups_by_id[group_id], self._members(group_id))
                self._group_content[group_id] = found
            return found

    def planner(self, group_id: str) -> Planner:
        """A group's Planner plans, buckets and tasks, generated on first use."""
        with self.lock:
            found = self._planners.get(group_id)
            if found is None:
                found = build_planner(self.basis, self.groups_by_id[group_id], self._members(group_id))
                self._planners[group_id] = found
            return found

    def todo(self, user_id: str) -> TodoLists:
        """A user's To Do lists and tasks, generated on first use."""
        with self.lock:
            found = self._todo.get(user_id)
            if found is None:
                found = build_todo(self.basis, self.users_by_id[user_id])
                self._todo[user_id] = found
            return found

    def team(self, group_id: str) -> TeamContent:
        """The team of a group (its id is the group's), generated on first use."""
        with self.lock:
            found = self._teams.get(group_id)
            if found is None:
                group = self.groups_by_id[group_id]
                owners = self.owners.get(group_id, [])
                found = build_team(self.basis, group, self._members(group_id), owners)
                self._teams[group_id] = found
            return found

    def group_mailbox(self, group_id: str) -> Mailbox:
        """A Microsoft 365 group's mailbox (its one calendar and its events), generated on first use."""
        with self.lock:
            found = self._group_calendars.get(group_id)
            if found is None:
                group = self.groups_by_id[group_id]
                found = build_group_calendar(self.basis, group, self._members(group_id), self.places.rooms)
                self._group_calendars[group_id] = found
            return found

    def _members(self, group_id: str) -> list[Item]:
        return [self.users_by_id[u] for u in self.members.get(group_id, []) if u in self.users_by_id]

    @property
    def sharepoint(self) -> SharePoint:
        """The tenant's sites, libraries and lists, generated on first use."""
        with self.lock:
            if self._sharepoint is None:
                self._sharepoint = build_sharepoint(self.basis, self.groups, self.members, self.owners)
            return self._sharepoint

    def drive_by_id(self, drive_id: str) -> Drive | None:
        """A drive by its id (drives are named after their owners, so this builds it if needed)."""
        if drive_id in self.sharepoint.libraries:
            return self.sharepoint.libraries[drive_id]
        owner = self.drive_owner.get(drive_id)
        if owner is None:
            for user in self.users:
                if generate.drive_id_for(self.basis, user) == drive_id:
                    owner = user["id"]
                    break
        return self.drive(owner) if owner else None

    # -- pre-authenticated download URLs ---------------------------------------------------------------------
    def download_token(self, user_id: str, item_id: str, lifetime: int = 3600) -> str:
        """A short-lived signed token for the item's download URL (no Authorization needed)."""
        expires = int(self.state.clock.time()) + lifetime
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
        if (
            not hmac.compare_digest(good, sig)
            or not expires.isdigit()
            or int(expires) < self.state.clock.time()
        ):
            return None
        return user_id, item_id
