"""INSERT/UPDATE/DELETE on SharePoint list items, through ListItems and through a list's typed table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import WRITE_SCOPES, connect, get, raw_graph, writes_since

SCOPES = WRITE_SCOPES | {"Sites.ReadWrite.All"}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A tenant of this module's own (new items change the lists other tests count)."""
    with Emulator(data="demo") as made:
        yield made


@pytest.fixture(scope="module")
def lcon(emu: Emulator) -> Iterator[o365sql.Connection]:
    with connect(emu, SCOPES) as c:
        yield c


@pytest.fixture(scope="module")
def graph(emu: Emulator) -> Iterator[httpx.Client]:
    with raw_graph(emu, SCOPES) as client:
        yield client


@pytest.fixture(scope="module")
def projects(graph: httpx.Client) -> tuple[str, str]:
    """(site id, list id) of a Projects list, found through raw Graph."""
    for site in get(graph, "/sites", search="*")["value"]:
        lists = graph.get(f"/sites/{site['id']}/lists")
        for found in lists.json().get("value", []) if lists.status_code == 200 else []:
            if found["displayName"] == "Projects":
                return site["id"], found["id"]
    raise AssertionError("no Projects list")


def _fields(graph: httpx.Client, site: str, lst: str, iid: str) -> dict[str, Any]:
    return get(graph, f"/sites/{site}/lists/{lst}/items/{iid}/fields")


def _count(graph: httpx.Client, site: str, lst: str) -> int:
    return len(get(graph, f"/sites/{site}/lists/{lst}/items")["value"])


def test_list_items_insert_update_delete(
    lcon: o365sql.Connection, graph: httpx.Client, emu: Emulator, projects: tuple[str, str]
) -> None:
    site, lst = projects
    cur = lcon.cursor()
    cur.execute(
        "INSERT INTO ListItems (SiteId, ListId, fields) VALUES (?, ?, ?) RETURNING id",
        (
            site,
            lst,
            json.dumps({"Title": "Kestrel", "Budget": 4200, "Status": "In progress", "Active": True}),
        ),
    )
    ((iid,),) = cur.fetchall()
    fields = _fields(graph, site, lst, iid)
    assert (fields["Title"], fields["Budget"], fields["Status"], fields["Active"]) == (
        "Kestrel",
        4200,
        "In progress",
        True,
    )
    mark = len(emu.requests())
    cur.execute(
        "UPDATE ListItems SET fields = json_set(fields, '$.Budget', 5000) "
        "WHERE SiteId = ? AND ListId = ? AND id = ?",
        (site, lst, iid),
    )
    assert writes_since(emu, mark) == [("PATCH", f"/v1.0/sites/{site}/lists/{lst}/items/{iid}/fields")]
    assert _fields(graph, site, lst, iid)["Budget"] == 5000
    cur.execute("DELETE FROM ListItems WHERE SiteId = ? AND ListId = ? AND id = ?", (site, lst, iid))
    assert graph.get(f"/sites/{site}/lists/{lst}/items/{iid}").status_code == 404


def test_update_sends_only_the_changed_fields(
    lcon: o365sql.Connection, graph: httpx.Client, emu: Emulator, projects: tuple[str, str]
) -> None:
    """json_set resends every field, Created and Modified included: only Status goes into the PATCH."""
    site, lst = projects
    iid = get(graph, f"/sites/{site}/lists/{lst}/items")["value"][0]["id"]
    before = _fields(graph, site, lst, iid)
    new = "Done" if before["Status"] != "Done" else "Not started"
    lcon.cursor().execute(
        "UPDATE ListItems SET fields = json_set(fields, '$.Status', ?) "
        "WHERE SiteId = ? AND ListId = ? AND id = ?",
        (new, site, lst, iid),
    )
    after = _fields(graph, site, lst, iid)
    assert after["Status"] == new
    assert {k: v for k, v in after.items() if k not in ("Status", "Modified", "@odata.etag")} == {
        k: v for k, v in before.items() if k not in ("Status", "Modified", "@odata.etag")
    }


def test_typed_list_table_writes_fields(
    lcon: o365sql.Connection, graph: httpx.Client, projects: tuple[str, str]
) -> None:
    site, lst = projects
    cur = lcon.cursor()
    cur.execute(f"CREATE VIRTUAL TABLE temp.TypedProjects USING o365(ListItems, '{site}', '{lst}')")
    try:
        cur.execute(
            "INSERT INTO temp.TypedProjects (Title, Budget, Active, DueDate, Status) "
            "VALUES ('Merlin', 12.5, 0, '2027-03-01T00:00:00Z', 'Not started') RETURNING id, Title"
        )
        ((iid, title),) = cur.fetchall()
        assert title == "Merlin"
        fields = _fields(graph, site, lst, iid)
        assert (fields["Budget"], fields["Active"], fields["DueDate"]) == (
            12.5,
            False,
            "2027-03-01T00:00:00Z",
        )
        cur.execute("UPDATE temp.TypedProjects SET Budget = 99, Active = 1 WHERE id = ?", (iid,))
        fields = _fields(graph, site, lst, iid)
        assert (fields["Budget"], fields["Active"], fields["Title"]) == (99.0, True, "Merlin")
        cur.execute("DELETE FROM temp.TypedProjects WHERE id = ?", (iid,))
        assert graph.get(f"/sites/{site}/lists/{lst}/items/{iid}").status_code == 404
        with pytest.raises(o365sql.NotSupportedError, match="read-only"):
            cur.execute("UPDATE temp.TypedProjects SET createdDateTime = '2020-01-01T00:00:00Z'")
    finally:
        cur.execute("DROP TABLE temp.TypedProjects")


@pytest.mark.parametrize(
    ("fields", "wanted"),
    [
        ('{"Title": "x", "Status": "Maybe"}', "Status"),
        ('{"Title": "x", "Nope": 1}', "Nope"),
        ('{"Title": "x", "Budget": "lots"}', "Budget"),
        ('{"Budget": 1}', "Title"),
        ('["Title"]', "JSON object"),
        ("{not json", "JSON"),
    ],
)
def test_bad_fields_write_nothing(
    lcon: o365sql.Connection, graph: httpx.Client, projects: tuple[str, str], fields: str, wanted: str
) -> None:
    site, lst = projects
    before = _count(graph, site, lst)
    with pytest.raises(o365sql.Error, match=wanted):
        lcon.cursor().execute(
            "INSERT INTO ListItems (SiteId, ListId, fields) VALUES (?, ?, ?)", (site, lst, fields)
        )
    assert _count(graph, site, lst) == before


def test_a_library_takes_no_list_item(
    lcon: o365sql.Connection, graph: httpx.Client, projects: tuple[str, str]
) -> None:
    site, _ = projects
    library = next(
        x["id"]
        for x in get(graph, f"/sites/{site}/lists")["value"]
        if x["list"]["template"] == "documentLibrary"
    )
    with pytest.raises(o365sql.Error, match="OneDrive"):
        lcon.cursor().execute(
            'INSERT INTO ListItems (SiteId, ListId, fields) VALUES (?, ?, \'{"Title": "x"}\')',
            (site, library),
        )


def test_403_names_sites_readwrite_all(emu: Emulator, graph: httpx.Client, projects: tuple[str, str]) -> None:
    site, lst = projects
    before = _count(graph, site, lst)
    scopes = frozenset({"User.Read", "Sites.Read.All"})
    with connect(emu, scopes) as c, pytest.raises(o365sql.Error, match=r"Sites\.ReadWrite\.All"):
        c.cursor().execute(
            'INSERT INTO ListItems (SiteId, ListId, fields) VALUES (?, ?, \'{"Title": "x"}\')', (site, lst)
        )
    assert _count(graph, site, lst) == before


def test_insert_list_with_columns(emu: Emulator, graph: httpx.Client, projects: tuple[str, str]) -> None:
    site, _ = projects
    columns = '[{"name": "Author", "text": {}}, {"name": "Pages", "number": {}}]'
    with connect(emu, SCOPES | {"Sites.Manage.All"}) as c:
        cur = c.cursor()
        cur.execute(
            "INSERT INTO Lists (SiteId, displayName, description, Columns) VALUES (?, 'Books', 'Reading', ?) "
            "RETURNING id, list_template",
            (site, columns),
        )
        ((lid, template),) = cur.fetchall()
    assert template == "genericList"
    made = get(graph, f"/sites/{site}/lists/{lid}")
    assert (made["displayName"], made["description"]) == ("Books", "Reading")
    names = {c["name"]: c for c in get(graph, f"/sites/{site}/lists/{lid}/columns")["value"]}
    assert list(names) == ["Title", "Author", "Pages"]
    assert "number" in names["Pages"] and "text" in names["Author"]


@pytest.mark.parametrize(
    ("columns", "wanted"),
    [('{"name": "Author"}', "JSON array"), ('[{"name": "Author"}]', "type facet"), ("[{]", "JSON array")],
)
def test_bad_list_columns_create_nothing(
    emu: Emulator, graph: httpx.Client, projects: tuple[str, str], columns: str, wanted: str
) -> None:
    site, _ = projects
    before = len(get(graph, f"/sites/{site}/lists")["value"])
    with connect(emu, SCOPES | {"Sites.Manage.All"}) as c, pytest.raises(o365sql.Error, match=wanted):
        c.cursor().execute(
            "INSERT INTO Lists (SiteId, displayName, Columns) VALUES (?, 'Bad', ?)", (site, columns)
        )
    assert len(get(graph, f"/sites/{site}/lists")["value"]) == before


def test_list_insert_403_names_sites_manage_all(
    lcon: o365sql.Connection, graph: httpx.Client, projects: tuple[str, str]
) -> None:
    site, _ = projects
    before = len(get(graph, f"/sites/{site}/lists")["value"])
    with pytest.raises(o365sql.Error, match=r"Sites\.Manage\.All"):
        lcon.cursor().execute("INSERT INTO Lists (SiteId, displayName) VALUES (?, 'Nope')", (site,))
    assert len(get(graph, f"/sites/{site}/lists")["value"]) == before


@pytest.mark.parametrize(
    ("sql", "statement"),
    [
        ("UPDATE Lists SET displayName = 'Renamed' WHERE SiteId = ? AND id = ?", "UPDATE"),
        ("DELETE FROM Lists WHERE SiteId = ? AND id = ?", "DELETE"),
    ],
)
def test_lists_refuse_update_and_delete(
    emu: Emulator, graph: httpx.Client, projects: tuple[str, str], sql: str, statement: str
) -> None:
    """Graph v1.0 has no list update or delete (list.md): refused, saying so, and nothing is written."""
    site, lst = projects
    mark = len(emu.requests())
    with (
        connect(emu, SCOPES | {"Sites.Manage.All"}) as c,
        pytest.raises(o365sql.NotSupportedError, match=f"{statement}: Microsoft Graph v1.0 has no API"),
    ):
        c.cursor().execute(sql, (site, lst))
    assert writes_since(emu, mark) == []
    assert get(graph, f"/sites/{site}/lists/{lst}")["displayName"] == "Projects"
