"""How events are shown: Windows and IANA time zones (Prefer outlook.timezone), body type, the time window."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from .envelope import Ctx
from .errors import GraphError
from .extended import expand_extended, expand_options
from .query import Finish
from .util import parse_time

__all__ = ["event_finish", "time_window", "tz_for"]

Item = dict[str, Any]

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


def tz_for(name: str) -> dt.tzinfo | None:
    """A tzinfo for a Windows or IANA time-zone name, or None when unknown."""
    iana = _WINDOWS_TZ.get(name.strip().lower(), name.strip())
    try:
        return zoneinfo.ZoneInfo(iana)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _convert(value: Item, tz: dt.tzinfo, label: str) -> Item:
    moment = parse_time(value["dateTime"]).astimezone(tz)
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": label}


def _all_day(item: Item, key: str, label: str) -> Item:
    """An all-day event's start or end as Graph shows it: midnight of the event's own date, whatever zone is
    asked for, while the stored (and filtered, sorted, windowed) instant is midnight in the event's time zone.
    Seen in Microsoft Q&A answers (learn.microsoft.com/answers/questions/970878 "Graph API - Events with
    property isAllDay", 978210, 1382503) and msgraph-sdk-javascript issue 1158: `"dateTime":
    "2022-08-10T00:00:00.0000000", "timeZone": "UTC"` for an event created in another zone.
    [U] the timeZone label under Prefer: outlook.timezone (the preferred zone's name is used)."""
    zone_key = "originalStartTimeZone" if key == "start" else "originalEndTimeZone"
    own = tz_for(str(item.get(zone_key) or "UTC")) or dt.UTC
    day = parse_time(item[key]["dateTime"]).astimezone(own).date()
    return {"dateTime": day.strftime("%Y-%m-%dT00:00:00.0000000"), "timeZone": label}


def event_finish(ctx: Ctx) -> Finish:
    """Post-projection shaping of events: etag, Prefer outlook.timezone and body-content-type."""
    tz_name = ctx.prefer.get("outlook.timezone")
    tz = tz_for(tz_name) if tz_name else None
    if tz is not None and tz_name is not None:
        ctx.applied.append(f'outlook.timezone="{tz_name}"')
    text = ctx.prefer.get("outlook.body-content-type", "").lower() == "text"
    if text:
        ctx.applied.append('outlook.body-content-type="text"')
    _plain, extended = expand_options(ctx)

    def finish(item: Item, shaped: Item) -> Item:
        out = {"@odata.etag": item["@odata.etag"], "id": item["id"], **shaped}
        out = expand_extended(item, out, extended)
        for key in ("start", "end"):
            if not out.get(key):
                continue
            if item.get("isAllDay"):
                out[key] = _all_day(item, key, tz_name if tz is not None and tz_name else "UTC")
            elif tz is not None and tz_name is not None:
                out[key] = _convert(out[key], tz, tz_name)
        if text and "body" in out:
            out["body"] = {"contentType": "text", "content": item.get("_text", "")}
        return out

    return finish


def time_window(ctx: Ctx) -> tuple[dt.datetime, dt.datetime]:
    """The startDateTime/endDateTime window calendarView and instances require."""
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
        # [U] the code and message
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "The value of the parameter 'StartDateTime' or 'EndDateTime' is not a valid date and time.",
        ) from None
