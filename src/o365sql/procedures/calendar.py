"""Calendar procedures: RespondToEvent, CancelEvent, ForwardEvent, Dismiss/SnoozeEventReminder."""

from __future__ import annotations

import datetime as dt

from ..errors import ProgrammingError
from ._common import STATUS, Args, Row, item_path, need, post, procedure, recipients, text
from ._registry import Procedure, ProcedureContext, ProcParam

__all__ = ["PROCEDURES"]

_RESPONSES = {
    "accept": "accept",
    "decline": "decline",
    "tentativelyaccept": "tentativelyAccept",
    "tentative": "tentativelyAccept",
}


def _respond(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "RespondToEvent"
    event = item_path(ctx, args, proc, "events", "EventId")
    kind = need(args, proc, "ResponseType")
    action = _RESPONSES.get(kind.lower())
    if action is None:
        raise ProgrammingError(
            f"{proc} parameter ResponseType must be accept, decline or tentativelyAccept, not {kind!r}"
        )
    body = {"comment": text(args, "Comment"), "sendResponse": args.get("SendResponse") is not False}
    post(ctx, f"{event}/{action}", body)
    return [("Success",)]


def _cancel(ctx: ProcedureContext, args: Args) -> list[Row]:
    event = item_path(ctx, args, "CancelEvent", "events", "EventId")
    post(ctx, f"{event}/cancel", {"comment": text(args, "Comment")})
    return [("Success",)]


def _forward(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "ForwardEvent"
    event = item_path(ctx, args, proc, "events", "EventId")
    to = recipients(args, proc, "ToRecipients")
    if not to:
        raise ProgrammingError(f"{proc} needs ToRecipients: the addresses to forward to, separated by ';'")
    post(ctx, f"{event}/forward", {"toRecipients": to, "comment": text(args, "Comment")})
    return [("Success",)]


def _dismiss(ctx: ProcedureContext, args: Args) -> list[Row]:
    event = item_path(ctx, args, "DismissEventReminder", "events", "EventId")
    post(ctx, f"{event}/dismissReminder", None)
    return [("Success",)]


def _snooze(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "SnoozeEventReminder"
    event = item_path(ctx, args, proc, "events", "EventId")
    raw = need(args, proc, "NewReminderTime")
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ProgrammingError(
            f"{proc} parameter NewReminderTime: {raw!r} is not a date-time (ISO 8601, such as "
            "2030-01-31T09:00:00Z)"
        ) from None
    utc = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    body = {"newReminderTime": {"dateTime": utc.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}}
    post(ctx, f"{event}/snoozeReminder", body)
    return [("Success",)]


_CALENDAR_WRITE = (("Calendars.ReadWrite",), ("Calendars.ReadWrite",))


def _procedures() -> tuple[Procedure, ...]:
    p = ProcParam
    return (
        procedure(
            "RespondToEvent",
            "Accept, decline or tentatively accept a meeting (POST events/{id}/accept|decline|...).",
            (
                p("EventId", required=True, description="The meeting."),
                p("ResponseType", required=True, description="accept, decline or tentativelyAccept."),
                p("Comment", description="Text sent to the organizer."),
                p("SendResponse", "BOOLEAN", description="Tell the organizer (default true).", default=True),
            ),
            STATUS,
            _respond,
            _CALENDAR_WRITE,
        ),
        procedure(
            "CancelEvent",
            "Cancel a meeting you organize, notifying attendees (POST events/{id}/cancel).",
            (
                p("EventId", required=True, description="The meeting."),
                p("Comment", description="Text sent to the attendees."),
            ),
            STATUS,
            _cancel,
            _CALENDAR_WRITE,
        ),
        procedure(
            "ForwardEvent",
            "Forward a meeting to other people (POST events/{id}/forward); the organizer is told.",
            (
                p("EventId", required=True, description="The meeting."),
                p("ToRecipients", required=True, description="Addresses separated by ';'."),
                p("Comment", description="Text sent with the forwarded meeting."),
            ),
            STATUS,
            _forward,
            (("Calendars.Read",), ("Calendars.Read",)),
        ),
        procedure(
            "DismissEventReminder",
            "Dismiss an event's reminder (POST events/{id}/dismissReminder).",
            (p("EventId", required=True, description="The event."),),
            STATUS,
            _dismiss,
            _CALENDAR_WRITE,
        ),
        procedure(
            "SnoozeEventReminder",
            "Snooze an event's reminder until NewReminderTime (POST events/{id}/snoozeReminder).",
            (
                p("EventId", required=True, description="The event."),
                p("NewReminderTime", "DATETIME", required=True, description="When to remind again (UTC)."),
            ),
            STATUS,
            _snooze,
            _CALENDAR_WRITE,
        ),
    )


PROCEDURES = _procedures()
