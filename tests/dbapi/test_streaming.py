"""Rows stream: the cursor pulls from SQLite (and so from Graph pages) only as the caller advances."""

from __future__ import annotations

import pytest
from dbapi_helpers import make_connection

import o365sql


def test_fetchone_requests_one_page() -> None:
    con, graph, _, _ = make_connection(total=10_000, page_size=100)
    try:
        cur = con.cursor()
        cur.execute("SELECT id, name FROM Items")
        assert graph.pages_requested == 1
        assert cur.fetchone() == ("id00000", "item 0")
        assert graph.pages_requested == 1
        # the rest of the first page costs nothing more
        assert len(cur.fetchmany(99)) == 99
        assert graph.pages_requested == 1
        cur.fetchone()
        assert graph.pages_requested == 2
    finally:
        con.close()


def test_iteration_advances_page_by_page() -> None:
    con, graph, _, _ = make_connection(total=1_000, page_size=50)
    try:
        seen = []
        for i, row in enumerate(con.execute("SELECT id FROM Items")):
            seen.append(row[0])
            assert graph.pages_requested == i // 50 + 1
        assert len(seen) == 1_000 and graph.pages_requested == 20
    finally:
        con.close()


def test_limit_stops_paging() -> None:
    con, graph, _, _ = make_connection(total=10_000, page_size=100)
    try:
        rows = con.execute("SELECT id FROM Items LIMIT 150").fetchall()
        assert len(rows) == 150
        assert graph.pages_requested == 2
    finally:
        con.close()


def test_closing_cursor_abandons_scan() -> None:
    con, graph, _, _ = make_connection(total=10_000, page_size=100)
    try:
        cur = con.execute("SELECT id FROM Items")
        cur.fetchone()
        cur.close()
        assert graph.pages_requested == 1
        # a new query on the same connection starts its own scan
        assert con.execute("SELECT count(*) FROM Items").fetchone() == (10_000,)
    finally:
        con.close()


def test_two_cursors_interleave() -> None:
    con, _, _, _ = make_connection(total=30, page_size=7)
    try:
        a = con.execute("SELECT id FROM Items")
        b = con.execute("SELECT id FROM Items ORDER BY id DESC")
        assert a.fetchone() == ("id00000",)
        assert b.fetchone() == ("id00029",)
        assert a.fetchone() == ("id00001",)
    finally:
        con.close()


def test_dropped_cursor_releases_its_scan() -> None:
    import gc
    import weakref

    con, _, _, _ = make_connection(total=100, page_size=10)
    try:
        cur = con.execute("SELECT id FROM Items")
        cur.fetchone()
        ref = weakref.ref(cur)
        gc.disable()  # freed by reference counting alone: no cycle through the apsw cursor
        try:
            del cur
            assert ref() is None
        finally:
            gc.enable()
    finally:
        con.close()


def test_cancel_ends_the_running_statement() -> None:
    con, graph, _, _ = make_connection(total=10_000, page_size=100)
    try:
        cur = con.cursor()
        cur.execute("SELECT id FROM Items")
        cur.fetchone()
        con.cancel()  # as a Ctrl-C handler or another thread would
        with pytest.raises(o365sql.OperationalError, match="interrupt"):
            cur.fetchall()
        assert graph.pages_requested <= 2  # the statement stopped; the 100 pages were never read
        assert con.execute("SELECT 1").fetchone() == (1,)  # the connection goes on
    finally:
        con.close()
