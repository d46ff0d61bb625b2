"""Calendar tables: Events, CalendarView (recurrences expanded in a time window), Calendars."""

from __future__ import annotations

from ._types import ColumnSpec, OwnerScope, Permissions, TableSpec, col
from .mail import USER_ID, attachment_columns

__all__ = ["CALENDARS", "CALENDAR_VIEW", "EVENTS", "EVENT_ATTACHMENTS", "GROUP_ID", "group_calendar"]

CALENDAR_ID = col(
    "CalendarId",
    kind="param",
    desc="A constraint reads that calendar (/calendars/{CalendarId}/...); "
    "NULL when the default calendar was read",
)

GROUP_ID = col(
    "GroupId",
    kind="param",
    desc="A constraint reads that Microsoft 365 group's calendar (/groups/{GroupId}/...) in place of a "
    "mailbox (delegated only for most of it); NULL for a mailbox's rows",
)
# group-list-events.md, group-post-events.md, calendar-get.md: group calendars take delegated Group.Read.All
# (reads) and Group.ReadWrite.All (writes) and no application permission; group-list-calendarview.md also
# lets an application read the calendarView with Calendars.ReadBasic or Calendars.Read.
_GROUP_READ: Permissions = (("Group.Read.All", "Group.ReadWrite.All"), ())
_GROUP_WRITE: Permissions = (("Group.ReadWrite.All",), ())
_ONE_CALENDAR = "a group has one calendar (/groups/{id}/calendar)"


def group_calendar(
    permissions: Permissions = _GROUP_READ,
    writes: Permissions = _GROUP_WRITE,
    *,
    entity: str | None = None,
    without: tuple[str, ...] = (),
) -> dict[str, OwnerScope]:
    """GroupId as an owner: a Microsoft 365 group's calendar read in place of a mailbox's."""
    return {
        "GroupId": OwnerScope(
            path="/groups/{GroupId}",
            owner="group",
            reads="calendar",
            unknown="no group {value!r} ({column})",
            find="SELECT id, displayName, groupTypes FROM Groups lists the groups",
            entity=entity,
            permissions=permissions,
            write_permissions=writes,
            without={name: _ONE_CALENDAR for name in without},
            # only Unified groups have a group mailbox: a security group's answer is no rows
            empty=frozenset({"ErrorNonExistentMailbox"}),
        )
    }


def _event_columns(filterable: bool) -> tuple[ColumnSpec, ...]:
    # start/end are dateTimeTimeZone: Graph compares their dateTime as a string (UTC with 7 fractional digits,
    # since we never send Prefer: outlook.timezone), so they are sent but SQLite always re-checks them. An
    # all-day event shows midnight of its date but Graph filters, sorts and windows it at midnight of its own
    # zone, up to 14 hours away: filters are widened by that much and Graph's order is not used.
    f = (lambda ops: ops) if filterable else (lambda ops: "")
    return (
        col("id", read_only=True, not_null=True, desc="Event id (the key)"),
        col("subject", ops=f("prefix"), desc="Subject"),
        col("bodyPreview", read_only=True, desc="Start of the body"),
        col("body_contentType", desc="html or text"),
        col("body_content", desc="The body"),
        col(
            "start_dateTime",
            "DATETIME",
            ops=f("range"),
            orderable=filterable,
            not_null=True,
            dtz=True,
            slack_hours=14,
            desc="Start (UTC; an all-day event's date at 00:00)",
        ),
        col("start_timeZone", desc="Time zone of start as Graph reports it"),
        col(
            "end_dateTime",
            "DATETIME",
            ops=f("range"),
            not_null=True,
            dtz=True,
            slack_hours=14,
            desc="End (UTC; an all-day event's date at 00:00)",
        ),
        col("end_timeZone", desc="Time zone of end"),
        col("isAllDay", "BOOLEAN", ops=f("bool"), desc="All-day event"),
        col("isCancelled", "BOOLEAN", ops=f("bool"), read_only=True, desc="Cancelled"),
        col("isOrganizer", "BOOLEAN", ops=f("bool"), read_only=True, desc="The mailbox owner organises it"),
        col("isOnlineMeeting", "BOOLEAN", desc="Online meeting"),
        col("onlineMeetingProvider", desc="teamsForBusiness, ..."),
        col("onlineMeeting_joinUrl", read_only=True, desc="Join link"),
        col("importance", ops=f("eq"), desc="low, normal or high"),
        col("sensitivity", ops=f("eq"), desc="normal, personal, private or confidential"),
        col("showAs", ops=f("eq"), desc="free, tentative, busy, oof, workingElsewhere or unknown"),
        col(
            "type", ops=f("eq"), read_only=True, desc="singleInstance, occurrence, exception or seriesMaster"
        ),
        col("seriesMasterId", ops=f("eq"), read_only=True, desc="Series master of an occurrence"),
        col("location_displayName", desc="Location"),
        col("locations", "JSON", desc="Locations (JSON)"),
        col("attendees", "JSON", desc="Attendees (JSON array)"),
        col("organizer_emailAddress_name", read_only=True, desc="Organizer name"),
        col("organizer_emailAddress_address", ops=f("eq"), read_only=True, desc="Organizer address"),
        col("recurrence", "JSON", desc="Recurrence pattern and range (JSON) or NULL"),
        col("responseStatus_response", read_only=True, desc="Your response"),
        col("responseRequested", "BOOLEAN", desc="Responses requested"),
        col("reminderMinutesBeforeStart", "INTEGER", desc="Reminder lead time"),
        col("isReminderOn", "BOOLEAN", desc="Reminder set"),
        col("allowNewTimeProposals", "BOOLEAN", desc="Attendees may propose new times"),
        col("hasAttachments", "BOOLEAN", read_only=True, desc="Has attachments"),
        col("categories", "JSON", desc="Categories (JSON)"),
        col("iCalUId", ops=f("eq"), read_only=True, desc="iCalendar UID"),
        col(
            "createdDateTime",
            "DATETIME",
            ops=f("range"),
            read_only=True,
            not_null=True,
            desc="When the event was created",
        ),
        col(
            "lastModifiedDateTime",
            "DATETIME",
            ops=f("range"),
            read_only=True,
            not_null=True,
            desc="Last change",
        ),
        col("originalStartTimeZone", read_only=True, desc="Time zone the event was created in"),
        col("changeKey", read_only=True, desc="Version of the item"),
        col("webLink", read_only=True, desc="Outlook on the web link"),
        CALENDAR_ID,
        GROUP_ID,
        USER_ID,
    )


EVENTS = TableSpec(
    name="Events",
    permissions=(("Calendars.Read",), ("Calendars.Read",)),
    typical_rows=1000,
    description="Events of a calendar: single instances and series masters (GET /me/events); GroupId = x "
    "reads a Microsoft 365 group's calendar (GET /groups/{id}/events, delegated only).",
    collection="{scope}/events",
    item="{scope}/events/{id}",
    per_user=True,
    routes={"CalendarId": "{scope}/calendars/{CalendarId}/events"},
    max_page=1000,
    supports_skip=True,
    orderby_rule="outlook",
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("start_dateTime", "end_dateTime"),
    insert_only=("CalendarId", "GroupId"),
    write_permissions=(("Calendars.ReadWrite",), ("Calendars.ReadWrite",)),
    # event-update.md / event-delete.md: PATCH and DELETE /groups/{id}/events/{id} exist
    owners=group_calendar(without=("CalendarId",)),
    columns=_event_columns(True),
)

# calendarView takes no $filter we rely on; its window comes from constraints on start/end (engine.request).
CALENDAR_VIEW = TableSpec(
    name="CalendarView",
    permissions=(("Calendars.Read",), ("Calendars.Read",)),
    typical_rows=200,
    is_view=True,
    description="Events and expanded occurrences inside a time window: "
    "start_dateTime >= x / end_dateTime <= y set the window (default: 30 days either side of now).",
    collection="{scope}/calendarView",
    item="{scope}/events/{id}",
    per_user=True,
    # DELETE of a row removes that occurrence (or the whole event when it is a single instance)
    writes=frozenset({"DELETE"}),
    write_permissions=(("Calendars.ReadWrite",), ("Calendars.ReadWrite",)),
    routes={"CalendarId": "{scope}/calendars/{CalendarId}/calendarView"},
    max_page=1000,
    window=("start_dateTime", "end_dateTime"),
    owners=group_calendar(
        (("Group.Read.All",), ("Calendars.ReadBasic", "Calendars.Read")), without=("CalendarId",)
    ),
    columns=_event_columns(False),
)

CALENDARS = TableSpec(
    name="Calendars",
    permissions=(("Calendars.Read",), ("Calendars.Read",)),
    typical_rows=5,
    description="Calendars of a mailbox (GET /me/calendars); GroupId = x reads that Microsoft 365 group's "
    "one calendar (GET /groups/{id}/calendar).",
    collection="{scope}/calendars",
    item="{scope}/calendars/{id}",
    per_user=True,
    max_page=1000,
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("name",),
    write_permissions=(("Calendars.ReadWrite",), ("Calendars.ReadWrite",)),
    # a group has one calendar (GET /groups/{id}/calendar; /groups/{id}/calendars does not exist in v1.0)
    owners=group_calendar(writes=((), ()), entity="{scope}/calendar"),
    columns=(
        col("id", read_only=True, not_null=True, desc="Calendar id (the key)"),
        col("name", desc="Name"),
        col("color", desc="Colour theme"),
        col("hexColor", read_only=True, desc="Colour as #rrggbb"),
        col("isDefaultCalendar", "BOOLEAN", read_only=True, desc="The default calendar"),
        col("canEdit", "BOOLEAN", read_only=True, desc="You can write to it"),
        col("canShare", "BOOLEAN", read_only=True, desc="You can share it"),
        col("canViewPrivateItems", "BOOLEAN", read_only=True, desc="You can see private items"),
        col("owner_name", read_only=True, desc="Owner name"),
        col("owner_address", read_only=True, desc="Owner address"),
        col("changeKey", read_only=True, desc="Version"),
        GROUP_ID,
        USER_ID,
    ),
)

EVENT_ATTACHMENTS = TableSpec(
    name="EventAttachments",
    permissions=(("Calendars.Read",), ("Calendars.Read",)),
    typical_rows=1,
    parent_table="Events",
    description="Attachments of events (metadata; content via DownloadAttachments with EventId). Give "
    "EventId, or the table lists every event of the calendar first.",
    collection="{scope}/events/{EventId}/attachments",
    item="{scope}/events/{EventId}/attachments/{id}",
    key=("EventId", "id"),
    per_user=True,
    parent_key="EventId",
    fanout_collection="{scope}/events",
    max_page=None,
    writes=frozenset({"INSERT", "DELETE"}),
    insert_required=("EventId", "name", "contentBytes"),
    insert_only=("EventId", "contentBytes"),
    write_permissions=(("Calendars.ReadWrite",), ("Calendars.ReadWrite",)),
    columns=attachment_columns("EventId", "The event the attachment belongs to"),
)
