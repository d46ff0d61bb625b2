"""SharePoint (Sites, Drives, Lists, ListItems, ListColumns) and Files in other drives (DriveId, SiteId,
GroupId) against the raw Graph resources: rows, routing, parent-key joins, depth, writes and permissions.

Expected rows come from raw Graph reads (tests/integration/test_tables_vs_graph.py computes each value
independently of the driver); what the driver sent is read from the emulator's request log.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import connection_string, token_for
from .test_tables_vs_graph import Item, compare, pages, select_for

Rows = list[tuple[tuple[Any, ...], Item]]
EVERY_SITE = {"search": "*"}


def _sent(emulator: Emulator, fragment: str) -> list[tuple[str, str]]:
    return [
        (unquote(r["path"]), unquote(r["query"]).replace("+", " "))
        for r in emulator.requests()
        if fragment in unquote(r["path"])
    ]


def _sites(raw: httpx.Client) -> list[Item]:
    return list(pages(raw, "/sites", {**EVERY_SITE, **select_for(TABLES["Sites"])}))


def _team_site(raw: httpx.Client, name: str) -> tuple[str, Item]:
    groups = pages(raw, "/groups", {"$select": "id,displayName"})
    (gid,) = [g["id"] for g in groups if g["displayName"] == name]
    site = raw.get(f"/groups/{gid}/sites/root").json()
    return gid, site


def _projects(raw: httpx.Client, site_id: str) -> str:
    lists = pages(raw, f"/sites/{site_id}/lists", {"$select": "id,displayName"})
    (lid,) = [x["id"] for x in lists if x["displayName"] == "Projects"]
    return str(lid)


def _files(raw: httpx.Client, drive: str) -> list[Item]:
    """Every item of a drive but its root, from its delta (paths as /drives/{id}/root:...)."""
    select = select_for(TABLES["Files"])["$select"] + ",root"
    return [i for i in pages(raw, f"{drive}/root/delta", {"$select": select}) if "root" not in i]


def test_sites_are_every_reachable_site(con: o365sql.Connection, raw: httpx.Client) -> None:
    sites = _sites(raw)
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
    ((path, query),) = _sent(emulator, "/sites")
    assert path == "/v1.0/sites" and "search=sales" in query
    assert len(want) < len(_sites(raw))


def test_group_site_subsites_and_followed(con: o365sql.Connection, raw: httpx.Client) -> None:
    gid, site = _team_site(raw, "All Company")
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
        ((d["id"],), d) for s in _sites(raw) for d in pages(raw, f"/sites/{s['id']}/drives", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM Drives", rows)
    owners = sorted((s["id"], d["id"]) for s in _sites(raw) for d in pages(raw, f"/sites/{s['id']}/drives"))
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
    assert all(p.startswith("/v1.0/groups/") for p, _ in _sent(emulator, "/drives"))


def test_a_users_drives(con: o365sql.Connection, raw: httpx.Client) -> None:
    me = raw.get("/me", params={"$select": "id"}).json()["id"]
    spec = TABLES["Drives"]
    drives = list(pages(raw, f"/users/{me}/drives", select_for(spec)))
    compare(con, spec, "SELECT * FROM Drives WHERE UserId = ?", [((d["id"],), d) for d in drives], (me,))
    assert con.execute("SELECT SiteId FROM Drives WHERE UserId = ?", (me,)).fetchall() == [(None,)]


def test_drives_by_site_and_group_at_once_raise(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="give one of them"):
        con.execute("SELECT id FROM Drives WHERE SiteId = 'a' AND GroupId = 'b'").fetchall()


def test_group_libraries_through_its_site(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    gid, site = _team_site(raw, "Sales and Marketing")
    want = sorted(d["id"] for d in pages(raw, f"/groups/{gid}/drives", {"$select": "id"}))
    emulator.reset()
    sql = "SELECT d.id FROM Sites s JOIN Drives d ON d.SiteId = s.id WHERE s.GroupId = ?"
    assert sorted(r[0] for r in con.execute(sql, (gid,)).fetchall()) == want and want
    # the join read the group's site, then that one site's libraries: no site search, no other site
    assert [p for p, _ in _sent(emulator, "/drives")] == [f"/v1.0/sites/{site['id']}/drives"]
    sites_read = _sent(emulator, "/sites")
    assert sites_read[0][0] == f"/v1.0/groups/{gid}/sites/root"
    assert not any("search=" in q for _, q in sites_read)


def test_lists_include_system_lists(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Lists"]
    rows: Rows = [
        ((s["id"], x["id"]), x)
        for s in _sites(raw)
        for x in pages(raw, f"/sites/{s['id']}/lists", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM Lists", rows)
    assert any(x.get("system") is not None for _k, x in rows)
    # the rows do not depend on the columns read: system lists are there without `system` in the query
    names = con.execute("SELECT count(*) FROM Lists").fetchone()
    assert names == (len(rows),)


def test_sites_join_lists(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    _gid, site = _team_site(raw, "Sales and Marketing")
    want = sorted(x["id"] for x in pages(raw, f"/sites/{site['id']}/lists", {"$select": "id,system"}))
    emulator.reset()
    sql = "SELECT l.id FROM Sites s JOIN Lists l ON l.SiteId = s.id WHERE s.id = ?"
    assert sorted(r[0] for r in con.execute(sql, (site["id"],)).fetchall()) == want and want
    assert [p for p, _ in _sent(emulator, "/lists")] == [f"/v1.0/sites/{site['id']}/lists"]


def test_list_items_with_fields(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["ListItems"]
    _gid, site = _team_site(raw, "Sales and Marketing")
    lid = _projects(raw, site["id"])
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
    ((_path, query),) = _sent(emulator, "/items")
    assert "$expand=fields" in query
    titles = con.execute(
        "SELECT json_extract(fields, '$.Title') FROM ListItems WHERE SiteId = ? AND ListId = ?",
        (site["id"], lid),
    ).fetchall()
    assert sorted(t[0] for t in titles) == sorted(i["fields"]["Title"] for i in items)


def test_list_items_fan_out_over_the_site_lists(con: o365sql.Connection, raw: httpx.Client) -> None:
    _gid, site = _team_site(raw, "Sales and Marketing")
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
        for s in _sites(raw)
        for x in pages(raw, f"/sites/{s['id']}/lists", {"$select": "id,system"})
        for i in pages(raw, f"/sites/{s['id']}/lists/{x['id']}/items", {"$select": "id"})
    )
    got = con.execute("SELECT SiteId, ListId, id FROM ListItems").fetchall()
    assert sorted(got) == want and want


def test_list_columns(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["ListColumns"]
    _gid, site = _team_site(raw, "Sales and Marketing")
    lid = _projects(raw, site["id"])
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
    _gid, site = _team_site(raw, "Sales and Marketing")
    path = f"/sites/{site['id']}/lists/{_projects(raw, site['id'])}/items"
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
    sid = _sites(raw)[0]["id"]
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(sql.format(sid=sid)).fetchall()
    err = info.value
    assert err.status == 403 and table in str(err) and permission in str(err)


# -- Files in other drives -----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["DriveId", "SiteId", "GroupId"])
def test_files_of_a_library(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client, route: str
) -> None:
    gid, site = _team_site(raw, "Sales and Marketing")
    drive = raw.get(f"/groups/{gid}/drive", params={"$select": "id"}).json()["id"]
    value = {"DriveId": drive, "SiteId": site["id"], "GroupId": gid}[route]
    base = {
        "DriveId": f"/drives/{drive}",
        "SiteId": f"/sites/{site['id']}/drive",
        "GroupId": f"/groups/{gid}/drive",
    }
    items = _files(raw, f"/drives/{drive}")
    emulator.reset()
    cur = con.execute(
        f"SELECT id, name, size, parentReference_id, UserId, {route} FROM Files WHERE {route} = ?", (value,)
    )
    got = sorted(cur.fetchall())
    assert got == sorted(
        (i["id"], i["name"], i["size"], i["parentReference"]["id"], None, value) for i in items
    )
    assert got
    assert {p for p, _ in _sent(emulator, "/root/delta")} == {f"/v1.0{base[route]}/root/delta"}


def test_files_by_drive_and_its_full_rows(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Files"]
    (drive,) = [
        d["id"]
        for d in pages(raw, f"/sites/{_sites(raw)[0]['id']}/drives", {"$select": "id,name"})
        if d["name"] == "Brand Assets"
    ]
    items = _files(raw, f"/drives/{drive}")
    rows: Rows = [((i["id"],), i) for i in items]
    compare(con, spec, "SELECT * FROM Files WHERE DriveId = ?", rows, (drive,))


def test_drives_join_files_reads_each_library(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    root = _sites(raw)[0]
    drives = [d["id"] for d in pages(raw, f"/sites/{root['id']}/drives", {"$select": "id"})]
    want = sorted((d, i["id"]) for d in drives for i in _files(raw, f"/drives/{d}"))
    emulator.reset()
    sql = "SELECT d.id, f.id FROM Drives d JOIN Files f ON f.DriveId = d.id WHERE d.SiteId = ?"
    assert sorted(con.execute(sql, (root["id"],)).fetchall()) == want and len(drives) == 2
    assert sorted(p for p, _ in _sent(emulator, "/root/delta")) == sorted(
        f"/v1.0/drives/{d}/root/delta" for d in drives
    )


def test_directory_depth_is_honoured_in_a_library(emulator: Emulator, token: str, raw: httpx.Client) -> None:
    gid, _site = _team_site(raw, "Sales and Marketing")
    children = pages(raw, f"/groups/{gid}/drive/root/children", {"$select": "id"})
    with o365sql.connect(connection_string(emulator, token, DirectoryRetrievalDepth=0)) as con:
        got = con.execute("SELECT id FROM Files WHERE GroupId = ?", (gid,)).fetchall()
    assert sorted(r[0] for r in got) == sorted(c["id"] for c in children) and got
    deeper = [i for i in _files(raw, f"/groups/{gid}/drive") if i["parentReference"]["path"].count("/") > 3]
    assert deeper  # the library has items below the first level, which depth 0 left out


def test_one_drive_at_a_time(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="one drive at a time"):
        con.execute("SELECT id FROM Files WHERE DriveId = 'a' AND SiteId = 'b'").fetchall()


def test_unknown_drive_raises(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.errors.NotFoundError, match="no drive for DriveId 'b!nothing'"):
        con.execute("SELECT id FROM Files WHERE DriveId = 'b!nothing'").fetchall()


def test_offline_refuses_another_drive(emulator: Emulator, token: str, tmp_path: Path) -> None:
    props = {"CacheLocation": str(tmp_path / "cache.db"), "Offline": True}
    with (
        o365sql.connect(connection_string(emulator, token, **props)) as con,
        pytest.raises(o365sql.NotSupportedError, match="Files by DriveId needs Graph"),
    ):
        con.execute("SELECT id FROM Files WHERE DriveId = 'b!x'").fetchall()


def test_folder_created_and_renamed_in_a_library(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    token = token_for(emu)
    with (
        emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as raw,
        o365sql.connect(connection_string(emu, token)) as con,
    ):
        gid, _site = _team_site(raw, "Sales and Marketing")
        con.execute("INSERT INTO Files (name, GroupId) VALUES ('Minutes', ?)", (gid,))
        children = pages(raw, f"/groups/{gid}/drive/root/children", {"$select": "id,name"})
        (made,) = [c for c in children if c["name"] == "Minutes"]
        con.execute("UPDATE Files SET name = 'Minutes 2026' WHERE GroupId = ? AND id = ?", (gid, made["id"]))
        after = raw.get(f"/groups/{gid}/drive/items/{made['id']}", params={"$select": "name"}).json()
        assert after["name"] == "Minutes 2026"
        con.execute("DELETE FROM Files WHERE GroupId = ? AND id = ?", (gid, made["id"]))
        assert raw.get(f"/groups/{gid}/drive/items/{made['id']}").status_code == 404


# -- one list as a typed table -------------------------------------------------------------------------------


def test_a_list_as_a_typed_table(emulator: Emulator, token: str, raw: httpx.Client) -> None:
    _gid, site = _team_site(raw, "Sales and Marketing")
    lid = _projects(raw, site["id"])
    items = list(pages(raw, f"/sites/{site['id']}/lists/{lid}/items", {"$expand": "fields"}))
    with o365sql.connect(connection_string(emulator, token)) as con:
        con.execute(f"CREATE VIRTUAL TABLE temp.Projects USING o365(ListItems, '{site['id']}', 'Projects')")
        cur = con.execute("SELECT id, Title, Budget, Active, Status, OwnerLookupId, DueDate FROM Projects")
        types = [d[1] for d in cur.description]
        got = sorted(cur.fetchall())
        want = sorted(
            (
                i["id"],
                i["fields"]["Title"],
                i["fields"]["Budget"],
                i["fields"]["Active"],
                i["fields"]["Status"],
                i["fields"]["OwnerLookupId"],
                dt.datetime.fromisoformat(i["fields"]["DueDate"]),
            )
            for i in items
        )
        assert got == want and got
        assert types[2] == o365sql.NUMBER and types[6] == o365sql.DATETIME
        # Status is the list's indexed column: Graph filters it; Budget is not indexed: SQLite does
        emulator.reset()
        done = con.execute("SELECT id FROM Projects WHERE Status = 'Done'").fetchall()
        assert sorted(r[0] for r in done) == sorted(i["id"] for i in items if i["fields"]["Status"] == "Done")
        assert done
        ((_path, query),) = _sent(emulator, "/items")
        assert "$filter=fields/Status eq 'Done'" in query
        emulator.reset()
        rich = con.execute("SELECT id FROM Projects WHERE Budget > 200000").fetchall()
        assert sorted(r[0] for r in rich) == sorted(i["id"] for i in items if i["fields"]["Budget"] > 200000)
        ((_path, query),) = _sent(emulator, "/items")
        assert "$filter" not in query
        con.execute("DROP TABLE temp.Projects")


def test_a_list_table_needs_site_and_list(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="needs the site and the list"):
        con.execute("CREATE VIRTUAL TABLE temp.Missing USING o365(ListItems, 'x')")
    # a temp table named like a Graph table would hide it from every later query
    with pytest.raises(o365sql.ProgrammingError, match="a table of Microsoft Graph already"):
        con.execute("CREATE VIRTUAL TABLE temp.Files USING o365(ListItems, 'x', 'y')")


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
    assert not any("search=" in q for _p, q in _sent(emulator, "/sites"))


def test_sites_join_their_subsites(con: o365sql.Connection, raw: httpx.Client) -> None:
    want = sorted(
        (s["id"], sub["id"])
        for s in _sites(raw)
        for sub in pages(raw, f"/sites/{s['id']}/sites", {"$select": "id"})
    )
    got = con.execute("SELECT p.id, s.id FROM Sites p JOIN Sites s ON s.ParentSiteId = p.id").fetchall()
    assert sorted(got) == want and want


def test_explain_shows_the_drive_read(con: o365sql.Connection) -> None:
    (drives,) = con.explain("SELECT id FROM Drives WHERE GroupId = 'g1'")
    assert drives.path == "/groups/g1/drives"
    (files,) = con.explain("SELECT id FROM Files WHERE DriveId = 'b!d1'")
    assert files.path == "/drives/b!d1/root/delta"


def test_upload_and_download_in_a_library(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    token = token_for(emu)
    data = b"minutes of the meeting\n"
    with (
        emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as raw,
        o365sql.connect(connection_string(emu, token)) as con,
    ):
        gid, _site = _team_site(raw, "Sales and Marketing")
        drive = raw.get(f"/groups/{gid}/drive", params={"$select": "id"}).json()["id"]
        content = base64.b64encode(data).decode()
        (made,) = con.execute(
            "EXEC UploadFile FileName = 'minutes.txt', Content = ?, DriveId = ?", (content, drive)
        ).fetchall()
        item = raw.get(f"/drives/{drive}/root:/minutes.txt", params={"$select": "id,size"}).json()
        assert made[0] == item["id"] and item["size"] == len(data)
        (got,) = con.execute("EXEC DownloadFile FileId = ?, DriveId = ?", (item["id"], drive)).fetchall()
        assert base64.b64decode(got[3]) == data
        with pytest.raises(o365sql.ProgrammingError, match="DriveId or UserId"):
            con.execute("EXEC DownloadFile FileId = 'x', DriveId = ?, UserId = 'someone'", (drive,))


def test_search_terms_are_sent_as_written(emulator: Emulator, con: o365sql.Connection) -> None:
    """A `+` or `&` in the search text is text, not a space or another query option."""
    emulator.reset()
    assert con.execute("SELECT id FROM Sites WHERE SearchTerms = 'sales+marketing&$top=1'").fetchall() == []
    (request,) = [r for r in emulator.requests() if r["path"] == "/v1.0/sites"]
    assert request["query"].startswith("search=sales%2Bmarketing%26%24top%3D1")


def test_a_list_table_names_the_permission(emulator: Emulator, raw: httpx.Client) -> None:
    sid = _sites(raw)[0]["id"]
    token = token_for(emulator, frozenset({"User.Read"}))
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError, match=r"Sites\.Read\.All"),
    ):
        con.execute(f"CREATE VIRTUAL TABLE temp.Projects USING o365(ListItems, '{sid}', 'Projects')")


def test_a_site_by_id_is_one_get(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    site = _sites(raw)[1]
    emulator.reset()
    got = con.execute("SELECT id, displayName, webUrl FROM Sites WHERE id = ?", (site["id"],)).fetchall()
    assert got == [(site["id"], site["displayName"], site["webUrl"])]
    assert [p for p, _ in _sent(emulator, "/sites")] == [f"/v1.0/sites/{site['id']}"]
