"""`WHERE SEARCH = 'kql'` on Messages sends Graph's $search and returns exactly what Graph found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string
from .test_tables_vs_graph import pages


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """This module's own demo tenant: its tests count the requests in its log."""
    with Emulator(data="demo") as emu:
        yield emu


def _ids(con: o365sql.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[str]:
    return [r[0] for r in con.execute(sql, params).fetchall()]


def test_search_returns_what_graph_finds(con: o365sql.Connection, raw: httpx.Client) -> None:
    found = list(pages(raw, "/me/messages", {"$search": '"budget"', "$select": "id,isRead"}))
    assert found
    assert sorted(_ids(con, "SELECT id FROM Messages WHERE SEARCH = ?", ("budget",))) == sorted(
        m["id"] for m in found
    )
    unread = sorted(m["id"] for m in found if not m["isRead"])
    got = _ids(con, "SELECT id FROM Messages WHERE SEARCH = 'budget' AND isRead = 0")
    assert sorted(got) == unread  # Graph refuses $filter with $search: the engine checks isRead itself


def test_search_with_order_limit_and_pushdown_off(
    emulator: Emulator, token: str, con: o365sql.Connection
) -> None:
    sql = (
        "SELECT id, SEARCH FROM Messages WHERE SEARCH = 'subject:roadmap' "
        "ORDER BY receivedDateTime DESC LIMIT 3 OFFSET 1"
    )
    on = con.execute(sql).fetchall()
    with o365sql.connect(connection_string(emulator, token, Pushdown="false")) as off:
        assert off.execute(sql).fetchall() == on  # the search chooses the rows either way
    assert len(on) == 3 and all(r[1] == "subject:roadmap" for r in on)
    (step,) = o365sql.explain(con, sql)
    assert step.params["$search"] == '"subject:roadmap"'
    assert "$filter" not in step.params and "$orderby" not in step.params and "$skip" not in step.params


def test_search_column_is_hidden_and_empty_search_finds_nothing(con: o365sql.Connection) -> None:
    names = [d[0] for d in con.execute("SELECT * FROM Messages LIMIT 1").description]
    assert "SEARCH" not in names and "subject" in names
    assert con.execute("SELECT count(*) FROM Messages WHERE SEARCH = ''").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM Messages WHERE SEARCH = 'zzqqxx-nothing'").fetchone() == (0,)


def test_directory_search_sends_the_advanced_query(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    headers = {"ConsistencyLevel": "eventual"}
    want = raw.get("/users", params={"$search": '"displayName:br"', "$select": "id"}, headers=headers).json()
    assert want["value"]
    emulator.reset()
    got = _ids(con, "SELECT id FROM Users WHERE SEARCH = 'br'")  # a bare word searches displayName
    assert sorted(got) == sorted(u["id"] for u in want["value"])
    (req,) = [r for r in emulator.requests() if r["path"] == "/v1.0/users"]
    assert req["status"] == 200 and "count=true" in req["query"]
    either = "SELECT displayName FROM Groups WHERE SEARCH = ?"
    names = {r[0] for r in con.execute(either, ('"displayName:eng" OR "displayName:sales"',)).fetchall()}
    assert names and all(n.lower().startswith(("eng", "sales")) for n in names)
    enabled = "SELECT id FROM Users WHERE SEARCH = 'displayName:br' AND accountEnabled = 1"
    assert set(_ids(con, enabled)) <= set(got)
