"""Group calendars (GroupId on Events, CalendarView, Calendars, EventOccurrences) against the raw
/groups/{id} resources: rows, pushed filters, the join from Groups, security groups, unknown groups and the
delegated-only rule.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import app_connection, connection_string, logged, token_for
from .test_tables_vs_graph import Item, compare, pages, select_for

Rows = list[tuple[tuple[Any, ...], Item]]


def _groups(raw: httpx.Client) -> list[Item]:
    return list(pages(raw, "/groups", {"$select": "id,displayName,groupTypes"}))


def _unified(raw: httpx.Client, name: str = "Project Falcon") -> str:
    (group,) = [g for g in _groups(raw) if g["displayName"] == name]
    assert "Unified" in group["groupTypes"]
    return str(group["id"])


def test_group_events_are_the_group_calendar(con: o365sql.Connection, raw: httpx.Client) -> None:
    gid = _unified(raw)
    spec = TABLES["Events"]
    rows: Rows = [((e["id"],), e) for e in pages(raw, f"/groups/{gid}/events", select_for(spec))]
    compare(con, spec, "SELECT * FROM Events WHERE GroupId = ?", rows, (gid,))
    owners = con.execute("SELECT DISTINCT GroupId, UserId FROM Events WHERE GroupId = ?", (gid,)).fetchall()
    assert owners == [(gid, None)]


def test_group_calendar_is_one_row(con: o365sql.Connection, raw: httpx.Client) -> None:
    gid = _unified(raw)
    spec = TABLES["Calendars"]
    cal = raw.get(f"/groups/{gid}/calendar", params=select_for(spec))
    assert cal.status_code == 200, cal.text
    compare(
        con, spec, "SELECT * FROM Calendars WHERE GroupId = ?", [((cal.json()["id"],), cal.json())], (gid,)
    )
    # /groups/{id}/calendars does not exist in v1.0: the group's one calendar is read as an entity
    assert raw.get(f"/groups/{gid}/calendars").status_code >= 400


def test_group_calendar_view_uses_the_window_sent(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid = _unified(raw)
    spec = TABLES["CalendarView"]
    emulator.reset()
    got = con.execute("SELECT id, start_dateTime FROM CalendarView WHERE GroupId = ?", (gid,)).fetchall()
    ((path, query),) = logged(emulator, "/calendarView")
    assert path == f"/v1.0/groups/{gid}/calendarView"
    window = {k: v[0] for k, v in parse_qs(query).items() if k in ("startDateTime", "endDateTime")}
    want = list(pages(raw, f"/groups/{gid}/calendarView", {**window, **select_for(spec)}))
    assert sorted(r[0] for r in got) == sorted(e["id"] for e in want)
    assert len(want) > 2  # the weekly series is expanded into occurrences


def test_groups_join_events_reads_each_group_calendar(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    groups = _groups(raw)
    unified = [g for g in groups if "Unified" in g["groupTypes"]]
    spec = TABLES["Events"]
    rows: Rows = [
        ((e["id"],), e) for g in unified for e in pages(raw, f"/groups/{g['id']}/events", select_for(spec))
    ]
    emulator.reset()
    compare(con, spec, "SELECT e.* FROM Groups g JOIN Events e ON e.GroupId = g.id", rows)
    sent = sorted(p for p, _ in logged(emulator, "/events"))
    # every group is asked; the security group and the distribution list have no calendar (404, no rows)
    assert sent == sorted(f"/v1.0/groups/{g['id']}/events" for g in groups)
    assert len(unified) < len(groups)


def test_subject_filter_is_pushed_to_the_group_calendar(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid = _unified(raw)
    want = sorted(
        e["id"]
        for e in pages(raw, f"/groups/{gid}/events", {"$select": "id,subject"})
        if e["subject"].startswith("Demo day")
    )
    emulator.reset()
    sql = "SELECT id FROM Events WHERE GroupId = ? AND subject LIKE 'Demo day%'"
    assert sorted(r[0] for r in con.execute(sql, (gid,)).fetchall()) == want and want
    ((path, query),) = logged(emulator, "/events")
    assert path == f"/v1.0/groups/{gid}/events" and "$filter=startswith(subject,'Demo day')" in query


def test_a_security_group_has_no_calendar(con: o365sql.Connection, raw: httpx.Client) -> None:
    (group,) = [g for g in _groups(raw) if g["displayName"] == "Finance Approvers"]
    answer = raw.get(f"/groups/{group['id']}/events")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "ErrorNonExistentMailbox"
    assert con.execute("SELECT id FROM Events WHERE GroupId = ?", (group["id"],)).fetchall() == []


def test_an_unknown_group_raises(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.errors.NotFoundError, match="no group 'no-such-group'"):
        con.execute("SELECT id FROM Events WHERE GroupId = 'no-such-group'").fetchall()


def test_group_and_user_together_are_refused(con: o365sql.Connection, raw: httpx.Client) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="GroupId or UserId, not both"):
        con.execute("SELECT id FROM Events WHERE GroupId = ? AND UserId = 'x'", (_unified(raw),)).fetchall()


def test_missing_group_permission_is_named(emulator: Emulator, raw: httpx.Client) -> None:
    gid = _unified(raw)
    token = token_for(emulator, frozenset({"User.Read", "Calendars.Read"}))
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute("SELECT id FROM Events WHERE GroupId = ?", (gid,)).fetchall()
    assert info.value.status == 403 and "Group.Read.All" in str(info.value)


def test_app_only_reads_no_group_events_but_the_calendar_view(emulator: Emulator, raw: httpx.Client) -> None:
    gid = _unified(raw)
    with app_connection(emulator) as con:
        with pytest.raises(o365sql.errors.PermissionDeniedError) as info:
            con.execute("SELECT id FROM Events WHERE GroupId = ?", (gid,)).fetchall()
        assert "signed-in users only" in str(info.value) and "Group.Read.All" in str(info.value)
        # group-list-calendarview.md: an application may read the calendarView (Calendars.Read)
        assert con.execute("SELECT id FROM CalendarView WHERE GroupId = ?", (gid,)).fetchall()


def _series(raw: httpx.Client, gid: str) -> str:
    masters = [
        e for e in pages(raw, f"/groups/{gid}/events", {"$select": "id,type"}) if e["type"] == "seriesMaster"
    ]
    assert masters
    return str(masters[0]["id"])


def test_group_event_occurrences_are_the_group_series_instances(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid = _unified(raw)
    series = _series(raw, gid)
    spec = TABLES["EventOccurrences"]
    emulator.reset()
    sql = "SELECT id, EventId, GroupId, UserId FROM EventOccurrences WHERE GroupId = ? AND EventId = ?"
    got = con.execute(sql, (gid, series)).fetchall()
    ((path, query),) = logged(emulator, "/instances")
    assert path == f"/v1.0/groups/{gid}/events/{series}/instances"
    window = {k: v[0] for k, v in parse_qs(query).items() if k in ("startDateTime", "endDateTime")}
    want = list(pages(raw, f"/groups/{gid}/events/{series}/instances", {**window, **select_for(spec)}))
    assert sorted(got) == sorted((e["id"], series, gid, None) for e in want)
    assert len(want) > 2  # the weekly series' occurrences, not the master alone


def test_group_event_occurrences_of_an_unknown_group_raise(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.errors.NotFoundError, match="no group 'no-such-group' \\(GroupId\\)"):
        con.execute(
            "SELECT id FROM EventOccurrences WHERE GroupId = 'no-such-group' AND EventId = 'e'"
        ).fetchall()


def test_app_only_reads_group_event_occurrences(emulator: Emulator, raw: httpx.Client) -> None:
    gid = _unified(raw)
    series = _series(raw, gid)
    sql = "SELECT id FROM EventOccurrences WHERE GroupId = ? AND EventId = ?"
    with app_connection(emulator) as con:
        # event-list-instances.md: an application may read a group's instances (Calendars.Read)
        assert con.execute(sql, (gid, series)).fetchall()


def test_groups_in_a_list_skip_the_one_without_a_calendar(con: o365sql.Connection, raw: httpx.Client) -> None:
    gid = _unified(raw)
    (security,) = [g["id"] for g in _groups(raw) if g["displayName"] == "Finance Approvers"]
    want = sorted(e["id"] for e in pages(raw, f"/groups/{gid}/events", {"$select": "id"}))
    got = con.execute("SELECT id, GroupId FROM Events WHERE GroupId IN (?, ?)", (gid, security)).fetchall()
    assert sorted(got) == sorted((e, gid) for e in want) and want
    with pytest.raises(o365sql.errors.NotFoundError, match=r"owner 'no-such-group'.*OwnerErrors=SKIP"):
        con.execute("SELECT id FROM Events WHERE GroupId IN (?, 'no-such-group')", (gid,)).fetchall()
