"""UserDefinedViews: views from a JSON file query the emulator, are listed as VIEWs, and bad files say why."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string


def views_file(tmp_path: Path, views: object, name: str = "UserDefinedViews.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(views), encoding="utf-8")
    return path


def test_views_query_the_emulator(emulator: Emulator, token: str, raw: httpx.Client, tmp_path: Path) -> None:
    path = views_file(
        tmp_path,
        {
            "EnabledUsers": {"query": "SELECT id, displayName FROM Users WHERE accountEnabled = true"},
            "MemberCounts": {
                "query": "SELECT g.id, count(m.id) AS members FROM Groups g "
                "JOIN GroupMembers m ON m.GroupId = g.id GROUP BY g.id;"
            },
        },
    )
    users = raw.get("/users", params={"$select": "id,displayName,accountEnabled", "$top": "999"}).json()[
        "value"
    ]
    enabled = sorted((u["id"], u["displayName"]) for u in users if u.get("accountEnabled") is True)
    with o365sql.connect(connection_string(emulator, token, UserDefinedViews=path)) as con:
        assert sorted(con.execute("SELECT id, displayName FROM EnabledUsers").fetchall()) == enabled
        first = enabled[0][1]
        # a query on the view adds its own conditions to the view's
        got = con.execute("SELECT displayName FROM enabledusers WHERE displayName = ?", [first]).fetchall()
        assert got == [(first,)]
        group = raw.get("/groups", params={"$select": "id", "$top": "1"}).json()["value"][0]["id"]
        members = raw.get(f"/groups/{group}/members", params={"$select": "id", "$top": "999"}).json()["value"]
        count = con.execute("SELECT members FROM MemberCounts WHERE id = ?", [group]).fetchone()
        assert count == ((len(members),) if members else None)
        listed = con.execute(
            "SELECT SchemaName, TableName, TableType, IsUpdateable FROM sys_tables WHERE TableType = 'VIEW' "
            "AND SchemaName = 'UserViews' ORDER BY TableName"
        ).fetchall()
        assert listed == [
            ("UserViews", "EnabledUsers", "VIEW", False),
            ("UserViews", "MemberCounts", "VIEW", False),
        ]
        columns = con.execute(
            "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = 'EnabledUsers' "
            "ORDER BY Ordinal"
        ).fetchall()
        assert columns == [("id", "TEXT"), ("displayName", "TEXT")]
        assert ("o365sql", "UserViews") in con.execute("SELECT * FROM sys_schemas").fetchall()


@pytest.mark.parametrize(
    ("views", "message"),
    [
        (
            {"Broken": {"query": "SELECT * FROM NoSuchTable"}},
            r"view 'Broken': no such table: UserViews.NoSuchTable",
        ),
        ({"Broken": {"query": "SELECT nosuch FROM Users"}}, r"view 'Broken': no such column: nosuch"),
        ({"Broken": {"sql": "SELECT 1"}}, r"view 'Broken' needs a \"query\" string"),
        ({"Messages": {"query": "SELECT 1"}}, r"view 'Messages' has the name of a table"),
        ({"sys_tables": {"query": "SELECT 1"}}, r"view 'sys_tables' has the name of a table"),
        ({"Two": {"query": "SELECT 1; SELECT 2"}}, r"view 'Two': the query must be one SELECT statement"),
        ({"A": {"query": "SELECT 1"}, "a": {"query": "SELECT 2"}}, r"views 'A' and 'a' differ only in case"),
        (["SELECT 1"], r"must hold a JSON object of views"),
    ],
)
def test_bad_views_name_the_file_and_the_view(
    emulator: Emulator, token: str, tmp_path: Path, views: object, message: str
) -> None:
    path = views_file(tmp_path, views)
    with pytest.raises(o365sql.ProgrammingError, match=message) as info:
        o365sql.connect(connection_string(emulator, token, UserDefinedViews=path))
    assert str(path) in str(info.value)


def test_unreadable_and_malformed_files(emulator: Emulator, token: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(o365sql.ProgrammingError, match=r"missing\.json: cannot be read .*UserDefinedViews"):
        o365sql.connect(connection_string(emulator, token, UserDefinedViews=missing))
    bad = tmp_path / "bad.json"
    bad.write_text('{"MyView": {"query": "SELECT 1"}', encoding="utf-8")
    with pytest.raises(o365sql.ProgrammingError, match=r"bad\.json: is not JSON \(line 1, column 33"):
        o365sql.connect(connection_string(emulator, token, UserDefinedViews=bad))
