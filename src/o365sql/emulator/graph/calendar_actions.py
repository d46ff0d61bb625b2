"""Meeting responses: events/{id}/accept, tentativelyAccept, decline (attendees) and cancel (organizer)."""

from __future__ import annotations

import datetime as dt

from .calendar import _box, _bump, _event
from .envelope import Ctx, GraphError, Result
from .router import Owner, owner_route
from .util import fmt_s

__all__: list[str] = []

_RESPONSE = {"accept": "accepted", "tentativelyaccept": "tentativelyAccepted", "decline": "declined"}


@owner_route("POST", r"events/(?P<eid>[^/]+)/(?P<action>accept|tentativelyAccept|decline)")
def respond(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/accept|tentativelyAccept|decline: 202; the organizer cannot respond."""
    box = _box(ctx, owner, write=True)
    event = _event(box, g["eid"])
    if event["isOrganizer"]:
        # [U] the exact message; Outlook refuses responses from the organizer.
        raise GraphError(
            400,
            "ErrorInvalidRequest",
            "Your request can't be completed. You can't respond to a meeting you organized.",
        )
    if ctx.body.strip():
        ctx.json_body()  # validates; comment/sendResponse only matter for the organizer's inbox
    target = box.events.get(event["id"]) or box.events.get(event.get("seriesMasterId") or "")
    if target is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    target["responseStatus"] = {
        "response": _RESPONSE[g["action"].lower()],
        "time": fmt_s(dt.datetime.now(dt.UTC)),
    }
    if g["action"].lower() == "decline":
        target["showAs"] = "free"
    elif g["action"].lower() == "tentativelyaccept":
        target["showAs"] = "tentative"
    _bump(target)
    return Result(status=202)


@owner_route("POST", r"events/(?P<eid>[^/]+)/cancel")
def cancel(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/cancel: 202; organizer only; the meeting leaves the calendar [U]."""
    box = _box(ctx, owner, write=True)
    event = _event(box, g["eid"])
    if not event["isOrganizer"]:
        raise GraphError(
            400,
            "ErrorAccessDenied",
            "Your request can't be completed. Only the meeting organizer can cancel the meeting.",
        )  # [U]
    if ctx.body.strip():
        ctx.json_body()
    if event["id"] in box.events:
        for exc_id in event.get("_exceptions", {}).values():
            box.events.pop(exc_id, None)
        del box.events[event["id"]]
    else:  # an occurrence: cancel just that day
        master = box.events[event["seriesMasterId"]]
        day = event["start"]["dateTime"][:10]
        master["_cancelled"] = [*master.get("_cancelled", []), day]
        master["cancelledOccurrences"] = [
            *master.get("cancelledOccurrences", []),
            f"OID.{master['id']}.{day}",
        ]
        _bump(master)
    return Result(status=202)
