"""The write stored procedures (mail, calendar, OneDrive) over Graph actions; registered at import time."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

from .engine.procedures import Procedure, ProcedureContext, ProcParam, register
from .errors import GraphError, NotSupportedError, OperationalError, ProgrammingError
from .graph import path_segment
from .graph._errors import graph_error, network_error

__all__ = ["PROCEDURES", "scope_path"]

Row = tuple[Any, ...]
Args = dict[str, Any]

# Graph takes a fileAttachment inline only under 3 MB; larger ones go through an upload session (C9).
MAX_INLINE_ATTACHMENT = 3 * 1024 * 1024
# A simple PUT is documented up to 4 MB in older docs (250 MB today): 4 MB is the safe threshold (C10).
MAX_SIMPLE_UPLOAD = 4 * 1024 * 1024
# Upload-session fragments: a multiple of 320 KiB (OneDrive's rule), at most 4 MB (Outlook's advice).
CHUNK = 320 * 1024 * 12
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


# -- helpers -------------------------------------------------------------------------------------------------


def scope_path(ctx: ProcedureContext, args: Args, proc: str) -> str:
    """``/users/{id}`` for the procedure's UserId (else the connection's), ``/me`` when neither is set."""
    user = str(args.get("UserId") or ctx.user_id or "").strip()
    if user and user.lower() != "me":
        return "/users/" + path_segment(user)
    try:
        app_only = bool(getattr(ctx.auth, "app_only", False))
    except Exception:  # a provider that cannot tell before signing in: assume delegated
        app_only = False
    if app_only:
        raise ProgrammingError(
            f"{proc}: an app-only token has no signed-in user, so there is no /me; pass UserId "
            "(the mailbox's id or userPrincipalName) or set the UserId connection property"
        )
    return "/me"


def _text(args: Args, name: str) -> str:
    value = args.get(name)
    return "" if value is None else str(value)


def _need(args: Args, proc: str, name: str) -> str:
    value = _text(args, name).strip()
    if not value:
        raise ProgrammingError(f"{proc} needs {name}")
    return value


def _recipients(args: Args, proc: str, name: str) -> list[dict[str, Any]]:
    """``a@x.com; B <b@y.com>`` as Graph recipients; ProgrammingError naming the parameter if one is bad."""
    out: list[dict[str, Any]] = []
    pieces: list[str] = []
    for part in _text(args, name).split(";"):
        # ';' is the separator; ',' is accepted too unless it may be inside a display name ("Doe, Jo <a@x>")
        pieces.extend([part] if "<" in part else part.split(","))
    for raw in pieces:
        entry = raw.strip()
        if not entry:
            continue
        display = None
        match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", entry)
        if match:
            display, entry = match.group(1).strip().strip('"') or None, match.group(2).strip()
        if not _ADDRESS.match(entry):
            raise ProgrammingError(
                f"{proc} parameter {name}: {raw.strip()!r} is not an email address; give addresses "
                "separated by ';'"
            )
        address: dict[str, Any] = {"address": entry}
        if display:
            address["name"] = display
        out.append({"emailAddress": address})
    return out


def _decode_base64(value: str, proc: str, name: str) -> bytes:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ProgrammingError(f"{proc} parameter {name} is not valid base64") from None


def _read_local(path: str, proc: str, name: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise ProgrammingError(f"{proc} parameter {name}: cannot read {path!r}: {exc.strerror}") from None


def _content(args: Args, proc: str, b64_name: str, file_name: str = "LocalFile") -> bytes:
    """The bytes given either as base64 (``b64_name``) or as a local file path (``file_name``)."""
    b64 = args.get(b64_name)
    local = _text(args, file_name).strip()
    if b64 is not None and local:
        raise ProgrammingError(f"{proc}: give either {b64_name} or {file_name}, not both")
    if local:
        return _read_local(local, proc, file_name)
    if b64 is None:
        raise ProgrammingError(f"{proc} needs the content: {b64_name} (base64) or {file_name} (a file path)")
    if isinstance(b64, bytes):
        return b64
    return _decode_base64(str(b64), proc, b64_name)


def _safe_name(name: str, fallback: str) -> str:
    """A file name that stays inside the output folder."""
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", os.path.basename(name.replace("\\", "/"))).strip(" .")
    return cleaned or fallback


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``stem (2).ext`` etc. when an earlier attachment of the same call took it."""
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
    used.add(candidate.lower())
    return candidate


def _output_dir(args: Args, proc: str) -> Path | None:
    """OutputFolder checked before anything is downloaded; None when the content goes back as base64."""
    folder = _text(args, "OutputFolder").strip()
    if not folder:
        return None
    target_dir = Path(folder).expanduser()
    if not target_dir.is_dir():
        raise ProgrammingError(f"{proc} parameter OutputFolder: {folder!r} is not an existing folder")
    return target_dir


def _write_out(target_dir: Path, name: str, data: bytes, overwrite: bool, proc: str) -> str:
    target = target_dir / name
    if target.exists() and not overwrite:
        raise ProgrammingError(f"{proc}: {str(target)!r} already exists; pass Overwrite = true to replace it")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise OperationalError(f"{proc}: cannot write {str(target)!r}: {exc.strerror}") from None
    return str(target)


def _json(response: httpx.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    data = response.json()
    return data if isinstance(data, dict) else {}


def _post(ctx: ProcedureContext, path: str, body: dict[str, Any] | None) -> httpx.Response:
    # Graph actions are not idempotent: the client must never repeat one that may have been applied.
    response: httpx.Response = ctx.graph.request(
        "POST", path, json=body if body is not None else {}, idempotent=False
    )
    return response


def _upload_session(ctx: ProcedureContext, upload_url: str, data: bytes) -> httpx.Response:
    """PUT ``data`` to a pre-authenticated upload URL in fragments; the last answer is returned.

    The URL carries its own credential, so no Authorization header goes with it (C9/C10); a fragment that
    fails is not repeated, since its effect is unknown.
    """
    http: httpx.Client = ctx.http
    total = len(data)
    response: httpx.Response | None = None
    for start in range(0, total, CHUNK):
        chunk = data[start : start + CHUNK]
        end = start + len(chunk) - 1
        try:
            response = http.put(
                upload_url,
                content=chunk,
                headers={
                    "Content-Range": f"bytes {start}-{end}/{total}",
                    "Content-Type": "application/octet-stream",
                },
            )
        except httpx.TransportError as exc:
            raise network_error(exc, "PUT", "the upload session URL", maybe_applied=True) from exc
        if response.status_code >= 400:
            raise graph_error(response, "PUT", "the upload session URL")
    if response is None:
        raise ProgrammingError("an upload session needs at least one byte")
    return response


def _attach(
    ctx: ProcedureContext, scope: str, message_id: str, name: str, data: bytes, content_type: str | None
) -> tuple[str, str, int]:
    """Add a file attachment to a message (inline under 3 MB, else an upload session): (id, name, size)."""
    base = f"{scope}/messages/{path_segment(message_id)}/attachments"
    ctype = content_type or "application/octet-stream"
    if len(data) < MAX_INLINE_ATTACHMENT:
        body = {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": name,
            "contentType": ctype,
            "contentBytes": base64.b64encode(data).decode("ascii"),
        }
        made = _json(_post(ctx, base, body))
        return str(made.get("id", "")), str(made.get("name", name)), int(made.get("size") or len(data))
    session = _json(
        _post(
            ctx,
            f"{base}/createUploadSession",
            {
                "AttachmentItem": {
                    "attachmentType": "file",
                    "name": name,
                    "size": len(data),
                    "contentType": ctype,
                }
            },
        )
    )
    url = session.get("uploadUrl")
    if not isinstance(url, str) or not url:
        raise OperationalError("Graph's createUploadSession answer has no uploadUrl")
    final = _upload_session(ctx, url, data)
    # the last fragment answers 201 with Location: .../attachments('<id>')
    match = re.search(r"[Aa]ttachments\('([^']+)'\)", unquote(final.headers.get("Location", "")))
    return (match.group(1) if match else ""), name, len(data)


def _file_attachments(args: Args, proc: str) -> list[tuple[str, bytes]]:
    """``name1,base64;name2,@/local/path`` as (name, bytes) pairs."""
    out: list[tuple[str, bytes]] = []
    for raw in _text(args, "Attachments").split(";"):
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
            out.append((name, _read_local(value[1:], proc, "Attachments")))
        else:
            out.append((name, _decode_base64(value, proc, "Attachments")))
    return out


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


# -- mail ----------------------------------------------------------------------------------------------------


def _send_mail(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "SendMail"
    scope = scope_path(ctx, args, proc)
    ctype = _text(args, "ContentType").strip().lower() or "text"
    if ctype not in ("text", "html"):
        raise ProgrammingError(f"{proc} parameter ContentType must be text or html, not {ctype!r}")
    message: dict[str, Any] = {}
    if args.get("Subject") is not None:
        message["subject"] = _text(args, "Subject")
    if args.get("Content") is not None:
        message["body"] = {"contentType": ctype, "content": _text(args, "Content")}
    for param, field in (
        ("ToRecipients", "toRecipients"),
        ("CCRecipients", "ccRecipients"),
        ("BccRecipients", "bccRecipients"),
    ):
        found = _recipients(args, proc, param)
        if found:
            message[field] = found
    files = _file_attachments(args, proc)
    if args.get("LocalFile") or args.get("ContentBytes") is not None:
        name = _text(args, "FileName").strip() or Path(_text(args, "LocalFile")).name
        if not name:
            raise ProgrammingError(f"{proc} needs FileName with ContentBytes")
        files.append((name, _content(args, proc, "ContentBytes")))
    draft_id = _text(args, "Id").strip()
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
                    "contentType": _guess_type(name),
                    "contentBytes": base64.b64encode(data).decode("ascii"),
                }
                for name, data in files
            ]
        save = args.get("SaveToSentItems")
        _post(ctx, f"{scope}/sendMail", {"message": message, "saveToSentItems": save is not False})
        return [("Success",)]
    if not draft_id:
        # large attachments cannot go inline: create a draft, attach through upload sessions, send it
        # (Graph's draft send always files the message in Sent Items, so SaveToSentItems = false cannot hold)
        if not any(k in message for k in ("toRecipients", "ccRecipients", "bccRecipients")):
            raise ProgrammingError(f"{proc} needs ToRecipients (or CCRecipients / BccRecipients)")
        draft_id = str(_json(_post(ctx, f"{scope}/messages", message)).get("id", ""))
        if not draft_id:
            raise OperationalError(f"{proc}: Graph created the draft but returned no id")
    elif message:
        ctx.graph.request("PATCH", f"{scope}/messages/{path_segment(draft_id)}", json=message)
    for name, data in files:
        _attach(ctx, scope, draft_id, name, data, _guess_type(name))
    _post(ctx, f"{scope}/messages/{path_segment(draft_id)}/send", None)
    return [("Success",)]


def _reply(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "ReplyToMessage"
    scope = scope_path(ctx, args, proc)
    mid = _need(args, proc, "MessageId")
    action = "replyAll" if args.get("ReplyAll") else "reply"
    _post(ctx, f"{scope}/messages/{path_segment(mid)}/{action}", {"comment": _text(args, "Comment")})
    return [("Success",)]


def _forward(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "ForwardMail"
    scope = scope_path(ctx, args, proc)
    mid = _need(args, proc, "MessageId")
    to = _recipients(args, proc, "ToRecipients")
    if not to:
        raise ProgrammingError(f"{proc} needs ToRecipients: the addresses to forward to, separated by ';'")
    body = {"comment": _text(args, "Comment"), "toRecipients": to}
    _post(ctx, f"{scope}/messages/{path_segment(mid)}/forward", body)
    return [("Success",)]


def _move(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "MoveMail"
    scope = scope_path(ctx, args, proc)
    mid = _need(args, proc, "MessageId")
    dest = _need(args, proc, "DestinationId")
    moved = _json(_post(ctx, f"{scope}/messages/{path_segment(mid)}/move", {"destinationId": dest}))
    return [(moved.get("id"), "Success")]


def _create_folder(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "CreateFolder"
    scope = scope_path(ctx, args, proc)
    name = _need(args, proc, "DisplayName")
    parent = _text(args, "ParentFolderId").strip()
    path = f"{scope}/mailFolders/{path_segment(parent)}/childFolders" if parent else f"{scope}/mailFolders"
    made = _json(_post(ctx, path, {"displayName": name}))
    return [(made.get("id"), made.get("displayName", name), made.get("parentFolderId"))]


def _add_attachments(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "AddAttachments"
    scope = scope_path(ctx, args, proc)
    mid = _need(args, proc, "Id")
    kind = (_text(args, "DestinationType").strip() or "Message").lower()
    if kind != "message":
        raise NotSupportedError(f"{proc} parameter DestinationType: only Message is supported, not {kind!r}")
    local = _text(args, "LocalFile").strip()
    name = _text(args, "FileName").strip() or (Path(local).name if local else "")
    if not name:
        raise ProgrammingError(f"{proc} needs FileName")
    data = _content(args, proc, "ContentBytes")
    ctype = _text(args, "ContentType").strip() or _guess_type(name)
    aid, got_name, size = _attach(ctx, scope, mid, name, data, ctype)
    return [(aid, got_name, size, ctype)]


def _download_attachments(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "DownloadAttachments"
    scope = scope_path(ctx, args, proc)
    mid = _need(args, proc, "MessageId")
    base = f"{scope}/messages/{path_segment(mid)}/attachments"
    folder = _output_dir(args, proc)
    only = _text(args, "AttachmentId").strip()
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
            file_name = _unique(_safe_name(name, aid), used)
            file_path = _write_out(folder, file_name, data, bool(args.get("Overwrite")), proc)
        else:
            file_data = base64.b64encode(data).decode("ascii")
        rows.append((aid, name, item.get("contentType"), len(data), file_data, file_path))
    return rows


# -- calendar ------------------------------------------------------------------------------------------------

_RESPONSES = {
    "accept": "accept",
    "decline": "decline",
    "tentativelyaccept": "tentativelyAccept",
    "tentative": "tentativelyAccept",
}


def _respond(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "RespondToEvent"
    scope = scope_path(ctx, args, proc)
    eid = _need(args, proc, "EventId")
    kind = _need(args, proc, "ResponseType")
    action = _RESPONSES.get(kind.lower())
    if action is None:
        raise ProgrammingError(
            f"{proc} parameter ResponseType must be accept, decline or tentativelyAccept, not {kind!r}"
        )
    body = {"comment": _text(args, "Comment"), "sendResponse": args.get("SendResponse") is not False}
    _post(ctx, f"{scope}/events/{path_segment(eid)}/{action}", body)
    return [("Success",)]


def _cancel(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "CancelEvent"
    scope = scope_path(ctx, args, proc)
    eid = _need(args, proc, "EventId")
    _post(ctx, f"{scope}/events/{path_segment(eid)}/cancel", {"comment": _text(args, "Comment")})
    return [("Success",)]


# -- OneDrive ------------------------------------------------------------------------------------------------


def _download_file(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "DownloadFile"
    scope = scope_path(ctx, args, proc)
    fid = _need(args, proc, "FileId")
    folder = _output_dir(args, proc)
    item = ctx.graph.get_json(f"{scope}/drive/items/{path_segment(fid)}", {"$select": "id,name,size,folder"})
    if "folder" in item and item["folder"] is not None:
        raise ProgrammingError(f"{proc}: {fid!r} is a folder; only files have content")
    data: bytes = ctx.graph.get_bytes(f"{scope}/drive/items/{path_segment(fid)}/content")
    name = str(item.get("name") or fid)
    file_data = file_path = None
    if folder is not None:
        file_path = _write_out(folder, _safe_name(name, fid), data, bool(args.get("Overwrite")), proc)
    else:
        file_data = base64.b64encode(data).decode("ascii")
    return [(item.get("id", fid), name, len(data), file_data, file_path)]


def _upload_file(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "UploadFile"
    scope = scope_path(ctx, args, proc)
    local = _text(args, "LocalFile").strip()
    name = _text(args, "FileName").strip() or (Path(local).name if local else "")
    if not name:
        raise ProgrammingError(f"{proc} needs FileName")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ProgrammingError(
            f"{proc} parameter FileName: {name!r} must be a plain name; use ParentId for the folder"
        )
    data = _content(args, proc, "Content")
    parent = _text(args, "ParentId").strip() or "root"
    conflict = (_text(args, "ConflictBehavior").strip() or "replace").lower()
    if conflict not in ("replace", "rename", "fail"):
        raise ProgrammingError(
            f"{proc} parameter ConflictBehavior must be replace, rename or fail, not {conflict!r}"
        )
    target = f"{scope}/drive/items/{path_segment(parent)}:/{path_segment(name)}:"
    if len(data) <= MAX_SIMPLE_UPLOAD:
        response = ctx.graph.request(
            "PUT",
            f"{target}/content",
            params={"@microsoft.graph.conflictBehavior": conflict},
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        made = _json(response)
    else:
        session = _json(
            _post(
                ctx,
                f"{target}/createUploadSession",
                {"item": {"@microsoft.graph.conflictBehavior": conflict}},
            )
        )
        url = session.get("uploadUrl")
        if not isinstance(url, str) or not url:
            raise OperationalError("Graph's createUploadSession answer has no uploadUrl")
        made = _json(_upload_session(ctx, url, data))
    return [(made.get("id"), made.get("name", name), made.get("size", len(data)))]


# -- registration --------------------------------------------------------------------------------------------


def _user() -> ProcParam:
    return ProcParam(
        "UserId",
        description="The mailbox/drive owner (id or UPN); default: the UserId property, else /me.",
    )


_STATUS = (("Status", "TEXT"),)


def _proc(
    name: str,
    description: str,
    params: tuple[ProcParam, ...],
    columns: tuple[tuple[str, str], ...],
    func: Callable[[ProcedureContext, Args], list[Row]],
) -> Procedure:
    def run(ctx: ProcedureContext, args: Args) -> list[Row]:
        try:
            return func(ctx, args)
        except GraphError as exc:
            # a static OAuthAccessToken may be app-only without the connection knowing: Graph then refuses /me
            if "/me request is only valid" in str(exc) and not (args.get("UserId") or ctx.user_id):
                raise ProgrammingError(
                    f"{name}: the access token is app-only (no signed-in user), so there is no /me; pass "
                    "UserId (the mailbox's id or userPrincipalName) or set the UserId connection property"
                ) from exc
            raise

    return register(Procedure(name, description, (*params, _user()), columns, run))


def _register() -> tuple[Procedure, ...]:
    p = ProcParam
    output = p(
        "OutputFolder", description="A folder to write the files to; without it FileData holds base64."
    )
    overwrite = p(
        "Overwrite", "BOOLEAN", description="Replace files that exist in OutputFolder.", default=False
    )
    return (
        _proc(
            "SendMail",
            "Send a new message (POST sendMail), or the draft Id (POST messages/{id}/send).",
            (
                p(
                    "Id",
                    description="An existing draft to send (Subject/Content/recipients update it first).",
                ),
                p("Subject", description="The subject."),
                p("Content", description="The body."),
                p("ContentType", description="text (default) or html.", default="text"),
                p("ToRecipients", description="Addresses separated by ';'."),
                p("CCRecipients", description="Cc addresses separated by ';'."),
                p("BccRecipients", description="Bcc addresses separated by ';'."),
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
            ),
            _STATUS,
            _send_mail,
        ),
        _proc(
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
            _STATUS,
            _reply,
        ),
        _proc(
            "ForwardMail",
            "Forward a message with its attachments (POST messages/{id}/forward).",
            (
                p("MessageId", required=True, description="The message to forward."),
                p("ToRecipients", required=True, description="Addresses separated by ';'."),
                p("Comment", description="Text above the forwarded message."),
            ),
            _STATUS,
            _forward,
        ),
        _proc(
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
        ),
        _proc(
            "CreateFolder",
            "Create a mail folder (POST mailFolders, or under ParentFolderId).",
            (
                p("DisplayName", required=True, description="The new folder's name."),
                p("ParentFolderId", description="The parent folder id or well-known name; default: the top."),
            ),
            (("Id", "TEXT"), ("DisplayName", "TEXT"), ("ParentFolderId", "TEXT")),
            _create_folder,
        ),
        _proc(
            "AddAttachments",
            "Attach a file to a message (inline under 3 MB, an upload session up to 150 MB).",
            (
                p("Id", required=True, description="The message (usually a draft)."),
                p("FileName", description="The attachment's name (default: LocalFile's name)."),
                p("ContentBytes", description="The content, base64."),
                p("LocalFile", description="A local file to attach instead of ContentBytes."),
                p("ContentType", description="The MIME type (default: guessed from FileName)."),
                p("DestinationType", description="Message (the only kind supported).", default="Message"),
            ),
            (("Id", "TEXT"), ("Name", "TEXT"), ("Size", "INTEGER"), ("ContentType", "TEXT")),
            _add_attachments,
        ),
        _proc(
            "DownloadAttachments",
            "A message's attachments: content as base64 (FileData) or written to OutputFolder (FilePath).",
            (
                p("MessageId", required=True, description="The message."),
                p("AttachmentId", description="Only this attachment (default: all)."),
                output,
                overwrite,
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
        _proc(
            "RespondToEvent",
            "Accept, decline or tentatively accept a meeting (POST events/{id}/accept|decline|...).",
            (
                p("EventId", required=True, description="The meeting."),
                p("ResponseType", required=True, description="accept, decline or tentativelyAccept."),
                p("Comment", description="Text sent to the organizer."),
                p("SendResponse", "BOOLEAN", description="Tell the organizer (default true).", default=True),
            ),
            _STATUS,
            _respond,
        ),
        _proc(
            "CancelEvent",
            "Cancel a meeting you organize, notifying attendees (POST events/{id}/cancel).",
            (
                p("EventId", required=True, description="The meeting."),
                p("Comment", description="Text sent to the attendees."),
            ),
            _STATUS,
            _cancel,
        ),
        _proc(
            "DownloadFile",
            "A OneDrive file's content: base64 (FileData) or written to OutputFolder (FilePath).",
            (p("FileId", required=True, description="The driveItem id."), output, overwrite),
            (
                ("Id", "TEXT"),
                ("FileName", "TEXT"),
                ("Size", "INTEGER"),
                ("FileData", "TEXT"),
                ("FilePath", "TEXT"),
            ),
            _download_file,
        ),
        _proc(
            "UploadFile",
            "Upload a file to OneDrive (a simple PUT up to 4 MB, an upload session beyond).",
            (
                p("FileName", description="The file's name (default: LocalFile's name)."),
                p("ParentId", description="The folder's driveItem id (default: the drive root)."),
                p("Content", description="The content, base64."),
                p("LocalFile", description="A local file to upload instead of Content."),
                p(
                    "ConflictBehavior",
                    description="replace (default), rename or fail when the name exists.",
                    default="replace",
                ),
            ),
            (("Id", "TEXT"), ("Name", "TEXT"), ("Size", "INTEGER")),
            _upload_file,
        ),
    )


PROCEDURES = _register()
