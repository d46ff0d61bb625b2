"""One SharePoint list as a typed table (CREATE VIRTUAL TABLE ... USING o365(ListItems, site, list)) against
raw Graph reads: typed values, the indexed column's pushed $filter, errors."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string, logged, token_for
from .test_tables_sharepoint import projects_list, reachable_sites, team_site
from .test_tables_vs_graph import pages


def test_a_list_as_a_typed_table(emulator: Emulator, token: str, raw: httpx.Client) -> None:
    _gid, site = team_site(raw, "Sales and Marketing")
    lid = projects_list(raw, site["id"])
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
        ((_path, query),) = logged(emulator, "/items")
        assert "$filter=fields/Status eq 'Done'" in query
        emulator.reset()
        rich = con.execute("SELECT id FROM Projects WHERE Budget > 200000").fetchall()
        assert sorted(r[0] for r in rich) == sorted(i["id"] for i in items if i["fields"]["Budget"] > 200000)
        ((_path, query),) = logged(emulator, "/items")
        assert "$filter" not in query
        con.execute("DROP TABLE temp.Projects")


def test_a_list_table_needs_site_and_list(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="needs the site and the list"):
        con.execute("CREATE VIRTUAL TABLE temp.Missing USING o365(ListItems, 'x')")
    # a temp table named like a Graph table would hide it from every later query
    with pytest.raises(o365sql.ProgrammingError, match="a table of Microsoft Graph already"):
        con.execute("CREATE VIRTUAL TABLE temp.Files USING o365(ListItems, 'x', 'y')")


def test_a_list_table_names_the_permission(emulator: Emulator, raw: httpx.Client) -> None:
    sid = reachable_sites(raw)[0]["id"]
    token = token_for(emulator, frozenset({"User.Read"}))
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError, match=r"Sites\.Read\.All"),
    ):
        con.execute(f"CREATE VIRTUAL TABLE temp.Projects USING o365(ListItems, '{sid}', 'Projects')")
