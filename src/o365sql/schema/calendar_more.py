"""More calendar tables: EventOccurrences (one series in a time window) and CalendarGroups."""

from __future__ import annotations

from ._types import TableSpec, col
from .calendar import _event_columns, group_calendar
from .mail import USER_ID

__all__ = ["CALENDAR_GROUPS", "EVENT_OCCURRENCES"]

# event-list-instances.md: startDateTime and endDateTime are required, as for calendarView.
EVENT_OCCURRENCES = TableSpec(
    name="EventOccurrences",
    permissions=(("Calendars.Read",), ("Calendars.Read",)),
    typical_rows=20,
    is_view=True,
    description="Occurrences and exceptions of one recurring event inside a time window (GET "
    "/me/events/{id}/instances). EventId is required (a series master's id, or join from Events); "
    "start_dateTime >= x / end_dateTime <= y set the window (default: 30 days either side of now). "
    "GroupId = x reads a series of that Microsoft 365 group's calendar "
    "(GET /groups/{id}/events/{id}/instances).",
    collection="{scope}/events/{EventId}/instances",
    key=("EventId", "id"),
    per_user=True,
    routes={"EventId": "{scope}/events/{EventId}/instances"},
    max_page=1000,
    window=("start_dateTime", "end_dateTime"),
    # event-list-instances.md lists /groups/{id}/events/{id}/instances, with the same permissions as a
    # mailbox's (Calendars.ReadBasic or Calendars.Read, delegated and application)
    owners=group_calendar(
        (("Calendars.ReadBasic", "Calendars.Read"), ("Calendars.ReadBasic", "Calendars.Read")), ((), ())
    ),
    columns=(
        col(
            "EventId",
            kind="param",
            not_null=True,
            desc="The series master (or event) whose instances these are",
        ),
        *(c for c in _event_columns(False) if c.name != "CalendarId"),
    ),
)

CALENDAR_GROUPS = TableSpec(
    name="CalendarGroups",
    permissions=(("Calendars.Read",), ("Calendars.Read",)),
    typical_rows=3,
    description="Calendar groups of a mailbox (GET /me/calendarGroups).",
    collection="{scope}/calendarGroups",
    item="{scope}/calendarGroups/{id}",
    per_user=True,
    max_page=1000,
    # calendargroup-post-calendargroups.md: name; Calendars.ReadWrite (delegated and application)
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("name",),
    write_permissions=(("Calendars.ReadWrite",), ("Calendars.ReadWrite",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Calendar group id (the key)"),
        col("name", ops="eq", desc="Name"),
        col("classId", read_only=True, desc="Class identifier"),
        col("changeKey", read_only=True, desc="Version"),
        USER_ID,
    ),
)
