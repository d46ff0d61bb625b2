"""Upload sessions: Outlook attachments of 3-150 MB and OneDrive files, uploaded in fragments.

As outlook-large-attachments.md and driveitem-createuploadsession.md describe them; the session URLs are
pre-authenticated, so the PUTs carry no Authorization.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .auth import CALENDARS, MAIL, open_drive, open_mailbox
from .drive_items import store_file
from .envelope import JSON_CT, Ctx, Owner, Result, json_result
from .errors import GraphError
from .message_items import MAX_DIRECT_ATTACHMENT, store_new_attachments
from .model import UploadSession
from .sites import drive_writer
from .store import GraphStore

__all__ = ["create_attachment_session", "create_drive_session", "routes"]

Item = dict[str, Any]
MAX_ATTACHMENT = 150 * 1024 * 1024
FRAGMENT_UNIT = 320 * 1024  # drive fragments are multiples of 320 KiB, except the last
MAX_FRAGMENT = 60 * 1024 * 1024
SESSION_LIFETIME = 15 * 60
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


# -- Outlook ----------------------------------------------------------------------------------------------
def create_attachment_session(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST messages|events/{id}/attachments/createUploadSession: 201 uploadSession for 3 MB to 150 MB.

    attachment-createuploadsession.md: the item can be a message or an event.
    """
    if "eid" in g:
        box = open_mailbox(ctx, owner, CALENDARS, write=True)
        target, kind = box.event(g["eid"]), "Events"
        if target["id"] not in box.events:
            # [U] attachments of one occurrence are not emulated
            raise GraphError(
                400, "ErrorInvalidRequest", "Attachments of an occurrence are not supported here."
            )
    else:
        box = open_mailbox(ctx, owner, MAIL, write=True)
        target, kind = box.message(g["mid"]), "Messages"
    data = ctx.json_body()
    item = data.get("AttachmentItem") or data.get("attachmentItem")
    if not isinstance(item, dict) or not isinstance(item.get("size"), int) or not item.get("name"):
        # [U] the code and message
        raise GraphError(400, "ErrorInvalidParameter", "AttachmentItem needs attachmentType, name and size.")
    size = int(item["size"])
    if size < MAX_DIRECT_ATTACHMENT:
        # [O] the code
        raise GraphError(
            400,
            "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
            "Attachment size should not be less than 3 MB.",
        )
    if size > MAX_ATTACHMENT:
        # [U] the code and message
        raise GraphError(400, "ErrorAttachmentSizeLimitExceeded", "The attachment is larger than 150 MB.")
    sid = secrets.token_urlsafe(18)
    session = UploadSession(
        "outlook",
        secrets.token_urlsafe(24),
        owner.id,
        size,
        {
            "item": target["id"],
            "kind": kind,
            "name": str(item["name"]),
            "contentType": str(item.get("contentType") or "application/octet-stream"),
            "isInline": str(bool(item.get("isInline", False))),
        },
        ctx.state.clock.time() + SESSION_LIFETIME,
    )
    ctx.store.upload_sessions[sid] = session
    url = (
        f"{ctx.state.base_url}/api/v2.0/Users('{owner.id}')/{kind}('{quote(target['id'])}')"
        f"/AttachmentSessions('{sid}')?authtoken={session.token}"
    )
    return json_result(
        {
            "@odata.context": ctx.meta("microsoft.graph.uploadSession"),
            "uploadUrl": url,
            "expirationDateTime": session.expiry(),
            "nextExpectedRanges": ["0-"],
        },
        status=201,
    )


# -- OneDrive ---------------------------------------------------------------------------------------------
def create_drive_session(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST .../createUploadSession: 200 with uploadUrl; fragments then PUT there without Authorization."""
    drv = open_drive(ctx, owner, write=True)
    path = g["path"] if "path" in g else f"{drv.path_of(drv.item(g['pid'])['id'])}/{g['name']}".strip("/")
    existing, parent, _ = drv.resolve_target(path)
    data = ctx.json_body() if ctx.body.strip() else {}
    item = data.get("item") or {}
    behavior = str(item.get("@microsoft.graph.conflictBehavior", "replace")).lower()
    if behavior == "fail" and existing is not None:
        raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")
    sid = secrets.token_urlsafe(18)
    target = {"path": path, "behavior": behavior}
    expires = ctx.state.clock.time() + SESSION_LIFETIME
    session = UploadSession("drive", secrets.token_urlsafe(24), owner.id, -1, target, expires)
    ctx.store.upload_sessions[sid] = session
    site = owner.user["userPrincipalName"].replace("@", "_").replace(".", "_")
    url = (
        f"{ctx.state.base_url}/personal/{site}/_api/v2.0/drive/items/{parent['id']}/uploadSession"
        f"?guid='{sid}'&overwrite=True&rename=False&dc=0&tempauth={session.token}"
    )
    return json_result(
        {
            "@odata.context": ctx.meta("microsoft.graph.uploadSession"),
            "uploadUrl": url,
            "expirationDateTime": session.expiry(),
            "nextExpectedRanges": ["0-"],
        }
    )


# -- the pre-authenticated PUT/DELETE endpoints --------------------------------------------------------------
def _json(status: int, body: Item | None, headers: dict[str, str] | None = None) -> Response:
    content = b"" if body is None else json.dumps(body).encode()
    return Response(
        content, status_code=status, headers=headers, media_type=JSON_CT if body is not None else None
    )


def _error(status: int, code: str, message: str) -> Response:
    return _json(status, {"error": {"code": code, "message": message}})


def _find(request: Request, sid: str, token: str) -> tuple[GraphStore, UploadSession] | Response:
    store: GraphStore = request.app.state.emulator.graph
    session = store.upload_sessions.get(sid)
    if (
        session is None
        or not secrets.compare_digest(session.token, token)
        or session.expires < store.state.clock.time()
    ):
        return _error(404, "itemNotFound", "The upload session was not found or has expired.")
    return store, session


def _range(request: Request, session: UploadSession, body: bytes) -> tuple[int, int, int] | Response:
    match = _RANGE.match(request.headers.get("content-range", "").strip())
    if not match:
        return _error(
            400, "invalidRequest", "A Content-Range header of the form 'bytes s-e/total' is required."
        )
    start, end, total = (int(x) for x in match.groups())
    if end - start + 1 != len(body) or end < start:
        return _error(400, "invalidRequest", "The Content-Range does not match the body length.")
    if start != len(session.data):
        return _error(
            416,
            "invalidRange",
            f"The uploaded fragment overlaps or skips; expected offset {len(session.data)}.",
        )
    return start, end, total


async def outlook_put(request: Request) -> Response:
    """PUT an attachment fragment: 200 with nextExpectedRanges, 201 + Location when complete."""
    body = await request.body()
    found = _find(request, request.path_params["sid"], request.query_params.get("authtoken", ""))
    if isinstance(found, Response):
        return found
    store, session = found
    checked = _range(request, session, body)
    if isinstance(checked, Response):
        return checked
    _, end, total = checked
    if total != session.size:
        return _error(400, "invalidRequest", "The total size differs from the session's AttachmentItem size.")
    with store.lock:
        session.data += body
        if end + 1 < total:
            return _json(
                200,
                {
                    "@odata.context": f"{request.app.state.emulator.base_url}/api/v2.0/$metadata#"
                    "Microsoft.OutlookServices.UploadSession",
                    "ExpirationDateTime": session.expiry(),
                    "NextExpectedRanges": [str(end + 1)],
                },
            )
        box = store.mailbox(session.user_id)
        kind = session.target["kind"]
        items = box.events if kind == "Events" else box.messages
        message = items.get(session.target["item"])
        if message is None:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        message["_new_att"] = [
            {
                "name": session.target["name"],
                "contentType": session.target["contentType"],
                "isInline": session.target["isInline"] == "True",
                "contentBytes": base64.b64encode(bytes(session.data)).decode(),
            }
        ]
        store_new_attachments(box, message)
        att = box.attachments[message["id"]][-1]
        del store.upload_sessions[request.path_params["sid"]]
    graph = request.app.state.emulator.graph_url
    location = (
        f"{graph}/users('{session.user_id}')/{kind.lower()}('{quote(message['id'])}')"
        f"/attachments('{att['id']}')"
    )
    return Response(b"", status_code=201, headers={"Location": location})


async def drive_put(request: Request) -> Response:
    """PUT a drive fragment: 202 with nextExpectedRanges; the last gives 201/200 with the driveItem."""
    body = await request.body()
    sid = request.query_params.get("guid", "").strip("'")
    found = _find(request, sid, request.query_params.get("tempauth", ""))
    if isinstance(found, Response):
        return found
    store, session = found
    if len(body) >= MAX_FRAGMENT:
        return _error(413, "invalidRequest", "Fragments must be smaller than 60 MiB.")
    checked = _range(request, session, body)
    if isinstance(checked, Response):
        return checked
    _, end, total = checked
    if session.size < 0:
        session.size = total
    if total != session.size:
        return _error(400, "invalidRequest", "The total size changed during the upload.")
    last = end + 1 == total
    if not last and len(body) % FRAGMENT_UNIT:
        return _error(400, "invalidRequest", "Fragments must be a multiple of 320 KiB, except the last.")
    with store.lock:
        session.data += body
        if not last:
            return _json(202, {"expirationDateTime": session.expiry(), "nextExpectedRanges": [f"{end + 1}-"]})
        del store.upload_sessions[sid]
        # The session was authorised when it was created; the last fragment writes the file as the owner.
        state = request.app.state.emulator
        owner = drive_writer(store, session.user_id)
        ctx = Ctx(state=state, store=store, method="PUT", path="", raw_query="", headers={}, body=b"")
        drv = store.drive(session.user_id)
        try:
            existing, parent, name = drv.resolve_target(session.target["path"])
            result = store_file(ctx, owner, drv, existing, parent, name, bytes(session.data))
        except GraphError as exc:
            return _error(exc.status, exc.code, exc.message)
    data, ctype = result.encode()
    return Response(data, status_code=result.status, media_type=ctype)


async def drive_cancel(request: Request) -> Response:
    """DELETE the uploadUrl: 204, the session is gone."""
    sid = request.query_params.get("guid", "").strip("'")
    found = _find(request, sid, request.query_params.get("tempauth", ""))
    if isinstance(found, Response):
        return found
    store, _ = found
    with store.lock:
        store.upload_sessions.pop(sid, None)
    return Response(status_code=204)


def routes() -> list[BaseRoute]:
    """The session endpoints (outside /v1.0: no Authorization, no Graph faults)."""
    return [
        Route(
            "/api/v2.0/Users('{uid}')/Messages('{mid}')/AttachmentSessions('{sid}')",
            outlook_put,
            methods=["PUT"],
        ),
        Route(
            "/api/v2.0/Users('{uid}')/Events('{mid}')/AttachmentSessions('{sid}')",
            outlook_put,
            methods=["PUT"],
        ),
        Route("/personal/{site}/_api/v2.0/drive/items/{parent}/uploadSession", drive_put, methods=["PUT"]),
        Route(
            "/personal/{site}/_api/v2.0/drive/items/{parent}/uploadSession", drive_cancel, methods=["DELETE"]
        ),
    ]
