"""Outlook mail routes: mailFolders, messages, attachments, sendMail, drafts, PATCH/DELETE, move and copy."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import html
import re
from typing import Any

from . import specs
from .auth import MAIL, require_mailbox
from .envelope import Ctx, GraphError, Result, json_result
from .gen_mail import message_attachments
from .query import Finish, entity_result, list_result
from .router import Owner, owner_route
from .store import GraphStore, Mailbox
from .util import K_MESSAGE, change_key, fmt_s, outlook_id, parse_outlook_id

__all__ = ["MAX_DIRECT_ATTACHMENT", "html_to_text", "message_finish"]

Item = dict[str, Any]
NOT_FOUND = "The specified object was not found in the store."
_TAGS = re.compile(r"<[^>]+>")


def html_to_text(content: str) -> str:
    """A plain-text rendering of an HTML body (what Outlook returns for body-content-type text)."""
    content = re.sub(r"(?is)<(head|style|script)[^>]*>.*?</\1>", "", content)
    content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\r\n", content)
    return html.unescape(_TAGS.sub("", content)).replace("\xa0", " ").strip() + "\r\n"


def _box(ctx: Ctx, owner: Owner, write: bool = False) -> Mailbox:
    require_mailbox(ctx, owner.id, MAIL[1] if write else MAIL[0])
    return ctx.store.mailbox(owner.id)


def _check_id(value: str) -> None:
    if parse_outlook_id(value) is None:
        raise GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")


def _folder(box: Mailbox, fid: str) -> Item:
    found = box.folder_id(fid)
    if found is None:
        _check_id(fid)
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return box.folders[found]


def _message(box: Mailbox, mid: str) -> Item:
    message = box.messages.get(mid)
    if message is None:
        _check_id(mid)
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return message


# -- folders -------------------------------------------------------------------------------------------------
def _with_counts(box: Mailbox, folders: list[Item]) -> list[Item]:
    total: dict[str, int] = {}
    unread: dict[str, int] = {}
    size: dict[str, int] = {}
    for message in box.messages.values():
        fid = message["parentFolderId"]
        total[fid] = total.get(fid, 0) + 1
        size[fid] = size.get(fid, 0) + len(message["body"]["content"]) + 800
        if not message["isRead"]:
            unread[fid] = unread.get(fid, 0) + 1
    out = []
    for folder in folders:
        fid = folder["id"]
        out.append(
            {
                **folder,
                "totalItemCount": total.get(fid, 0),
                "unreadItemCount": unread.get(fid, 0),
                "sizeInBytes": size.get(fid, 0),
            }
        )
    return out


def _folders_of(ctx: Ctx, box: Mailbox, parent: str) -> list[Item]:
    hidden = ctx.params.get("includeHiddenFolders", "").lower() == "true"
    return _with_counts(
        box,
        [f for f in box.folders.values() if f["parentFolderId"] == parent and (hidden or not f["isHidden"])],
    )


@owner_route("GET", r"mailFolders")
def list_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders: the folders below the root."""
    box = _box(ctx, owner)
    items = _folders_of(ctx, box, box.wellknown["msgfolderroot"])
    return list_result(ctx, items, specs.MAIL_FOLDERS, ctx.meta(f"{owner.base}/mailFolders"))


@owner_route("GET", r"mailFolders/(?P<fid>[^/]+)")
def get_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id or well-known name}."""
    box = _box(ctx, owner)
    folder = _with_counts(box, [_folder(box, g["fid"])])[0]
    return entity_result(ctx, folder, specs.MAIL_FOLDERS, ctx.meta(f"{owner.base}/mailFolders/$entity"))


@owner_route("GET", r"mailFolders/(?P<fid>[^/]+)/childFolders")
def child_folders(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/childFolders."""
    box = _box(ctx, owner)
    folder = _folder(box, g["fid"])
    return list_result(
        ctx,
        _folders_of(ctx, box, folder["id"]),
        specs.MAIL_FOLDERS,
        ctx.meta(f"{owner.base}/mailFolders('{g['fid']}')/childFolders"),
    )


@owner_route("GET", r"mailFolders/(?P<pid>[^/]+)/childFolders/(?P<fid>[^/]+)")
def get_child_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/childFolders/{id}."""
    box = _box(ctx, owner)
    _folder(box, g["pid"])
    folder = _with_counts(box, [_folder(box, g["fid"])])[0]
    return entity_result(ctx, folder, specs.MAIL_FOLDERS, ctx.meta(f"{owner.base}/mailFolders/$entity"))


# -- messages ------------------------------------------------------------------------------------------------
def _headers_of(item: Item) -> list[Item]:
    sender = (item.get("from") or {}).get("emailAddress") or {}
    to = ", ".join(r["emailAddress"]["address"] for r in item["toRecipients"])
    return [
        {"name": "Received", "value": f"from mail.protection.outlook.com; {item['receivedDateTime']}"},
        {"name": "Message-ID", "value": item["internetMessageId"]},
        {"name": "Subject", "value": item["subject"]},
        {"name": "From", "value": f"{sender.get('name', '')} <{sender.get('address', '')}>"},
        {"name": "To", "value": to},
        {"name": "Content-Type", "value": "text/html; charset=utf-8"},
        {"name": "MIME-Version", "value": "1.0"},
    ]


def _attachment_view(att: Item, with_bytes: bool = True) -> Item:
    out = {k: v for k, v in att.items() if not k.startswith("_")}
    if not with_bytes:
        out.pop("contentBytes", None)
    return out


def message_finish(ctx: Ctx, box: Mailbox) -> Finish:
    """Post-projection shaping of messages: etag, Prefer body type, selectable-only properties, $expand."""
    text = ctx.prefer.get("outlook.body-content-type", "").lower() == "text"
    wants_html = ctx.prefer.get("outlook.body-content-type", "").lower() == "html"
    if text and 'outlook.body-content-type="text"' not in ctx.applied:
        ctx.applied.append('outlook.body-content-type="text"')
    elif wants_html and 'outlook.body-content-type="html"' not in ctx.applied:
        ctx.applied.append('outlook.body-content-type="html"')
    selected = ctx.select_list()
    expand = next((v for k, v in ctx.params.items() if k.lower() == "$expand"), "").lower()

    def finish(item: Item, shaped: Item) -> Item:
        out = {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}
        if "body" in out and text:
            out["body"] = {"contentType": "text", "content": item["_text"]}
        if "uniquebody" in selected:
            out["uniqueBody"] = {"contentType": "text", "content": item["_text"]} if text else item["body"]
        if "internetmessageheaders" in selected:
            out["internetMessageHeaders"] = _headers_of(item)
        if expand == "attachments":
            out["attachments"] = [_attachment_view(a) for a in message_attachments(ctx.store, box, item)]
        return out

    return finish


_STRIP = ("$expand",)


def _expand_check(ctx: Ctx) -> None:
    expand = next((v for k, v in ctx.params.items() if k.lower() == "$expand"), None)
    if expand is not None and expand.lower() != "attachments":
        raise GraphError(400, "ErrorInvalidUrlQuery", f"The expand '{expand}' is not supported.")  # [U]


@owner_route("GET", r"messages")
def list_messages(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages: every message in the mailbox, newest first."""
    box = _box(ctx, owner)
    _expand_check(ctx)
    return _message_list(ctx, box, box.sorted_messages(), f"{owner.base}/messages")


def _message_list(ctx: Ctx, box: Mailbox, items: list[Item], context: str) -> Result:
    """A page of messages, as both message collections (mailbox-wide and per folder) answer it."""
    return list_result(
        ctx, items, specs.MESSAGES, ctx.meta(context), finish=message_finish(ctx, box), strip=_STRIP, cap=1000
    )


@owner_route("GET", r"mailFolders/(?P<fid>[^/]+)/messages")
def folder_messages(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/messages."""
    box = _box(ctx, owner)
    _expand_check(ctx)
    folder = _folder(box, g["fid"])
    items = [m for m in box.sorted_messages() if m["parentFolderId"] == folder["id"]]
    return _message_list(ctx, box, items, f"{owner.base}/mailFolders('{g['fid']}')/messages")


@owner_route("GET", r"(?:mailFolders/(?P<fid>[^/]+)/)?messages/(?P<mid>[^/]+)")
def get_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}."""
    box = _box(ctx, owner)
    _expand_check(ctx)
    message = _message(box, g["mid"])
    if "fid" in g and message["parentFolderId"] != _folder(box, g["fid"])["id"]:
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return entity_result(
        ctx,
        message,
        specs.MESSAGES,
        ctx.meta(f"{owner.base}/messages/$entity"),
        finish=message_finish(ctx, box),
        strip=_STRIP,
    )


@owner_route("GET", r"messages/(?P<mid>[^/]+)/\$value")
def message_mime(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/$value: the message as MIME."""
    box = _box(ctx, owner)
    message = _message(box, g["mid"])
    lines = [f"{h['name']}: {h['value']}" for h in _headers_of(message)]
    return Result(
        body=("\r\n".join(lines) + "\r\n\r\n" + message["body"]["content"]).encode(),
        content_type="text/plain",
    )


@owner_route("GET", r"messages/(?P<mid>[^/]+)/attachments")
def list_attachments(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/attachments."""
    box = _box(ctx, owner)
    message = _message(box, g["mid"])
    items = message_attachments(ctx.store, box, message)

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
    message = _message(box, g["mid"])
    for att in message_attachments(ctx.store, box, message):
        if att["id"] == g["aid"]:
            return att
    _check_id(g["aid"])
    raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)


@owner_route("GET", r"messages/(?P<mid>[^/]+)/attachments/(?P<aid>[^/]+)")
def get_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/attachments/{id}."""
    box = _box(ctx, owner)
    att = _attachment(ctx, box, g)
    shaped = {
        "@odata.context": ctx.meta(f"{owner.base}/messages('{g['mid']}')/attachments/$entity"),
        **_attachment_view(att),
    }
    return json_result(shaped)


@owner_route("GET", r"messages/(?P<mid>[^/]+)/attachments/(?P<aid>[^/]+)/\$value")
def attachment_value(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/messages/{id}/attachments/{id}/$value: the raw bytes."""
    box = _box(ctx, owner)
    att = _attachment(ctx, box, g)
    return Result(body=base64.b64decode(att["contentBytes"]), content_type=att["contentType"])


# -- writes --------------------------------------------------------------------------------------------------
_WRITABLE = {
    "subject",
    "body",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "importance",
    "isRead",
    "categories",
    "flag",
    "inferenceClassification",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "from",
    "sender",
    "internetMessageHeaders",
    "attachments",
}
_DRAFT_ONLY = {
    "subject",
    "body",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "from",
    "sender",
}


def _recipients(value: Any, field: str) -> list[Item]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise GraphError(
            400,
            "RequestBodyRead",
            f"Cannot read the value of property '{field}': a collection of recipients was expected.",
        )
    out = []
    for entry in value:
        address = (
            ((entry or {}).get("emailAddress") or {}).get("address") if isinstance(entry, dict) else None
        )
        if not address or "@" not in str(address):
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
        name = (entry.get("emailAddress") or {}).get("name") or address
        out.append({"emailAddress": {"name": name, "address": address}})
    return out


def _apply(message: Item, data: dict[str, Any], *, draft: bool) -> None:
    for key, value in data.items():
        if key.startswith("@"):
            continue
        if key not in _WRITABLE:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"The property '{key}' does not exist on type 'microsoft.graph.message'. Make sure to "
                "only use property names that are defined by the type or mark the type as open type.",
            )
        if key in _DRAFT_ONLY and not draft and message.get(key) != value:
            # [U] Outlook refuses changing the content of a sent/received item.
            raise GraphError(
                400,
                "ErrorInvalidPropertyUpdateSentMessage",
                "Update of property is not allowed on a sent message.",
            )
        if key in ("toRecipients", "ccRecipients", "bccRecipients", "replyTo"):
            message[key] = _recipients(value, key)
        elif key in ("from", "sender"):
            message[key] = _recipients([value], key)[0] if value else None
        elif key == "body":
            if not isinstance(value, dict):
                raise GraphError(400, "RequestBodyRead", "Cannot read the value of property 'body'.")
            ctype = str(value.get("contentType", "text")).lower()
            content = str(value.get("content", ""))
            if ctype == "html":
                message["body"] = {"contentType": "html", "content": content}
                message["_text"] = html_to_text(content)
            else:
                message["body"] = {"contentType": "text", "content": content}
                message["_text"] = content
            message["bodyPreview"] = message["_text"].replace("\r\n", " ").replace("\n", " ").strip()[:255]
        elif key == "importance":
            if str(value).lower() not in ("low", "normal", "high"):
                raise GraphError(400, "RequestBodyRead", f"Requested value '{value}' was not found.")
            message[key] = str(value).lower()
        elif key == "categories":
            message[key] = [str(c) for c in (value or [])]
        elif key == "flag":
            message[key] = {"flagStatus": "notFlagged", **(value or {})}
        elif key == "attachments":
            message["_new_att"] = value
        elif key == "internetMessageHeaders":
            continue
        else:
            message[key] = value


def _bump(message: Item, now: dt.datetime) -> None:
    version = int(message.get("_version", 1)) + 1
    message["_version"] = version
    ck = change_key(message["id"], version)
    message["changeKey"] = ck
    message["@odata.etag"] = f'W/"{ck}"'
    message["lastModifiedDateTime"] = fmt_s(now)


def _new_message(ctx: Ctx, box: Mailbox, owner_user: Item, folder_id: str, draft: bool) -> Item:
    now = dt.datetime.now(dt.UTC)
    mid = outlook_id(box.key, K_MESSAGE, box.next_number())
    ck = change_key(mid, 1)
    me = {"emailAddress": {"name": owner_user["displayName"], "address": owner_user["mail"]}}
    digest = hashlib.sha256(mid.encode()).hexdigest()
    return {
        "@odata.etag": f'W/"{ck}"',
        "id": mid,
        "createdDateTime": fmt_s(now),
        "lastModifiedDateTime": fmt_s(now),
        "changeKey": ck,
        "categories": [],
        "receivedDateTime": fmt_s(now),
        "sentDateTime": fmt_s(now),
        "hasAttachments": False,
        "internetMessageId": f"<{digest[:24].upper()}@PH0PR11MB0001.namprd11.prod.outlook.com>",
        "subject": "",
        "bodyPreview": "",
        "importance": "normal",
        "parentFolderId": folder_id,
        "conversationId": "AAQkA" + base64.urlsafe_b64encode(bytes.fromhex(digest[:48])).decode(),
        "conversationIndex": base64.b64encode(bytes.fromhex(digest[:44])).decode(),
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": True,
        "isDraft": draft,
        "webLink": "https://outlook.office365.com/owa/?ItemID="
        + mid.replace("=", "%3D")
        + "&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": "focused",
        "body": {"contentType": "text", "content": ""},
        "sender": None if draft else me,
        "from": None if draft else me,
        "toRecipients": [],
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"},
        "_text": "",
        "_att": [],
    }


def _store_new_attachments(store: GraphStore, box: Mailbox, message: Item) -> None:
    new = message.pop("_new_att", None)
    if not new:
        return
    out = box.attachments.setdefault(message["id"], message_attachments(store, box, message))
    for k, att in enumerate(new):
        if not isinstance(att, dict) or "contentBytes" not in att:
            raise GraphError(400, "ErrorInvalidAttachment", "The attachment is missing contentBytes.")  # [U]
        try:
            content = base64.b64decode(str(att["contentBytes"]), validate=True)
        except (binascii.Error, ValueError):
            raise GraphError(
                400, "ErrorInvalidBase64String", "Invalid base64 string for attachment."
            ) from None  # [U]
        ctype = str(att.get("contentType") or "application/octet-stream")
        out.append(
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "@odata.mediaContentType": ctype,
                "id": outlook_id(box.key, 7, box.next_number(), salt=k),
                "lastModifiedDateTime": message["lastModifiedDateTime"],
                "name": str(att.get("name") or "attachment"),
                "contentType": ctype,
                "size": len(content),
                "isInline": bool(att.get("isInline", False)),
                "contentId": att.get("contentId"),
                "contentLocation": None,
                "contentBytes": base64.b64encode(content).decode(),
            }
        )
    message["hasAttachments"] = any(not a["isInline"] for a in out)


def _created(ctx: Ctx, owner: Owner, box: Mailbox, message: Item, status: int = 201) -> Result:
    finish = message_finish(ctx, box)
    shaped = finish(message, {k: message[k] for k in specs.MESSAGE_DEFAULT})
    return json_result(
        {"@odata.context": ctx.meta(f"{owner.base}/messages/$entity"), **shaped}, status=status
    )


@owner_route("POST", r"(?:mailFolders/(?P<fid>[^/]+)/)?messages")
def create_draft(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/messages: a draft (201)."""
    box = _box(ctx, owner, write=True)
    folder = _folder(box, g.get("fid", "drafts"))
    data = ctx.json_body()
    message = _new_message(ctx, box, owner.user, folder["id"], draft=True)
    _apply(message, data, draft=True)
    _store_new_attachments(ctx.store, box, message)
    box.messages[message["id"]] = message
    box.touch()
    return _created(ctx, owner, box, message)


@owner_route("PATCH", r"messages/(?P<mid>[^/]+)")
def update_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/messages/{id}: 200 with the updated message."""
    box = _box(ctx, owner, write=True)
    message = _message(box, g["mid"])
    data = ctx.json_body()
    _apply(message, data, draft=bool(message["isDraft"]))
    _store_new_attachments(ctx.store, box, message)
    _bump(message, dt.datetime.now(dt.UTC))
    box.touch()
    return _created(ctx, owner, box, message, status=200)


@owner_route("DELETE", r"messages/(?P<mid>[^/]+)")
def delete_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/messages/{id}: 204."""
    box = _box(ctx, owner, write=True)
    message = _message(box, g["mid"])
    del box.messages[message["id"]]
    box.attachments.pop(message["id"], None)
    box.touch()
    return Result(status=204)


def _destination(box: Mailbox, ctx: Ctx) -> Item:
    data = ctx.json_body()
    dest = data.get("destinationId") or data.get("DestinationId")
    if not isinstance(dest, str) or not dest:
        raise GraphError(
            400, "ErrorInvalidParameter", "The value of the parameter 'DestinationId' is empty."
        )  # [U]
    return _folder(box, dest)


@owner_route("POST", r"messages/(?P<mid>[^/]+)/(?P<action>move|copy)")
def move_message(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/messages/{id}/move|copy: 201 with the message; move changes the id unless ImmutableId."""
    box = _box(ctx, owner, write=True)
    message = _message(box, g["mid"])
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
    _bump(moved, dt.datetime.now(dt.UTC))
    box.messages[moved["id"]] = moved
    box.touch()
    return _created(ctx, owner, box, moved)


# -- attachments -------------------------------------------------------------------------------------------
MAX_DIRECT_ATTACHMENT = 3 * 1024 * 1024  # larger files need an upload session (outlook-large-attachments.md)


@owner_route("POST", r"messages/(?P<mid>[^/]+)/attachments")
def add_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/messages/{id}/attachments: a fileAttachment under 3 MB (201)."""
    box = _box(ctx, owner, write=True)
    message = _message(box, g["mid"])
    data = ctx.json_body()
    kind = str(data.get("@odata.type", "")).lower()
    if kind != "#microsoft.graph.fileattachment":
        raise GraphError(
            400, "ErrorInvalidRequest", "Only #microsoft.graph.fileAttachment is supported here."
        )  # [U]
    try:
        size = len(base64.b64decode(str(data.get("contentBytes", "")), validate=True))
    except (binascii.Error, ValueError):
        raise GraphError(
            400, "ErrorInvalidBase64String", "Invalid base64 string for attachment."
        ) from None  # [U]
    if size >= MAX_DIRECT_ATTACHMENT:
        # [U] the code for a too-large direct attachment; the documented rule is "under 3 MB, else a session".
        raise GraphError(
            413,
            "ErrorRequestEntityTooLarge",
            "The attachment is too large; use an upload session for attachments of 3 MB or more.",
        )
    message["_new_att"] = [data]
    _store_new_attachments(ctx.store, box, message)
    _bump(message, dt.datetime.now(dt.UTC))
    att = box.attachments[message["id"]][-1]
    context = ctx.meta(f"{owner.base}/messages('{g['mid']}')/attachments/$entity")
    return json_result({"@odata.context": context, **_attachment_view(att)}, status=201)


@owner_route("DELETE", r"messages/(?P<mid>[^/]+)/attachments/(?P<aid>[^/]+)")
def delete_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/messages/{id}/attachments/{id}: 204."""
    box = _box(ctx, owner, write=True)
    att = _attachment(ctx, box, g)
    remaining = [a for a in box.attachments[g["mid"]] if a["id"] != att["id"]]
    box.attachments[g["mid"]] = remaining
    message = box.messages[g["mid"]]
    message["hasAttachments"] = any(not a["isInline"] for a in remaining)
    _bump(message, dt.datetime.now(dt.UTC))
    return Result(status=204)
