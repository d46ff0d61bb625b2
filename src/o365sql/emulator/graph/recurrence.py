"""Recurring events: the dates a pattern yields, occurrence ids, and expansion into a time window."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from .util import parse_outlook_id, parse_time

__all__ = ["OCCURRENCE_MARK", "expand", "occurrence", "occurrence_dates", "occurrence_id", "occurs_on"]

Item = dict[str, Any]
OCCURRENCE_MARK = b"OC"  # between the master's id bytes and the date, in an occurrence's id
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def occurrence_dates(
    pattern: Item, rng: Item, first: dt.date, until: dt.date, since: dt.date | None = None
) -> Iterator[dt.date]:
    """Occurrence dates of a recurrence, from its start date up to `until` (inclusive) and its range.

    `since` skips the days before it where nothing is counted (a range without numberOfOccurrences): every
    test below is relative to the start, so a window in year 9999 costs no walk from the series' start.
    """
    kind = str(pattern.get("type", "daily"))
    interval = max(1, int(pattern.get("interval") or 1))
    start = dt.date.fromisoformat(str(rng.get("startDate") or first.isoformat()))
    end_kind = str(rng.get("type", "noEnd"))
    end = dt.date.fromisoformat(str(rng["endDate"])) if end_kind == "endDate" else dt.date.max
    remaining = int(rng.get("numberOfOccurrences") or 0) if end_kind == "numbered" else -1
    days = {_DAYS.index(d.lower()) for d in pattern.get("daysOfWeek") or [] if d.lower() in _DAYS}
    first_dow = _DAYS.index(str(pattern.get("firstDayOfWeek", "sunday")).lower())
    week0 = start - dt.timedelta(days=(start.weekday() - first_dow) % 7)
    day = max(start, since) if since is not None and remaining < 0 else start
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
        if day == dt.date.max:
            return
        day += dt.timedelta(days=1)


def occurs_on(master: Item, day: dt.date) -> bool:
    """True when the series master's recurrence has an occurrence on `day`."""
    rec = master["recurrence"]
    return any(d == day for d in occurrence_dates(rec["pattern"], rec["range"], day, day))


def occurrence_id(master_id: str, day: dt.date) -> str:
    """An occurrence's id: derived from its master and date, so it can be looked up again."""
    raw = parse_outlook_id(master_id) or b""
    return base64.urlsafe_b64encode(raw + OCCURRENCE_MARK + day.strftime("%Y%m%d").encode()).decode()


def occurrence(master: Item, day: dt.date) -> Item:
    """The series master's occurrence on `day`, as Graph lists it (its own id, type and times)."""
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


def expand(events: list[Item], lo: dt.datetime, hi: dt.datetime, stored: Mapping[str, Item]) -> list[Item]:
    """Events overlapping [lo, hi): single instances, and series expanded into occurrences and exceptions.

    `stored` is the mailbox's events by id, where a series finds its exceptions.
    """
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
            for day in occurrence_dates(rec["pattern"], rec["range"], first, hi.date(), since=first):
                key = day.isoformat()
                if key in cancelled:
                    continue
                if key in exceptions:
                    exc = stored.get(exceptions[key])
                    if exc is not None and overlaps(exc):
                        out.append(exc)
                    continue
                occ = occurrence(event, day)
                if overlaps(occ):
                    out.append(occ)
    out.sort(key=lambda e: e["start"]["dateTime"])
    return out
