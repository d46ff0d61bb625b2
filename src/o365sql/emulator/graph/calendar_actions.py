"""Meeting responses: events/{id}/accept, tentativelyAccept, decline (attendees) and cancel (organizer)."""

from __future__ import annotations

from .auth import CALENDARS, open_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .model import NOT_FOUND
from .util import bump, fmt_s

__all__ = ["cancel", "respond"]

_RESPONSE = {"accept": "accepted", "tentativelyaccept": "tentativelyAccepted", "decline": "declined"}


def respond(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/accept|tentativelyAccept|decline: 202; the organizer cannot respond."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    event = box.event(g["eid"])
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
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    target["responseStatus"] = {
        "response": _RESPONSE[g["action"].lower()],
        "time": fmt_s(ctx.state.clock.now()),
    }
    if g["action"].lower() == "decline":
        target["showAs"] = "free"
    elif g["action"].lower() == "tentativelyaccept":
        target["showAs"] = "tentative"
    bump(target, ctx.state.clock.now())
    return Result(status=202)


def cancel(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/cancel: 202; organizer only; the meeting leaves the calendar [U]."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    event = box.event(g["eid"])
    if not event["isOrganizer"]:
        # [U] the code and message
        raise GraphError(
            400,
            "ErrorAccessDenied",
            "Your request can't be completed. Only the meeting organizer can cancel the meeting.",
        )
    if ctx.body.strip():
        ctx.json_body()
    box.remove_event(event, ctx.state.clock.now())
    return Result(status=202)
