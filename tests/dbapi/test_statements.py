"""What a statement returns beyond SQLite's own rules: one statement per execute, MaxRows, aggregate types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import o365sql
from o365sql import Connection
from o365sql.emulator import Emulator

Connect = Callable[..., Connection]


def _graph_count(emulator: Emulator, path: str) -> int:
    """How many items a collection holds, read from Graph directly (not through the driver)."""
    token, _ = emulator.state.tokens.issue_access(
        tenant_id=emulator.tenant_id,
        client_id=emulator.client_id,
        user_id=emulator.state.directory.demo_user.id,
        scopes=frozenset({"Mail.Read"}),
    )
    with emulator.http_client() as http:
        response = http.get(
            f"{emulator.graph_url}{path}",
            params={"$count": "true", "$top": "1"},
            headers={"Authorization": f"Bearer {token}", "ConsistencyLevel": "eventual"},
        )
    return int(response.json()["@odata.count"])


def test_two_statements_are_refused_before_either_runs(con: Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="one statement at a time"):
        con.execute("SELECT 1 AS a; SELECT 2 AS b")
    with pytest.raises(o365sql.ProgrammingError, match="one statement at a time"):
        con.execute("CREATE TEMP TABLE t(x); INSERT INTO t VALUES (1)")
    # nothing ran: the table of the first statement does not exist
    assert con.execute("SELECT count(*) FROM temp.sqlite_master WHERE name = 't'").fetchall() == [(0,)]


def test_one_statement_may_end_with_a_semicolon_and_comments(con: Connection) -> None:
    assert con.execute("SELECT 1 AS a; -- done\n /* really */ ").fetchall() == [(1,)]
    assert con.execute("SELECT 'a;b' AS x;").fetchall() == [("a;b",)]
    assert [d[0] for d in con.execute("SELECT 2 AS b;").description or ()] == ["b"]


def test_max_rows_caps_every_query(live_connect: Connect, emulator: Emulator) -> None:
    assert _graph_count(emulator, "/me/messages") > 3
    con = live_connect(MaxRows=3)
    assert len(con.execute("SELECT id FROM Messages").fetchall()) == 3
    assert len(con.execute("SELECT id FROM Messages LIMIT 2").fetchall()) == 2  # a smaller LIMIT wins
    assert len(con.execute("SELECT id FROM Messages LIMIT 10").fetchall()) == 3
    assert len(con.execute("SELECT parentFolderId, count(*) FROM Messages GROUP BY 1").fetchall()) <= 3
    # an aggregate still sees every row: MaxRows limits what the query returns, not what it reads
    assert con.execute("SELECT count(*) FROM Messages").fetchall() == [
        (_graph_count(emulator, "/me/messages"),)
    ]
    assert len(live_connect().execute("SELECT id FROM Messages").fetchall()) > 3


def test_max_rows_keeps_order_names_and_types(live_connect: Connect) -> None:
    capped = live_connect(MaxRows=4)
    sql = "SELECT id, id, receivedDateTime FROM Messages ORDER BY receivedDateTime DESC"
    cur = capped.execute(sql)
    rows = cur.fetchall()
    assert rows == live_connect().execute(sql).fetchall()[:4]
    assert [d[0] for d in cur.description or ()] == ["id", "id", "receivedDateTime"]
    assert isinstance(rows[0][2], dt.datetime)
    assert (cur.description or ())[0][6] is False  # still known to come from the key column


def test_max_rows_goes_to_graph_and_explain_shows_it(live_connect: Connect) -> None:
    (plan,) = live_connect(MaxRows=3).explain("SELECT id, subject FROM Messages WHERE isRead = 0")
    assert plan.params["$top"] == "3"
    (plan,) = live_connect().explain("SELECT id, subject FROM Messages WHERE isRead = 0")
    assert plan.params["$top"] == "1000"
    (plan,) = live_connect(MaxRows=3).explain("SELECT id FROM Messages WHERE subject LIKE 'Re%'")
    assert "LIMIT/OFFSET" in plan.sqlite_checks  # SQLite re-checks LIKE, so it applies the cap itself


def test_max_rows_leaves_other_statements_alone(live_connect: Connect) -> None:
    con = live_connect(MaxRows=1)
    con.execute("CREATE TEMP TABLE t(x)")
    con.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    assert con.execute("WITH d AS (SELECT 2 AS x) DELETE FROM t WHERE x IN (SELECT x FROM d)").rowcount == 1
    assert con.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,)]
    con.execute("DROP TABLE t")


def test_min_and_max_keep_the_column_type(live_connect: Connect) -> None:
    cur = live_connect().execute(
        "SELECT min(start_dateTime), MAX(e.end_dateTime) AS last, max(isAllDay), min(subject), "
        "count(*) FROM Events e"
    )
    first, last, all_day, subject, count = cur.fetchone() or ()
    assert isinstance(first, dt.datetime) and first.tzinfo is dt.UTC
    assert isinstance(last, dt.datetime) and last > first
    assert isinstance(all_day, bool)
    assert isinstance(subject, str) and isinstance(count, int)
    codes = [d[1] for d in cur.description or ()]
    assert codes == [o365sql.DATETIME, o365sql.DATETIME, o365sql.NUMBER, o365sql.STRING, None]
