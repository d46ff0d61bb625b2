"""Outlook messages as items: new ones, writable properties, recipients, attachments, and write answers."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import html
import re
from typing import Any

from ..odata import Query, project
from . import specs
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError, unknown_property
from .extended import expand_extended, expand_options, take_extended
from .gen_mail import message_attachments
from .model import Mailbox
from .query import Finish
from .util import K_ATTACH, K_MESSAGE, change_key, fmt_s, outlook_id

__all__ = [
    "MAX_DIRECT_ATTACHMENT",
    "apply_message",
    "attachment_view",
    "headers_of",
    "html_to_text",
    "message_entity",
    "message_finish",
    "new_message",
    "recipients",
    "store_new_attachments",
]

Item = dict[str, Any]

_TAGS = re.compile(r"<[^>]+>")


def html_to_text(content: str) -> str:
    """A plain-text rendering of an HTML body (what Outlook returns for body-content-type text)."""
    content = re.sub(r"(?is)<(head|style|script)[^>]*>.*?</\1>", "", content)
    content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\r\n", content)
    return html.unescape(_TAGS.sub("", content)).replace("\xa0", " ").strip() + "\r\n"


def headers_of(item: Item) -> list[Item]:
    """The message's internetMessageHeaders, as a received message carries them."""
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


def attachment_view(att: Item, with_bytes: bool = True) -> Item:
    """An attachment as Graph sends it (without the emulator's private keys)."""
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
    plain, extended = expand_options(ctx)
    with_attachments = [p.lower() for p in plain] == ["attachments"]

    def finish(item: Item, shaped: Item) -> Item:
        out = {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}
        out = expand_extended(item, out, extended)
        if "body" in out and text:
            out["body"] = {"contentType": "text", "content": item["_text"]}
        if "uniquebody" in selected:
            out["uniqueBody"] = {"contentType": "text", "content": item["_text"]} if text else item["body"]
        if "internetmessageheaders" in selected:
            out["internetMessageHeaders"] = headers_of(item)
        if with_attachments:
            out["attachments"] = [attachment_view(a) for a in message_attachments(box, item)]
        return out

    return finish


_DRAFT_ONLY = {  # content: set while a draft, refused on a sent or received message
    "subject",
    "body",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "from",
    "sender",
}
_WRITABLE = _DRAFT_ONLY | {
    "importance",
    "isRead",
    "categories",
    "flag",
    "inferenceClassification",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "internetMessageHeaders",
    "attachments",
}


def recipients(value: Any, field: str) -> list[Item]:
    """Recipients from a request body, checked as Outlook checks them."""
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


def apply_message(message: Item, data: dict[str, Any], *, draft: bool) -> None:
    """Apply a request body's writable message properties; content changes only while a draft."""
    for key, value in data.items():
        if key.startswith("@") or take_extended(message, key, value, "message"):
            continue
        if key not in _WRITABLE:
            raise unknown_property(key, "message")
        if key in _DRAFT_ONLY and not draft and message.get(key) != value:
            # [U] Outlook refuses changing the content of a sent/received item.
            raise GraphError(
                400,
                "ErrorInvalidPropertyUpdateSentMessage",
                "Update of property is not allowed on a sent message.",
            )
        if key in ("toRecipients", "ccRecipients", "bccRecipients", "replyTo"):
            message[key] = recipients(value, key)
        elif key in ("from", "sender"):
            message[key] = recipients([value], key)[0] if value else None
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


def new_message(box: Mailbox, owner_user: Item, folder_id: str, draft: bool, now: dt.datetime) -> Item:
    """A new message of `owner_user` in a folder, made at `now`, every property at its default."""
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
        "_text": "",
        "_att": [],
    }


def store_new_attachments(box: Mailbox, message: Item) -> None:
    """File the attachments a write put on the message (`_new_att`) and update hasAttachments."""
    new = message.pop("_new_att", None)
    if not new:
        return
    out = box.attachments.setdefault(message["id"], message_attachments(box, message))
    for k, att in enumerate(new):
        if not isinstance(att, dict) or "contentBytes" not in att:
            raise GraphError(400, "ErrorInvalidAttachment", "The attachment is missing contentBytes.")  # [U]
        try:
            content = base64.b64decode(str(att["contentBytes"]), validate=True)
        except (binascii.Error, ValueError):
            # [U] the code and message
            raise GraphError(
                400, "ErrorInvalidBase64String", "Invalid base64 string for attachment."
            ) from None
        ctype = str(att.get("contentType") or "application/octet-stream")
        out.append(
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "@odata.mediaContentType": ctype,
                "id": outlook_id(box.key, K_ATTACH, box.next_number(), salt=k),
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


def message_entity(ctx: Ctx, owner: Owner, box: Mailbox, message: Item, status: int = 201) -> Result:
    """The answer to a message write: the message with its default properties."""
    finish = message_finish(ctx, box)
    shaped = finish(message, project(message, Query(), specs.MESSAGES))
    return json_result(
        {"@odata.context": ctx.meta(f"{owner.base}/messages/$entity"), **shaped}, status=status
    )


MAX_DIRECT_ATTACHMENT = 3 * 1024 * 1024  # larger files need an upload session (outlook-large-attachments.md)


def check_direct_attachment(data: dict[str, Any]) -> None:
    """Refuse what POST .../attachments (a message's or an event's) cannot take directly."""
    if str(data.get("@odata.type", "")).lower() != "#microsoft.graph.fileattachment":
        # [U] the code and message
        raise GraphError(
            400, "ErrorInvalidRequest", "Only #microsoft.graph.fileAttachment is supported here."
        )
    try:
        size = len(base64.b64decode(str(data.get("contentBytes", "")), validate=True))
    except (binascii.Error, ValueError):
        # [U] the code and message
        raise GraphError(400, "ErrorInvalidBase64String", "Invalid base64 string for attachment.") from None
    if size >= MAX_DIRECT_ATTACHMENT:
        # [U] the code for a too-large direct attachment; the documented rule is "under 3 MB, else a session".
        raise GraphError(
            413,
            "ErrorRequestEntityTooLarge",
            "The attachment is too large; use an upload session for attachments of 3 MB or more.",
        )
