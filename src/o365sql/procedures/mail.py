"""Mail procedures: send, reply, forward, move, create folders, add and download attachments."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from ..errors import OperationalError, ProgrammingError
from ..graph import MAX_INLINE_ATTACHMENT, attach_file, path_segment
from ._common import (
    OUTPUT_FOLDER,
    OVERWRITE,
    STATUS,
    Args,
    Row,
    content,
    decode_base64,
    guess_type,
    item_path,
    json_of,
    need,
    output_dir,
    post,
    procedure,
    read_local,
    recipients,
    safe_name,
    scope_path,
    text,
    write_out,
)
from ._registry import Procedure, ProcedureContext, ProcParam

__all__ = ["PROCEDURES"]

# Graph takes a fileAttachment inline only under 3 MB; larger ones go through an upload session (C9).
# The largest file attachment Outlook takes (through an upload session: attachment-createuploadsession).
MAX_ATTACHMENT = 150 * 1024 * 1024


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``stem (2).ext`` etc. when an earlier attachment of the same call took it."""
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
    used.add(candidate.lower())
    return candidate


_KINDS = {"message": "messages", "event": "events"}


def _parent(args: Args, proc: str, scope: str, id_param: str) -> str:
    """The path of the message or event (DestinationType, default Message) the procedure acts on."""
    kind = (text(args, "DestinationType").strip() or "Message").lower()
    if kind not in _KINDS:
        raise ProgrammingError(f"{proc} parameter DestinationType must be Message or Event, not {kind!r}")
    return f"{scope}/{_KINDS[kind]}/{path_segment(need(args, proc, id_param))}"


def _attach(
    ctx: ProcedureContext, item: str, name: str, data: bytes, content_type: str | None
) -> tuple[str, str, int]:
    """Attach a file to the message or event at `item` (inline under 3 MB, else an upload session)."""
    made = attach_file(ctx.graph, item, name, data, content_type, permissions=ctx.permissions)
    return str(made.get("id", "")), str(made.get("name", name)), int(made.get("size") or len(data))


def _file_attachments(args: Args, proc: str) -> list[tuple[str, bytes]]:
    """``name1,base64;name2,@/local/path`` as (name, bytes) pairs."""
    out: list[tuple[str, bytes]] = []
    for raw in text(args, "Attachments").split(";"):
        if not raw.strip():
            continue
        name, sep, value = raw.partition(",")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ProgrammingError(
                f"{proc} parameter Attachments: {raw.strip()[:40]!r} is not 'name,content'; give "
                "'file1,base64;file2,@/path/to/file'"
            )
        if value.startswith("@"):
            out.append((name, read_local(value[1:], proc, "Attachments", MAX_ATTACHMENT)))
        else:
            out.append((name, decode_base64(value, proc, "Attachments")))
    return out


def _send_mail(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "SendMail"
    scope = scope_path(ctx, args, proc)
    ctype = text(args, "ContentType").strip().lower() or "text"
    if ctype not in ("text", "html"):
        raise ProgrammingError(f"{proc} parameter ContentType must be text or html, not {ctype!r}")
    message: dict[str, Any] = {}
    # send as (from) / on behalf of (sender): Exchange checks the mailbox's Send As / Send on Behalf rights
    for param, field in (("FromEmail", "from"), ("SenderEmail", "sender")):
        who = _address(args, proc, param)
        if who is not None:
            message[field] = who
    if args.get("Subject") is not None:
        message["subject"] = text(args, "Subject")
    if args.get("Content") is not None:
        message["body"] = {"contentType": ctype, "content": text(args, "Content")}
    for param, field in (
        ("ToRecipients", "toRecipients"),
        ("CCRecipients", "ccRecipients"),
        ("BccRecipients", "bccRecipients"),
    ):
        found = recipients(args, proc, param)
        if found:
            message[field] = found
    files = _file_attachments(args, proc)
    if args.get("LocalFile") or args.get("ContentBytes") is not None:
        name = text(args, "FileName").strip() or Path(text(args, "LocalFile")).name
        if not name:
            raise ProgrammingError(f"{proc} needs FileName with ContentBytes")
        files.append((name, content(args, proc, "ContentBytes", limit=MAX_ATTACHMENT)))
    draft_id = text(args, "Id").strip()
    large = sum(len(data) for _, data in files) >= MAX_INLINE_ATTACHMENT
    if not draft_id and not large:
        if not any(k in message for k in ("toRecipients", "ccRecipients", "bccRecipients")):
            raise ProgrammingError(
                f"{proc} needs ToRecipients (or CCRecipients / BccRecipients), or Id of a draft to send"
            )
        if files:
            message["attachments"] = [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": name,
                    "contentType": guess_type(name),
                    "contentBytes": base64.b64encode(data).decode("ascii"),
                }
                for name, data in files
            ]
        save = args.get("SaveToSentItems")
        post(ctx, f"{scope}/sendMail", {"message": message, "saveToSentItems": save is not False})
        return [("Success",)]
    if not draft_id:
        # large attachments cannot go inline: create a draft, attach through upload sessions, send it
        # (Graph's draft send always files the message in Sent Items, so SaveToSentItems = false cannot hold)
        if not any(k in message for k in ("toRecipients", "ccRecipients", "bccRecipients")):
            raise ProgrammingError(f"{proc} needs ToRecipients (or CCRecipients / BccRecipients)")
        draft_id = str(json_of(post(ctx, f"{scope}/messages", message)).get("id", ""))
        if not draft_id:
            raise OperationalError(f"{proc}: Graph created the draft but returned no id")
    elif message:
        ctx.graph.request(
            "PATCH", f"{scope}/messages/{path_segment(draft_id)}", json=message, permissions=_MAIL_WRITE
        )
    for name, data in files:
        _attach(ctx, f"{scope}/messages/{path_segment(draft_id)}", name, data, guess_type(name))
    post(ctx, f"{scope}/messages/{path_segment(draft_id)}/send", None)
    return [("Success",)]


def _reply(ctx: ProcedureContext, args: Args) -> list[Row]:
    message = item_path(ctx, args, "ReplyToMessage", "messages", "MessageId")
    action = "replyAll" if args.get("ReplyAll") else "reply"
    post(ctx, f"{message}/{action}", {"comment": text(args, "Comment")})
    return [("Success",)]


def _forward(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "ForwardMail"
    message = item_path(ctx, args, proc, "messages", "MessageId")
    to = recipients(args, proc, "ToRecipients")
    if not to:
        raise ProgrammingError(f"{proc} needs ToRecipients: the addresses to forward to, separated by ';'")
    body = {"comment": text(args, "Comment"), "toRecipients": to}
    post(ctx, f"{message}/forward", body)
    return [("Success",)]


def _move(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "MoveMail"
    message = item_path(ctx, args, proc, "messages", "MessageId")
    dest = need(args, proc, "DestinationId")
    moved = json_of(post(ctx, f"{message}/move", {"destinationId": dest}))
    return [(moved.get("id"), "Success")]


def _create_folder(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "CreateFolder"
    scope = scope_path(ctx, args, proc)
    name = need(args, proc, "DisplayName")
    parent = text(args, "ParentFolderId").strip()
    path = f"{scope}/mailFolders/{path_segment(parent)}/childFolders" if parent else f"{scope}/mailFolders"
    made = json_of(post(ctx, path, {"displayName": name}))
    return [(made.get("id"), made.get("displayName", name), made.get("parentFolderId"))]


def _add_attachments(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "AddAttachments"
    scope = scope_path(ctx, args, proc)
    item = _parent(args, proc, scope, "Id")
    local = text(args, "LocalFile").strip()
    name = text(args, "FileName").strip() or (Path(local).name if local else "")
    if not name:
        raise ProgrammingError(f"{proc} needs FileName")
    data = content(args, proc, "ContentBytes", limit=MAX_ATTACHMENT)
    ctype = text(args, "ContentType").strip() or guess_type(name)
    aid, got_name, size = _attach(ctx, item, name, data, ctype)
    return [(aid, got_name, size, ctype)]


def _download_attachments(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "DownloadAttachments"
    scope = scope_path(ctx, args, proc)
    if text(args, "EventId").strip() and text(args, "MessageId").strip():
        raise ProgrammingError(f"{proc} takes MessageId or EventId, not both")
    if text(args, "EventId").strip():
        base = f"{scope}/events/{path_segment(need(args, proc, 'EventId'))}/attachments"
    else:
        base = f"{scope}/messages/{path_segment(need(args, proc, 'MessageId'))}/attachments"
    folder = output_dir(args, proc)
    only = text(args, "AttachmentId").strip()
    select = {"$select": "id,name,contentType,size"}
    if only:
        items = [ctx.graph.get_json(f"{base}/{path_segment(only)}", select)]
    else:
        items = list(ctx.graph.iter_items(base, select))
    rows: list[Row] = []
    used: set[str] = set()
    for item in items:
        aid = str(item.get("id", ""))
        data: bytes = ctx.graph.get_bytes(f"{base}/{path_segment(aid)}/$value")
        name = str(item.get("name") or aid)
        file_data = file_path = None
        if folder is not None:
            file_name = _unique(safe_name(name, aid), used)
            file_path = write_out(folder, file_name, data, bool(args.get("Overwrite")), proc)
        else:
            file_data = base64.b64encode(data).decode("ascii")
        rows.append((aid, name, item.get("contentType"), len(data), file_data, file_path))
    return rows


def _delete_attachment(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "DeleteAttachment"
    scope = scope_path(ctx, args, proc)
    item = _parent(args, proc, scope, "Id")
    aid = need(args, proc, "AttachmentId")
    ctx.graph.request("DELETE", f"{item}/attachments/{path_segment(aid)}", permissions=ctx.permissions)
    return [("Success",)]


def _download_email(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "DownloadEmail"
    scope = scope_path(ctx, args, proc)
    mid = need(args, proc, "MessageId")
    # GET messages/{id}/$value: the message as MIME (RFC 822), what an .eml file holds
    data: bytes = ctx.graph.get_bytes(f"{scope}/messages/{path_segment(mid)}/$value")
    folder = output_dir(args, proc)
    if folder is None:
        return [(mid, len(data), base64.b64encode(data).decode("ascii"), None)]
    name = safe_name(text(args, "FileName").strip() or f"{mid[-24:]}.eml", "message.eml")
    path = write_out(folder, name, data, bool(args.get("Overwrite")), proc)
    return [(mid, len(data), None, path)]


def _address(args: Args, proc: str, name: str) -> dict[str, Any] | None:
    value = text(args, name).strip()
    if not value:
        return None
    found = recipients(args, proc, name)
    if len(found) != 1:
        raise ProgrammingError(f"{proc} parameter {name} takes one address, not {value!r}")
    return found[0]


# what the writes need, least privileged first (delegated, application): a 403 names them
_MAIL_SEND = (("Mail.Send",), ("Mail.Send",))
_MAIL_WRITE = (("Mail.ReadWrite",), ("Mail.ReadWrite",))
_ATTACHMENTS_WRITE = (("Mail.ReadWrite", "Calendars.ReadWrite"), ("Mail.ReadWrite", "Calendars.ReadWrite"))


def _procedures() -> tuple[Procedure, ...]:
    p = ProcParam
    return (
        procedure(
            "SendMail",
            "Send a new message (POST sendMail), or the draft Id (POST messages/{id}/send).",
            # positional arguments (callproc with a list) follow this order: what a new message needs first
            (
                p("ToRecipients", description="Addresses separated by ';'."),
                p("Subject", description="The subject."),
                p("Content", description="The body."),
                p("ContentType", description="text (default) or html.", default="text"),
                p("CCRecipients", description="Cc addresses separated by ';'."),
                p("BccRecipients", description="Bcc addresses separated by ';'."),
                p(
                    "Id",
                    description="An existing draft to send (Subject/Content/recipients update it first).",
                ),
                p("Attachments", description="'name1,base64;name2,@/local/path' file attachments."),
                p("FileName", description="The name of one attachment given by ContentBytes or LocalFile."),
                p("ContentBytes", description="One attachment's content, base64."),
                p("LocalFile", description="One attachment read from this local path."),
                p(
                    "SaveToSentItems",
                    "BOOLEAN",
                    description="Keep a copy in Sent Items (default true).",
                    default=True,
                ),
                p("FromEmail", description="Send as this address (needs Send As rights on that mailbox)."),
                p(
                    "SenderEmail",
                    description="Send on behalf of: the account shown as sender (Send on Behalf rights).",
                ),
            ),
            STATUS,
            _send_mail,
            _MAIL_SEND,
        ),
        procedure(
            "ReplyToMessage",
            "Reply to a message (POST messages/{id}/reply or replyAll); the reply is sent at once.",
            (
                p("MessageId", required=True, description="The message to reply to."),
                p("Comment", description="The reply text, above the quoted message."),
                p(
                    "ReplyAll",
                    "BOOLEAN",
                    description="Reply to all recipients (default false).",
                    default=False,
                ),
            ),
            STATUS,
            _reply,
            _MAIL_SEND,
        ),
        procedure(
            "ForwardMail",
            "Forward a message with its attachments (POST messages/{id}/forward).",
            (
                p("MessageId", required=True, description="The message to forward."),
                p("ToRecipients", required=True, description="Addresses separated by ';'."),
                p("Comment", description="Text above the forwarded message."),
            ),
            STATUS,
            _forward,
            _MAIL_SEND,
        ),
        procedure(
            "MoveMail",
            "Move a message to another folder (POST messages/{id}/move); Id is its new id.",
            (
                p("MessageId", required=True, description="The message to move."),
                p(
                    "DestinationId",
                    required=True,
                    description="The folder id or a well-known name (inbox, archive, deleteditems, ...).",
                ),
            ),
            (("Id", "TEXT"), ("Status", "TEXT")),
            _move,
            _MAIL_WRITE,
        ),
        procedure(
            "CreateFolder",
            "Create a mail folder (POST mailFolders, or under ParentFolderId).",
            (
                p("DisplayName", required=True, description="The new folder's name."),
                p("ParentFolderId", description="The parent folder id or well-known name; default: the top."),
            ),
            (("Id", "TEXT"), ("DisplayName", "TEXT"), ("ParentFolderId", "TEXT")),
            _create_folder,
            _MAIL_WRITE,
        ),
        procedure(
            "AddAttachments",
            "Attach a file to a message or event (inline under 3 MB, an upload session up to 150 MB).",
            (
                p("Id", required=True, description="The message (usually a draft) or event."),
                p("FileName", description="The attachment's name (default: LocalFile's name)."),
                p("ContentBytes", description="The content, base64."),
                p("LocalFile", description="A local file to attach instead of ContentBytes."),
                p("ContentType", description="The MIME type (default: guessed from FileName)."),
                p("DestinationType", description="Message (default) or Event.", default="Message"),
            ),
            (("Id", "TEXT"), ("Name", "TEXT"), ("Size", "INTEGER"), ("ContentType", "TEXT")),
            _add_attachments,
            _ATTACHMENTS_WRITE,
        ),
        procedure(
            "DeleteAttachment",
            "Remove an attachment from a message or event (DELETE .../attachments/{id}).",
            (
                p("Id", required=True, description="The message or event."),
                p("AttachmentId", required=True, description="The attachment."),
                p("DestinationType", description="Message (default) or Event.", default="Message"),
            ),
            STATUS,
            _delete_attachment,
            _ATTACHMENTS_WRITE,
        ),
        procedure(
            "DownloadEmail",
            "A message as a MIME .eml file (GET messages/{id}/$value): base64 (FileData) or written to "
            "OutputFolder (FilePath).",
            (
                p("MessageId", required=True, description="The message."),
                p("FileName", description="The file name in OutputFolder (default: from the id, .eml)."),
                OUTPUT_FOLDER,
                OVERWRITE,
            ),
            (("Id", "TEXT"), ("Size", "INTEGER"), ("FileData", "TEXT"), ("FilePath", "TEXT")),
            _download_email,
        ),
        procedure(
            "DownloadAttachments",
            "A message's or event's attachments: content as base64 (FileData) or written to OutputFolder "
            "(FilePath).",
            (
                p("MessageId", description="The message (or give EventId)."),
                p("EventId", description="The event (instead of MessageId)."),
                p("AttachmentId", description="Only this attachment (default: all)."),
                OUTPUT_FOLDER,
                OVERWRITE,
            ),
            (
                ("Id", "TEXT"),
                ("Name", "TEXT"),
                ("ContentType", "TEXT"),
                ("Size", "INTEGER"),
                ("FileData", "TEXT"),
                ("FilePath", "TEXT"),
            ),
            _download_attachments,
        ),
    )


PROCEDURES = _procedures()
