"""Writes to a Microsoft 365 group's calendar: INSERT/UPDATE/DELETE on Events with GroupId, checked through
raw Graph reads of /groups/{id}/events; what Graph refuses (app-only, a second group calendar) is refused.
"""

from __future__ import annotations

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import get, items, status, writes_since


def _group(raw: httpx.Client, name: str) -> str:
    groups = items(raw, "/groups", **{"$select": "id,displayName"})
    (gid,) = [g["id"] for g in groups if g["displayName"] == name]
    return str(gid)


def test_insert_update_delete_group_event(con: o365sql.Connection, raw: httpx.Client, wemu: Emulator) -> None:
    gid = _group(raw, "Engineering")
    mark = len(wemu.requests())
    cur = con.execute(
        "INSERT INTO Events (GroupId, subject, start_dateTime, end_dateTime, location_displayName) "
        "VALUES (?, 'Architecture review', '2030-06-03T13:00:00Z', '2030-06-03T14:00:00Z', 'Board Room')",
        (gid,),
    )
    (eid,) = cur.inserted_ids
    assert writes_since(wemu, mark) == [("POST", f"/v1.0/groups/{gid}/events")]
    event = get(raw, f"/groups/{gid}/events/{eid}")
    assert event["subject"] == "Architecture review" and event["start"]["dateTime"].startswith(
        "2030-06-03T13:00"
    )
    assert event["organizer"]["emailAddress"]["address"].startswith("engineering@")  # the group organises it
    assert status(raw, f"/me/events/{eid}") == 404  # not in the signed-in user's own calendar

    mark = len(wemu.requests())
    changed = con.execute(
        "UPDATE Events SET subject = 'Architecture review (moved)' WHERE GroupId = ? AND id = ?", (gid, eid)
    ).rowcount
    assert changed == 1 and writes_since(wemu, mark) == [("PATCH", f"/v1.0/groups/{gid}/events/{eid}")]
    assert get(raw, f"/groups/{gid}/events/{eid}")["subject"] == "Architecture review (moved)"

    assert con.execute("DELETE FROM Events WHERE GroupId = ? AND id = ?", (gid, eid)).rowcount == 1
    assert status(raw, f"/groups/{gid}/events/{eid}") == 404


def test_group_event_insert_refusals(con: o365sql.Connection, raw: httpx.Client, wemu: Emulator) -> None:
    gid = _group(raw, "Engineering")
    with pytest.raises(o365sql.ProgrammingError, match="a group has one calendar"):
        con.execute(
            "INSERT INTO Events (GroupId, CalendarId, subject, start_dateTime, end_dateTime) "
            "VALUES (?, 'x', 's', '2030-01-01T10:00:00Z', '2030-01-01T11:00:00Z')",
            (gid,),
        )
    with pytest.raises(o365sql.NotSupportedError, match="Graph takes no writes to a group's Calendars"):
        con.execute("INSERT INTO Calendars (GroupId, name) VALUES (?, 'Second')", (gid,))
    security = _group(raw, "Finance Approvers")
    with pytest.raises(o365sql.errors.NotFoundError):
        con.execute(
            "INSERT INTO Events (GroupId, subject, start_dateTime, end_dateTime) "
            "VALUES (?, 's', '2030-01-01T10:00:00Z', '2030-01-01T11:00:00Z')",
            (security,),
        )


def test_app_only_group_event_insert_is_refused_before_any_request(raw: httpx.Client, wemu: Emulator) -> None:
    gid = _group(raw, "Engineering")
    app = ";".join(
        [
            "AuthScheme=AzureServicePrincipal",
            f"AzureTenant={wemu.tenant_id}",
            f"OAuthClientId={wemu.app_client_id}",
            f"OAuthClientSecret={wemu.app_client_secret}",
            f"AuthorityHost={wemu.authority_host}",
            f"GraphURL={wemu.graph_url}",
            f"SSLServerCert={wemu.ca_cert}",
        ]
    )
    mark = len(wemu.requests())
    with o365sql.connect(app) as con, pytest.raises(o365sql.ProgrammingError, match="signed-in users only"):
        con.execute(
            "INSERT INTO Events (GroupId, subject, start_dateTime, end_dateTime) "
            "VALUES (?, 's', '2030-01-01T10:00:00Z', '2030-01-01T11:00:00Z')",
            (gid,),
        )
    assert writes_since(wemu, mark) == []
