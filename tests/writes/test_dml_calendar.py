"""Events, Calendars and CalendarView: INSERT with time zones and attendees, UPDATE, DELETE, transactionId."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import get, items, status


def test_insert_event_shows_in_calendar_view_with_attendees(
    con: o365sql.Connection, raw: httpx.Client, wemu: Emulator
) -> None:
    attendees = json.dumps(
        [
            {"emailAddress": {"address": "ana@example.com", "name": "Ana"}, "type": "required"},
            {"emailAddress": {"address": "bo@example.com"}, "type": "optional"},
        ]
    )
    mark = len(wemu.requests())
    cur = con.execute(
        "INSERT INTO Events (subject, start_dateTime, start_timeZone, end_dateTime, end_timeZone, attendees, "
        "location_displayName, isOnlineMeeting) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
        (
            "Design review",
            "2030-03-04T10:00:00",
            "Europe/Berlin",
            "2030-03-04T11:00:00",
            "Europe/Berlin",
            attendees,
            "Room 4",
        ),
    )
    eid = cur.inserted_ids[0]
    post = next(r for r in wemu.requests()[mark:] if r["method"] == "POST")
    assert post["path"] == "/v1.0/me/events"
    view = items(
        raw,
        "/me/calendarView",
        startDateTime="2030-03-04T00:00:00Z",
        endDateTime="2030-03-05T00:00:00Z",
    )
    event = next(e for e in view if e["id"] == eid)
    assert event["start"]["dateTime"].startswith("2030-03-04T09:00:00")  # 10:00 in Berlin is 09:00 UTC
    assert [a["emailAddress"]["address"] for a in event["attendees"]] == ["ana@example.com", "bo@example.com"]
    assert [a["type"] for a in event["attendees"]] == ["required", "optional"]
    assert event["location"]["displayName"] == "Room 4" and event["isOnlineMeeting"] is True


def test_insert_event_utc_and_returning(con: o365sql.Connection) -> None:
    cur = con.execute(
        "INSERT INTO Events (subject, start_dateTime, end_dateTime) "
        "VALUES ('UTC slot', '2030-05-01T08:00:00Z', '2030-05-01T08:30:00+00:00') "
        "RETURNING id, start_dateTime, end_dateTime, type"
    )
    eid, start, end, kind = cur.fetchone()
    assert eid and kind == "singleInstance"
    assert (start, end) == (
        datetime(2030, 5, 1, 8, 0, tzinfo=UTC),
        datetime(2030, 5, 1, 8, 30, tzinfo=UTC),
    )


def test_transaction_id_makes_a_repeated_create_return_the_first_event(raw: httpx.Client) -> None:
    body = {
        "subject": "Retried create",
        "start": {"dateTime": "2030-06-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-06-01T10:00:00", "timeZone": "UTC"},
        "transactionId": "7E163156-7762-4BEB-A1C6-729EA81755A7",
    }
    first = raw.post("/me/events", json=body)
    second = raw.post("/me/events", json=body)
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    found = [e for e in items(raw, "/me/events", **{"$top": "500"}) if e["subject"] == "Retried create"]
    assert len(found) == 1


def test_update_and_delete_event(con: o365sql.Connection, raw: httpx.Client) -> None:
    eid = con.execute(
        "INSERT INTO Events (subject, start_dateTime, end_dateTime) "
        "VALUES ('Movable', '2030-07-01T09:00:00Z', '2030-07-01T10:00:00Z')"
    ).inserted_ids[0]
    con.execute(
        "UPDATE Events SET subject = 'Moved', start_dateTime = '2030-07-02T09:00:00Z', "
        "end_dateTime = '2030-07-02T10:00:00Z', showAs = 'tentative' WHERE id = ?",
        (eid,),
    )
    body = get(raw, f"/me/events/{eid}")
    assert body["subject"] == "Moved" and body["showAs"] == "tentative"
    assert body["start"]["dateTime"].startswith("2030-07-02T09:00:00")
    with pytest.raises(o365sql.ProgrammingError, match="set start_dateTime together with start_timeZone"):
        con.execute("UPDATE Events SET start_timeZone = 'Asia/Tokyo' WHERE id = ?", (eid,))
    assert con.execute("DELETE FROM Events WHERE id = ?", (eid,)).rowcount == 1
    assert status(raw, f"/me/events/{eid}") == 404


def test_insert_into_another_calendar(con: o365sql.Connection, raw: httpx.Client) -> None:
    cal = con.execute(
        "INSERT INTO Calendars (name, color) VALUES ('Side project', 'lightTeal')"
    ).inserted_ids[0]
    eid = con.execute(
        "INSERT INTO Events (subject, start_dateTime, end_dateTime, CalendarId) "
        "VALUES ('On the side', '2030-08-01T09:00:00Z', '2030-08-01T10:00:00Z', ?)",
        (cal,),
    ).inserted_ids[0]
    assert [e["id"] for e in items(raw, f"/me/calendars/{cal}/events")] == [eid]
    assert get(raw, f"/me/calendars/{cal}")["color"] == "lightTeal"
    con.execute("UPDATE Calendars SET name = 'Side project 2' WHERE id = ?", (cal,))
    assert get(raw, f"/me/calendars/{cal}")["name"] == "Side project 2"
    assert con.execute("DELETE FROM Calendars WHERE id = ?", (cal,)).rowcount == 1
    assert status(raw, f"/me/calendars/{cal}") == 404


def test_delete_one_occurrence_through_calendar_view(con: o365sql.Connection, raw: httpx.Client) -> None:
    recurrence = json.dumps(
        {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "numbered", "startDate": "2030-09-01", "numberOfOccurrences": 3},
        }
    )
    master = con.execute(
        "INSERT INTO Events (subject, start_dateTime, end_dateTime, recurrence) "
        "VALUES ('Daily standup', '2030-09-01T09:00:00Z', '2030-09-01T09:15:00Z', ?)",
        (recurrence,),
    ).inserted_ids[0]
    window = {"startDateTime": "2030-09-01T00:00:00Z", "endDateTime": "2030-09-05T00:00:00Z"}
    before = [e for e in items(raw, "/me/calendarView", **window) if e.get("seriesMasterId") == master]
    assert len(before) == 3
    cur = con.execute(
        "DELETE FROM CalendarView WHERE start_dateTime >= '2030-09-02T00:00:00Z' "
        "AND end_dateTime <= '2030-09-02T23:00:00Z' AND seriesMasterId = ?",
        (master,),
    )
    assert cur.rowcount == 1
    after = [e for e in items(raw, "/me/calendarView", **window) if e.get("seriesMasterId") == master]
    assert [e["start"]["dateTime"][:10] for e in after] == ["2030-09-01", "2030-09-03"]
    assert status(raw, f"/me/events/{master}") == 200
