"""The demo tenant's calendars, events (single, all-day, recurring with exceptions, online) and contacts."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from typing import Any

from .gen_mail import CATEGORIES, ORGS, SENTENCES, THINGS, body_html
from .model import DemoBasis, Mailbox
from .util import K_CALENDAR, K_CFOLDER, K_CONTACT, K_EVENT, change_key, fmt_s, outlook_id

__all__ = [
    "CITIES",
    "build_calendars",
    "build_contact_folders",
    "build_contacts",
    "build_events",
    "new_contact_fields",
    "new_event_fields",
]

Item = dict[str, Any]

CITIES = (
    ("Redmond", "WA", "United States", "US", "98052", "One Microsoft Way"),
    ("Seattle", "WA", "United States", "US", "98101", "1200 Fifth Avenue"),
    ("Dublin", None, "Ireland", "IE", "D18 P521", "South County Business Park"),
    ("Berlin", None, "Germany", "DE", "10117", "Unter den Linden 17"),
    ("Toronto", "ON", "Canada", "CA", "M5J 2S1", "81 Bay Street"),
)


# -- calendars and events ------------------------------------------------------------------------------------
def build_calendars(basis: DemoBasis, box: Mailbox, user: Item) -> None:
    """The default "Calendar", a read-only holiday calendar and a project calendar."""
    owner = {"name": user["displayName"], "address": user["mail"]}
    for n, (name, color, hexcolor, default, can_edit) in enumerate(
        (
            ("Calendar", "auto", "", True, True),
            ("United States holidays", "lightGreen", "#87d28e", False, False),
            ("Project Falcon", "lightBlue", "#6fc3f7", False, True),
        )
    ):
        cid = outlook_id(box.key, K_CALENDAR, n)
        box.calendars[cid] = {
            "@odata.etag": None,
            "id": cid,
            "name": name,
            "color": color,
            "hexColor": hexcolor,
            "isDefaultCalendar": default,
            "changeKey": change_key(cid, 1),
            "canShare": can_edit,
            "canViewPrivateItems": True,
            "canEdit": can_edit,
            "allowedOnlineMeetingProviders": ["teamsForBusiness"],
            "defaultOnlineMeetingProvider": "teamsForBusiness",
            "isTallyingResponses": default,
            "isRemovable": not default,
            "owner": owner,
        }
        box.calendars[cid]["@odata.etag"] = f'W/"{box.calendars[cid]["changeKey"]}"'


def _dtz(moment: dt.datetime) -> Item:
    return {"dateTime": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def new_event_fields(basis: DemoBasis, box: Mailbox, user: Item, eid: str, calendar_id: str) -> Item:
    """Every event property with its default, for generated and POSTed events."""
    ck = change_key(eid, 1)
    now = fmt_s(basis.anchor)
    return {
        "@odata.etag": f'W/"{ck}"',
        "id": eid,
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "changeKey": ck,
        "categories": [],
        "transactionId": None,
        "originalStartTimeZone": "UTC",
        "originalEndTimeZone": "UTC",
        "iCalUId": "040000008200E00074C5B7101A82E00800000000"
        + hashlib.sha256(eid.encode()).hexdigest()[:72].upper(),
        "uid": "040000008200E00074C5B7101A82E00800000000"
        + hashlib.sha256(eid.encode()).hexdigest()[:72].upper(),
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": "",
        "bodyPreview": "",
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": "busy",
        "type": "singleInstance",
        "webLink": "https://outlook.office365.com/owa/?itemid="
        + eid.replace("=", "%3D")
        + "&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": True,
        "occurrenceId": None,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": "html", "content": ""},
        "start": _dtz(basis.anchor),
        "end": _dtz(basis.anchor),
        "location": {
            "displayName": "",
            "locationType": "default",
            "uniqueIdType": "unknown",
            "address": {},
            "coordinates": {},
        },
        "locations": [],
        "recurrence": None,
        "attendees": [],
        "organizer": {"emailAddress": {"name": user["displayName"], "address": user["mail"]}},
        "onlineMeeting": None,
        "cancelledOccurrences": [],
        "_calendar": calendar_id,
        "_text": "",
    }


_MEETINGS = (
    "Project Falcon sync",
    "Budget planning",
    "Customer call: {org}",
    "Design review: {thing}",
    "Interview",
    "Lunch with {org}",
    "Sprint planning",
    "Quarterly business review",
    "Training: {thing}",
    "Coffee chat",
)
_ROOMS = ("Conf Room Adams", "Conf Room Baker", "Building 2 / Cafe", "Microsoft Teams Meeting", "Rainier")


def _recurrence(
    kind: str,
    start: dt.datetime,
    *,
    days: tuple[str, ...] = (),
    day_of_month: int = 0,
    count: int = 0,
    end_date: str | None = None,
) -> Item:
    """A patternedRecurrence in Graph's full shape.

    The range ends never, after `count` occurrences, or on `end_date`.
    """
    ends = "endDate" if end_date else "numbered" if count else "noEnd"
    return {
        "pattern": {
            "type": kind,
            "interval": 1,
            "month": 0,
            "dayOfMonth": day_of_month,
            "daysOfWeek": list(days),
            "firstDayOfWeek": "sunday",
            "index": "first",
        },
        "range": {
            "type": ends,
            "startDate": start.strftime("%Y-%m-%d"),
            "endDate": end_date or "0001-01-01",
            "recurrenceTimeZone": "UTC",
            "numberOfOccurrences": count,
        },
    }


def build_events(basis: DemoBasis, box: Mailbox, user: Item, count: int) -> None:
    """Recurring series (with a moved and a cancelled day), holidays, and single meetings."""
    rng = random.Random(f"{basis.seed}/events/{user['id']}")
    cals = list(box.calendars)
    default_cal, holiday_cal, project_cal = cals[0], cals[1], cals[2]
    others = [u for u in basis.users if u["id"] != user["id"] and u.get("mail")]
    anchor = basis.anchor
    number = 0

    def make(
        subject: str, start: dt.datetime, end: dt.datetime, cal: str = default_cal, **extra: Any
    ) -> Item:
        nonlocal number
        number += 1
        eid = outlook_id(box.key, K_EVENT, number)
        event = new_event_fields(basis, box, user, eid, cal)
        lines = rng.sample(SENTENCES, 2)
        created = start - dt.timedelta(days=rng.randrange(1, 30))
        if created > anchor:
            created = anchor - dt.timedelta(hours=rng.randrange(1, 48))
        room = rng.choice(_ROOMS)
        event.update(
            {
                "createdDateTime": fmt_s(created),
                "lastModifiedDateTime": fmt_s(created + dt.timedelta(hours=1)),
                "subject": subject,
                "bodyPreview": " ".join(lines),
                "body": {"contentType": "html", "content": body_html("Hi all,", lines, user["displayName"])},
                "_text": "Hi all,\r\n\r\n" + "\r\n".join(lines),
                "start": _dtz(start),
                "end": _dtz(end),
                "location": {
                    "displayName": room,
                    "locationType": "default",
                    "uniqueId": room,
                    "uniqueIdType": "private",
                    "address": {},
                    "coordinates": {},
                },
                "locations": [
                    {
                        "displayName": room,
                        "locationType": "default",
                        "uniqueId": room,
                        "uniqueIdType": "private",
                    }
                ],
            }
        )
        event.update(extra)
        box.events[eid] = event
        return event

    def attendees(k: int) -> list[Item]:
        out = []
        for u in rng.sample(others, min(k, len(others))):
            response = rng.choice(("accepted", "accepted", "tentativelyAccepted", "declined", "none"))
            out.append(
                {
                    "type": rng.choice(("required", "required", "optional")),
                    "status": {
                        "response": response,
                        "time": fmt_s(anchor - dt.timedelta(days=1))
                        if response != "none"
                        else "0001-01-01T00:00:00Z",
                    },
                    "emailAddress": {"name": u["displayName"], "address": u["mail"]},
                }
            )
        return out

    def online(eid_hint: int) -> Item:
        url = f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{uuid.UUID(int=rng.getrandbits(128)).hex}"
        return {
            "isOnlineMeeting": True,
            "onlineMeetingProvider": "teamsForBusiness",
            "onlineMeeting": {"joinUrl": url},
        }

    # A weekday stand-up with a moved and a cancelled occurrence.
    first_monday = anchor - dt.timedelta(days=anchor.weekday() + 28)
    s0 = first_monday.replace(hour=9, minute=30)
    standup = make(
        "Daily stand-up",
        s0,
        s0 + dt.timedelta(minutes=15),
        type="seriesMaster",
        attendees=attendees(4),
        recurrence=_recurrence("weekly", s0, days=("monday", "tuesday", "wednesday", "thursday", "friday")),
        **online(0),
    )
    next_week = anchor + dt.timedelta(days=7 - anchor.weekday())  # next Monday
    moved_from = next_week.replace(hour=9, minute=30) + dt.timedelta(days=2)
    moved_to = moved_from.replace(hour=11)
    exception = make(
        "Daily stand-up (moved)",
        moved_to,
        moved_to + dt.timedelta(minutes=15),
        type="exception",
        seriesMasterId=standup["id"],
        attendees=standup["attendees"],
        originalStart=fmt_s(moved_from),
        **online(1),
    )
    exception["_original"] = moved_from.strftime("%Y-%m-%d")
    cancelled_day = next_week + dt.timedelta(days=4)
    standup["cancelledOccurrences"] = [f"OID.{standup['id']}.{cancelled_day.strftime('%Y-%m-%d')}"]
    standup["_exceptions"] = {exception["_original"]: exception["id"]}
    standup["_cancelled"] = [cancelled_day.strftime("%Y-%m-%d")]
    # A weekly 1:1 (numbered) and a monthly all-hands (end date).
    tuesday = anchor - dt.timedelta(days=anchor.weekday() - 1 + 21)
    s1 = tuesday.replace(hour=14)
    if others:
        peer = rng.choice(others)
        make(
            f"1:1 {user['givenName']} / {peer['givenName']}",
            s1,
            s1 + dt.timedelta(minutes=30),
            type="seriesMaster",
            attendees=[
                {
                    "type": "required",
                    "status": {"response": "accepted", "time": fmt_s(anchor)},
                    "emailAddress": {"name": peer["displayName"], "address": peer["mail"]},
                }
            ],
            recurrence=_recurrence("weekly", s1, days=("tuesday",), count=10),
            **online(2),
        )
    s2 = (anchor.replace(day=15) - dt.timedelta(days=62)).replace(day=15, hour=16)
    end_date = (anchor + dt.timedelta(days=120)).strftime("%Y-%m-%d")
    make(
        "All hands",
        s2,
        s2 + dt.timedelta(hours=1),
        type="seriesMaster",
        isOrganizer=False,
        responseStatus={"response": "accepted", "time": fmt_s(anchor - dt.timedelta(days=60))},
        organizer={
            "emailAddress": {"name": basis.users[0]["displayName"], "address": basis.users[0]["mail"]}
        },
        recurrence=_recurrence("absoluteMonthly", s2, day_of_month=15, end_date=end_date),
        **online(3),
    )
    # Holidays (all-day, read-only calendar).
    for name, month, mday in (
        ("New Year's Day", 1, 1),
        ("Independence Day", 7, 4),
        ("Veterans Day", 11, 11),
        ("Christmas Day", 12, 25),
    ):
        for year in (anchor.year, anchor.year + 1):
            start = dt.datetime(year, month, mday, tzinfo=dt.UTC)
            make(
                name,
                start,
                start + dt.timedelta(days=1),
                holiday_cal,
                isAllDay=True,
                showAs="free",
                isOrganizer=False,
                responseRequested=False,
                reminderMinutesBeforeStart=1080,
                isReminderOn=False,
                categories=["Holiday"],
                responseStatus={"response": "notResponded", "time": "0001-01-01T00:00:00Z"},
                location={
                    "displayName": "United States",
                    "locationType": "default",
                    "uniqueIdType": "unknown",
                    "address": {},
                    "coordinates": {},
                },
                locations=[],
            )
    # Single meetings from a month back to a month ahead; some all-day, cancelled, organised by others.
    span = 30 + min(basis.scale, 100) * 2
    while number < count:
        day = anchor + dt.timedelta(days=rng.randrange(-span, span))
        if day.weekday() >= 5:
            continue
        roll = rng.random()
        if roll < 0.06:
            make(
                "Out of office",
                day,
                day + dt.timedelta(days=rng.choice((1, 1, 2))),
                isAllDay=True,
                showAs="oof",
                responseRequested=False,
            )
            continue
        start = day.replace(hour=rng.randrange(8, 17), minute=rng.choice((0, 30)))
        end = start + dt.timedelta(minutes=rng.choice((30, 30, 60, 60, 90)))
        subject = rng.choice(_MEETINGS).format(org=rng.choice(ORGS), thing=rng.choice(THINGS))
        extra: dict[str, Any] = {
            "attendees": attendees(rng.randrange(1, 6)),
            "importance": "high" if rng.random() < 0.1 else "normal",
            "categories": [rng.choice(CATEGORIES)] if rng.random() < 0.2 else [],
        }
        if rng.random() < 0.5:
            extra.update(online(number))
        if rng.random() < 0.3 and others:
            org = rng.choice(others)
            extra.update(
                isOrganizer=False,
                organizer={"emailAddress": {"name": org["displayName"], "address": org["mail"]}},
                responseStatus={
                    "response": rng.choice(("accepted", "tentativelyAccepted", "none")),
                    "time": fmt_s(anchor - dt.timedelta(days=2)),
                },
            )
        if rng.random() < 0.04:
            extra.update(isCancelled=True, showAs="free")
            subject = f"Canceled: {subject}"
        if rng.random() < 0.05:
            extra.update(sensitivity="private")
        make(subject, start, end, project_cal if "Falcon" in subject else default_cal, **extra)
    # an agenda or a deck on some meetings; its own generator, so the events above stay as they were
    att_rng = random.Random(f"{basis.seed}/event-attachments/{user['id']}")
    for event in box.events.values():
        if event["type"] == "singleInstance" and att_rng.random() < 0.15:
            event["_att"] = [(att_rng.choice((0, 1, 3)), att_rng.randrange(2_000, 60_000))]
            event["hasAttachments"] = True


# -- contacts ------------------------------------------------------------------------------------------------
def build_contact_folders(basis: DemoBasis, box: Mailbox) -> None:
    """The default Contacts folder and two custom folders."""
    root = outlook_id(box.key, K_CFOLDER, 0)
    default = outlook_id(box.key, K_CFOLDER, 1)
    box.default_contact_folder = default
    box.contact_folders[default] = {
        "id": default,
        "displayName": "Contacts",
        "parentFolderId": root,
        "_default": True,
    }
    for n, name in enumerate(("Suppliers", "Conference contacts"), 2):
        fid = outlook_id(box.key, K_CFOLDER, n)
        box.contact_folders[fid] = {"id": fid, "displayName": name, "parentFolderId": default}


_C_FIRST = (
    "Ana",
    "Ben",
    "Carla",
    "Diego",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Ivy",
    "Jack",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pablo",
    "Rita",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yara",
    "Zane",
)
_C_LAST = (
    "Andersen",
    "Brooks",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Murphy",
    "Novak",
    "Olsen",
    "Park",
)
_C_TITLES = ("Account Manager", "Buyer", "CTO", "Consultant", "Office Manager", "Procurement Lead", None)


def new_contact_fields(cid: str, folder: str, moment: dt.datetime) -> Item:
    """Every contact property with its default, for generated and POSTed contacts."""
    ck = change_key(cid, 1)
    return {
        "@odata.etag": f'W/"{ck}"',
        "id": cid,
        "createdDateTime": fmt_s(moment),
        "lastModifiedDateTime": fmt_s(moment),
        "changeKey": ck,
        "categories": [],
        "parentFolderId": folder,
        "birthday": None,
        "fileAs": "",
        "displayName": "",
        "givenName": None,
        "initials": None,
        "middleName": None,
        "nickName": None,
        "surname": None,
        "title": None,
        "yomiGivenName": None,
        "yomiSurname": None,
        "yomiCompanyName": None,
        "generation": None,
        "emailAddresses": [],
        "imAddresses": [],
        "jobTitle": None,
        "companyName": None,
        "department": None,
        "officeLocation": None,
        "profession": None,
        "businessHomePage": None,
        "assistantName": None,
        "manager": None,
        "homePhones": [],
        "mobilePhone": None,
        "businessPhones": [],
        "spouseName": None,
        "personalNotes": "",
        "children": [],
        "homeAddress": {},
        "businessAddress": {},
        "otherAddress": {},
    }


def build_contacts(basis: DemoBasis, box: Mailbox, count: int) -> None:
    """Contacts outside the tenant, mostly in the default folder."""
    rng = random.Random(f"{basis.seed}/contacts/{box.user_id}")
    folders = list(box.contact_folders)
    for n in range(count):
        first, last = rng.choice(_C_FIRST), rng.choice(_C_LAST)
        org = rng.choice(ORGS)
        domain = org.lower().replace(" ", "") + ".com"
        cid = outlook_id(box.key, K_CONTACT, n)
        moment = basis.anchor - dt.timedelta(days=rng.randrange(1, 700), seconds=rng.randrange(86400))
        folder = folders[0] if rng.random() < 0.8 else rng.choice(folders[1:])
        contact = new_contact_fields(cid, folder, moment)
        city = rng.choice(CITIES)
        contact.update(
            {
                "fileAs": f"{last}, {first}",
                "displayName": f"{first} {last}",
                "givenName": first,
                "surname": last,
                "initials": f"{first[0]}.{last[0]}.",
                "emailAddresses": [
                    {"name": f"{first} {last}", "address": f"{first}.{last}{n}@{domain}".lower()}
                ],
                "jobTitle": rng.choice(_C_TITLES),
                "companyName": org,
                "department": rng.choice(("Sales", "Procurement", "IT", None)),
                "businessHomePage": f"https://www.{domain}" if rng.random() < 0.3 else None,
                "mobilePhone": f"+1 206 555 {rng.randrange(1000, 9999)}" if rng.random() < 0.6 else None,
                "businessPhones": [f"+1 425 555 {rng.randrange(1000, 9999)}"] if rng.random() < 0.7 else [],
                "homePhones": [f"+1 206 555 {rng.randrange(1000, 9999)}"] if rng.random() < 0.1 else [],
                "birthday": (
                    f"{rng.randrange(1960, 2000)}-{rng.randrange(1, 13):02d}-"
                    f"{rng.randrange(1, 28):02d}T11:59:00Z"
                    if rng.random() < 0.3
                    else None
                ),
                "categories": [rng.choice(CATEGORIES)] if rng.random() < 0.15 else [],
                "personalNotes": "Met at the conference." if rng.random() < 0.1 else "",
                "businessAddress": {
                    "street": city[5],
                    "city": city[0],
                    "state": city[1] or "",
                    "countryOrRegion": city[2],
                    "postalCode": city[4],
                }
                if rng.random() < 0.5
                else {},
            }
        )
        box.contacts[cid] = contact
