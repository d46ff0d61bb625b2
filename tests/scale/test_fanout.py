"""Multi-owner reads against the emulator: rows as owner by owner, Graph's limits kept, owners named."""

from __future__ import annotations

from pathlib import Path

import pytest

from o365sql.emulator import Emulator
from o365sql.errors import NotFoundError
from o365sql.scale.stats import StatementStats

from .conftest import app_connect, raw_items


def _graph(emu: Emulator) -> list[dict[str, object]]:
    return [r for r in emu.requests() if str(r["path"]).startswith("/v1.0/")]


def test_tenant_wide_count_equals_every_mailbox_read_alone(tenant: Emulator) -> None:
    users = [u["id"] for u in raw_items(tenant, "/users", {"$select": "id"})]
    expected = {
        u: len(raw_items(tenant, f"/users/{u}/messages", {"$select": "id", "$top": "1000"})) for u in users
    }
    # one request at a time per mailbox is all the emulator allows here: a second would be a 429
    tenant.set_faults(concurrency=1)
    tenant.reset()
    with app_connect(tenant, MaxConcurrentRequests=8) as con:
        got = dict(con.execute("SELECT UserId, count(*) FROM Messages GROUP BY UserId").fetchall())
    assert got == expected
    log = _graph(tenant)
    assert all(r["status"] == 200 for r in log), [r for r in log if r["status"] != 200][:3]


def test_in_list_with_an_unknown_owner_raises_naming_it_or_skips_it(tenant: Emulator) -> None:
    demo = tenant.state.directory.demo_user.user_principal_name
    sql = "SELECT count(*) FROM Messages WHERE UserId IN (?, 'nobody@contoso.invalid')"
    with (
        app_connect(tenant) as con,
        pytest.raises(NotFoundError, match=r"owner 'nobody@contoso\.invalid'.*OwnerErrors=SKIP"),
    ):
        con.execute(sql, [demo]).fetchall()
    with app_connect(tenant, OwnerErrors="SKIP") as con:
        cur = con.execute(sql, [demo])
        (n,) = cur.fetchone()
        assert n == len(raw_items(tenant, f"/users/{demo}/messages", {"$select": "id", "$top": "1000"}))
        assert [s.owner for s in cur.stats.skipped] == ["nobody@contoso.invalid"]
        assert "ErrorInvalidUser" in str(cur.stats.skipped[0].error.code)


def test_cursor_stats_progress_and_log_count_what_graph_served(tenant: Emulator, tmp_path: Path) -> None:
    log = tmp_path / "o365sql.log"
    seen: list[StatementStats] = []
    with app_connect(tenant, Logfile=str(log), Verbosity=1, Pagesize=50) as con:
        con.set_progress(seen.append)
        tenant.reset()
        cur = con.execute("SELECT id, subject FROM Messages")
        rows = cur.fetchall()
        stats = cur.stats
        served = _graph(tenant)
    assert stats.rows == len(rows) > 0
    assert stats.requests == len(served)  # sign-in goes to the identity side, not counted
    assert stats.bytes == sum(int(r["bytes"]) for r in served)
    assert stats.pages == len(served) and stats.throttled == 0 and stats.retries == 0
    assert stats.seconds > 0
    # progress: once per page, then once more with the final figures
    assert len(seen) == stats.pages + 1 and seen[-1] == stats
    assert [s.pages for s in seen[:-1]] == sorted(s.pages for s in seen[:-1])
    text = log.read_text()
    assert f"{stats.rows:,} rows, {stats.requests:,} requests ({stats.pages:,} pages)" in text


def test_throttled_answers_are_counted_and_retried(tenant: Emulator) -> None:
    demo = tenant.state.directory.demo_user.id
    tenant.set_faults(throttle_share=0.5, retry_after=0.01, seed=3)
    with app_connect(tenant, Pagesize=100) as con:
        tenant.reset()
        cur = con.execute("SELECT count(*) FROM Messages WHERE UserId = ?", [demo])
        cur.fetchall()
    throttled = sum(1 for r in _graph(tenant) if r["status"] == 429)
    assert throttled > 0
    assert cur.stats.throttled == throttled and cur.stats.retries == throttled


@pytest.mark.slow
def test_faults_during_a_fan_out_leave_the_rows_unchanged(tenant: Emulator) -> None:
    sql = "SELECT UserId, id, subject, receivedDateTime FROM Messages ORDER BY UserId, id"
    with app_connect(tenant, Pagesize=100) as con:
        clean = con.execute(sql).fetchall()
    tenant.set_faults(
        throttle_share=0.10, error_share=0.05, drop_share=0.02, retry_after=0.05, seed=7, concurrency=4
    )
    with app_connect(tenant, Pagesize=100) as con:
        cur = con.execute(sql)
        faulty = cur.fetchall()
        assert cur.stats.retries > 0
    assert faulty == clean


def test_a_mailbox_without_a_licence_in_a_fan_out(tenant: Emulator) -> None:
    users = tenant.state.directory.users
    unlicensed = users[2]
    tenant.admin("POST", "faults", {"no_mailbox": unlicensed.user_principal_name})
    with (
        app_connect(tenant) as con,
        pytest.raises(NotFoundError, match=f"owner '{unlicensed.id}'.*MailboxNotEnabledForRESTAPI"),
    ):
        con.execute("SELECT count(*) FROM Messages").fetchall()
    with app_connect(tenant, OwnerErrors="SKIP") as con:
        cur = con.execute("SELECT UserId, count(*) FROM Messages GROUP BY UserId")
        got = dict(cur.fetchall())
        assert [s.owner for s in cur.stats.skipped] == [unlicensed.id]
    assert set(got) == {u.id for u in users} - {unlicensed.id}


def test_wide_rows_of_many_owners_come_in_smaller_pages(tenant: Emulator) -> None:
    # each worker holds a page while SQLite reads it: wide rows get pages that keep memory flat
    with app_connect(tenant, MaxConcurrentRequests=8) as con:
        tenant.reset()
        con.execute("SELECT count(*) FROM Messages").fetchall()
        narrow = {r["query"] for r in _graph(tenant) if r["path"].endswith("/messages")}
        tenant.reset()
        con.execute("SELECT * FROM Messages").fetchall()
        wide = {r["query"] for r in _graph(tenant) if r["path"].endswith("/messages")}
    assert all("%24top=1000" in q or "$top=1000" in q for q in narrow), narrow
    assert all("%24top=250" in q or "$top=250" in q for q in wide), wide
