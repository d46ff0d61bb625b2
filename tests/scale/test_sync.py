"""SyncTable and Offline=true: the cache equals a fresh read after every kind of change, costs what changed,
resumes when interrupted and starts a stream over when Graph forgets its token."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from o365sql.emulator import Emulator
from o365sql.errors import NotSupportedError, ProgrammingError, ThrottledError

from .conftest import app_connect, app_token

SELECT = "SELECT * FROM {t} ORDER BY UserId, id"


def _sync(emu: Emulator, cache: Path, table: str, **props: Any) -> dict[str, Any]:
    with app_connect(emu, CacheLocation=str(cache), **props) as con:
        cur = con.execute("EXEC SyncTable Table = ?", [table])
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def _rows(emu: Emulator, sql: str, **props: Any) -> list[tuple[Any, ...]]:
    with app_connect(emu, **props) as con:
        return con.execute(sql).fetchall()


def _graph_log(emu: Emulator) -> list[dict[str, Any]]:
    return [r for r in emu.requests() if str(r["path"]).startswith("/v1.0/")]


def test_offline_rows_equal_a_fresh_read_after_adds_changes_moves_and_deletes(
    tenant: Emulator, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.db"
    tenant.reset()
    full = _sync(tenant, cache, "Messages")
    full_bytes = sum(int(r["bytes"]) for r in _graph_log(tenant))
    assert full["Upserted"] > 0 and full["Restarted"] == 0
    sql = SELECT.format(t="Messages")
    assert _rows(tenant, sql, CacheLocation=str(cache), Offline=True) == _rows(tenant, sql)
    # change a few messages through Graph directly: add, change, move, delete
    users = tenant.state.directory.users
    with tenant.http_client(
        base_url=tenant.graph_url, headers={"Authorization": f"Bearer {app_token(tenant)}"}
    ) as g:
        owner = f"/users/{users[1].id}"
        ids = [
            m["id"] for m in g.get(f"{owner}/messages", params={"$select": "id", "$top": "4"}).json()["value"]
        ]
        assert g.post(f"{owner}/messages", json={"subject": "added by the sync test"}).status_code == 201
        assert (
            g.patch(f"{owner}/messages/{ids[0]}", json={"isRead": True, "categories": ["x"]}).status_code
            == 200
        )
        assert g.post(f"{owner}/messages/{ids[1]}/move", json={"destinationId": "archive"}).status_code == 201
        assert g.delete(f"{owner}/messages/{ids[2]}").status_code == 204
    tenant.reset()
    again = _sync(tenant, cache, "Messages")
    log = _graph_log(tenant)
    assert again["Removed"] >= 2 and again["Upserted"] >= 3
    assert sum(int(r["bytes"]) for r in log) < full_bytes / 10
    assert _rows(tenant, sql, CacheLocation=str(cache), Offline=True) == _rows(tenant, sql)


def test_offline_never_calls_graph_and_refuses_what_it_cannot_answer(
    tenant: Emulator, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.db"
    for table in ("Users", "Groups", "Contacts", "Files", "Events"):
        _sync(tenant, cache, table)
    tenant.reset()
    offline = {"CacheLocation": str(cache), "Offline": True}
    for table in ("Users", "Groups", "Contacts", "Files", "CalendarView"):
        sql = (
            SELECT.format(t=table).replace("UserId, ", "")
            if table in ("Users", "Groups")
            else SELECT.format(t=table)
        )
        got = _rows(tenant, sql, **offline)
        assert tenant.requests() == [], table  # not even a sign-in
        assert got == _rows(tenant, sql), table
        tenant.reset()
    demo = tenant.state.directory.demo_user.id
    with app_connect(tenant, **offline) as con:
        n = con.execute("SELECT count(*) FROM Files WHERE UserId = ?", [demo]).fetchone()[0]
        assert n > 0
        with pytest.raises(NotSupportedError, match="MailFolders is not kept"):
            con.execute("SELECT * FROM MailFolders").fetchall()
        with pytest.raises(ProgrammingError, match=r"holds no Messages.*SyncTable Table='Messages'"):
            con.execute("SELECT * FROM Messages").fetchall()
        with pytest.raises(ProgrammingError, match=r"holds no Files of 'nobody@x'"):
            con.execute("SELECT * FROM Files WHERE UserId = 'nobody@x'").fetchall()
        with pytest.raises(NotSupportedError, match=r"by parentReference_id needs Graph"):
            con.execute("SELECT * FROM Files WHERE parentReference_id = 'x'").fetchall()


def test_an_expired_token_restarts_the_stream_cleanly(tenant: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache.db"
    first = _sync(tenant, cache, "Contacts")
    assert tenant.admin("POST", "delta/expire", {})["expired"] > 0
    again = _sync(tenant, cache, "Contacts")
    assert again["Restarted"] == first["Streams"] == again["Streams"]
    sql = SELECT.format(t="Contacts")
    assert _rows(tenant, sql, CacheLocation=str(cache), Offline=True) == _rows(tenant, sql)


def test_an_interrupted_sync_resumes_where_it_stopped(tenant: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache.db"
    # each mailbox's second request is throttled for longer than the driver waits: the sync stops mid-round
    tenant.admin("POST", "faults", {"throttle_after": 1, "retry_after": 100000})
    with pytest.raises(ThrottledError):
        _sync(tenant, cache, "Contacts", Pagesize=3)
    with sqlite3.connect(cache) as db:
        resumable = db.execute("SELECT count(*) FROM streams WHERE complete = 0").fetchone()[0]
    assert resumable > 0
    tenant.admin("POST", "faults", {})
    tenant.reset()
    report = _sync(tenant, cache, "Contacts", Pagesize=3)
    # only the streams that had not begun start from a first page; the others continue from their nextLink
    starts = [
        r
        for r in _graph_log(tenant)
        if r["path"].endswith("/contacts/delta") and "skiptoken" not in r["query"]
    ]
    assert len(starts) == report["Streams"] - resumable
    sql = SELECT.format(t="Contacts")
    assert _rows(tenant, sql, CacheLocation=str(cache), Offline=True) == _rows(tenant, sql)
