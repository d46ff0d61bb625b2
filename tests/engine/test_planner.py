"""Planner unit tests: the exact Graph requests representative SQL sends, and what SQLite still checks."""

from __future__ import annotations

from typing import Any

import pytest

from o365sql import procedures
from o365sql.engine import explain
from o365sql.errors import DataError, GraphError, NotFoundError, NotSupportedError
from o365sql.schema import TABLES, column_types, get_table

from .conftest import ME, NOW, Connect


def _gets(fake: Any) -> list[tuple[str, str, dict[str, str]]]:
    return list(fake.requests)


def test_where_is_read_limit_is_one_request_with_filter_select_top(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute("SELECT id, subject FROM Messages WHERE isRead = 0 LIMIT 5").fetchall()
    assert len(rows) == 5
    assert fake.requests == [
        ("GET", "/me/messages", {"$select": "id,subject,isRead", "$top": "5", "$filter": "isRead eq false"})
    ]


def test_where_id_is_one_get_and_404_is_no_rows(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute("SELECT id, subject FROM Messages WHERE id = ?", ("AAMkM0-004=",)).fetchall()
    assert rows == [("AAMkM0-004=", "quarterly Report Q2")]
    assert fake.requests == [("GET", "/me/messages/AAMkM0-004=", {"$select": "id,subject"})]
    fake.requests.clear()
    assert db.execute("SELECT id FROM Messages WHERE id = 'nope'").fetchall() == []
    assert len(fake.requests) == 1
    fake.requests.clear()
    # values no item can have never reach Graph
    assert db.execute("SELECT id FROM Messages WHERE id = '' OR id IS NULL").fetchall() == []


def test_id_in_hundred_ids_is_at_most_five_requests(connect: Connect, tenant: dict[str, Any]) -> None:
    db, fake = connect()
    ids = [m["id"] for m in tenant["mailboxes"][ME].messages][:50] + [f"missing{n}" for n in range(50)]
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT id FROM Messages WHERE id IN ({marks})", ids).fetchall()
    assert sorted(r[0] for r in rows) == sorted(ids[:50])
    assert len(fake.requests) <= 5
    assert all(r[:2] == ("POST", "/$batch") for r in fake.requests)


def test_like_is_sent_as_startswith_and_rechecked(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute("SELECT subject FROM Messages WHERE subject LIKE 'hello%' LIMIT 100").fetchall()
    # Graph's startswith ignores case and so does LIKE for ASCII; 'Hello' and 'HELLO world' both qualify
    assert {r[0] for r in rows} == {"Hello", "hello", "HELLO world"}
    (req,) = fake.requests
    assert req[2]["$filter"] == "startswith(subject,'hello')"
    # not omitted -> LIMIT stays with SQLite, so no $top=100 that would cut Graph's superset short
    assert req[2]["$top"] == "1000"
    (plan,) = explain(db, "SELECT subject FROM Messages WHERE subject LIKE 'hello%' LIMIT 100")
    assert "subject LIKE ?" in plan.sqlite_checks
    assert "LIMIT/OFFSET" in plan.sqlite_checks


def test_like_with_unicode_case_is_rechecked_by_sqlite(connect: Connect) -> None:
    db, _fake = connect()
    # SQLite's LIKE folds ASCII only: 'ü%' does not match 'Ünïcode'; Graph's startswith would
    assert db.execute("SELECT count(*) FROM Messages WHERE subject LIKE 'ü%'").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM Messages WHERE subject LIKE 'Ü%'").fetchone()[0] > 0


def test_text_equality_is_sent_but_rechecked(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute("SELECT subject FROM Messages WHERE subject = 'hello'").fetchall()
    assert {r[0] for r in rows} == {"hello"}
    assert fake.requests[0][2]["$filter"] == "subject eq 'hello'"


def test_order_by_non_orderable_is_not_pushed_and_limit_stays(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute("SELECT subject FROM Messages ORDER BY subject LIMIT 3").fetchall()
    (req,) = fake.requests
    assert "$orderby" not in req[2]
    assert req[2]["$top"] == "1000"
    assert rows == sorted(rows)
    assert len(rows) == 3


def test_order_by_orderable_with_filter_follows_inefficient_filter_rule(connect: Connect) -> None:
    db, fake = connect()
    sql = "SELECT receivedDateTime FROM Messages WHERE isRead = 1 ORDER BY receivedDateTime DESC LIMIT 4"
    rows = db.execute(sql).fetchall()
    (req,) = fake.requests
    assert req[2] == {
        "$select": "id,receivedDateTime,isRead",
        "$orderby": "receivedDateTime desc",
        "$top": "4",
        "$filter": "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq true",
    }
    db2, _ = connect(pushdown=False)
    assert rows == db2.execute(sql).fetchall()


def test_datetime_range_is_exact_and_omitted(connect: Connect) -> None:
    db, fake = connect()
    sql = (
        "SELECT id FROM Messages WHERE receivedDateTime > '2024-04-01T00:00:00Z' "
        "AND receivedDateTime <= '2024-05-01T10:00:00Z' LIMIT 50"
    )
    rows = db.execute(sql).fetchall()
    (req,) = fake.requests
    assert (
        req[2]["$filter"]
        == "receivedDateTime ge 2024-04-01T00:00:01Z and receivedDateTime lt 2024-05-01T10:00:01Z"
    )
    assert req[2]["$top"] == "50"
    db2, _ = connect(pushdown=False)
    assert sorted(rows) == sorted(db2.execute(sql).fetchall())


def test_odd_values_for_omitted_terms_are_checked_locally(connect: Connect) -> None:
    db, _fake = connect()
    db2, _ = connect(pushdown=False)
    for sql, params in [
        ("SELECT id FROM Messages WHERE isRead = '1'", ()),
        ("SELECT id FROM Messages WHERE receivedDateTime > ?", ("2024-04-01",)),
        ("SELECT id FROM Messages WHERE receivedDateTime = ?", (None,)),
    ]:
        assert sorted(db.execute(sql, params).fetchall()) == sorted(db2.execute(sql, params).fetchall()), sql
    # values of no meaning for the column are refused the same way with and without pushdown
    for sql, params in [
        ("SELECT id FROM Messages WHERE isRead = 'true'", ()),
        ("SELECT id FROM Messages WHERE isRead = 2", ()),
        ("SELECT id FROM Messages WHERE receivedDateTime > ?", (5,)),
        ("SELECT id FROM Messages WHERE receivedDateTime < ?", (5,)),
    ]:
        for each in (db, db2):
            with pytest.raises(DataError):
                each.execute(sql, params).fetchall()


def test_in_list_on_text_is_or_ed_eq_chunked_by_fifteen(connect: Connect) -> None:
    db, fake = connect()
    values = [f"Sender{n}@contoso.test" for n in range(20)]
    marks = ",".join("?" * len(values))
    rows = db.execute(
        f"SELECT id FROM Messages WHERE from_emailAddress_address IN ({marks})", values
    ).fetchall()
    assert len(fake.requests) == 2
    first = fake.requests[0][2]["$filter"]
    assert first.count(" or ") == 14 and first.startswith("(from/emailAddress/address eq ")
    db2, _ = connect(pushdown=False)
    assert sorted(rows) == sorted(
        db2.execute(
            f"SELECT id FROM Messages WHERE from_emailAddress_address IN ({marks})", values
        ).fetchall()
    )


def test_limit_offset_use_skip_where_supported(connect: Connect) -> None:
    db, fake = connect()
    sql = "SELECT id FROM Messages WHERE hasAttachments = 1 ORDER BY receivedDateTime LIMIT 2 OFFSET 3"
    rows = db.execute(sql).fetchall()
    (req,) = fake.requests
    assert req[2]["$skip"] == "3" and req[2]["$top"] == "2"
    db2, _ = connect(pushdown=False)
    assert rows == db2.execute(sql).fetchall()
    # directory collections have no $skip: skipped locally
    db3, fake3 = connect()
    rows = db3.execute("SELECT id FROM Users WHERE accountEnabled = 1 LIMIT 2 OFFSET 3").fetchall()
    assert len(rows) == 2
    assert "$skip" not in fake3.requests[0][2] and fake3.requests[0][2]["$top"] == "5"


def test_pushdown_false_sends_no_filter_orderby_top(connect: Connect) -> None:
    db, fake = connect(pushdown=False)
    db.execute(
        "SELECT id FROM Messages WHERE isRead = 0 AND id = 'x' ORDER BY receivedDateTime DESC LIMIT 5"
    ).fetchall()
    for _m, _p, params in fake.requests:
        assert not {"$filter", "$orderby", "$top", "$skip"} & set(params)


def test_pagesize_is_clamped_and_rows_stream(connect: Connect) -> None:
    db, fake = connect(pagesize=1000)
    db.execute("SELECT id FROM Users").fetchall()
    assert fake.requests[0][2]["$top"] == "999"
    db, fake = connect(pagesize=7)
    cur = db.execute("SELECT id FROM Messages")
    next(cur)
    assert len(fake.requests) == 1  # the second page is fetched only when needed
    assert len(list(cur)) == 59
    assert len(fake.requests) == 9


def test_user_routing_and_app_only_fan_out(connect: Connect, tenant: dict[str, Any]) -> None:
    db, fake = connect(app_only=True)
    other = tenant["users"][1]["id"]
    rows = db.execute(
        "SELECT UserId, count(*) FROM Messages WHERE UserId = ? GROUP BY 1", (other,)
    ).fetchall()
    assert rows == [(other, 60)]
    assert fake.requests[0][1] == f"/users/{other}/messages"
    fake.requests.clear()
    # every user listed; one without a mailbox (404) stops the query, naming that owner ...
    no_mailbox = [u["id"] for u in tenant["users"] if u["id"] not in tenant["mailboxes"]]
    assert no_mailbox
    with pytest.raises(GraphError, match=f"owner '{no_mailbox[0]}'.*OwnerErrors=SKIP"):
        db.execute("SELECT UserId, count(*) FROM Messages GROUP BY 1 ORDER BY 1").fetchall()
    assert fake.requests[0][:2] == ("GET", "/users")
    # ... or, with OwnerErrors=SKIP, is left out while the others count
    db, fake = connect(app_only=True, owner_errors="SKIP")
    rows = db.execute("SELECT UserId, count(*) FROM Messages GROUP BY 1 ORDER BY 1").fetchall()
    assert [r[1] for r in rows] == [60, 60, 60]
    # delegated: /me, and UserId is the signed-in user's id (one GET /me when asked for)
    db, fake = connect()
    assert db.execute("SELECT DISTINCT UserId FROM Messages").fetchall() == [(ME,)]
    assert ("GET", "/me", {"$select": "id"}) in fake.requests
    # an unknown user is an error that names UserId, not an empty mailbox
    with pytest.raises(NotFoundError, match=r"UserId .nobody@contoso\.test."):
        db.execute("SELECT count(*) FROM Messages WHERE UserId = 'nobody@contoso.test'").fetchone()


def test_well_known_folder_routes_to_the_folder(connect: Connect) -> None:
    db, fake = connect()
    n = db.execute("SELECT count(*) FROM Messages WHERE parentFolderId = 'inbox'").fetchone()[0]
    assert fake.requests[0][1] == "/me/mailFolders/inbox/messages"
    assert (
        n == db.execute("SELECT count(*) FROM Messages WHERE parentFolderId = 'AAMkF0-INBOX=='").fetchone()[0]
    )
    kids = db.execute("SELECT displayName FROM MailFolders WHERE parentFolderId = 'inbox'").fetchall()
    assert kids == [("Projects",)]
    assert db.execute("SELECT count(*) FROM Messages WHERE parentFolderId = 'no-such-folder'").fetchone() == (
        0,
    )


def test_child_tables_need_parent_or_fan_out(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute("SELECT GroupId, id, memberType FROM GroupMembers WHERE GroupId = 'g1'").fetchall()
    assert fake.requests == [("GET", "/groups/g1/members", {"$select": "id", "$top": "999"})]
    assert rows and all(r[0] == "g1" and r[2] == "user" for r in rows)
    fake.requests.clear()
    rows = db.execute(
        "SELECT a.name FROM Messages m JOIN MessageAttachments a ON a.MessageId = m.id "
        "WHERE m.hasAttachments = 1 ORDER BY 1"
    ).fetchall()
    assert len(rows) == 20
    # the join drives the attachment table by MessageId, one request per message with attachments
    assert all("/attachments" in r[1] for r in fake.requests[1:])
    assert len(fake.requests) == 1 + 10


def test_join_inner_filter_cache(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute(
        "SELECT m.id, u.displayName FROM Messages m JOIN Users u ON u.accountEnabled = m.isRead"
    ).fetchall()
    assert rows
    # whichever side is inner sees two distinct values (0 / 1): each request is made once, then replayed from
    # the statement's cache for the other outer rows
    keys = [(path, tuple(sorted(params.items()))) for _m, path, params in fake.requests]
    assert len(keys) == len(set(keys)) == 3


def test_calendar_view_window_from_constraints(connect: Connect) -> None:
    db, fake = connect()
    sql = (
        "SELECT id, start_dateTime FROM CalendarView "
        "WHERE start_dateTime >= '2024-03-10T00:00:00Z' AND end_dateTime <= '2024-04-20T00:00:00Z'"
    )
    rows = db.execute(sql).fetchall()
    (req,) = fake.requests
    # the dates' day, a second of slack, and 14 hours for all-day events held at their own zone's midnight
    assert req[2]["startDateTime"] == "2024-03-09T09:59:59Z"
    assert req[2]["endDateTime"] == "2024-04-21T14:00:01Z"
    assert rows and all("2024-03-10" <= r[1] <= "2024-04-20" for r in rows)
    assert rows[0][1].endswith("Z") and len(rows[0][1]) == 20
    fake.requests.clear()
    db.execute("SELECT id FROM CalendarView").fetchall()
    assert fake.requests[0][2]["startDateTime"] == "2024-05-16T12:00:00Z"
    assert fake.requests[0][2]["endDateTime"] == "2024-07-15T12:00:00Z"


def test_files_walk_depth_and_parent(connect: Connect) -> None:
    db, _fake = connect(depth=1)
    names = {r[0] for r in db.execute("SELECT name FROM Files").fetchall()}
    assert names == {"docs", "top.md", "a.txt", "deep"}
    rows = db.execute("SELECT name FROM Files WHERE parentReference_id = 'D0!deep'").fetchall()
    assert rows == [("deeper",)]
    assert db.execute("SELECT name FROM Files WHERE ParentId = 'D0!deep'").fetchall() == [("deeper",)]
    # by id: one GET, and items below the depth limit stay invisible as in the scan
    assert db.execute("SELECT name FROM Files WHERE id = 'D0!deep'").fetchall() == [("deep",)]
    assert db.execute("SELECT name FROM Files WHERE id = 'D0!b.txt'").fetchall() == []


def test_files_scan_is_one_delta_stream_with_paths_from_parents(connect: Connect) -> None:
    # the fake's delta, like Graph's, leaves parentReference.path out: depth and path come from the parents
    db, fake = connect(depth=-1)
    rows = dict(db.execute("SELECT name, parentReference_path FROM Files").fetchall())
    assert rows == {
        "docs": "/drive/root:",
        "top.md": "/drive/root:",
        "a.txt": "/drive/root:/docs",
        "deep": "/drive/root:/docs",
        "deeper": "/drive/root:/docs/deep",
        "b.txt": "/drive/root:/docs/deep/deeper",
    }
    assert [r[1] for r in fake.requests] == ["/me/drive/root/delta"]
    db, _fake = connect(depth=0)
    assert {r[0] for r in db.execute("SELECT name FROM Files").fetchall()} == {"docs", "top.md"}


def test_explain_reports_requests_and_sqlite_checks(connect: Connect) -> None:
    db, fake = connect()
    plans = explain(
        db,
        "SELECT subject FROM Messages WHERE isRead = ? AND subject LIKE 'Re:%' "
        "ORDER BY receivedDateTime DESC LIMIT 5",
        (0,),
    )
    assert fake.requests == []  # nothing was sent
    (p,) = plans
    assert (p.method, p.path) == ("GET", "/me/messages")
    assert (
        p.params["$filter"]
        == "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false and startswith(subject,'Re:')"
    )
    assert p.params["$orderby"] == "receivedDateTime desc"
    assert "subject LIKE ?" in p.sqlite_checks and "LIMIT/OFFSET" in p.sqlite_checks
    # a join: the inner table's plan comes from EXPLAIN QUERY PLAN
    plans = explain(
        db, "SELECT * FROM Messages m JOIN MessageAttachments a ON a.MessageId = m.id WHERE m.id = 'x'"
    )
    assert {p.table for p in plans} == {"Messages", "MessageAttachments"}
    inner = next(p for p in plans if p.table == "MessageAttachments")
    assert "MessageId = ?" in inner.pushed


def test_schema_declared_types_and_keys(connect: Connect) -> None:
    db, _ = connect()
    assert set(TABLES) == {
        "Users",
        "Groups",
        "GroupMembers",
        "Messages",
        "MailFolders",
        "MessageAttachments",
        "EventAttachments",
        "Events",
        "CalendarView",
        "Calendars",
        "Contacts",
        "ContactFolders",
        "Files",
        "Conversations",
        "Threads",
        "Posts",
        "TaskLists",
        "Tasks",
        "Plans",
        "Buckets",
        "PlannerTasks",
        "EventOccurrences",
        "CalendarGroups",
        "MailboxSettings",
        "Rules",
        "DirectReports",
        "Licenses",
        "OrgContacts",
        "Devices",
        "DirectoryRoles",
        "DirectoryRoleMembers",
        "Teams",
        "Channels",
        "ChannelMessages",
        "ChannelMessageReplies",
        "TeamMembers",
        "Sites",
        "Drives",
        "Lists",
        "ListItems",
        "ListColumns",
        "RoomLists",
        "Rooms",
    }
    assert get_table("messages").name == "Messages"
    types = column_types("Messages")
    assert types["receivedDateTime"] == "DATETIME" and types["isRead"] == "BOOLEAN"
    assert types["toRecipients"] == "JSON" and types["from_emailAddress_address"] == "TEXT"
    info = db.execute("SELECT name, type, pk FROM pragma_table_xinfo('Messages')").fetchall()
    assert ("id", "TEXT", 1) in info and ("isRead", "BOOLEAN", 0) in info
    info = db.execute("SELECT name, pk FROM pragma_table_xinfo('GroupMembers') WHERE pk > 0").fetchall()
    assert sorted(info, key=lambda r: r[1]) == [("GroupId", 1), ("id", 2)]
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "Messages" in names
    # CalendarView accepts DELETE only (of an occurrence); an INSERT is refused before any request
    with pytest.raises(NotSupportedError, match="CalendarView does not accept INSERT"):
        db.execute("INSERT INTO CalendarView (subject) VALUES ('x')")


def test_values_are_converted_per_declared_type(connect: Connect) -> None:
    db, _ = connect()
    row = db.execute(
        "SELECT isRead, receivedDateTime, toRecipients, from_emailAddress_address, flag_flagStatus "
        "FROM Messages WHERE id = 'AAMkM0-001='"
    ).fetchone()
    assert row[0] in (0, 1)
    assert row[1].endswith("Z") and len(row[1]) == 20
    assert row[2] == '[{"emailAddress":{"name":"A","address":"a@contoso.test"}}]'
    assert row[3] == "Sender1@contoso.test"
    start = db.execute(
        "SELECT start_dateTime, createdDateTime FROM Events WHERE id = 'AAMkE0-001='"
    ).fetchone()
    assert start[0].endswith("Z") and "." not in start[0]
    assert start[1].endswith("Z") and "." not in start[1]
    assert NOW.year == 2024


@pytest.mark.parametrize("op", ["=", "<", "<=", ">", ">=", "<>"])
@pytest.mark.parametrize("column", ["receivedDateTime", "lastModifiedDateTime", "sentDateTime"])
def test_datetime_boundaries_match_sqlite(
    connect: Connect, tenant: dict[str, Any], op: str, column: str
) -> None:
    db, fake = connect()
    db2, _ = connect(pushdown=False)
    values = [m[column] for m in tenant["mailboxes"][ME].messages if m[column]][::7]
    for v in values:
        sql = f"SELECT id FROM Messages WHERE {column} {op} ? ORDER BY receivedDateTime LIMIT 40"
        assert db.execute(sql, (v,)).fetchall() == db2.execute(sql, (v,)).fetchall(), (sql, v)
    assert any("$filter" in p for _m, _p, p in fake.requests)


@pytest.mark.parametrize("op", ["=", "<", "<=", ">", ">="])
def test_event_start_boundaries_match_sqlite(connect: Connect, tenant: dict[str, Any], op: str) -> None:
    db, fake = connect()
    db2, _ = connect(pushdown=False)
    for e in tenant["mailboxes"][ME].events[::5]:
        v = e["start"]["dateTime"][:19] + "Z"
        sql = f"SELECT id FROM Events WHERE start_dateTime {op} ? ORDER BY start_dateTime DESC LIMIT 30"
        assert db.execute(sql, (v,)).fetchall() == db2.execute(sql, (v,)).fetchall(), (sql, v)
    assert any("$filter" in p and "start/dateTime" in p["$filter"] for _m, _p, p in fake.requests)


def test_non_canonical_datetime_sends_a_day_range_and_checks_locally(connect: Connect) -> None:
    db, fake = connect()
    db2, _ = connect(pushdown=False)
    for v in ("2024-04-01", "2024-04-01 12:00:00", "2024-04-01T12:00"):
        for op in ("<", "<=", "=", ">", ">="):
            sql = f"SELECT id FROM Messages WHERE receivedDateTime {op} ? ORDER BY receivedDateTime"
            fake.requests.clear()
            assert db.execute(sql, (v,)).fetchall() == db2.execute(sql, (v,)).fetchall(), (op, v)
            flt = fake.requests[0][2]["$filter"]
            assert "receivedDateTime ge 2024-04-01T00:00:00Z" in flt or "lt 2024-04-02T00:00:00Z" in flt


def test_attachments_without_message_id_expand_on_the_message_list(connect: Connect) -> None:
    db, fake = connect()
    rows = db.execute("SELECT MessageId, id, name, attachmentType FROM MessageAttachments").fetchall()
    assert len(rows) == 20 and {r[3] for r in rows} == {"fileAttachment"}
    # 60 messages in pages of 50: two requests in all, not one per message
    assert [r[2].get("$skiptoken") for r in fake.requests] == [None, "1"]
    assert fake.requests[0] == (
        "GET",
        "/me/messages",
        {"$select": "id", "$expand": "attachments", "$top": "50"},
    )
    (plan,) = explain(db, "SELECT * FROM MessageAttachments")
    assert plan.params == {"$select": "id", "$expand": "attachments"} and "expanded" in plan.note
    # with the parent key: one request for that message's attachments, by id one GET
    fake.requests.clear()
    assert (
        len(db.execute("SELECT id FROM MessageAttachments WHERE MessageId = 'AAMkM0-006='").fetchall()) == 2
    )
    assert db.execute(
        "SELECT name FROM MessageAttachments WHERE MessageId = 'AAMkM0-006=' AND id = 'ATT1'"
    ).fetchall() == [("f6-1.txt",)]
    assert fake.requests[-1][1] == "/me/messages/AAMkM0-006=/attachments/ATT1"


def test_explain_shows_fan_out_for_app_only(connect: Connect) -> None:
    db, fake = connect(app_only=True)
    plans = explain(db, "SELECT subject FROM Messages WHERE isRead = 0")
    assert fake.requests == []
    assert plans[0].path == "/users" and "fan-out" in plans[0].note
    assert plans[1].path == "/users/{UserId}/messages" and plans[1].params["$filter"] == "isRead eq false"


def test_a_upn_goes_out_as_the_procedures_send_it(connect: Connect, tenant: dict[str, Any]) -> None:
    """One path-segment formatter: a query's UserId and a procedure's reach Graph spelled the same."""
    from o365sql.graph import path_segment
    from o365sql.procedures._common import scope_path

    db, fake = connect()
    upn = next(u["userPrincipalName"] for u in tenant["users"] if u["id"] in tenant["mailboxes"])
    assert "@" in upn
    db.execute("SELECT id FROM Messages WHERE UserId = ?", (upn,)).fetchall()
    assert fake.requests[0][1] == f"/users/{path_segment(upn)}/messages" == f"/users/{upn}/messages"

    class _Tokens:
        app_only = False

    ctx = procedures.ProcedureContext(props=None, graph=None, tokens=_Tokens(), http=None)  # type: ignore[arg-type]
    assert scope_path(ctx, {"UserId": upn}, "SendMail") + "/messages" == fake.requests[0][1]
