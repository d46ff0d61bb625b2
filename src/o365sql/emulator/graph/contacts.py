"""Outlook contacts routes: contacts, contactFolders, their contacts, and contact writes."""

from __future__ import annotations

from typing import Any

from . import specs
from .auth import CONTACTS, open_mailbox
from .envelope import Ctx, Owner, Result, json_result
from .errors import unknown_property
from .extended import expand_extended, expand_options, take_extended
from .gen_pim import new_contact_fields
from .model import Mailbox
from .query import entity_result, list_result
from .util import K_CONTACT, bump, outlook_id

__all__ = [
    "contact_child_folders",
    "contact_finish",
    "create_contact",
    "delete_contact",
    "folder_contacts",
    "get_contact",
    "get_contact_folder",
    "list_contact_folders",
    "list_contacts",
    "update_contact",
]

Item = dict[str, Any]


def contact_finish(item: Item, shaped: Item) -> Item:
    """A contact as Graph sends it: its etag and id first (lists and delta alike)."""
    return {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}


def _in_folder(box: Mailbox, fid: str) -> list[Item]:
    return sorted(
        (c for c in box.contacts.values() if c["parentFolderId"] == fid),
        key=lambda c: c["createdDateTime"],
        reverse=True,
    )


def list_contacts(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contacts: the default contacts folder."""
    box = open_mailbox(ctx, owner, CONTACTS)
    return list_result(
        ctx,
        _in_folder(box, box.default_contact_folder),
        specs.CONTACTS,
        ctx.meta(f"{owner.base}/contacts"),
        finish=contact_finish,
    )


def get_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contacts/{id}."""
    box = open_mailbox(ctx, owner, CONTACTS)
    contact = box.contact(g["cid"])
    _plain, extended = expand_options(ctx)

    def finish(item: Item, shaped: Item) -> Item:
        return expand_extended(item, contact_finish(item, shaped), extended)

    return entity_result(
        ctx, contact, specs.CONTACTS, ctx.meta(f"{owner.base}/contacts/$entity"), finish=finish
    )


def list_contact_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders: the folders below the default Contacts folder."""
    box = open_mailbox(ctx, owner, CONTACTS)
    items = [f for f in box.contact_folders.values() if f["parentFolderId"] == box.default_contact_folder]
    return list_result(ctx, items, specs.CONTACT_FOLDERS, ctx.meta(f"{owner.base}/contactFolders"))


def get_contact_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders/{id}."""
    box = open_mailbox(ctx, owner, CONTACTS)
    return entity_result(
        ctx,
        box.contact_folder(g["fid"]),
        specs.CONTACT_FOLDERS,
        ctx.meta(f"{owner.base}/contactFolders/$entity"),
    )


def contact_child_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders/{id}/childFolders."""
    box = open_mailbox(ctx, owner, CONTACTS)
    folder = box.contact_folder(g["fid"])
    items = [f for f in box.contact_folders.values() if f["parentFolderId"] == folder["id"]]
    return list_result(
        ctx, items, specs.CONTACT_FOLDERS, ctx.meta(f"{owner.base}/contactFolders('{g['fid']}')/childFolders")
    )


def folder_contacts(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders/{id}/contacts."""
    box = open_mailbox(ctx, owner, CONTACTS)
    folder = box.contact_folder(g["fid"])
    return list_result(
        ctx,
        _in_folder(box, folder["id"]),
        specs.CONTACTS,
        ctx.meta(f"{owner.base}/contactFolders('{g['fid']}')/contacts"),
        finish=contact_finish,
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
        if key.startswith("@") or take_extended(contact, key, value, "contact"):
            continue
        if key not in _WRITABLE:
            raise unknown_property(key, "contact")
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
    body = contact_finish(contact, {k: contact.get(k) for k in specs.CONTACT_DEFAULT})
    return json_result({"@odata.context": ctx.meta(f"{owner.base}/contacts/$entity"), **body}, status=status)


def create_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/contacts: 201 with the contact."""
    box = open_mailbox(ctx, owner, CONTACTS, write=True)
    folder = box.contact_folder(g.get("fid", box.default_contact_folder))
    data = ctx.json_body()
    cid = outlook_id(box.key, K_CONTACT, box.next_number())
    contact = new_contact_fields(cid, folder["id"], ctx.state.clock.now())
    _apply(contact, data)
    box.contacts[cid] = contact
    return _entity(ctx, owner, contact, 201)


def update_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/contacts/{id}: 200 with the contact."""
    box = open_mailbox(ctx, owner, CONTACTS, write=True)
    contact = box.contact(g["cid"])
    _apply(contact, ctx.json_body())
    bump(contact, ctx.state.clock.now())
    return _entity(ctx, owner, contact, 200)


def delete_contact(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/contacts/{id}: 204."""
    box = open_mailbox(ctx, owner, CONTACTS, write=True)
    contact = box.contact(g["cid"])
    del box.contacts[contact["id"]]
    return Result(status=204)
