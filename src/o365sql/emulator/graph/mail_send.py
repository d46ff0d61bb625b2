"""Sending mail: sendMail (JSON or MIME), sending drafts, replies and forwards, delivery inside the tenant."""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import hashlib
import html
import re
from typing import Any

from .auth import MAIL, MAIL_SEND, open_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .gen_mail import message_attachments
from .message_items import apply_message, message_entity, new_message, recipients, store_new_attachments
from .model import Mailbox
from .util import bump, fmt_s

__all__ = ["deliver", "respond", "send_draft", "send_mail"]

Item = dict[str, Any]


# -- sending -------------------------------------------------------------------------------------------------
def deliver(ctx: Ctx, sender_user: Item, message: Item) -> None:
    """Deliver a sent message into the Inbox of every recipient who is a user of the tenant."""
    seen: set[str] = set()
    for field in ("toRecipients", "ccRecipients", "bccRecipients"):
        for rec in message.get(field, []):
            user = ctx.store.user_by_address(rec["emailAddress"]["address"])
            if user is None or user["id"] in seen:
                continue
            seen.add(user["id"])
            box = ctx.store.mailbox(user["id"])
            copy = new_message(
                box, sender_user, box.wellknown["inbox"], draft=False, now=ctx.state.clock.now()
            )
            for key in (
                "subject",
                "body",
                "bodyPreview",
                "toRecipients",
                "ccRecipients",
                "replyTo",
                "importance",
                "internetMessageId",
                "conversationId",
                "conversationIndex",
                "_text",
                "hasAttachments",
            ):
                copy[key] = message[key]
            copy["from"] = copy["sender"] = {
                "emailAddress": {"name": sender_user["displayName"], "address": sender_user["mail"]}
            }
            copy["isRead"] = False
            box.messages[copy["id"]] = copy
            if message["id"] in ctx.store.mailbox(sender_user["id"]).attachments:
                box.attachments[copy["id"]] = ctx.store.mailbox(sender_user["id"]).attachments[message["id"]]
            box.touch()


def _mime_message(ctx: Ctx) -> dict[str, Any]:
    try:
        raw = base64.b64decode(ctx.body.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise GraphError(
            400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."
        ) from None
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    body_part = parsed.get_body(preferencelist=("html", "plain")) if parsed.is_multipart() else parsed
    content = body_part.get_content() if body_part is not None else ""
    ctype = "html" if body_part is not None and body_part.get_content_subtype() == "html" else "text"

    def addresses(header: str) -> list[Item]:
        values = parsed.get_all(header) or []
        return [
            {"emailAddress": {"name": a.display_name or a.addr_spec, "address": a.addr_spec}}
            for v in values
            for a in getattr(v, "addresses", ())
        ]

    return {
        "subject": str(parsed.get("Subject", "")),
        "body": {"contentType": ctype, "content": str(content)},
        "toRecipients": addresses("To"),
        "ccRecipients": addresses("Cc"),
        "bccRecipients": addresses("Bcc"),
    }


def send_mail(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/sendMail: 202, a copy in Sent Items unless saveToSentItems is false."""
    box = open_mailbox(ctx, owner, MAIL_SEND)
    if ctx.headers.get("content-type", "").lower().startswith("text/plain"):
        data: dict[str, Any] = {"message": _mime_message(ctx), "saveToSentItems": True}
    else:
        data = ctx.json_body()
    payload = data.get("message") or data.get("Message")
    if not isinstance(payload, dict):
        # [U] the code and message
        raise GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.")
    save = data.get("saveToSentItems", data.get("SaveToSentItems", True))
    message = new_message(box, owner.user, box.wellknown["sentitems"], draft=False, now=ctx.state.clock.now())
    apply_message(message, payload, draft=True)
    if not (message["toRecipients"] or message["ccRecipients"] or message["bccRecipients"]):
        raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
    store_new_attachments(box, message)
    deliver(ctx, owner.user, message)
    if save is not False and str(save).lower() != "false":
        box.messages[message["id"]] = message
        box.touch()
    else:
        box.attachments.pop(message["id"], None)
    return Result(status=202)


def send_draft(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/messages/{id}/send: sends a draft (202) and files it in Sent Items."""
    box = open_mailbox(ctx, owner, MAIL_SEND)
    _send(ctx, owner, box, box.message(g["mid"]))
    return Result(status=202)


def _send(ctx: Ctx, owner: Owner, box: Mailbox, message: Item) -> None:
    """Send a draft: it moves to Sent Items as sent by the owner, and tenant recipients receive a copy."""
    if not (message["toRecipients"] or message["ccRecipients"] or message["bccRecipients"]):
        raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
    now = ctx.state.clock.now()
    me = {"emailAddress": {"name": owner.user["displayName"], "address": owner.user["mail"]}}
    message.update(
        {
            "isDraft": False,
            "parentFolderId": box.wellknown["sentitems"],
            "sentDateTime": fmt_s(now),
            "receivedDateTime": fmt_s(now),
            "from": me,
            "sender": me,
        }
    )
    bump(message, now)
    box.messages[message["id"]] = message
    deliver(ctx, owner.user, message)
    box.touch()


# -- replies and forwards ----------------------------------------------------------------------
_RESPONSES = "createReply|createReplyAll|createForward|reply|replyAll|forward"


def _strip_prefix(subject: str) -> str:
    return re.sub(r"^(?:(?:RE|FW|FWD):\s*)+", "", subject, flags=re.IGNORECASE)


def respond(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """createReply/createReplyAll/createForward: 201 with a draft; reply/replyAll/forward: 202 (sent)."""
    action = g["action"].lower()
    create = action.startswith("create")
    box = open_mailbox(ctx, owner, MAIL, write=True) if create else open_mailbox(ctx, owner, MAIL_SEND)
    original = box.message(g["mid"])
    data = ctx.json_body() if ctx.body.strip() else {}
    comment = data.get("comment", data.get("Comment"))
    payload = data.get("message", data.get("Message")) or {}
    if not isinstance(payload, dict):
        raise GraphError(400, "RequestBodyRead", "Cannot read the value of parameter 'Message'.")
    if comment and payload.get("body"):
        raise GraphError(
            400, "ErrorInvalidRequest", "The Comment and Message.Body parameters can't both be set."
        )
    forward = "forward" in action
    draft = new_message(box, owner.user, box.wellknown["drafts"], draft=True, now=ctx.state.clock.now())
    draft["subject"] = ("FW: " if forward else "RE: ") + _strip_prefix(original["subject"])
    draft["conversationId"] = original["conversationId"]
    raw_index = base64.b64decode(original["conversationIndex"])
    draft["conversationIndex"] = base64.b64encode(
        raw_index + hashlib.sha256(draft["id"].encode()).digest()[:5]
    ).decode()
    me = (owner.user.get("mail") or "").lower()
    if forward:
        wanted = payload.get("toRecipients") or data.get("toRecipients") or data.get("ToRecipients") or []
        draft["toRecipients"] = recipients(wanted, "toRecipients")
    else:
        to = [original["from"]] if original.get("from") else []
        if action.endswith("all"):
            to += [r for r in original["toRecipients"] if r["emailAddress"]["address"].lower() != me]
            draft["ccRecipients"] = [
                r for r in original["ccRecipients"] if r["emailAddress"]["address"].lower() != me
            ]
        draft["toRecipients"] = to
    quoted = original["body"]["content"]
    text = html.escape(str(comment or ""))
    draft["body"] = {"contentType": "html", "content": f"<html><body><p>{text}</p><hr>{quoted}</body></html>"}
    draft["_text"] = f"{comment or ''}\r\n\r\n" + original["_text"]
    draft["bodyPreview"] = draft["_text"].replace("\r\n", " ").strip()[:255]
    apply_message(draft, {k: v for k, v in payload.items() if k != "toRecipients" or not forward}, draft=True)
    if forward and original["hasAttachments"]:
        box.attachments[draft["id"]] = list(message_attachments(box, original))
        draft["hasAttachments"] = True
    if create:
        box.messages[draft["id"]] = draft
        box.touch()
        return message_entity(ctx, owner, box, draft)
    _send(ctx, owner, box, draft)
    return Result(status=202)
