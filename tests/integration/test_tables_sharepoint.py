"""SharePoint (Sites, Drives, Lists, ListItems, ListColumns) against the raw Graph resources: rows, routing,
parent-key joins and permissions. Files in libraries: test_files_libraries.py; a list as a typed table:
test_list_tables.py (both use the helpers here).

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
EVERY_SITE = {"search": "*"}


def reachable_sites(raw: httpx.Client) -> list[Item]:
    return list(pages(raw, "/sites", {**EVERY_SITE, **select_for(TABLES["Sites"])}))


def team_site(raw: httpx.Client, name: str) -> tuple[str, Item]:
    groups = pages(raw, "/groups", {"$select": "id,displayName"})
    (gid,) = [g["id"] for g in groups if g["displayName"] == name]
    site = raw.get(f"/groups/{gid}/sites/root").json()
    return gid, site


def projects_list(raw: httpx.Client, site_id: str) -> str:
    lists = pages(raw, f"/sites/{site_id}/lists", {"$select": "id,displayName"})
    (lid,) = [x["id"] for x in lists if x["displayName"] == "Projects"]
    return str(lid)


def drive_files(raw: httpx.Client, drive: str) -> list[Item]:
    """Every item of a drive but its root, from its delta (paths as /drives/{id}/root:...)."""
    select = select_for(TABLES["Files"])["$select"] + ",root"
    return [i for i in pages(raw, f"{drive}/root/delta", {"$select": select}) if "root" not in i]


def test_sites_are_every_reachable_site(con: o365sql.Connection, raw: httpx.Client) -> None:
    sites = reachable_sites(raw)
    compare(con, TABLES["Sites"], "SELECT * FROM Sites", [((s["id"],), s) for s in sites])
    assert sum(1 for s in sites if "root" in s) == 1  # the tenant's root site is among them


def test_search_terms_go_to_graph(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    want = list(pages(raw, "/sites", {"search": "sales", **select_for(TABLES["Sites"])}))
    emulator.reset()
    compare(
        con,
        TABLES["Sites"],
        "SELECT * FROM Sites WHERE SearchTerms = 'sales'",
        [((s["id"],), s) for s in want],
    )
    ((path, query),) = logged(emulator, "/sites")
    assert path == "/v1.0/sites" and "search=sales" in query
    assert len(want) < len(reachable_sites(raw))


def test_group_site_subsites_and_followed(con: o365sql.Connection, raw: httpx.Client) -> None:
    gid, site = team_site(raw, "All Company")
    row = con.execute("SELECT id, displayName, GroupId FROM Sites WHERE GroupId = ?", (gid,)).fetchall()
    assert row == [(site["id"], site["displayName"], gid)]
    subs = pages(raw, f"/sites/{site['id']}/sites", {"$select": "id"})
    got = con.execute("SELECT id FROM Sites WHERE ParentSiteId = ?", (site["id"],)).fetchall()
    assert sorted(r[0] for r in got) == sorted(s["id"] for s in subs) and got
    me = raw.get("/me", params={"$select": "userPrincipalName"}).json()["userPrincipalName"]
    followed = pages(raw, "/me/followedSites", {"$select": "id"})
    got = con.execute("SELECT id FROM Sites WHERE FollowedBy = ?", (me,)).fetchall()
    assert sorted(r[0] for r in got) == sorted(s["id"] for s in followed) and len(got) > 1


def test_drives_of_every_site(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Drives"]
    rows: Rows = [
        ((d["id"],), d)
        for s in reachable_sites(raw)
        for d in pages(raw, f"/sites/{s['id']}/drives", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM Drives", rows)
    owners = sorted(
        (s["id"], d["id"]) for s in reachable_sites(raw) for d in pages(raw, f"/sites/{s['id']}/drives")
    )
    assert sorted(con.execute("SELECT SiteId, id FROM Drives").fetchall()) == owners


def test_groups_join_drives(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    """GET /groups/{id}/drives per group, driven by the join (groups without a site have none)."""
    want = []
    for g in pages(raw, "/groups", {"$select": "id"}):
        answer = raw.get(f"/groups/{g['id']}/drives", params={"$select": "id"})
        if answer.status_code == 200:
            want.extend((g["id"], d["id"], None) for d in answer.json()["value"])
    emulator.reset()
    got = con.execute(
        "SELECT g.id, d.id, d.SiteId FROM Groups g JOIN Drives d ON d.GroupId = g.id"
    ).fetchall()
    assert sorted(got) == sorted(want) and len(want) > 1
    assert all(p.startswith("/v1.0/groups/") for p, _ in logged(emulator, "/drives"))


def test_a_users_drives(con: o365sql.Connection, raw: httpx.Client) -> None:
    me = raw.get("/me", params={"$select": "id"}).json()["id"]
    spec = TABLES["Drives"]
    drives = list(pages(raw, f"/users/{me}/drives", select_for(spec)))
    compare(con, spec, "SELECT * FROM Drives WHERE UserId = ?", [((d["id"],), d) for d in drives], (me,))
    assert con.execute("SELECT SiteId FROM Drives WHERE UserId = ?", (me,)).fetchall() == [(None,)]


def test_the_signed_in_users_drives_by_their_upn(emulator: Emulator, raw: httpx.Client) -> None:
    """A bare Drives scan lists the sites' libraries; your own OneDrive is UserId = your UPN, which Graph
    serves with Files.Read alone (the own-drive scope), as /me/drives does."""
    upn = raw.get("/me", params={"$select": "userPrincipalName"}).json()["userPrincipalName"]
    spec = TABLES["Drives"]
    token = token_for(emulator, frozenset({"User.Read", "Files.Read"}))
    headers = {"Authorization": f"Bearer {token}"}
    with emulator.http_client(base_url=emulator.graph_url, headers=headers) as own:
        drives = list(pages(own, "/me/drives", select_for(spec)))
    emulator.reset()
    with o365sql.connect(connection_string(emulator, token)) as con:
        compare(con, spec, "SELECT * FROM Drives WHERE UserId = ?", [((d["id"],), d) for d in drives], (upn,))
    assert [d["driveType"] for d in drives] == ["business"]
    assert {p for p, _ in logged(emulator, "/drives")} == {f"/v1.0/users/{upn}/drives"}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM Drives WHERE UserId = 'me'",
        "SELECT id FROM Drives WHERE UserId = 'nobody@contoso-demo.onmicrosoft.com'",
        "SELECT id FROM Sites WHERE FollowedBy = 'me'",
    ],
)
def test_a_user_routing_value_naming_no_user_raises(con: o365sql.Connection, sql: str) -> None:
    """'me' is no user id in a table (as UserId = 'me' on Messages): a misspelt user is not "no drives"."""
    with pytest.raises(o365sql.errors.NotFoundError, match=r"no user for .*userPrincipalName"):
        con.execute(sql).fetchall()


def test_drives_by_site_and_group_at_once_raise(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="give one of them"):
        con.execute("SELECT id FROM Drives WHERE SiteId = 'a' AND GroupId = 'b'").fetchall()


def test_group_libraries_through_its_site(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid, site = team_site(raw, "Sales and Marketing")
    want = sorted(d["id"] for d in pages(raw, f"/groups/{gid}/drives", {"$select": "id"}))
    emulator.reset()
    sql = "SELECT d.id FROM Sites s JOIN Drives d ON d.SiteId = s.id WHERE s.GroupId = ?"
    assert sorted(r[0] for r in con.execute(sql, (gid,)).fetchall()) == want and want
    # the join read the group's site, then that one site's libraries: no site search, no other site
    assert [p for p, _ in logged(emulator, "/drives")] == [f"/v1.0/sites/{site['id']}/drives"]
    sites_read = logged(emulator, "/sites")
    assert sites_read[0][0] == f"/v1.0/groups/{gid}/sites/root"
    assert not any("search=" in q for _, q in sites_read)


def test_lists_include_system_lists(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Lists"]
    rows: Rows = [
        ((s["id"], x["id"]), x)
        for s in reachable_sites(raw)
        for x in pages(raw, f"/sites/{s['id']}/lists", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM Lists", rows)
    assert any(x.get("system") is not None for _k, x in rows)
    # the rows do not depend on the columns read: system lists are there without `system` in the query
    names = con.execute("SELECT count(*) FROM Lists").fetchone()
    assert names == (len(rows),)


def test_sites_join_lists(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    _gid, site = team_site(raw, "Sales and Marketing")
    want = sorted(x["id"] for x in pages(raw, f"/sites/{site['id']}/lists", {"$select": "id,system"}))
    emulator.reset()
    sql = "SELECT l.id FROM Sites s JOIN Lists l ON l.SiteId = s.id WHERE s.id = ?"
    assert sorted(r[0] for r in con.execute(sql, (site["id"],)).fetchall()) == want and want
    assert [p for p, _ in logged(emulator, "/lists")] == [f"/v1.0/sites/{site['id']}/lists"]


def test_list_items_with_fields(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["ListItems"]
    _gid, site = team_site(raw, "Sales and Marketing")
    lid = projects_list(raw, site["id"])
    params = {**select_for(spec), "$expand": "fields"}
    items = list(pages(raw, f"/sites/{site['id']}/lists/{lid}/items", params))
    emulator.reset()
    compare(
        con,
        spec,
        "SELECT * FROM ListItems WHERE SiteId = ? AND ListId = ?",
        [((site["id"], lid, i["id"]), i) for i in items],
        (site["id"], lid),
    )
    ((_path, query),) = logged(emulator, "/items")
    assert "$expand=fields" in query
    titles = con.execute(
        "SELECT json_extract(fields, '$.Title') FROM ListItems WHERE SiteId = ? AND ListId = ?",
        (site["id"], lid),
    ).fetchall()
    assert sorted(t[0] for t in titles) == sorted(i["fields"]["Title"] for i in items)


def test_list_items_expand_fields_only_when_used(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    _gid, site = team_site(raw, "Sales and Marketing")
    lid = projects_list(raw, site["id"])
    emulator.reset()
    ids = con.execute(
        "SELECT id FROM ListItems WHERE SiteId = ? AND ListId = ?", (site["id"], lid)
    ).fetchall()
    assert ids
    ((_path, query),) = logged(emulator, "/items")
    assert "$expand" not in query  # every item's fields would travel for nothing


def test_list_items_fan_out_over_the_site_lists(con: o365sql.Connection, raw: httpx.Client) -> None:
    _gid, site = team_site(raw, "Sales and Marketing")
    want = sorted(
        (x["id"], i["id"])
        for x in pages(raw, f"/sites/{site['id']}/lists", {"$select": "id,system"})
        for i in pages(raw, f"/sites/{site['id']}/lists/{x['id']}/items", {"$select": "id"})
    )
    got = con.execute("SELECT ListId, id FROM ListItems WHERE SiteId = ?", (site["id"],)).fetchall()
    assert sorted(got) == want and want


def test_list_items_of_every_site(con: o365sql.Connection, raw: httpx.Client) -> None:
    """Without SiteId the table fans out over Lists (every site's lists), side by side."""
    want = sorted(
        (s["id"], x["id"], i["id"])
        for s in reachable_sites(raw)
        for x in pages(raw, f"/sites/{s['id']}/lists", {"$select": "id,system"})
        for i in pages(raw, f"/sites/{s['id']}/lists/{x['id']}/items", {"$select": "id"})
    )
    got = con.execute("SELECT SiteId, ListId, id FROM ListItems").fetchall()
    assert sorted(got) == want and want


def test_list_columns(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["ListColumns"]
    _gid, site = team_site(raw, "Sales and Marketing")
    lid = projects_list(raw, site["id"])
    cols = list(pages(raw, f"/sites/{site['id']}/lists/{lid}/columns", select_for(spec)))
    compare(
        con,
        spec,
        "SELECT * FROM ListColumns WHERE SiteId = ? AND ListId = ?",
        [((site["id"], lid, c["id"]), c) for c in cols],
        (site["id"], lid),
    )


def test_list_item_filters_need_an_index_or_the_prefer_header(raw: httpx.Client) -> None:
    """The emulator holds Graph's rule (listitem-list.md): a non-indexed field filters only with Prefer."""
    _gid, site = team_site(raw, "Sales and Marketing")
    path = f"/sites/{site['id']}/lists/{projects_list(raw, site['id'])}/items"
    indexed = raw.get(path, params={"$expand": "fields", "$filter": "fields/Status eq 'Done'"})
    assert indexed.status_code == 200
    assert {i["fields"]["Status"] for i in indexed.json()["value"]} == {"Done"}
    plain = raw.get(path, params={"$expand": "fields", "$filter": "fields/Budget gt 100000"})
    assert plain.status_code == 400 and "HonorNonIndexedQueriesWarningMayFailRandomly" in plain.text
    prefer = {"Prefer": "HonorNonIndexedQueriesWarningMayFailRandomly"}
    scanned = raw.get(
        path, params={"$expand": "fields", "$filter": "fields/Budget gt 100000"}, headers=prefer
    )
    assert scanned.status_code == 200
    assert all(i["fields"]["Budget"] > 100000 for i in scanned.json()["value"])


@pytest.mark.parametrize(
    ("sql", "table", "permission"),
    [
        ("SELECT id FROM Sites", "Sites", "Sites.Read.All"),
        ("SELECT id FROM Drives WHERE SiteId = '{sid}'", "Drives", "Sites.Read.All"),
        ("SELECT id FROM Lists WHERE SiteId = '{sid}'", "Lists", "Sites.Read.All"),
        ("SELECT id FROM ListItems WHERE SiteId = '{sid}' AND ListId = 'x'", "ListItems", "Sites.Read.All"),
        (
            "SELECT id FROM ListColumns WHERE SiteId = '{sid}' AND ListId = 'x'",
            "ListColumns",
            "Sites.Read.All",
        ),
        ("SELECT id FROM Files WHERE SiteId = '{sid}'", "Files", "Files.Read.All"),
    ],
)
def test_missing_permission_is_named(
    emulator: Emulator, raw: httpx.Client, sql: str, table: str, permission: str
) -> None:
    token = token_for(emulator, frozenset({"User.Read", "Files.Read"}))
    sid = reachable_sites(raw)[0]["id"]
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(sql.format(sid=sid)).fetchall()
    err = info.value
    assert err.status == 403 and table in str(err) and permission in str(err)


def test_groups_join_sites_routes_by_group(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    """The join reads each group's team site: Sites read first would hold NULL GroupIds and match nothing."""
    want = []
    for g in pages(raw, "/groups", {"$select": "id"}):
        answer = raw.get(f"/groups/{g['id']}/sites/root", params={"$select": "id"})
        if answer.status_code == 200:
            want.append((g["id"], answer.json()["id"]))
    emulator.reset()
    got = con.execute("SELECT g.id, s.id FROM Groups g JOIN Sites s ON s.GroupId = g.id").fetchall()
    assert sorted(got) == sorted(want) and len(want) > 1
    assert not any("search=" in q for _p, q in logged(emulator, "/sites"))


def test_sites_join_their_subsites(con: o365sql.Connection, raw: httpx.Client) -> None:
    want = sorted(
        (s["id"], sub["id"])
        for s in reachable_sites(raw)
        for sub in pages(raw, f"/sites/{s['id']}/sites", {"$select": "id"})
    )
    got = con.execute("SELECT p.id, s.id FROM Sites p JOIN Sites s ON s.ParentSiteId = p.id").fetchall()
    assert sorted(got) == want and want


def test_search_terms_are_sent_as_written(emulator: Emulator, con: o365sql.Connection) -> None:
    """A `+` or `&` in the search text is text, not a space or another query option."""
    emulator.reset()
    assert con.execute("SELECT id FROM Sites WHERE SearchTerms = 'sales+marketing&$top=1'").fetchall() == []
    (request,) = [r for r in emulator.requests() if r["path"] == "/v1.0/sites"]
    assert request["query"].startswith("search=sales%2Bmarketing%26%24top%3D1")


def test_a_site_by_id_is_one_get(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    site = reachable_sites(raw)[1]
    emulator.reset()
    got = con.execute("SELECT id, displayName, webUrl FROM Sites WHERE id = ?", (site["id"],)).fetchall()
    assert got == [(site["id"], site["displayName"], site["webUrl"])]
    assert [p for p, _ in logged(emulator, "/sites")] == [f"/v1.0/sites/{site['id']}"]
