"""Outlook calendar routes: calendars, events, calendarView (recurrence expansion), event writes."""

from __future__ import annotations

from typing import Any

from . import specs
from .auth import CALENDARS, open_mailbox
from .calendar_core import (
    calendar_entity,
    create_in,
    event_entity,
    events_of,
    instances_of,
    update_in,
    view_of,
)
from .envelope import Ctx, Owner, Result
from .query import list_result

__all__ = [
    "calendar_view",
    "create_event",
    "delete_event",
    "event_instances",
    "get_calendar",
    "get_event",
    "list_calendars",
    "list_events",
    "update_event",
]

Item = dict[str, Any]


def list_calendars(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendars."""
    box = open_mailbox(ctx, owner, CALENDARS)
    return list_result(
        ctx, list(box.calendars.values()), specs.CALENDARS, ctx.meta(f"{owner.base}/calendars")
    )


def get_calendar(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendar and /me/calendars/{id}."""
    box = open_mailbox(ctx, owner, CALENDARS)
    return calendar_entity(ctx, box.calendar(g.get("cid")), owner.base)


def list_events(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events (the default calendar [U]) and /me/calendars/{id}/events."""
    box = open_mailbox(ctx, owner, CALENDARS)
    context = f"{owner.base}/calendars('{g['cid']}')/events" if "cid" in g else f"{owner.base}/events"
    return events_of(ctx, box, box.calendar(g.get("cid")), context)


def calendar_view(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendarView?startDateTime=..&endDateTime=..: series expanded into occurrences."""
    box = open_mailbox(ctx, owner, CALENDARS)
    context = (
        f"{owner.base}/calendars('{g['cid']}')/calendarView" if "cid" in g else f"{owner.base}/calendarView"
    )
    return view_of(ctx, box, box.calendar(g.get("cid")), context)


def get_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events/{id} (series masters, instances, occurrences)."""
    box = open_mailbox(ctx, owner, CALENDARS)
    return event_entity(ctx, box, g["eid"], owner.base)


def event_instances(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events/{id}/instances?startDateTime=..&endDateTime=..."""
    box = open_mailbox(ctx, owner, CALENDARS)
    return instances_of(ctx, box, g["eid"], f"{owner.base}/events('{g['eid']}')/instances")


def create_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events: 201 with the event."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    return create_in(ctx, box, owner.user, box.calendar(g.get("cid")), owner.base)


def update_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/events/{id}: 200 with the event."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    return update_in(ctx, box, g["eid"], owner.base)


def delete_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/events/{id}: 204 (a series takes its exceptions with it; an occurrence is cancelled)."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    box.remove_event(box.event(g["eid"]), ctx.state.clock.now())
    return Result(status=204)
