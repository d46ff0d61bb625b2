"""Subqueries: an IN list that comes back empty, and explain() of statements that use them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import o365sql
from o365sql import Connection

Connect = Callable[..., Connection]

NONE_MATCH = "SELECT id FROM Messages WHERE subject = 'no message has this subject'"


def test_in_an_empty_subquery_is_no_rows(live_connect: Connect) -> None:
    con = live_connect()
    assert con.execute(f"SELECT subject FROM Messages WHERE id IN ({NONE_MATCH})").fetchall() == []
    assert con.execute("SELECT subject FROM Messages WHERE id IN (SELECT 'x' WHERE 0)").fetchall() == []
    # and the next statement with a non-empty list still gets it as one set
    two = con.execute("SELECT id FROM Messages ORDER BY receivedDateTime LIMIT 2").fetchall()
    ids = ", ".join(f"'{i}'" for (i,) in two)
    assert sorted(con.execute(f"SELECT id FROM Messages WHERE id IN ({ids})").fetchall()) == sorted(two)


def test_explain_an_in_subquery(live_connect: Connect) -> None:
    con = live_connect()
    sql = "SELECT subject FROM Messages WHERE id IN (SELECT id FROM Messages WHERE isRead = 1 LIMIT 2)"
    plans = con.explain(sql)
    assert [p.table for p in plans] == ["Messages", "Messages"]
    inner, outer = plans
    assert inner.params["$filter"] == "isRead eq true"
    assert outer.path == "/me/messages/{id}" and "subquery" in outer.note
    assert len(con.execute(sql).fetchall()) == 2


def test_explain_a_scalar_subquery_does_not_claim_no_rows(live_connect: Connect) -> None:
    con = live_connect()
    sql = "SELECT subject FROM Messages WHERE id = (SELECT id FROM Messages WHERE isRead = 1 LIMIT 1)"
    inner, outer = con.explain(sql)
    assert inner.params["$top"] == "1"
    assert outer.method == "GET" and outer.path == "/me/messages/{id}"
    assert "no row can match" not in outer.note and "subquery" in outer.note
    assert len(con.execute(sql).fetchall()) == 1
    # a NULL written in the query itself still means no request
    (plan,) = con.explain("SELECT subject FROM Messages WHERE id = NULL")
    assert plan.note == "no request: no row can match"


def test_an_empty_in_list_inside_a_join_says_what_to_write(live_connect: Connect) -> None:
    """When rows were already handed out the statement cannot run again: a clear error, not apsw's <NULL>."""
    con = live_connect()
    (mid,) = con.execute("SELECT id FROM Messages LIMIT 1").fetchone() or ()
    con.execute("CREATE TEMP TABLE t(x)")
    con.execute("INSERT INTO t VALUES ('a'), ('b')")
    con.execute("CREATE TEMP TABLE ids(k, id)")
    con.execute("INSERT INTO ids VALUES ('a', ?)", (mid,))
    join = "SELECT t.x, m.id FROM temp.t JOIN Messages m ON "
    with pytest.raises(o365sql.NotSupportedError, match="EXISTS"):
        con.execute(join + "m.id IN (SELECT id FROM temp.ids WHERE ids.k = t.x)").fetchall()
    rows = con.execute(
        join + "EXISTS (SELECT 1 FROM temp.ids WHERE ids.k = t.x AND ids.id = m.id)"
    ).fetchall()
    assert rows == [("a", mid)]
