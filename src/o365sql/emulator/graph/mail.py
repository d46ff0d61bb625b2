"""Outlook mail routes: mailFolders, messages, attachments, PATCH/DELETE, move and copy."""

from __future__ import annotations

import base64
from typing import Any

from . import specs
from .auth import MAIL, open_mailbox
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError
from .extended import expand_options
from .gen_mail import message_attachments
from .message_items import (
    apply_message,
    attachment_view,
    check_direct_attachment,
    headers_of,
    message_entity,
    message_finish,
    new_message,
    store_new_attachments,
)
from .model import NOT_FOUND, Mailbox, outlook_not_found
from .query import entity_result, list_result
from .util import K_MESSAGE, bump, outlook_id

__all__ = [
    "add_attachment",
    "attachment_value",
    "child_folder_messages",
    "child_folders",
    "create_draft",
    "delete_attachment",
    "delete_message",
    "folder_messages",
    "get_attachment",
    "get_child_folder",
    "get_folder",
    "get_message",
    "list_attachments",
    "list_folders",
    "list_messages",
    "message_mime",
    "move_message",
    "update_message",
]

Item = dict[str, Any]


# -- folders -------------------------------------------------------------------------------------------------


def _folders_of(ctx: Ctx, box: Mailbox, parent: str) -> list[Item]:
    hidden = ctx.params.get("includeHiddenFolders", "").lower() == "true"
    return box.with_counts(
        [f for f in box.folders.values() if f["parentFolderId"] == parent and (hidden or not f["isHidden"])],
    )


def list_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders: the folders below the root."""
    box = open_mailbox(ctx, owner, MAIL)
    items = _folders_of(ctx, box, box.wellknown["msgfolderroot"])
    return list_result(ctx, items, specs.MAIL_FOLDERS, ctx.meta(f"{owner.base}/mailFolders"))


def get_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id or well-known name}."""
    box = open_mailbox(ctx, owner, MAIL)
    folder = box.with_counts([box.mail_folder(g["fid"])])[0]
    return entity_result(ctx, folder, specs.MAIL_FOLDERS, ctx.meta(f"{owner.base}/mailFolders/$entity"))


def child_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/childFolders."""
    box = open_mailbox(ctx, owner, MAIL)
    folder = box.mail_folder(g["fid"])
    return list_result(
        ctx,
        _folders_of(ctx, box, folder["id"]),
        specs.MAIL_FOLDERS,
        ctx.meta(f"{owner.base}/mailFolders('{g['fid']}')/childFolders"),
    )


def get_child_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/childFolders/{id}."""
    box = open_mailbox(ctx, owner, MAIL)
    box.mail_folder(g["pid"])
    folder = box.with_counts([box.mail_folder(g["fid"])])[0]
    return entity_result(ctx, folder, specs.MAIL_FOLDERS, ctx.meta(f"{owner.base}/mailFolders/$entity"))


# -- messages ------------------------------------------------------------------------------------------------


_STRIP = ("$expand",)


def _expand_check(ctx: Ctx) -> None:
    plain, _extended = expand_options(ctx)
    if any(p.lower() != "attachments" for p in plain) or len(plain) > 1:
        # [U] the message
        raise GraphError(400, "ErrorInvalidUrlQuery", f"The expand '{','.join(plain)}' is not supported.")


def list_messages(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages: every message in the mailbox, newest first."""
    box = open_mailbox(ctx, owner, MAIL)
    _expand_check(ctx)
    return _message_list(ctx, box, box.sorted_messages(), f"{owner.base}/messages")


def _message_list(ctx: Ctx, box: Mailbox, items: list[Item], context: str) -> Result:
    """A page of messages, as both message collections (mailbox-wide and per folder) answer it."""
    return list_result(
        ctx, items, specs.MESSAGES, ctx.meta(context), finish=message_finish(ctx, box), strip=_STRIP, cap=1000
    )


def folder_messages(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/messages."""
    box = open_mailbox(ctx, owner, MAIL)
    _expand_check(ctx)
    folder = box.mail_folder(g["fid"])
    items = [m for m in box.sorted_messages() if m["parentFolderId"] == folder["id"]]
    return _message_list(ctx, box, items, f"{owner.base}/mailFolders('{g['fid']}')/messages")


def child_folder_messages(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/childFolders/{id}/messages."""
    box = open_mailbox(ctx, owner, MAIL)
    box.mail_folder(g["pid"])
    return folder_messages(ctx, owner, {"fid": g["fid"]})


def get_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}."""
    box = open_mailbox(ctx, owner, MAIL)
    _expand_check(ctx)
    message = box.message(g["mid"])
    if "fid" in g and message["parentFolderId"] != box.mail_folder(g["fid"])["id"]:
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return entity_result(
        ctx,
        message,
        specs.MESSAGES,
        ctx.meta(f"{owner.base}/messages/$entity"),
        finish=message_finish(ctx, box),
        strip=_STRIP,
    )


def message_mime(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/$value: the message as MIME."""
    box = open_mailbox(ctx, owner, MAIL)
    message = box.message(g["mid"])
    lines = [f"{h['name']}: {h['value']}" for h in headers_of(message)]
    return Result(
        body=("\r\n".join(lines) + "\r\n\r\n" + message["body"]["content"]).encode(),
        content_type="text/plain",
    )


def list_attachments(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/attachments."""
    box = open_mailbox(ctx, owner, MAIL)
    message = box.message(g["mid"])
    items = message_attachments(box, message)

    def finish(item: Item, shaped: Item) -> Item:
        return {
            "@odata.type": item["@odata.type"],
            "@odata.mediaContentType": item["@odata.mediaContentType"],
            "id": item["id"],
            **shaped,
        }

    return list_result(
        ctx,
        items,
        specs.ATTACHMENTS,
        ctx.meta(f"{owner.base}/messages('{g['mid']}')/attachments"),
        finish=finish,
    )


def _attachment(ctx: Ctx, box: Mailbox, g: dict[str, str]) -> Item:
    message = box.message(g["mid"])
    for att in message_attachments(box, message):
        if att["id"] == g["aid"]:
            return att
    raise outlook_not_found(g["aid"])


def get_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/attachments/{id}."""
    box = open_mailbox(ctx, owner, MAIL)
    att = _attachment(ctx, box, g)
    shaped = {
        "@odata.context": ctx.meta(f"{owner.base}/messages('{g['mid']}')/attachments/$entity"),
        **attachment_view(att),
    }
    return json_result(shaped)


def attachment_value(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/attachments/{id}/$value: the raw bytes."""
    box = open_mailbox(ctx, owner, MAIL)
    att = _attachment(ctx, box, g)
    return Result(body=base64.b64decode(att["contentBytes"]), content_type=att["contentType"])


# -- writes --------------------------------------------------------------------------------------------------


def create_draft(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/messages: a draft (201)."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    folder = box.mail_folder(g.get("fid", "drafts"))
    data = ctx.json_body()
    message = new_message(box, owner.user, folder["id"], draft=True, now=ctx.state.clock.now())
    apply_message(message, data, draft=True)
    store_new_attachments(box, message)
    box.messages[message["id"]] = message
    box.touch()
    return message_entity(ctx, owner, box, message)


def update_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/messages/{id}: 200 with the updated message."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    message = box.message(g["mid"])
    data = ctx.json_body()
    apply_message(message, data, draft=bool(message["isDraft"]))
    store_new_attachments(box, message)
    bump(message, ctx.state.clock.now())
    box.touch()
    return message_entity(ctx, owner, box, message, status=200)


def delete_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/messages/{id}: 204."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    message = box.message(g["mid"])
    del box.messages[message["id"]]
    box.attachments.pop(message["id"], None)
    box.touch()
    return Result(status=204)


def _destination(box: Mailbox, ctx: Ctx) -> Item:
    data = ctx.json_body()
    dest = data.get("destinationId") or data.get("DestinationId")
    if not isinstance(dest, str) or not dest:
        # [U] the code and message
        raise GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'DestinationId' is empty.")
    return box.mail_folder(dest)


def move_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/messages/{id}/move|copy: 201 with the message; move changes the id unless ImmutableId."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    message = box.message(g["mid"])
    folder = _destination(box, ctx)
    immutable = ctx.prefer.get("idtype", "").lower() == "immutableid"
    if immutable:
        ctx.applied.append('IdType="ImmutableId"')
    copy = g["action"].lower() == "copy"
    if copy or not immutable:
        new_id = outlook_id(box.key, K_MESSAGE, box.next_number())
        moved = {**message, "id": new_id}
        moved["webLink"] = message["webLink"].replace(
            message["id"].replace("=", "%3D"), new_id.replace("=", "%3D")
        )
        if message["id"] in box.attachments:
            box.attachments[new_id] = box.attachments[message["id"]]
        if not copy:
            del box.messages[message["id"]]
            box.attachments.pop(message["id"], None)
    else:
        moved = message
    moved["parentFolderId"] = folder["id"]
    bump(moved, ctx.state.clock.now())
    box.messages[moved["id"]] = moved
    box.touch()
    return message_entity(ctx, owner, box, moved)


# -- attachments -------------------------------------------------------------------------------------------


def add_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/messages/{id}/attachments: a fileAttachment under 3 MB (201)."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    message = box.message(g["mid"])
    data = ctx.json_body()
    check_direct_attachment(data)
    message["_new_att"] = [data]
    store_new_attachments(box, message)
    bump(message, ctx.state.clock.now())
    att = box.attachments[message["id"]][-1]
    context = ctx.meta(f"{owner.base}/messages('{g['mid']}')/attachments/$entity")
    return json_result({"@odata.context": context, **attachment_view(att)}, status=201)


def delete_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/messages/{id}/attachments/{id}: 204."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    att = _attachment(ctx, box, g)
    remaining = [a for a in box.attachments[g["mid"]] if a["id"] != att["id"]]
    box.attachments[g["mid"]] = remaining
    message = box.messages[g["mid"]]
    message["hasAttachments"] = any(not a["isInline"] for a in remaining)
    bump(message, ctx.state.clock.now())
    return Result(status=204)
