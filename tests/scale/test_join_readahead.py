"""Joins into per-owner tables read the owners side by side (engine.joins), rows as the sequential join's."""

from __future__ import annotations

import collections
import re
import threading
from typing import Any
from urllib.parse import unquote

import pytest

from o365sql.emulator import Emulator
from o365sql.errors import NotFoundError
from o365sql.graph import GraphClient

from .conftest import app_connect, raw_items

_MAILBOX = re.compile(r"^/v1\.0/users/([^/]+)/messages$")
JOIN = (
    "SELECT u.id, m.id, m.subject, m.receivedDateTime FROM Users u JOIN Messages m ON m.UserId = u.id "
    "ORDER BY u.id, m.id"
)


def _mailbox_reads(emu: Emulator) -> list[tuple[str, int]]:
    """(mailbox, status) of each messages request in the emulator's log."""
    out = []
    for r in emu.requests():
        m = _MAILBOX.match(unquote(str(r["path"])))
        if m:
            out.append((m.group(1), int(r["status"])))
    return out


def _expected(emu: Emulator) -> list[tuple[Any, ...]]:
    rows = []
    for u in raw_items(emu, "/users", {"$select": "id"}):
        for m in raw_items(emu, f"/users/{u['id']}/messages", {"$select": "id,subject", "$top": "100"}):
            rows.append((u["id"], m["id"], m["subject"]))
    return sorted(rows, key=lambda r: (r[0], r[1]))


class _InFlight:
    """Counts the mailboxes with a request in flight at once (a probe around GraphClient._send)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.peak = 0
        original = GraphClient._send
        probe = self

        def send(client: GraphClient, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            m = re.search(r"/users/([^/?]+)/messages", url)
            if m is None:
                return original(client, method, url, *args, **kwargs)
            with probe.lock:
                probe.now[m.group(1)] = probe.now.get(m.group(1), 0) + 1
                probe.peak = max(probe.peak, sum(1 for v in probe.now.values() if v))
            try:
                return original(client, method, url, *args, **kwargs)
            finally:
                with probe.lock:
                    probe.now[m.group(1)] -= 1

        monkeypatch.setattr(GraphClient, "_send", send)


def test_join_reads_mailboxes_side_by_side_with_the_sequential_rows(
    tenant: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _expected(tenant)
    with app_connect(tenant, MaxConcurrentRequests=1, Pagesize=100) as con:
        sequential = con.execute(JOIN).fetchall()
    assert [tuple(r[:3]) for r in sequential] == expected
    # Graph's limit of 4 requests per mailbox, enforced: a fifth at once would be answered 429
    tenant.set_faults(concurrency=4, latency_ms=20)
    tenant.reset()
    probe = _InFlight(monkeypatch)
    with app_connect(tenant, MaxConcurrentRequests=8, Pagesize=100) as con:
        cur = con.execute(JOIN)
        parallel = cur.fetchall()
        stats = cur.stats
    assert parallel == sequential
    reads = _mailbox_reads(tenant)
    assert all(status == 200 for _, status in reads)
    per_user = collections.Counter(r[0] for r in expected)
    # every page of every mailbox read once: none twice, none for nothing
    assert collections.Counter(m for m, _ in reads) == {u: max(1, -(-n // 100)) for u, n in per_user.items()}
    assert probe.peak > 1  # several mailboxes had a request in flight at once
    assert stats.read_ahead > 0 and stats.read_ahead_unused == 0
    assert stats.requests == len(tenant.requests()) - sum(
        1 for r in tenant.requests() if not str(r["path"]).startswith("/v1.0/")
    )


def test_the_readahead_never_exceeds_the_concurrency_cap(
    tenant: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant.set_faults(latency_ms=20)
    probe = _InFlight(monkeypatch)
    with app_connect(tenant, MaxConcurrentRequests=3, Pagesize=100) as con:
        rows = con.execute(JOIN).fetchall()
    assert len(rows) == len(_expected(tenant))
    assert 1 < probe.peak <= 3


def test_an_outer_filter_sqlite_applies_reads_only_the_owners_it_keeps(tenant: Emulator) -> None:
    users = raw_items(tenant, "/users", {"$select": "id"})
    # two users apart in Graph's order: SQLite keeps them (the expression is no term Graph can take)
    keep = [users[1]["id"], users[6]["id"]]
    sql = (
        "SELECT u.id, count(m.id) FROM Users u JOIN Messages m ON m.UserId = u.id "
        "WHERE u.id || '' IN (?, ?) GROUP BY u.id"
    )
    tenant.reset()
    with app_connect(tenant, Pagesize=100) as con:
        cur = con.execute(sql, keep)
        got = dict(cur.fetchall())
        stats = cur.stats
    want = {u: len(raw_items(tenant, f"/users/{u}/messages", {"$select": "id", "$top": "100"})) for u in keep}
    assert got == want
    assert {m for m, _ in _mailbox_reads(tenant)} == set(keep)
    assert stats.read_ahead == 0


def test_a_dense_run_then_a_skipped_row_wastes_at_most_the_window(tenant: Emulator) -> None:
    ids = [u["id"] for u in raw_items(tenant, "/users", {"$select": "id"})]
    # SQLite keeps the first four users in Graph's order and drops the rest after reading them
    keep = ids[:4]
    marks = ", ".join("?" for _ in keep)
    sql = f"SELECT u.id, m.id FROM Users u JOIN Messages m ON m.UserId = u.id WHERE u.id || '' IN ({marks})"
    tenant.reset()
    with app_connect(tenant, Pagesize=100) as con:
        cur = con.execute(sql, keep)
        rows = cur.fetchall()
        stats = cur.stats
    assert {r[0] for r in rows} == set(keep)
    read = {m for m, _ in _mailbox_reads(tenant)}
    wasted = read - set(keep)
    assert set(keep) <= read
    # the window had grown to 4 (1, 2, 4 after three consecutive rows): at most that many read for nothing
    assert len(wasted) == stats.read_ahead_unused <= 4


def test_limit_closes_the_readahead_and_its_workers(tenant: Emulator) -> None:
    before = {t.name for t in threading.enumerate() if t.name.startswith("o365sql-join")}
    with app_connect(tenant, Pagesize=100) as con:
        rows = con.execute(
            "SELECT u.id, m.id FROM Users u JOIN Messages m ON m.UserId = u.id LIMIT 3"
        ).fetchall()
        cur = con.execute("SELECT u.id, m.id FROM Users u JOIN Messages m ON m.UserId = u.id")
        first = [cur.fetchone() for _ in range(30)]
        cur.close()
    assert len(rows) == 3 and all(first)
    after = {t.name for t in threading.enumerate() if t.name.startswith("o365sql-join")}
    assert after <= before


def test_groups_join_conversations_reads_groups_side_by_side(
    tenant: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    groups = raw_items(tenant, "/groups", {"$select": "id,groupTypes"})
    unified = [g["id"] for g in groups if "Unified" in g["groupTypes"]]
    expected = sorted(
        (g, c["id"])
        for g in unified
        for c in raw_items(tenant, f"/groups/{g}/conversations", {"$select": "id"})
    )
    sql = (
        "SELECT g.id, c.id FROM Groups g JOIN Conversations c ON c.GroupId = g.id "
        "WHERE g.groupTypes LIKE '%Unified%'"
    )
    with app_connect(tenant, MaxConcurrentRequests=1) as con:
        sequential = sorted(con.execute(sql).fetchall())
    with app_connect(tenant) as con:
        cur = con.execute(sql)
        parallel = sorted(cur.fetchall())
        stats = cur.stats
    assert sequential == parallel == expected and expected
    assert stats.read_ahead > 0


def test_join_owner_errors_follow_owner_errors(tenant: Emulator) -> None:
    users = tenant.state.directory.users
    unlicensed = users[3]
    tenant.admin("POST", "faults", {"no_mailbox": unlicensed.user_principal_name})
    sql = "SELECT u.id, count(m.id) FROM Users u JOIN Messages m ON m.UserId = u.id GROUP BY u.id"
    with (
        app_connect(tenant) as con,
        pytest.raises(NotFoundError, match=f"owner '{unlicensed.id}'.*OwnerErrors=SKIP"),
    ):
        con.execute(sql).fetchall()
    with app_connect(tenant, OwnerErrors="SKIP") as con:
        cur = con.execute(sql)
        got = dict(cur.fetchall())
        assert [s.owner for s in cur.stats.skipped] == [unlicensed.id]
    assert set(got) == {u.id for u in users} - {unlicensed.id}


def test_explain_says_what_runs_side_by_side(tenant: Emulator) -> None:
    with app_connect(tenant) as con:
        plan = con.explain("SELECT u.id, m.id FROM Users u JOIN Messages m ON m.UserId = u.id")
    (inner,) = [p for p in plan if p.table == "Messages"]
    assert "side by side: up to 15 ahead, at most 3 of one mailbox" in inner.note


def test_outer_fan_out_drives_the_inner_readahead(tenant: Emulator) -> None:
    # the outer scan is itself a multi-owner read (every mailbox's messages with attachments, app-only)
    sql = (
        "SELECT m.UserId, m.id, a.id, a.name FROM Messages m JOIN MessageAttachments a "
        "ON a.UserId = m.UserId AND a.MessageId = m.id WHERE m.hasAttachments = 1"
    )
    expected = sorted(
        (u["id"], m["id"], a["id"], a["name"])
        for u in raw_items(tenant, "/users", {"$select": "id"})
        for m in raw_items(
            tenant, f"/users/{u['id']}/messages", {"$select": "id", "$filter": "hasAttachments eq true"}
        )
        for a in raw_items(tenant, f"/users/{u['id']}/messages/{m['id']}/attachments", {"$select": "id,name"})
    )
    tenant.set_faults(concurrency=4)
    tenant.reset()
    with app_connect(tenant) as con:
        cur = con.execute(sql)
        got = sorted(tuple(r) for r in cur.fetchall())
        stats = cur.stats
    assert got == expected and expected
    assert stats.read_ahead > 0
    assert all(r["status"] == 200 for r in tenant.requests() if str(r["path"]).startswith("/v1.0/"))


def test_order_by_and_two_inner_tables_keep_the_rows_and_the_caps(
    tenant: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two inner tables driven by the same outer rows share the connection's MaxConcurrentRequests - 1
    sql = (
        "SELECT u.displayName, u.id, "
        "(SELECT count(*) FROM Messages m WHERE m.UserId = u.id), "
        "(SELECT count(*) FROM Contacts c WHERE c.UserId = u.id) "
        "FROM Users u ORDER BY u.displayName DESC, u.id"
    )
    with app_connect(tenant, MaxConcurrentRequests=1) as con:
        sequential = con.execute(sql).fetchall()
    tenant.set_faults(concurrency=4, latency_ms=20)
    tenant.reset()
    in_flight = {"now": 0, "peak": 0}
    lock = threading.Lock()
    original = GraphClient._send

    def send(client: GraphClient, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        counted = "/users/" in url and ("/messages" in url or "/contacts" in url)
        if counted:
            with lock:
                in_flight["now"] += 1
                in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
        try:
            return original(client, method, url, *args, **kwargs)
        finally:
            if counted:
                with lock:
                    in_flight["now"] -= 1

    monkeypatch.setattr(GraphClient, "_send", send)
    with app_connect(tenant, MaxConcurrentRequests=4) as con:
        cur = con.execute(sql)
        parallel = cur.fetchall()
        stats = cur.stats
    assert parallel == sequential and len(sequential) == len(tenant.state.directory.users)
    assert stats.read_ahead > 0
    # 3 reads ahead across both tables, plus the statement's own (and its one page fetched ahead)
    assert in_flight["peak"] <= 5
    assert all(r["status"] == 200 for r in tenant.requests() if str(r["path"]).startswith("/v1.0/"))
