"""The demo tenant's group calendars: one calendar per Microsoft 365 group, with a few events.

A group mailbox holds one calendar (calendar-get.md: "the default calendar of a Microsoft 365 group"); only
Unified groups have one. Built on first use from (seed, group id, day). The group organises its events;
members are attendees, and a room (gen_places) is the location and a resource attendee.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from .gen_groups import is_unified
from .gen_mail import SENTENCES, THINGS, body_html
from .gen_pim import _recurrence, new_event_fields
from .model import DemoBasis, Mailbox
from .util import K_CALENDAR, K_EVENT, change_key, fmt_s, outlook_id

__all__ = ["build_group_calendar"]

Item = dict[str, Any]


def _calendar(box: Mailbox, group: Item) -> Item:
    cid = outlook_id(box.key, K_CALENDAR, 0)
    key = change_key(cid, 1)
    return {
        "@odata.etag": f'W/"{key}"',
        "id": cid,
        "name": "Calendar",
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": True,
        "changeKey": key,
        "canShare": False,
        "canViewPrivateItems": True,
        "canEdit": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": True,
        "isRemovable": False,
        "owner": {"name": group["displayName"], "address": group["mail"]},
    }


def _dtz(moment: dt.datetime) -> Item:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def build_group_calendar(basis: DemoBasis, group: Item, members: list[Item], rooms: list[Item]) -> Mailbox:
    """A Unified group's mailbox calendar: a weekly sync, an all-day offsite and two meetings."""
    key = hashlib.sha256(f"{basis.seed}/groupmailbox/{group['id']}".encode()).digest()[:16]
    box = Mailbox(user_id=group["id"], key=key)
    cal = _calendar(box, group)
    box.calendars[cal["id"]] = cal
    if basis.empty or not is_unified(group):
        return box
    rng = random.Random(f"{basis.seed}/groupcalendar/{group['id']}")
    anchor = basis.anchor
    people = [m for m in members if m.get("mail")]

    def make(number: int, subject: str, start: dt.datetime, end: dt.datetime, **extra: Any) -> Item:
        eid = outlook_id(key, K_EVENT, number)
        event = new_event_fields(basis, box, group, eid, cal["id"])
        lines = rng.sample(SENTENCES, 2)
        room = rng.choice(rooms) if rooms else None
        invited = rng.sample(people, min(4, len(people)))
        created = min(start, anchor) - dt.timedelta(days=rng.randrange(2, 20))
        attendees = [
            {
                "type": "required",
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": p["displayName"], "address": p["mail"]},
            }
            for p in invited
        ]
        place: Item = {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"}
        if room is not None:
            # a booked room is a resource attendee and the location (event.md, attendee type "resource")
            attendees.append(
                {
                    "type": "resource",
                    "status": {"response": "accepted", "time": fmt_s(created)},
                    "emailAddress": {"name": room["displayName"], "address": room["emailAddress"]},
                }
            )
            place = {
                "displayName": room["displayName"],
                "locationType": "conferenceRoom",
                "locationEmailAddress": room["emailAddress"],
                "uniqueId": room["emailAddress"],
                "uniqueIdType": "directory",
            }
        event.update(
            {
                "createdDateTime": fmt_s(created),
                "lastModifiedDateTime": fmt_s(created + dt.timedelta(hours=2)),
                "subject": subject,
                "bodyPreview": " ".join(lines),
                "body": {"contentType": "html", "content": body_html("Hi all,", lines, group["displayName"])},
                "_text": "Hi all,\r\n\r\n" + "\r\n".join(lines),
                "start": _dtz(start),
                "end": _dtz(end),
                "location": {**place, "address": {}, "coordinates": {}},
                "locations": [place] if room is not None else [],
                "attendees": attendees,
            }
        )
        event.update(extra)
        box.events[eid] = event
        return event

    monday = anchor - dt.timedelta(days=anchor.weekday() + 14)
    sync = monday.replace(hour=10)
    make(
        1,
        f"{group['displayName']} weekly sync",
        sync,
        sync + dt.timedelta(minutes=30),
        type="seriesMaster",
        recurrence=_recurrence("weekly", sync, days=("monday",), count=12),
    )
    offsite = anchor + dt.timedelta(days=10 + rng.randrange(5))
    make(
        2,
        f"{group['displayName']} offsite",
        offsite,
        offsite + dt.timedelta(days=1),
        isAllDay=True,
        showAs="oof",
    )
    past = anchor - dt.timedelta(days=1 + rng.randrange(5), hours=-14)
    make(3, f"Planning: {rng.choice(THINGS)}", past, past + dt.timedelta(hours=1))
    demo = anchor + dt.timedelta(days=3 + rng.randrange(4), hours=15)
    make(4, f"Demo day: {rng.choice(THINGS)}", demo, demo + dt.timedelta(hours=1), importance="high")
    return box
