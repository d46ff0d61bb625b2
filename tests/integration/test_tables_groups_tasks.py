"""Group content (Conversations, Threads, Posts), To Do (TaskLists, Tasks) and Planner (Plans, Buckets,
PlannerTasks) against the raw Graph collections, with their pushdown, parent-key joins and permissions.

Expected rows come from raw Graph reads (tests/integration/test_tables_vs_graph.py computes each value
independently of the driver); what the driver sent is read from the emulator's request log.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import connection_string, logged, token_for
from .test_tables_vs_graph import Item, compare, pages, select_for

Rows = list[tuple[tuple[Any, ...], Item]]


def _unified(raw: httpx.Client) -> list[Item]:
    groups = pages(raw, "/groups", {"$select": "id,displayName,groupTypes"})
    return [g for g in groups if "Unified" in g["groupTypes"]]


def _group_id(raw: httpx.Client, name: str) -> str:
    (group,) = [g for g in pages(raw, "/groups", {"$select": "id,displayName"}) if g["displayName"] == name]
    return str(group["id"])


def _threads(raw: httpx.Client) -> list[tuple[str, Item]]:
    spec = TABLES["Threads"]
    return [
        (g["id"], t)
        for g in _unified(raw)
        for t in pages(raw, f"/groups/{g['id']}/threads", select_for(spec))
    ]


# -- SELECT * equals the raw collections ---------------------------------------------------------------------
def test_conversations(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Conversations"]
    rows: Rows = [
        ((g["id"], c["id"]), c)
        for g in _unified(raw)
        for c in pages(raw, f"/groups/{g['id']}/conversations", select_for(spec))
    ]
    # security and distribution groups have no group mailbox: Graph answers 404 and the fan-out skips them
    compare(con, spec, "SELECT * FROM Conversations", rows)


def test_threads(con: o365sql.Connection, raw: httpx.Client) -> None:
    rows: Rows = [((gid, t["id"]), t) for gid, t in _threads(raw)]
    compare(con, TABLES["Threads"], "SELECT * FROM Threads", rows)


def test_posts_joined_from_threads(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Posts"]
    rows: Rows = [
        ((gid, t["id"], p["id"]), p)
        for gid, t in _threads(raw)
        for p in pages(raw, f"/groups/{gid}/threads/{t['id']}/posts", select_for(spec))
    ]
    emulator.reset()
    sql = "SELECT p.* FROM Threads t JOIN Posts p ON p.GroupId = t.GroupId AND p.ThreadId = t.id"
    compare(con, spec, sql, rows)
    # one request per thread, each naming its group and thread: no fan-out of Posts' own
    posts = logged(emulator, "/posts")
    assert sorted(path for path, _ in posts) == sorted(
        f"/v1.0/groups/{gid}/threads/{t['id']}/posts" for gid, t in _threads(raw)
    )


def test_todo_lists_and_tasks(con: o365sql.Connection, raw: httpx.Client) -> None:
    lists = list(pages(raw, "/me/todo/lists", select_for(TABLES["TaskLists"])))
    compare(con, TABLES["TaskLists"], "SELECT * FROM TaskLists", [((x["id"],), x) for x in lists])
    spec = TABLES["Tasks"]
    rows: Rows = [
        ((x["id"], t["id"]), t)
        for x in lists
        for t in pages(raw, f"/me/todo/lists/{x['id']}/tasks", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM Tasks", rows)


def test_plans(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Plans"]
    rows: Rows = [
        ((g["id"], p["id"]), p)
        for g in pages(raw, "/groups", {"$select": "id"})
        for p in pages(raw, f"/groups/{g['id']}/planner/plans", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM Plans", rows)


@pytest.mark.parametrize(("table", "segment"), [("Buckets", "buckets"), ("PlannerTasks", "tasks")])
def test_planner_children(con: o365sql.Connection, raw: httpx.Client, table: str, segment: str) -> None:
    spec = TABLES[table]
    plans = list(pages(raw, "/me/planner/plans", {"$select": "id"}))
    rows: Rows = [
        ((p["id"], x["id"]), x)
        for p in plans
        for x in pages(raw, f"/planner/plans/{p['id']}/{segment}", select_for(spec))
    ]
    compare(con, spec, f"SELECT * FROM {table}", rows)


# -- what Graph is asked -------------------------------------------------------------------------------------
def test_conversation_filter_is_pushed(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid = _group_id(raw, "All Company")
    want = [
        c["id"]
        for c in pages(raw, f"/groups/{gid}/conversations", {"$select": "id,hasAttachments"})
        if c["hasAttachments"]
    ]
    emulator.reset()
    got = con.execute(
        "SELECT id FROM Conversations WHERE GroupId = ? AND hasAttachments = 1", (gid,)
    ).fetchall()
    assert sorted(r[0] for r in got) == sorted(want)
    ((path, query),) = logged(emulator, "/conversations")
    assert path == f"/v1.0/groups/{gid}/conversations" and "$filter=hasAttachments eq true" in query


def test_threads_of_one_conversation(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    gid = _group_id(raw, "All Company")
    conversation = next(c for c in pages(raw, f"/groups/{gid}/conversations", {"$select": "id"}))
    threads = pages(raw, f"/groups/{gid}/conversations/{conversation['id']}/threads")
    want = sorted((t["id"], conversation["id"]) for t in threads if not t["hasAttachments"])
    emulator.reset()
    sql = (
        "SELECT id, ConversationId FROM Threads "
        "WHERE GroupId = ? AND ConversationId = ? AND hasAttachments = 0"
    )
    assert want and sorted(con.execute(sql, (gid, conversation["id"])).fetchall()) == want
    ((path, query),) = logged(emulator, "/threads")
    assert path == f"/v1.0/groups/{gid}/conversations/{conversation['id']}/threads"
    assert "$filter=hasAttachments eq false" in query


def test_posts_range_filter_is_pushed(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    gid, thread = _threads(raw)[0]
    posts = list(
        pages(raw, f"/groups/{gid}/threads/{thread['id']}/posts", {"$select": "id,receivedDateTime"})
    )
    cut = sorted(p["receivedDateTime"] for p in posts)[len(posts) // 2]
    emulator.reset()
    got = con.execute(
        "SELECT id FROM Posts WHERE GroupId = ? AND ThreadId = ? AND receivedDateTime >= ?",
        (gid, thread["id"], cut),
    ).fetchall()
    assert sorted(r[0] for r in got) == sorted(p["id"] for p in posts if p["receivedDateTime"] >= cut)
    ((_path, query),) = logged(emulator, "/posts")
    assert "$filter=receivedDateTime ge " in query


def test_posts_of_every_group(con: o365sql.Connection, raw: httpx.Client) -> None:
    # no GroupId: the rows of Threads (every group's threads) give GroupId and ThreadId
    want = sorted(
        (g["id"], t["id"], p["id"])
        for g in pages(raw, "/groups", {"$select": "id,groupTypes"})
        if "Unified" in g["groupTypes"]
        for t in pages(raw, f"/groups/{g['id']}/threads", {"$select": "id"})
        for p in pages(raw, f"/groups/{g['id']}/threads/{t['id']}/posts", {"$select": "id"})
    )
    got = sorted(tuple(r) for r in con.execute("SELECT GroupId, ThreadId, id FROM Posts").fetchall())
    assert got == want and want


def test_todo_filters_are_pushed(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    lists = pages(raw, "/me/todo/lists", {"$select": "id,wellknownListName"})
    (default,) = [x for x in lists if x["wellknownListName"] == "defaultList"]
    tasks = pages(raw, f"/me/todo/lists/{default['id']}/tasks", {"$select": "title,importance"})
    want = sorted(t["title"] for t in tasks if t["importance"] == "high")
    emulator.reset()
    sql = (
        "SELECT t.title FROM TaskLists l JOIN Tasks t ON t.TaskListId = l.id "
        "WHERE l.wellknownListName = 'defaultList' AND t.importance = 'high'"
    )
    assert sorted(r[0] for r in con.execute(sql).fetchall()) == want
    sent = logged(emulator, "/todo/lists")
    assert sent[0][0] == "/v1.0/me/todo/lists" and "$filter=wellknownListName eq 'defaultList'" in sent[0][1]
    # the join reads the one list's tasks, by its id, with the importance filter
    assert sent[1:] == [(f"/v1.0/me/todo/lists/{default['id']}/tasks", sent[1][1])]
    assert "$filter=importance eq 'high'" in sent[1][1]


def test_planner_is_driven_by_its_parent_key(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid = _group_id(raw, "Engineering")
    emulator.reset()
    sql = (
        "SELECT b.name, count(t.id) FROM Groups g JOIN Plans p ON p.GroupId = g.id "
        "JOIN Buckets b ON b.PlanId = p.id LEFT JOIN PlannerTasks t ON t.PlanId = p.id AND t.bucketId = b.id "
        "WHERE g.displayName = 'Engineering' GROUP BY b.name ORDER BY b.name"
    )
    got = con.execute(sql).fetchall()
    (plan,) = pages(raw, f"/groups/{gid}/planner/plans", {"$select": "id"})
    tasks = list(pages(raw, f"/planner/plans/{plan['id']}/tasks", {"$select": "id,bucketId"}))
    buckets = list(pages(raw, f"/planner/plans/{plan['id']}/buckets", {"$select": "id,name"}))
    want = sorted((b["name"], sum(t["bucketId"] == b["id"] for t in tasks)) for b in buckets)
    assert got == want
    paths = {p for p, _ in logged(emulator, "/planner/")}
    assert paths == {
        f"/v1.0/groups/{gid}/planner/plans",
        f"/v1.0/planner/plans/{plan['id']}/buckets",
        f"/v1.0/planner/plans/{plan['id']}/tasks",
    }
    # Planner takes no query options but $select: nothing else is sent
    assert all("$filter" not in q and "$top" not in q for _, q in logged(emulator, "/planner/"))


def test_groups_join_conversations_reads_one_group(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid = _group_id(raw, "Engineering")
    want = sorted(c["topic"] for c in pages(raw, f"/groups/{gid}/conversations"))
    emulator.reset()
    sql = (
        "SELECT c.topic FROM Groups g JOIN Conversations c ON c.GroupId = g.id "
        "WHERE g.displayName = 'Engineering'"
    )
    assert sorted(r[0] for r in con.execute(sql).fetchall()) == want
    assert [p for p, _ in logged(emulator, "/conversations")] == [f"/v1.0/groups/{gid}/conversations"]


# -- permissions ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "table", "permission"),
    [
        (
            "SELECT id FROM Conversations WHERE GroupId = '{gid}'",
            "Conversations",
            "Group-Conversation.Read.All",
        ),
        ("SELECT id FROM Threads WHERE GroupId = '{gid}'", "Threads", "Group-Conversation.Read.All"),
        ("SELECT id FROM Posts WHERE GroupId = '{gid}'", "Posts", "Group-Conversation.Read.All"),
        ("SELECT id FROM TaskLists", "TaskLists", "Tasks.Read"),
        ("SELECT id FROM Tasks", "Tasks", "Tasks.Read"),
        ("SELECT id FROM Plans WHERE GroupId = '{gid}'", "Plans", "Tasks.Read"),
        ("SELECT id FROM Buckets WHERE PlanId = 'x'", "Buckets", "Tasks.Read"),
        ("SELECT id FROM PlannerTasks WHERE PlanId = 'x'", "PlannerTasks", "Tasks.Read"),
    ],
)
def test_missing_permission_is_named(
    emulator: Emulator, raw: httpx.Client, sql: str, table: str, permission: str
) -> None:
    token = token_for(emulator, frozenset({"User.Read"}))
    gid = _group_id(raw, "All Company")
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(sql.format(gid=gid)).fetchall()
    err = info.value
    assert err.status == 403 and table in str(err) and permission in str(err)
