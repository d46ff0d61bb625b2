"""Calendar reads and writes on one mailbox (a user's, or a Microsoft 365 group's): what the user routes
(calendar.py) and the group routes (group_calendar.py) both answer with, once they have opened the mailbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import specs
from .envelope import Ctx, Result, json_result
from .errors import GraphError, unknown_property
from .event_views import event_finish, time_window, tz_for
from .extended import take_extended
from .gen_pim import new_event_fields
from .message_items import html_to_text
from .model import Mailbox
from .query import entity_result, list_result
from .recurrence import expand
from .util import K_EVENT, bump, fmt_s, outlook_id, parse_time

__all__ = ["calendar_entity", "create_in", "event_entity", "events_of", "update_in", "view_of"]

Item = dict[str, Any]


def _in_calendar(box: Mailbox, cal: Item) -> list[Item]:
    return [e for e in box.events.values() if e["_calendar"] == cal["id"]]


def _listable(events: list[Item]) -> list[Item]:
    # /events lists single instances and series masters (no occurrences or exceptions).
    return sorted(
        (e for e in events if e["type"] in ("singleInstance", "seriesMaster")),
        key=lambda e: e["createdDateTime"],
        reverse=True,
    )


def calendar_entity(ctx: Ctx, cal: Item, base: str) -> Result:
    """One calendar; `base` is the @odata.context's owner (users('x') or groups('x'))."""

    def finish(item: Item, shaped: Item) -> Item:
        return {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}

    return entity_result(ctx, cal, specs.CALENDARS, ctx.meta(f"{base}/calendars/$entity"), finish=finish)


def events_of(ctx: Ctx, box: Mailbox, cal: Item, context: str) -> Result:
    """A calendar's single instances and series masters, newest first."""
    return list_result(
        ctx, _listable(_in_calendar(box, cal)), specs.EVENTS, ctx.meta(context), finish=event_finish(ctx)
    )


def view_of(ctx: Ctx, box: Mailbox, cal: Item, context: str) -> Result:
    """A calendar's calendarView: events and occurrences inside startDateTime..endDateTime."""
    lo, hi = time_window(ctx)
    items = expand(_in_calendar(box, cal), lo, hi, box.events)
    return list_result(ctx, items, specs.CALENDAR_VIEW, ctx.meta(context), finish=event_finish(ctx))


def instances_of(ctx: Ctx, box: Mailbox, eid: str, context: str) -> Result:
    """One event's instances inside startDateTime..endDateTime (a series: its occurrences and exceptions)."""
    event = box.event(eid)
    lo, hi = time_window(ctx)
    items = expand([event], lo, hi, box.events)
    return list_result(ctx, items, specs.CALENDAR_VIEW, ctx.meta(context), finish=event_finish(ctx))


def event_entity(ctx: Ctx, box: Mailbox, eid: str, base: str) -> Result:
    """One event (series master, instance, occurrence) of a mailbox."""
    event = box.event(eid)
    return entity_result(
        ctx, event, specs.EVENTS, ctx.meta(f"{base}/events/$entity"), finish=event_finish(ctx)
    )


_EVENT_WRITABLE = {
    "subject",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "attendees",
    "isAllDay",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "recurrence",
    "categories",
    "importance",
    "showAs",
    "sensitivity",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "responseRequested",
    "allowNewTimeProposals",
    "hideAttendees",
    "transactionId",
    "isDraft",
}


def _to_utc(value: Any, field: str) -> tuple[Item, str]:
    if not isinstance(value, dict) or not value.get("dateTime"):
        # [U] the code and message
        raise GraphError(
            400,
            "ErrorInvalidRequest",
            f"Your request can't be completed. The '{field}' property needs a dateTime and a timeZone.",
        )
    tz_name = str(value.get("timeZone") or "UTC")
    tz = tz_for(tz_name)
    if tz is None:
        raise GraphError(
            400,
            "ErrorTimeZoneNotSupportedException",
            f"A valid TimeZone value must be specified. The following TimeZone value is not supported: "
            f"'{tz_name}'.",
        )
    try:
        moment = parse_time(str(value["dateTime"]))
    except ValueError:
        raise GraphError(
            400, "ErrorInvalidRequest", f"Cannot convert the literal '{value['dateTime']}'."
        ) from None
    if "+" not in str(value["dateTime"])[10:] and not str(value["dateTime"]).endswith("Z"):
        moment = moment.replace(tzinfo=tz)
    return {
        "dateTime": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
        "timeZone": "UTC",
    }, tz_name


def _apply_event(event: Item, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key.startswith("@") or take_extended(event, key, value, "event"):
            continue
        if key not in _EVENT_WRITABLE:
            raise unknown_property(key, "event")
        if key in ("start", "end"):
            event[key], tz_name = _to_utc(value, key)
            event["originalStartTimeZone" if key == "start" else "originalEndTimeZone"] = tz_name
        elif key == "body":
            content = str((value or {}).get("content", ""))
            ctype = str((value or {}).get("contentType", "text")).lower()
            event["body"] = {"contentType": "html" if ctype == "html" else "text", "content": content}
            event["_text"] = html_to_text(content) if ctype == "html" else content
            event["bodyPreview"] = event["_text"].replace("\r\n", " ").strip()[:255]
        elif key == "location":
            event["location"] = {
                "displayName": "",
                "locationType": "default",
                "uniqueIdType": "unknown",
                "address": {},
                "coordinates": {},
                **(value or {}),
            }
            if event["location"]["displayName"]:
                event["locations"] = [
                    {k: v for k, v in event["location"].items() if k not in ("address", "coordinates")}
                ]
        elif key == "attendees":
            event["attendees"] = [
                {
                    "type": a.get("type", "required"),
                    "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                    "emailAddress": a.get("emailAddress", {}),
                }
                for a in (value or [])
                if isinstance(a, dict)
            ]
        elif key == "recurrence":
            event["recurrence"] = value
            event["type"] = "seriesMaster" if value else "singleInstance"
        elif key == "isOnlineMeeting":
            event["isOnlineMeeting"] = bool(value)
            if value:
                event["onlineMeetingProvider"] = "teamsForBusiness"
                event["onlineMeeting"] = {
                    "joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                    + event["id"][-24:].replace("=", "")
                }
        else:
            event[key] = value


def _midnights(event: Item) -> None:
    """All-day events start and end at midnight of their zone; other times move to the midnight before the
    start and after the end (how-to-create-all-day-events-by-using-ews-in-exchange.md)."""
    edges = (("start", "originalStartTimeZone", False), ("end", "originalEndTimeZone", True))
    for key, zone_key, up in edges:
        own = tz_for(str(event.get(zone_key) or "UTC")) or dt.UTC
        local = parse_time(event[key]["dateTime"]).astimezone(own)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if up and midnight != local:
            midnight += dt.timedelta(days=1)
        moment = midnight.astimezone(dt.UTC)
        event[key] = {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _event_entity(ctx: Ctx, base: str, event: Item, status: int) -> Result:
    shaped = event_finish(ctx)(event, {k: event.get(k) for k in specs.EVENT_DEFAULT})
    return json_result({"@odata.context": ctx.meta(f"{base}/events/$entity"), **shaped}, status=status)


def create_in(ctx: Ctx, box: Mailbox, organizer: Item, cal: Item, base: str) -> Result:
    """A new event in `cal` of `box`, organised by `organizer` (a user, or the group of a group calendar)."""
    if not cal["canEdit"]:
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    data = ctx.json_body()
    txn = data.get("transactionId")
    if txn is not None:
        # event.md: transactionId lets the server "avoid redundant POST operations in case of client
        # retries to create the same event": a retry gets the event the first POST made. [U] status 201
        if not isinstance(txn, str) or not txn:
            raise GraphError(
                400, "ErrorInvalidRequest", "The transactionId must be a non-empty string."
            )  # [U]
        for existing in box.events.values():
            if existing.get("transactionId") == txn:
                return _event_entity(ctx, base, existing, 201)
    eid = outlook_id(box.key, K_EVENT, box.next_number())
    event = new_event_fields(ctx.store.basis, box, organizer, eid, cal["id"])
    now = fmt_s(ctx.state.clock.now())
    event["createdDateTime"] = event["lastModifiedDateTime"] = now
    _apply_event(event, data)
    if "end" not in data and "start" in data:
        end = parse_time(event["start"]["dateTime"]) + dt.timedelta(minutes=30)
        event["end"] = {"dateTime": end.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}
    if event.get("isAllDay"):
        _midnights(event)
    box.events[eid] = event
    return _event_entity(ctx, base, event, 201)


def update_in(ctx: Ctx, box: Mailbox, eid: str, base: str) -> Result:
    """PATCH one event of `box`."""
    event = box.event(eid)
    if event["id"] not in box.events:
        raise GraphError(400, "ErrorInvalidRequest", "Occurrences can't be updated in the emulator.")  # [U]
    _apply_event(event, ctx.json_body())
    if event.get("isAllDay"):
        _midnights(event)
    bump(event, ctx.state.clock.now())
    return _event_entity(ctx, base, event, 200)
