"""Attachments of events: list, get, $value, add (a fileAttachment under 3 MB, 201) and delete (204).

event-list-attachments.md / event-post-attachments.md / attachment-delete.md: the same attachment resource as
messages, below /events/{id}/attachments.
"""

from __future__ import annotations

import base64
from typing import Any

from . import specs
from .auth import CALENDARS, open_mailbox
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError
from .gen_mail import message_attachments
from .message_items import attachment_view, check_direct_attachment, store_new_attachments
from .model import Mailbox
from .query import list_result
from .util import bump

__all__ = ["add_attachment", "attachment_value", "delete_attachment", "get_attachment", "list_attachments"]

Item = dict[str, Any]


def _stored_event(box: Mailbox, eid: str) -> Item:
    event = box.event(eid)
    stored = box.events.get(event["id"])
    if stored is None:
        # [U] attachments of one occurrence are not emulated
        raise GraphError(400, "ErrorInvalidRequest", "Attachments of an occurrence are not supported here.")
    return stored


def _attachments(box: Mailbox, event: Item) -> list[Item]:
    found = box.attachments.get(event["id"])
    if found is None:
        # generated events carry `_att` like messages: the content is built on first use
        found = box.attachments[event["id"]] = message_attachments(box, event)
    return found


def _attachment(box: Mailbox, event: Item, aid: str) -> Item:
    found = next((a for a in _attachments(box, event) if a["id"] == aid), None)
    if found is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return found


def list_attachments(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events/{id}/attachments."""
    box = open_mailbox(ctx, owner, CALENDARS)
    event = _stored_event(box, g["eid"])

    def finish(item: Item, shaped: Item) -> Item:
        return {"@odata.type": item["@odata.type"], "id": item["id"], **shaped}

    return list_result(
        ctx,
        _attachments(box, event),
        specs.ATTACHMENTS,
        ctx.meta(f"{owner.base}/events('{g['eid']}')/attachments"),
        finish=finish,
    )


def get_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events/{id}/attachments/{id}."""
    box = open_mailbox(ctx, owner, CALENDARS)
    att = _attachment(box, _stored_event(box, g["eid"]), g["aid"])
    context = ctx.meta(f"{owner.base}/events('{g['eid']}')/attachments/$entity")
    return json_result({"@odata.context": context, **attachment_view(att)})


def attachment_value(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events/{id}/attachments/{id}/$value: the raw bytes."""
    box = open_mailbox(ctx, owner, CALENDARS)
    att = _attachment(box, _stored_event(box, g["eid"]), g["aid"])
    return Result(body=base64.b64decode(att["contentBytes"]), content_type=att["contentType"])


def add_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/attachments: a fileAttachment under 3 MB (201)."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    event = _stored_event(box, g["eid"])
    data = ctx.json_body()
    check_direct_attachment(data)
    _attachments(box, event)
    event["_new_att"] = [data]
    store_new_attachments(box, event)
    bump(event, ctx.state.clock.now())
    att = box.attachments[event["id"]][-1]
    context = ctx.meta(f"{owner.base}/events('{g['eid']}')/attachments/$entity")
    return json_result({"@odata.context": context, **attachment_view(att)}, status=201)


def delete_attachment(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/events/{id}/attachments/{id}: 204."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    event = _stored_event(box, g["eid"])
    att = _attachment(box, event, g["aid"])
    remaining = [a for a in _attachments(box, event) if a["id"] != att["id"]]
    box.attachments[event["id"]] = remaining
    event["hasAttachments"] = any(not a["isInline"] for a in remaining)
    bump(event, ctx.state.clock.now())
    return Result(status=204)
