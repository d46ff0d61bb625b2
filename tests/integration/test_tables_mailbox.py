"""EventOccurrences, CalendarGroups, MailboxSettings, Rules and Messages.internetMessageHeaders against the
raw Graph resources: the same rows, what was sent (from the emulator's log), joins by parent key, permissions.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.emulator.directory import APP_PERMISSIONS
from o365sql.schema import TABLES

from .conftest import app_connection, connection_string, logged, token_for
from .test_tables_vs_graph import Item, compare, expected, pages, select_for

Rows = list[tuple[tuple[Any, ...], Item]]


def _window(days_back: int, days_ahead: int) -> tuple[dt.datetime, dt.datetime, dict[str, str]]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start, end = now - dt.timedelta(days=days_back), now + dt.timedelta(days=days_ahead)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return start, end, {"startDateTime": start.strftime(fmt), "endDateTime": end.strftime(fmt)}


def _series(raw: httpx.Client) -> list[Item]:
    events = pages(raw, "/me/events", {"$select": "id,subject,type"})
    return [e for e in events if e["type"] == "seriesMaster"]


def test_event_occurrences_joined_from_events(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    spec = TABLES["EventOccurrences"]
    start, end, window = _window(10, 20)
    series = _series(raw)
    rows: Rows = [
        ((s["id"], o["id"]), o)
        for s in series
        for o in pages(raw, f"/me/events/{s['id']}/instances", {**window, **select_for(spec)})
        # the SQL asks for occurrences inside the window; instances returns those that overlap it
        if expected(spec.column("start_dateTime"), o) >= start
        and expected(spec.column("end_dateTime"), o) <= end
    ]
    emulator.reset()
    sql = (
        "SELECT o.* FROM Events e JOIN EventOccurrences o ON o.EventId = e.id "
        "WHERE e.type = 'seriesMaster' AND o.start_dateTime >= ? AND o.end_dateTime <= ?"
    )
    compare(con, spec, sql, rows, (start, end))
    # one instances request per series master, each with a window
    sent = logged(emulator, "/instances")
    assert sorted(p for p, _ in sent) == sorted(f"/v1.0/me/events/{s['id']}/instances" for s in series)
    assert all("startDateTime=" in q and "endDateTime=" in q for _, q in sent)


def test_event_occurrences_need_an_event(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="EventOccurrences needs EventId"):
        con.execute("SELECT id FROM EventOccurrences").fetchall()


def test_event_occurrences_filter_by_type(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    series = _series(raw)[0]
    _start, _end, window = _window(30, 30)
    want = sorted(
        o["id"]
        for o in pages(raw, f"/me/events/{series['id']}/instances", {**window, "$select": "id,type"})
        if o["type"] == "occurrence"
    )
    emulator.reset()
    got = con.execute(
        "SELECT id FROM EventOccurrences WHERE EventId = ? AND type = 'occurrence'", (series["id"],)
    )
    assert sorted(r[0] for r in got) == want and want
    (only,) = logged(emulator, "/instances")
    assert only[0] == f"/v1.0/me/events/{series['id']}/instances"


def test_calendar_groups(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["CalendarGroups"]
    groups = list(pages(raw, "/me/calendarGroups", select_for(spec)))
    compare(con, spec, "SELECT * FROM CalendarGroups", [((g["id"],), g) for g in groups])
    emulator.reset()
    got = con.execute("SELECT name FROM CalendarGroups WHERE name = 'My Calendars'").fetchall()
    assert got == [("My Calendars",)]
    ((_path, query),) = logged(emulator, "/calendarGroups")
    assert "$filter=name eq 'My Calendars'" in query


def test_mailbox_settings(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["MailboxSettings"]
    me = raw.get("/me", params=select_for(spec))
    assert me.status_code == 200, me.text
    compare(con, spec, "SELECT * FROM MailboxSettings", [((me.json()["id"],), me.json())])


def test_mailbox_settings_join_users(emulator: Emulator, raw: httpx.Client) -> None:
    users = list(pages(raw, "/users", {"$select": "id,department,usageLocation"}))
    engineering = [u["id"] for u in users if u["department"] == "Engineering"]
    d = emulator.state.directory
    token, _ = emulator.state.tokens.issue_access(
        tenant_id=d.tenant.id,
        client_id=d.confidential_client_id,
        user_id=None,
        roles=frozenset(APP_PERMISSIONS),
    )
    with emulator.http_client(
        base_url=emulator.graph_url, headers={"Authorization": f"Bearer {token}"}
    ) as app_raw:
        want = sorted(
            (
                uid,
                app_raw.get(f"/users/{uid}", params={"$select": "mailboxSettings"}).json()["mailboxSettings"],
            )
            for uid in engineering
        )
    with app_connection(emulator) as app:
        emulator.reset()
        sql = (
            "SELECT u.id, s.mailboxSettings_timeZone FROM Users u JOIN MailboxSettings s ON s.UserId = u.id "
            "WHERE u.department = 'Engineering'"
        )
        got = sorted(app.execute(sql).fetchall())
    assert got == [(uid, settings["timeZone"]) for uid, settings in want] and got
    # one GET per user of the department, each selecting mailboxSettings: no fan-out over every user
    sent = [p for p, q in logged(emulator, "/users/") if "mailboxSettings" in q]
    assert sorted(sent) == sorted(f"/v1.0/users/{uid}" for uid in engineering)


def test_rules(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Rules"]
    rules = list(pages(raw, "/me/mailFolders/inbox/messageRules", select_for(spec)))
    compare(con, spec, "SELECT * FROM Rules", [((r["id"],), r) for r in rules])
    emulator.reset()
    got = con.execute("SELECT displayName FROM Rules WHERE isEnabled = 1 ORDER BY sequence").fetchall()
    assert [r[0] for r in got] == [
        r["displayName"] for r in sorted(rules, key=lambda r: r["sequence"]) if r["isEnabled"]
    ]
    # messageRules takes no query options but $select: the filter stays with SQLite
    ((_path, query),) = logged(emulator, "/messageRules")
    assert "$filter" not in query and "$top" not in query


def test_internet_message_headers_only_when_selected(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    (message,) = raw.get("/me/messages", params={"$top": "1", "$select": "id,internetMessageHeaders"}).json()[
        "value"
    ]
    emulator.reset()
    (got,) = con.execute(
        "SELECT internetMessageHeaders FROM Messages WHERE id = ?", (message["id"],)
    ).fetchone()
    assert json.loads(got) == expected(TABLES["Messages"].column("internetMessageHeaders"), message)
    ((_path, query),) = logged(emulator, "/messages/")
    assert "internetMessageHeaders" in query
    emulator.reset()
    con.execute("SELECT subject FROM Messages WHERE id = ?", (message["id"],)).fetchall()
    ((_path, query),) = logged(emulator, "/messages/")
    assert "internetMessageHeaders" not in query


@pytest.mark.parametrize(
    ("sql", "table", "permission"),
    [
        ("SELECT id FROM MailboxSettings", "MailboxSettings", "MailboxSettings.Read"),
        ("SELECT id FROM Rules", "Rules", "MailboxSettings.Read"),
        ("SELECT id FROM CalendarGroups", "CalendarGroups", "Calendars.Read"),
        (
            "SELECT id FROM EventOccurrences WHERE EventId = 'AAMkAGI1AAAt9AHjAAA='",
            "EventOccurrences",
            "Calendars.Read",
        ),
    ],
)
def test_missing_permission_is_named(emulator: Emulator, sql: str, table: str, permission: str) -> None:
    token = token_for(emulator, frozenset({"User.Read"}))
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(sql).fetchall()
    err = info.value
    assert err.status == 403 and table in str(err) and permission in str(err)
