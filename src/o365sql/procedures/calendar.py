"""Calendar procedures: RespondToEvent, CancelEvent."""

from __future__ import annotations

from ..errors import ProgrammingError
from ..graph import path_segment
from ._common import STATUS, Args, Row, need, post, procedure, scope_path, text
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
    scope = scope_path(ctx, args, proc)
    eid = need(args, proc, "EventId")
    kind = need(args, proc, "ResponseType")
    action = _RESPONSES.get(kind.lower())
    if action is None:
        raise ProgrammingError(
            f"{proc} parameter ResponseType must be accept, decline or tentativelyAccept, not {kind!r}"
        )
    body = {"comment": text(args, "Comment"), "sendResponse": args.get("SendResponse") is not False}
    post(ctx, f"{scope}/events/{path_segment(eid)}/{action}", body)
    return [("Success",)]


def _cancel(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "CancelEvent"
    scope = scope_path(ctx, args, proc)
    eid = need(args, proc, "EventId")
    post(ctx, f"{scope}/events/{path_segment(eid)}/cancel", {"comment": text(args, "Comment")})
    return [("Success",)]


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
        ),
    )


PROCEDURES = _procedures()
