"""The entry points a Spark data source or the CLI builds on: read_owner, delta_pages, sync."""

from __future__ import annotations

from pathlib import Path

from o365sql.emulator import Emulator
from o365sql.scale import delta_pages, read_owner, sync

from .conftest import app_connect, app_token, raw_items


def test_read_owner_is_one_partition_with_pushed_constraints(tenant: Emulator) -> None:
    demo = tenant.state.directory.demo_user.id
    with app_connect(tenant) as con:
        cur = read_owner(con, "Messages", demo, "isRead = ?", [False])
        rows = cur.fetchall()
        assert cur.stats.requests >= 1
    unread = raw_items(
        tenant, f"/users/{demo}/messages", {"$filter": "isRead eq false", "$select": "id", "$top": "1000"}
    )
    assert sorted(r[0] for r in rows) == sorted(m["id"] for m in unread)
    log = [r for r in tenant.requests() if r["path"].endswith("/messages")]
    assert "isRead" in log[-1]["query"]  # the constraint went to Graph


def test_delta_pages_continue_from_the_links_they_gave(tenant: Emulator) -> None:
    user = tenant.state.directory.users[2].id
    with app_connect(tenant) as con:
        links: dict[str, str] = {}
        total = 0
        for sp in delta_pages(con, "Contacts", user):
            total += len(sp.page.items)
            links[sp.scope] = sp.page.link
        assert total == len(raw_items(tenant, f"/users/{user}/contacts", {"$top": "1000"}))
        assert all(sp.page.items == [] for sp in delta_pages(con, "Contacts", user, links))
        with tenant.http_client(
            base_url=tenant.graph_url, headers={"Authorization": f"Bearer {app_token(tenant)}"}
        ) as g:
            new = g.post(f"/users/{user}/contacts", json={"givenName": "Delta"}).json()["id"]
        changed = [i["id"] for sp in delta_pages(con, "Contacts", user, links) for i in sp.page.items]
        assert changed == [new]


def test_sync_function_fills_the_cache(tenant: Emulator, tmp_path: Path) -> None:
    with app_connect(tenant, CacheLocation=str(tmp_path / "c.db")) as con:
        report = sync(con, "Groups")
    assert report.table == "Groups" and report.upserted == len(raw_items(tenant, "/groups"))
