"""Outlook folder writes: calendars and contact folders (create 201, update 200, delete 204).

calendar-post-calendars.md / calendar-update.md / calendar-delete.md and user-post-contactfolders.md /
contactfolder-update.md / contactfolder-delete.md. A name already used by a sibling is 409 ErrorFolderExists.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import specs
from .auth import CALENDARS, CONTACTS, open_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .query import entity_result
from .util import K_CALENDAR, K_CFOLDER, bump, change_key, outlook_id

__all__: list[str] = []

Item = dict[str, Any]
_CALENDAR_WRITABLE = frozenset({"name", "color"})
_COLORS = frozenset(
    {
        "auto", "lightBlue", "lightGreen", "lightOrange", "lightGray", "lightYellow", "lightTeal",
        "lightPink", "lightBrown", "lightRed", "maxColor",
    }
)  # fmt: skip


def _unknown_property(key: str, kind: str) -> GraphError:
    return GraphError(
        400,
        "RequestBodyRead",
        f"The property '{key}' does not exist on type 'microsoft.graph.{kind}'. Make sure to only use "
        "property names that are defined by the type or mark the type as open type.",
    )


def _name(data: Item, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise GraphError(400, "ErrorInvalidRequest", f"The {key} is required and cannot be empty.")  # [U]
    return value


def _exists() -> GraphError:
    return GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")


def _created(result: Result) -> Result:
    return dataclasses.replace(result, status=201)


# -- calendars -----------------------------------------------------------------------------------------------
def _calendar_fields(data: Item) -> Item:
    for key in data:
        if not key.startswith("@") and key not in _CALENDAR_WRITABLE:
            raise _unknown_property(key, "calendar")
    if "color" in data and data["color"] not in _COLORS:
        raise GraphError(400, "RequestBodyRead", f"Requested value '{data['color']}' was not found.")
    return {k: v for k, v in data.items() if not k.startswith("@")}


def _calendar_entity(ctx: Ctx, owner: Owner, cal: Item, created: bool) -> Result:
    def finish(item: Item, shaped: Item) -> Item:
        return {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}

    result = entity_result(
        ctx, cal, specs.CALENDARS, ctx.meta(f"{owner.base}/calendars/$entity"), finish=finish
    )
    return _created(result) if created else result


def create_calendar(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/calendars: 201 with the calendar."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    data = ctx.json_body()
    name = _name(data, "name")
    fields = _calendar_fields(data)
    if any(c["name"].lower() == name.lower() for c in box.calendars.values()):
        raise _exists()
    cid = outlook_id(box.key, K_CALENDAR, box.next_number())
    default = next(c for c in box.calendars.values() if c["isDefaultCalendar"])
    cal: Item = {
        "id": cid,
        "name": name,
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": False,
        "changeKey": change_key(cid, 1),
        "canShare": True,
        "canViewPrivateItems": True,
        "canEdit": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": False,
        "isRemovable": True,
        "owner": dict(default["owner"]),
        **fields,
    }
    cal["@odata.etag"] = f'W/"{cal["changeKey"]}"'
    box.calendars[cid] = cal
    return _calendar_entity(ctx, owner, cal, True)


def update_calendar(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/calendars/{id}: 200 with the calendar."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    cal = box.calendar(g["cid"])
    data = ctx.json_body()
    fields = _calendar_fields(data)
    if "name" in fields:
        name = _name(fields, "name")
        if any(c is not cal and c["name"].lower() == name.lower() for c in box.calendars.values()):
            raise _exists()
    cal.update(fields)
    bump(cal, ctx.state.clock.now())
    return _calendar_entity(ctx, owner, cal, False)


def delete_calendar(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/calendars/{id}: 204 with its events; the default calendar stays."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    cal = box.calendar(g["cid"])
    if cal["isDefaultCalendar"] or not cal["isRemovable"]:
        raise GraphError(400, "ErrorCannotDeleteObject", "This calendar cannot be deleted.")  # [U] wording
    for eid in [e for e, ev in box.events.items() if ev.get("_calendar") == cal["id"]]:
        del box.events[eid]
    del box.calendars[cal["id"]]
    return Result(status=204)


# -- contact folders -----------------------------------------------------------------------------------------
def _folder_entity(ctx: Ctx, owner: Owner, folder: Item, created: bool) -> Result:
    result = entity_result(
        ctx, folder, specs.CONTACT_FOLDERS, ctx.meta(f"{owner.base}/contactFolders/$entity")
    )
    return _created(result) if created else result


def create_contact_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/contactFolders (or .../{id}/childFolders): 201 with the folder."""
    box = open_mailbox(ctx, owner, CONTACTS, write=True)
    data = ctx.json_body()
    for key in data:
        if not key.startswith("@") and key not in ("displayName", "parentFolderId"):
            raise _unknown_property(key, "contactFolder")
    name = _name(data, "displayName")
    parent_id = g.get("pid") or data.get("parentFolderId") or box.default_contact_folder
    parent = box.contact_folder(str(parent_id))
    siblings = [f for f in box.contact_folders.values() if f["parentFolderId"] == parent["id"]]
    if any(f["displayName"].lower() == name.lower() for f in siblings):
        raise _exists()
    fid = outlook_id(box.key, K_CFOLDER, box.next_number())
    folder: Item = {"id": fid, "displayName": name, "parentFolderId": parent["id"]}
    box.contact_folders[fid] = folder
    return _folder_entity(ctx, owner, folder, True)


def update_contact_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/contactFolders/{id}: 200 with the folder."""
    box = open_mailbox(ctx, owner, CONTACTS, write=True)
    folder = box.contact_folder(g["fid"])
    data = ctx.json_body()
    for key in data:
        if not key.startswith("@") and key != "displayName":
            raise _unknown_property(key, "contactFolder")
    if "displayName" in data:
        name = _name(data, "displayName")
        if any(
            f is not folder
            and f["parentFolderId"] == folder["parentFolderId"]
            and f["displayName"].lower() == name.lower()
            for f in box.contact_folders.values()
        ):
            raise _exists()
        folder["displayName"] = name
    return _folder_entity(ctx, owner, folder, False)


def delete_contact_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/contactFolders/{id}: 204, with its contacts; the default folder cannot be deleted."""
    box = open_mailbox(ctx, owner, CONTACTS, write=True)
    folder = box.contact_folder(g["fid"])
    if folder["id"] == box.default_contact_folder:
        raise GraphError(400, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.")
    doomed = {folder["id"]}
    changed = True
    while changed:
        changed = False
        for f in box.contact_folders.values():
            if f["parentFolderId"] in doomed and f["id"] not in doomed:
                doomed.add(f["id"])
                changed = True
    for cid in [c for c, contact in box.contacts.items() if contact["parentFolderId"] in doomed]:
        del box.contacts[cid]
    for fid in doomed:
        del box.contact_folders[fid]
    return Result(status=204)
