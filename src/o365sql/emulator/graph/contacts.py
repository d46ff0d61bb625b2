"""Outlook contacts routes: contacts, contactFolders, their contacts, and contact writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import specs
from .auth import CONTACTS, require_mailbox
from .envelope import Ctx, GraphError, Result, json_result
from .gen_pim import new_contact_fields
from .query import entity_result, list_result
from .router import Owner, owner_route
from .store import Mailbox
from .util import K_CONTACT, change_key, fmt_s, outlook_id, parse_outlook_id

__all__: list[str] = []

Item = dict[str, Any]
NOT_FOUND = "The specified object was not found in the store."


def _box(ctx: Ctx, owner: Owner, write: bool = False) -> Mailbox:
    require_mailbox(ctx, owner.id, CONTACTS[1] if write else CONTACTS[0])
    return ctx.store.mailbox(owner.id)


def _not_found(value: str) -> GraphError:
    if parse_outlook_id(value) is None:
        return GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
    return GraphError(404, "ErrorItemNotFound", NOT_FOUND)


def _folder(box: Mailbox, fid: str) -> Item:
    if fid.lower() == "contacts":  # the well-known name of the default folder
        fid = box.default_contact_folder
    found = box.contact_folders.get(fid)
    if found is None:
        raise _not_found(fid)
    return found


def _contact(box: Mailbox, cid: str) -> Item:
    found = box.contacts.get(cid)
    if found is None:
        raise _not_found(cid)
    return found


def _finish(item: Item, shaped: Item) -> Item:
    return {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}


def _in_folder(box: Mailbox, fid: str) -> list[Item]:
    return sorted(
        (c for c in box.contacts.values() if c["parentFolderId"] == fid),
        key=lambda c: c["createdDateTime"],
        reverse=True,
    )


@owner_route("GET", r"contacts")
def list_contacts(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contacts: the default contacts folder."""
    box = _box(ctx, owner)
    return list_result(
        ctx,
        _in_folder(box, box.default_contact_folder),
        specs.CONTACTS,
        ctx.meta(f"{owner.base}/contacts"),
        finish=_finish,
    )


@owner_route("GET", r"(?:contactFolders/(?P<fid>[^/]+)/)?contacts/(?P<cid>[^/]+)")
def get_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contacts/{id}."""
    box = _box(ctx, owner)
    contact = _contact(box, g["cid"])
    return entity_result(
        ctx, contact, specs.CONTACTS, ctx.meta(f"{owner.base}/contacts/$entity"), finish=_finish
    )


@owner_route("GET", r"contactFolders")
def list_contact_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders: the folders below the default Contacts folder."""
    box = _box(ctx, owner)
    items = [f for f in box.contact_folders.values() if f["parentFolderId"] == box.default_contact_folder]
    return list_result(ctx, items, specs.CONTACT_FOLDERS, ctx.meta(f"{owner.base}/contactFolders"))


@owner_route("GET", r"contactFolders/(?P<fid>[^/]+)")
def get_contact_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders/{id}."""
    box = _box(ctx, owner)
    return entity_result(
        ctx, _folder(box, g["fid"]), specs.CONTACT_FOLDERS, ctx.meta(f"{owner.base}/contactFolders/$entity")
    )


@owner_route("GET", r"contactFolders/(?P<fid>[^/]+)/childFolders")
def contact_child_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders/{id}/childFolders."""
    box = _box(ctx, owner)
    folder = _folder(box, g["fid"])
    items = [f for f in box.contact_folders.values() if f["parentFolderId"] == folder["id"]]
    return list_result(
        ctx, items, specs.CONTACT_FOLDERS, ctx.meta(f"{owner.base}/contactFolders('{g['fid']}')/childFolders")
    )


@owner_route("GET", r"contactFolders/(?P<fid>[^/]+)/contacts")
def folder_contacts(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders/{id}/contacts."""
    box = _box(ctx, owner)
    folder = _folder(box, g["fid"])
    return list_result(
        ctx,
        _in_folder(box, folder["id"]),
        specs.CONTACTS,
        ctx.meta(f"{owner.base}/contactFolders('{g['fid']}')/contacts"),
        finish=_finish,
    )


_WRITABLE = set(specs.CONTACT_DEFAULT) - {
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "parentFolderId",
}


def _apply(contact: Item, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key.startswith("@"):
            continue
        if key not in _WRITABLE:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"The property '{key}' does not exist on type 'microsoft.graph.contact'. Make sure to "
                "only use property names that are defined by the type or mark the type as open type.",
            )
        if key == "emailAddresses":
            contact[key] = [
                {"name": e.get("name") or e.get("address"), "address": e.get("address")}
                for e in (value or [])
                if isinstance(e, dict)
            ]
        else:
            contact[key] = value
    if not contact.get("displayName"):
        contact["displayName"] = " ".join(p for p in (contact.get("givenName"), contact.get("surname")) if p)
    if not contact.get("fileAs"):
        contact["fileAs"] = ", ".join(p for p in (contact.get("surname"), contact.get("givenName")) if p)


def _entity(ctx: Ctx, owner: Owner, contact: Item, status: int) -> Result:
    body = _finish(contact, {k: contact.get(k) for k in specs.CONTACT_DEFAULT})
    return json_result({"@odata.context": ctx.meta(f"{owner.base}/contacts/$entity"), **body}, status=status)


@owner_route("POST", r"(?:contactFolders/(?P<fid>[^/]+)/)?contacts")
def create_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/contacts: 201 with the contact."""
    box = _box(ctx, owner, write=True)
    folder = _folder(box, g.get("fid", box.default_contact_folder))
    data = ctx.json_body()
    cid = outlook_id(box.key, K_CONTACT, box.next_number())
    contact = new_contact_fields(cid, folder["id"], dt.datetime.now(dt.UTC))
    _apply(contact, data)
    box.contacts[cid] = contact
    return _entity(ctx, owner, contact, 201)


@owner_route("PATCH", r"contacts/(?P<cid>[^/]+)")
def update_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/contacts/{id}: 200 with the contact."""
    box = _box(ctx, owner, write=True)
    contact = _contact(box, g["cid"])
    _apply(contact, ctx.json_body())
    version = int(contact.get("_version", 1)) + 1
    contact["_version"] = version
    contact["changeKey"] = change_key(contact["id"], version)
    contact["@odata.etag"] = f'W/"{contact["changeKey"]}"'
    contact["lastModifiedDateTime"] = fmt_s(dt.datetime.now(dt.UTC))
    return _entity(ctx, owner, contact, 200)


@owner_route("DELETE", r"contacts/(?P<cid>[^/]+)")
def delete_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/contacts/{id}: 204."""
    box = _box(ctx, owner, write=True)
    contact = _contact(box, g["cid"])
    del box.contacts[contact["id"]]
    return Result(status=204)
