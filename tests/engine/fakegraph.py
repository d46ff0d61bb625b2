"""An in-memory stand-in for GraphClient that records every request and answers by Graph's rules.

Query options are checked and evaluated by the emulator's OData engine with its Graph specs
(o365sql.emulator.odata, o365sql.emulator.graph.specs): a $filter, $orderby, $top or $skip the service
refuses fails here too, so the driver's schema cannot claim more than Graph supports. Beyond them: the
calendarView window, /me only with delegated tokens, 404 for unknown ids and users.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from o365sql.emulator.graph import specs
from o365sql.emulator.odata import (
    ODataError,
    ResourceSpec,
    prepare_query,
    run_query,
)
from o365sql.errors import GraphError, error_from_graph_response

WELL_KNOWN = ("inbox", "drafts", "sentitems", "deleteditems", "archive", "junkemail")


def FakeGraphError(status: int, code: str, message: str = "") -> GraphError:
    """The exception GraphClient raises for this Graph error answer."""
    return error_from_graph_response(status, {"error": {"code": code, "message": message}})


@dataclass
class Mailbox:
    """One user's Outlook and OneDrive data."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    folders: list[dict[str, Any]] = field(default_factory=list)  # every mail folder, parentFolderId set
    root_folder: str = "root"
    well_known: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)  # with "_calendar"
    calendars: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    contact_folders: list[dict[str, Any]] = field(default_factory=list)
    drive: list[dict[str, Any]] = field(default_factory=list)  # driveItems, parentReference.id set
    drive_root: str = "ROOT"


@dataclass
class Resource:
    items: list[dict[str, Any]]
    kind: str  # messages | directory | drive | outlook | calendarView | attachments
    default_page: int
    max_top: int | None
    spec: ResourceSpec  # the emulator's rules for this collection: what $filter/$orderby/$top Graph accepts


class FakeGraph:
    """iter_items / get_json / batch over in-memory data; `requests` lists (method, path, params)."""

    def __init__(
        self,
        users: list[dict[str, Any]],
        mailboxes: dict[str, Mailbox],
        me: str | None,
        *,
        groups: list[dict[str, Any]] | None = None,
        members: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.users = users
        self.mailboxes = mailboxes
        self.me = me
        self.groups = groups or []
        self.members = members or {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    # ------------------------------------------------------------------ the GraphClient surface
    def iter_items(
        self,
        path: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        *,
        prefetch: bool = False,
    ) -> Iterator[dict[str, Any]]:
        params = dict(params or {})
        self.requests.append(("GET", path, params))
        res = self._resolve_collection(path, params)
        items, page = self._query(res, params, headers or {})
        box = self._box_of(path)
        for n, start in enumerate(range(0, max(len(items), 1), page)):
            if n:
                self.requests.append(("GET", path, {**params, "$skiptoken": str(n)}))
            for i in items[start : start + page]:
                out = self._project(i, params)
                if params.get("$expand") == "attachments" and box is not None:
                    out["attachments"] = copy.deepcopy(box.attachments.get(i["id"], []))
                yield out

    def _box_of(self, path: str) -> Mailbox | None:
        try:
            return self._mailbox(path.strip("/").split("/"))[0]
        except (GraphError, KeyError, IndexError):
            return None

    def get_json(
        self, path: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        params = dict(params or {})
        self.requests.append(("GET", path, params))
        return self._get(path, params)

    def batch(self, requests: list[Any]) -> list[Any]:
        from o365sql.graph import BatchResponse

        out = []
        for start in range(0, len(requests), 20):
            chunk = requests[start : start + 20]
            self.requests.append(("POST", "/$batch", {"count": str(len(chunk))}))
            for r in chunk:
                path, _, query = r.url.partition("?")
                from urllib.parse import parse_qsl

                params = dict(parse_qsl(query))
                try:
                    body = self._get(path, params)
                    out.append(BatchResponse(id=r.id, status=200, headers={}, body=body))
                except GraphError as exc:
                    assert exc.status is not None
                    out.append(
                        BatchResponse(
                            id=r.id,
                            status=exc.status,
                            headers={},
                            body={"error": {"code": exc.code, "message": exc.message}},
                        )
                    )
        return list(reversed(out))  # Graph may answer out of order

    # ------------------------------------------------------------------ routing
    def _mailbox(self, parts: list[str]) -> tuple[Mailbox, list[str]]:
        from urllib.parse import unquote

        if parts[0] == "me":
            if self.me is None:
                raise FakeGraphError(
                    400, "BadRequest", "/me request is only valid with delegated authentication flow."
                )
            return self.mailboxes[self.me], parts[1:]
        if parts[0] == "users" and len(parts) >= 3:
            uid = unquote(parts[1])
            user = self._user(uid)
            box = self.mailboxes.get(user["id"])
            if box is None:
                raise FakeGraphError(404, "MailboxNotEnabledForRESTAPI", "no mailbox")
            return box, parts[2:]
        raise FakeGraphError(400, "BadRequest", "unknown path")

    def _user(self, uid: str) -> dict[str, Any]:
        for u in self.users:
            if u["id"].lower() == uid.lower() or u.get("userPrincipalName", "").lower() == uid.lower():
                return u
        raise FakeGraphError(404, "Request_ResourceNotFound", f"Resource '{uid}' does not exist")

    @staticmethod
    def _find(items: list[dict[str, Any]], item_id: str, code: str = "ErrorItemNotFound") -> dict[str, Any]:
        for it in items:
            if it["id"] == item_id:
                return it
        raise FakeGraphError(404, code, "The specified object was not found in the store.")

    def _folder_id(self, box: Mailbox, name: str) -> str:
        real = box.well_known.get(name.lower())
        if real:
            return real
        self._find(box.folders, name)
        return name

    def _resolve_collection(self, path: str, params: dict[str, str]) -> Resource:
        from urllib.parse import unquote

        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts == ["users"]:
            return Resource(self.users, "directory", 100, 999, specs.USERS)
        if parts == ["groups"]:
            return Resource(self.groups, "directory", 100, 999, specs.GROUPS)
        if len(parts) == 3 and parts[0] == "groups" and parts[2] == "members":
            self._find(self.groups, parts[1], "Request_ResourceNotFound")
            return Resource(self.members.get(parts[1], []), "directory", 100, 999, specs.MEMBERS)
        box, rest = self._mailbox(parts)
        if rest == ["messages"]:
            return Resource(box.messages, "messages", 10, 1000, specs.MESSAGES)
        if len(rest) == 3 and rest[0] == "mailFolders" and rest[2] == "messages":
            fid = self._folder_id(box, rest[1])
            return Resource(
                [m for m in box.messages if m["parentFolderId"] == fid], "messages", 10, 1000, specs.MESSAGES
            )
        if rest == ["mailFolders"]:
            return Resource(
                [f for f in box.folders if f["parentFolderId"] == box.root_folder],
                "outlook",
                10,
                1000,
                specs.MAIL_FOLDERS,
            )
        if len(rest) == 3 and rest[0] == "mailFolders" and rest[2] == "childFolders":
            fid = self._folder_id(box, rest[1])
            return Resource(
                [f for f in box.folders if f["parentFolderId"] == fid],
                "outlook",
                10,
                1000,
                specs.MAIL_FOLDERS,
            )
        if len(rest) == 3 and rest[0] == "messages" and rest[2] == "attachments":
            self._find(box.messages, rest[1])
            return Resource(box.attachments.get(rest[1], []), "attachments", 10, None, specs.ATTACHMENTS)
        if rest == ["events"]:
            return Resource(box.events, "outlook", 10, 1000, specs.EVENTS)
        if len(rest) == 3 and rest[0] == "calendars" and rest[2] == "events":
            self._find(box.calendars, rest[1])
            return Resource(
                [e for e in box.events if e["_calendar"] == rest[1]], "outlook", 10, 1000, specs.EVENTS
            )
        if rest == ["calendarView"] or (
            len(rest) == 3 and rest[0] == "calendars" and rest[2] == "calendarView"
        ):
            cal = rest[1] if len(rest) == 3 else box.calendars[0]["id"]
            if len(rest) == 3:
                self._find(box.calendars, cal)
            if "startDateTime" not in params or "endDateTime" not in params:
                raise FakeGraphError(400, "ErrorInvalidParameter", "This request requires a time window")
            lo = _instant(params["startDateTime"])
            hi = _instant(params["endDateTime"])
            items = [
                e
                for e in box.events
                if e["_calendar"] == cal
                and _instant(e["start"]["dateTime"]) < hi
                and _instant(e["end"]["dateTime"]) > lo
            ]
            return Resource(items, "calendarView", 10, 1000, specs.CALENDAR_VIEW)
        if rest == ["calendars"]:
            return Resource(box.calendars, "outlook", 10, 1000, specs.CALENDARS)
        if rest == ["contacts"]:
            return Resource(box.contacts, "outlook", 10, 1000, specs.CONTACTS)
        if rest == ["contactFolders"]:
            return Resource(box.contact_folders, "outlook", 10, 1000, specs.CONTACT_FOLDERS)
        if rest == ["drive", "root", "delta"]:
            # like Graph's driveItem delta: the root first, then every item, with no parentReference.path
            root = {"id": box.drive_root, "name": "root", "root": {}, "folder": {"childCount": 2}}
            items = [root] + [
                {**d, "parentReference": {k: v for k, v in d["parentReference"].items() if k != "path"}}
                for d in box.drive
            ]
            return Resource(items, "drive", 200, None, specs.DRIVE_CHILDREN)
        if rest == ["drive", "root", "children"]:
            return Resource(
                [d for d in box.drive if d["parentReference"]["id"] == box.drive_root],
                "drive",
                200,
                None,
                specs.DRIVE_CHILDREN,
            )
        if len(rest) == 4 and rest[:2] == ["drive", "items"] and rest[3] == "children":
            if rest[2] != box.drive_root:
                self._find(box.drive, rest[2], "itemNotFound")
            return Resource(
                [d for d in box.drive if d["parentReference"]["id"] == rest[2]],
                "drive",
                200,
                None,
                specs.DRIVE_CHILDREN,
            )
        raise FakeGraphError(400, "BadRequest", f"unsupported path {path}")

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        from urllib.parse import unquote

        parts = [unquote(p) for p in path.strip("/").split("/")]
        if len(parts) == 2 and parts[0] == "users":
            return self._project(self._user(parts[1]), params)
        if len(parts) == 2 and parts[0] == "groups":
            return self._project(self._find(self.groups, parts[1], "Request_ResourceNotFound"), params)
        if parts == ["me"]:
            if self.me is None:
                raise FakeGraphError(
                    400, "BadRequest", "/me request is only valid with delegated authentication flow."
                )
            return {"id": self.me}
        box, rest = self._mailbox(parts)
        table = {
            "messages": box.messages,
            "mailFolders": box.folders,
            "events": box.events,
            "calendars": box.calendars,
            "contacts": box.contacts,
            "contactFolders": box.contact_folders,
        }
        if len(rest) == 2 and rest[0] in table:
            if rest[0] == "mailFolders":
                return self._project(self._find(box.folders, self._folder_id(box, rest[1])), params)
            return self._project(self._find(table[rest[0]], rest[1]), params)
        if len(rest) == 4 and rest[0] == "messages" and rest[2] == "attachments":
            self._find(box.messages, rest[1])
            return self._project(self._find(box.attachments.get(rest[1], []), rest[3]), params)
        if len(rest) == 3 and rest[:2] == ["drive", "items"]:
            return self._project(self._find(box.drive, rest[2], "itemNotFound"), params)
        raise FakeGraphError(400, "BadRequest", f"unsupported path {path}")

    # ------------------------------------------------------------------ query options
    def _query(
        self, res: Resource, params: dict[str, str], headers: dict[str, str]
    ) -> tuple[list[dict[str, Any]], int]:
        """The items a request returns and its page size, by the emulator's OData engine and Graph specs.

        Graph's rules are not coded again here: a $filter operator, $orderby or $top the service refuses
        (a wrong operator list in the driver's schema, say) fails the same way it fails against Graph.
        """
        if "$expand" in params:
            assert res.spec is specs.MESSAGES and params["$expand"] == "attachments", params
        try:
            query = prepare_query(params, headers, res.spec)
        except ODataError as exc:
            raise FakeGraphError(exc.status, exc.code, exc.message) from None
        items = run_query(res.items, query, res.spec)[query.skip :]
        return items, query.top

    @staticmethod
    def _project(item: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in item.items() if not k.startswith("_")}
        if "$select" in params:
            keep = set(params["$select"].split(",")) | {"id"}
            out = {k: v for k, v in out.items() if k in keep or k.startswith("@")}
        return out


def _instant(text: str) -> datetime:
    t = text.rstrip("Z")
    if "." in t:
        t = t.split(".")[0]
    return datetime.fromisoformat(t).replace(tzinfo=UTC)
