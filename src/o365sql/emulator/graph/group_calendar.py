"""Group calendar routes: a Microsoft 365 group's one calendar, its events, calendarView and event writes.

Permissions per page: group-list-events.md and calendar-get.md (group calendar): delegated Group.Read.All or
Group.ReadWrite.All, no application permission; group-list-calendarview.md: delegated Group.Read.All (and the
Calendars scopes), application Calendars.ReadBasic/Read/ReadWrite; group-post-events.md: delegated
Group.ReadWrite.All only (event-update.md and event-delete.md list the /groups/{id}/events/{id} paths; their
group permissions are taken to be the same [U]). An application refused a group calendar gets Exchange's
"Access is denied" (a Microsoft Q&A answer, "Group calendars do not support application permissions").
event-list-instances.md lists /groups/{id}/events/{id}/instances with delegated and application
Calendars.ReadBasic or Calendars.Read (taken as the calendarView's rule, Group.Read.All delegated too [U]).
The attachment resource page says events in group calendars support no attachments: no route here.
Only Unified groups have a group mailbox; /groups/{id}/calendars does not exist in v1.0 (no route here, so
the router answers it as an unknown segment).
"""

from __future__ import annotations

from typing import Any

from .auth import DENIED, INSUFFICIENT, Perm
from .calendar_core import (
    calendar_entity,
    create_in,
    event_entity,
    events_of,
    instances_of,
    update_in,
    view_of,
)
from .envelope import Ctx, Result
from .errors import GraphError
from .gen_groups import is_unified
from .model import Mailbox

__all__ = [
    "create_group_event",
    "delete_group_event",
    "get_group_calendar",
    "get_group_event",
    "group_calendar_view",
    "group_event_instances",
    "list_group_events",
    "update_group_event",
]

Item = dict[str, Any]

_READ = Perm({"Group.Read.All", "Group.ReadWrite.All"}, set(), set())
_VIEW = Perm(
    {"Group.Read.All", "Group.ReadWrite.All", "Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"},
    set(),
    {"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"},
)
_WRITE = Perm({"Group.ReadWrite.All"}, set(), set())


def _open(ctx: Ctx, gid: str, perm: Perm) -> tuple[Item, Mailbox]:
    """The group and its mailbox, once the grant covers the operation."""
    grant = ctx.grant
    assert grant is not None
    if not grant.has_any(perm.app if grant.app_only else perm.own):
        raise GraphError(403, "ErrorAccessDenied", DENIED if grant.app_only else INSUFFICIENT)
    group = ctx.store.group(gid)  # the directory's 404 for an unknown group
    if not is_unified(group):
        # [U] a security group has no group mailbox; Exchange's code for an address without a mailbox
        # (known-issues.md, "Photo restrictions")
        raise GraphError(
            404, "ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it."
        )
    return group, ctx.store.group_mailbox(group["id"])


def _base(group: Item) -> str:
    return f"groups('{group['id']}')"


def list_group_events(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/events and /groups/{id}/calendar/events."""
    group, box = _open(ctx, g["gid"], _READ)
    return events_of(ctx, box, box.calendar(None), f"{_base(group)}/events")


def group_calendar_view(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/calendarView?startDateTime=..&endDateTime=.. (and below /calendar)."""
    group, box = _open(ctx, g["gid"], _VIEW)
    return view_of(ctx, box, box.calendar(None), f"{_base(group)}/calendarView")


def group_event_instances(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/events/{id}/instances?startDateTime=..&endDateTime=.. (and below /calendar)."""
    group, box = _open(ctx, g["gid"], _VIEW)
    return instances_of(ctx, box, g["eid"], f"{_base(group)}/events('{g['eid']}')/instances")


def get_group_calendar(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/calendar: the group's one calendar."""
    group, box = _open(ctx, g["gid"], _READ)
    return calendar_entity(ctx, box.calendar(None), _base(group))


def get_group_event(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/events/{id}."""
    group, box = _open(ctx, g["gid"], _READ)
    return event_entity(ctx, box, g["eid"], _base(group))


def create_group_event(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /groups/{id}/events: 201 with the event, organised by the group."""
    group, box = _open(ctx, g["gid"], _WRITE)
    return create_in(ctx, box, group, box.calendar(None), _base(group))


def update_group_event(ctx: Ctx, g: dict[str, str]) -> Result:
    """PATCH /groups/{id}/events/{id}: 200 with the event."""
    group, box = _open(ctx, g["gid"], _WRITE)
    return update_in(ctx, box, g["eid"], _base(group))


def delete_group_event(ctx: Ctx, g: dict[str, str]) -> Result:
    """DELETE /groups/{id}/events/{id}: 204."""
    _group, box = _open(ctx, g["gid"], _WRITE)
    box.remove_event(box.event(g["eid"]), ctx.state.clock.now())
    return Result(status=204)
