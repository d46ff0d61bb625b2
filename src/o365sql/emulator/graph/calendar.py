"""Outlook calendar routes: calendars, events, calendarView (recurrence expansion), event writes."""

from __future__ import annotations

import base64
import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

from . import specs
from .auth import CALENDARS, require_mailbox
from .envelope import Ctx, GraphError, Result, json_result
from .gen_pim import new_event_fields
from .mail import html_to_text
from .query import Finish, entity_result, list_result
from .router import Owner, owner_route
from .store import Mailbox
from .util import K_EVENT, change_key, fmt_s, outlook_id, parse_outlook_id, parse_time

__all__ = ["expand", "tz_for"]

Item = dict[str, Any]
NOT_FOUND = "The specified object was not found in the store."
_OCC = b"OC"

# Windows time-zone names Outlook uses, mapped to IANA (a subset of CLDR's windowsZones.xml).
_WINDOWS_TZ = {
    "utc": "UTC",
    "pacific standard time": "America/Los_Angeles",
    "mountain standard time": "America/Denver",
    "central standard time": "America/Chicago",
    "eastern standard time": "America/New_York",
    "alaskan standard time": "America/Anchorage",
    "hawaiian standard time": "Pacific/Honolulu",
    "atlantic standard time": "America/Halifax",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "central europe standard time": "Europe/Budapest",
    "central european standard time": "Europe/Warsaw",
    "e. europe standard time": "Europe/Chisinau",
    "fle standard time": "Europe/Kiev",
    "russian standard time": "Europe/Moscow",
    "india standard time": "Asia/Kolkata",
    "china standard time": "Asia/Shanghai",
    "tokyo standard time": "Asia/Tokyo",
    "korea standard time": "Asia/Seoul",
    "singapore standard time": "Asia/Singapore",
    "aus eastern standard time": "Australia/Sydney",
    "new zealand standard time": "Pacific/Auckland",
    "e. south america standard time": "America/Sao_Paulo",
}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def tz_for(name: str) -> dt.tzinfo | None:
    """A tzinfo for a Windows or IANA time-zone name, or None when unknown."""
    iana = _WINDOWS_TZ.get(name.strip().lower(), name.strip())
    try:
        return zoneinfo.ZoneInfo(iana)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _box(ctx: Ctx, owner: Owner, write: bool = False) -> Mailbox:
    require_mailbox(ctx, owner.id, CALENDARS[1] if write else CALENDARS[0])
    return ctx.store.mailbox(owner.id)


def _check_id(value: str) -> bytes:
    raw = parse_outlook_id(value)
    if raw is None:
        raise GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
    return raw


def _calendar(box: Mailbox, cid: str | None) -> Item:
    if cid is None:
        return next(c for c in box.calendars.values() if c["isDefaultCalendar"])
    found = box.calendars.get(cid)
    if found is None:
        _check_id(cid)
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return found


# -- recurrence ----------------------------------------------------------------------------------------------
def _dates(pattern: Item, rng: Item, first: dt.date, until: dt.date) -> Iterator[dt.date]:
    """Occurrence dates of a recurrence, from its start date up to `until` (inclusive) and its range."""
    kind = str(pattern.get("type", "daily"))
    interval = max(1, int(pattern.get("interval") or 1))
    start = dt.date.fromisoformat(str(rng.get("startDate") or first.isoformat()))
    end_kind = str(rng.get("type", "noEnd"))
    end = dt.date.fromisoformat(str(rng["endDate"])) if end_kind == "endDate" else dt.date.max
    remaining = int(rng.get("numberOfOccurrences") or 0) if end_kind == "numbered" else -1
    days = {_DAYS.index(d.lower()) for d in pattern.get("daysOfWeek") or [] if d.lower() in _DAYS}
    first_dow = _DAYS.index(str(pattern.get("firstDayOfWeek", "sunday")).lower())
    week0 = start - dt.timedelta(days=(start.weekday() - first_dow) % 7)
    day = start
    limit = min(end, until)
    while day <= limit and remaining != 0:
        hit = False
        if kind == "daily":
            hit = (day - start).days % interval == 0
        elif kind == "weekly":
            hit = day.weekday() in (days or {start.weekday()}) and ((day - week0).days // 7) % interval == 0
        elif kind == "absoluteMonthly":
            months = (day.year - start.year) * 12 + day.month - start.month
            hit = day.day == int(pattern.get("dayOfMonth") or start.day) and months % interval == 0
        elif kind == "relativeMonthly":
            months = (day.year - start.year) * 12 + day.month - start.month
            index = ("first", "second", "third", "fourth", "last").index(str(pattern.get("index", "first")))
            nth = (day.day - 1) // 7
            is_last = (day + dt.timedelta(days=7)).month != day.month
            hit = (
                day.weekday() in days and months % interval == 0 and (nth == index if index < 4 else is_last)
            )
        elif kind == "absoluteYearly":
            hit = (
                day.month == int(pattern.get("month") or start.month)
                and day.day == int(pattern.get("dayOfMonth") or start.day)
                and (day.year - start.year) % interval == 0
            )
        if hit:
            yield day
            remaining -= 1
        day += dt.timedelta(days=1)


def occurrence_id(master_id: str, day: dt.date) -> str:
    """An occurrence's id: derived from its master and date, so it can be looked up again."""
    raw = parse_outlook_id(master_id) or b""
    return base64.urlsafe_b64encode(raw + _OCC + day.strftime("%Y%m%d").encode()).decode()


def _occurrence(master: Item, day: dt.date) -> Item:
    start = parse_time(master["start"]["dateTime"])
    end = parse_time(master["end"]["dateTime"])
    new_start = dt.datetime.combine(day, start.time(), tzinfo=dt.UTC)
    oid = occurrence_id(master["id"], day)
    occ = {
        **master,
        "id": oid,
        "type": "occurrence",
        "seriesMasterId": master["id"],
        "recurrence": None,
        "occurrenceId": None,
        "start": {"dateTime": new_start.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
        "end": {
            "dateTime": (new_start + (end - start)).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "UTC",
        },
    }
    return occ


def expand(box: Mailbox, events: list[Item], lo: dt.datetime, hi: dt.datetime) -> list[Item]:
    """Events overlapping [lo, hi): single instances, and series expanded into occurrences and exceptions."""
    out: list[Item] = []

    def overlaps(event: Item) -> bool:
        return parse_time(event["start"]["dateTime"]) < hi and parse_time(event["end"]["dateTime"]) > lo

    for event in events:
        kind = event["type"]
        if kind == "singleInstance":
            if overlaps(event):
                out.append(event)
        elif kind == "seriesMaster" and event.get("recurrence"):
            rec = event["recurrence"]
            exceptions = event.get("_exceptions", {})
            cancelled = set(event.get("_cancelled", []))
            length = parse_time(event["end"]["dateTime"]) - parse_time(event["start"]["dateTime"])
            first = (lo - length).date()
            for day in _dates(rec["pattern"], rec["range"], first, hi.date()):
                key = day.isoformat()
                if key in cancelled:
                    continue
                if key in exceptions:
                    exc = box.events.get(exceptions[key])
                    if exc is not None and overlaps(exc):
                        out.append(exc)
                    continue
                occ = _occurrence(event, day)
                if overlaps(occ):
                    out.append(occ)
    out.sort(key=lambda e: e["start"]["dateTime"])
    return out


# -- shaping -------------------------------------------------------------------------------------------------
def _convert(value: Item, tz: dt.tzinfo, label: str) -> Item:
    moment = parse_time(value["dateTime"]).astimezone(tz)
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": label}


def event_finish(ctx: Ctx) -> Finish:
    """Post-projection shaping of events: etag, Prefer outlook.timezone and body-content-type."""
    tz_name = ctx.prefer.get("outlook.timezone")
    tz = tz_for(tz_name) if tz_name else None
    if tz is not None and tz_name is not None:
        ctx.applied.append(f'outlook.timezone="{tz_name}"')
    text = ctx.prefer.get("outlook.body-content-type", "").lower() == "text"
    if text:
        ctx.applied.append('outlook.body-content-type="text"')

    def finish(item: Item, shaped: Item) -> Item:
        out = {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}
        if tz is not None and tz_name is not None:
            for key in ("start", "end"):
                if out.get(key):
                    out[key] = _convert(out[key], tz, tz_name)
        if text and "body" in out:
            out["body"] = {"contentType": "text", "content": item.get("_text", "")}
        return out

    return finish


def _in_calendar(box: Mailbox, cal: Item) -> list[Item]:
    return [e for e in box.events.values() if e["_calendar"] == cal["id"]]


def _listable(events: list[Item]) -> list[Item]:
    # /events lists single instances and series masters (no occurrences or exceptions).
    return sorted(
        (e for e in events if e["type"] in ("singleInstance", "seriesMaster")),
        key=lambda e: e["createdDateTime"],
        reverse=True,
    )


@owner_route("GET", r"calendars")
def list_calendars(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendars."""
    box = _box(ctx, owner)
    return list_result(
        ctx, list(box.calendars.values()), specs.CALENDARS, ctx.meta(f"{owner.base}/calendars")
    )


@owner_route("GET", r"(?:calendar|calendars/(?P<cid>[^/]+))")
def get_calendar(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendar and /me/calendars/{id}."""
    box = _box(ctx, owner)
    cal = _calendar(box, g.get("cid"))

    def finish(item: Item, shaped: Item) -> Item:
        return {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}

    return entity_result(
        ctx, cal, specs.CALENDARS, ctx.meta(f"{owner.base}/calendars/$entity"), finish=finish
    )


@owner_route("GET", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?events")
def list_events(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events (the default calendar [U]) and /me/calendars/{id}/events."""
    box = _box(ctx, owner)
    cal = _calendar(box, g.get("cid"))
    context = f"{owner.base}/calendars('{g['cid']}')/events" if "cid" in g else f"{owner.base}/events"
    return list_result(
        ctx, _listable(_in_calendar(box, cal)), specs.EVENTS, ctx.meta(context), finish=event_finish(ctx)
    )


def _window(ctx: Ctx) -> tuple[dt.datetime, dt.datetime]:
    params = {k.lower(): v for k, v in ctx.params.items()}
    start, end = params.get("startdatetime"), params.get("enddatetime")
    if not start or not end:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query "
            "string parameters StartDateTime and EndDateTime.",
        )
    try:
        return parse_time(start), parse_time(end)
    except ValueError:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "The value of the parameter 'StartDateTime' or 'EndDateTime' is not a valid date and time.",
        ) from None  # [U]


@owner_route("GET", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?calendarView")
def calendar_view(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendarView?startDateTime=..&endDateTime=..: series expanded into occurrences."""
    box = _box(ctx, owner)
    cal = _calendar(box, g.get("cid"))
    lo, hi = _window(ctx)
    items = expand(box, _in_calendar(box, cal), lo, hi)
    context = (
        f"{owner.base}/calendars('{g['cid']}')/calendarView" if "cid" in g else f"{owner.base}/calendarView"
    )
    return list_result(ctx, items, specs.CALENDAR_VIEW, ctx.meta(context), finish=event_finish(ctx))


def _event(box: Mailbox, eid: str) -> Item:
    found = box.events.get(eid)
    if found is not None:
        return found
    raw = _check_id(eid)
    if len(raw) > 10 and raw[-10:-8] == _OCC:
        master = box.events.get(base64.urlsafe_b64encode(raw[:-10]).decode())
        if master is not None and master.get("recurrence"):
            day = dt.datetime.strptime(raw[-8:].decode(), "%Y%m%d").date()
            if any(
                d == day
                for d in _dates(master["recurrence"]["pattern"], master["recurrence"]["range"], day, day)
            ):
                return _occurrence(master, day)
    raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)


@owner_route("GET", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?events/(?P<eid>[^/]+)")
def get_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events/{id} (series masters, instances, occurrences)."""
    box = _box(ctx, owner)
    event = _event(box, g["eid"])
    return entity_result(
        ctx, event, specs.EVENTS, ctx.meta(f"{owner.base}/events/$entity"), finish=event_finish(ctx)
    )


@owner_route("GET", r"events/(?P<eid>[^/]+)/instances")
def event_instances(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/events/{id}/instances?startDateTime=..&endDateTime=..."""
    box = _box(ctx, owner)
    event = _event(box, g["eid"])
    lo, hi = _window(ctx)
    items = expand(box, [event], lo, hi)
    return list_result(
        ctx,
        items,
        specs.CALENDAR_VIEW,
        ctx.meta(f"{owner.base}/events('{g['eid']}')/instances"),
        finish=event_finish(ctx),
    )


# -- writes --------------------------------------------------------------------------------------------------
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
        raise GraphError(
            400,
            "ErrorInvalidRequest",
            f"Your request can't be completed. The '{field}' property needs a dateTime and a timeZone.",
        )  # [U]
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
        if key.startswith("@"):
            continue
        if key not in _EVENT_WRITABLE:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"The property '{key}' does not exist on type 'microsoft.graph.event'. Make sure to "
                "only use property names that are defined by the type or mark the type as open type.",
            )
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


def _bump(event: Item) -> None:
    version = int(event.get("_version", 1)) + 1
    event["_version"] = version
    event["changeKey"] = change_key(event["id"], version)
    event["@odata.etag"] = f'W/"{event["changeKey"]}"'
    event["lastModifiedDateTime"] = fmt_s(dt.datetime.now(dt.UTC))


def _event_entity(ctx: Ctx, owner: Owner, event: Item, status: int) -> Result:
    shaped = event_finish(ctx)(event, {k: event.get(k) for k in specs.EVENT_DEFAULT})
    return json_result({"@odata.context": ctx.meta(f"{owner.base}/events/$entity"), **shaped}, status=status)


@owner_route("POST", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?events")
def create_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/events: 201 with the event."""
    box = _box(ctx, owner, write=True)
    cal = _calendar(box, g.get("cid"))
    if not cal["canEdit"]:
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    data = ctx.json_body()
    eid = outlook_id(box.key, K_EVENT, box.next_number())
    event = new_event_fields(ctx.store, box, owner.user, eid, cal["id"])
    now = fmt_s(dt.datetime.now(dt.UTC))
    event["createdDateTime"] = event["lastModifiedDateTime"] = now
    _apply_event(event, data)
    if "end" not in data and "start" in data:
        end = parse_time(event["start"]["dateTime"]) + dt.timedelta(minutes=30)
        event["end"] = {"dateTime": end.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}
    box.events[eid] = event
    return _event_entity(ctx, owner, event, 201)


@owner_route("PATCH", r"events/(?P<eid>[^/]+)")
def update_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/events/{id}: 200 with the event."""
    box = _box(ctx, owner, write=True)
    event = _event(box, g["eid"])
    if event["id"] not in box.events:
        raise GraphError(400, "ErrorInvalidRequest", "Occurrences can't be updated in the emulator.")  # [U]
    _apply_event(event, ctx.json_body())
    _bump(event)
    return _event_entity(ctx, owner, event, 200)


@owner_route("DELETE", r"events/(?P<eid>[^/]+)")
def delete_event(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/events/{id}: 204 (a series takes its exceptions with it; an occurrence is cancelled)."""
    box = _box(ctx, owner, write=True)
    event = _event(box, g["eid"])
    if event["id"] not in box.events:
        master = box.events[event["seriesMasterId"]]
        day = event["start"]["dateTime"][:10]
        master["_cancelled"] = [*master.get("_cancelled", []), day]
        master["cancelledOccurrences"] = [
            *master.get("cancelledOccurrences", []),
            f"OID.{master['id']}.{day}",
        ]
        _bump(master)
        return Result(status=204)
    for exc_id in event.get("_exceptions", {}).values():
        box.events.pop(exc_id, None)
    del box.events[event["id"]]
    return Result(status=204)
