"""Meeting responses: events/{id}/accept, tentativelyAccept, decline (attendees) and cancel (organizer)."""

from __future__ import annotations

from .auth import CALENDARS, open_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .model import NOT_FOUND
from .util import bump, fmt_s, parse_time

__all__ = ["cancel", "dismiss_reminder", "forward", "respond", "snooze_reminder"]

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


def forward(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/forward {toRecipients, comment}: 202 (event-forward.md); tenant recipients get
    the meeting request in their inbox [U]: here the forward is only validated and recorded on the event."""
    box = open_mailbox(ctx, owner, CALENDARS)
    event = box.event(g["eid"])
    data = ctx.json_body()
    recipients = data.get("toRecipients") or data.get("ToRecipients")
    if not isinstance(recipients, list) or not recipients:
        raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")  # [U]
    for r in recipients:
        address = r.get("emailAddress", {}).get("address") if isinstance(r, dict) else None
        if not isinstance(address, str) or "@" not in address:
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
    target = box.events.get(event["id"]) or box.events.get(event.get("seriesMasterId") or "")
    if target is not None:
        target["_forwarded"] = [*target.get("_forwarded", []), *recipients]
    return Result(status=202)


def dismiss_reminder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/dismissReminder: 200 (event-dismissreminder.md); the reminder is turned off."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    event = box.event(g["eid"])
    target = box.events.get(event["id"]) or box.events.get(event.get("seriesMasterId") or "")
    if target is None:
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    target["isReminderOn"] = False
    bump(target, ctx.state.clock.now())
    return Result(status=200)


def snooze_reminder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events/{id}/snoozeReminder {newReminderTime}: 200 (event-snoozereminder.md)."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    event = box.event(g["eid"])
    when = ctx.json_body().get("newReminderTime")
    if not isinstance(when, dict) or not when.get("dateTime"):
        # [U] the code and message
        raise GraphError(400, "ErrorInvalidRequest", "The newReminderTime parameter is required.")
    try:
        parse_time(str(when["dateTime"]))
    except ValueError:
        raise GraphError(
            400, "ErrorInvalidRequest", f"Cannot convert the literal '{when['dateTime']}'."
        ) from None
    target = box.events.get(event["id"]) or box.events.get(event.get("seriesMasterId") or "")
    if target is None:
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    target["isReminderOn"] = True
    target["_snoozedUntil"] = {
        "dateTime": str(when["dateTime"]),
        "timeZone": str(when.get("timeZone") or "UTC"),
    }
    bump(target, ctx.state.clock.now())
    return Result(status=200)
