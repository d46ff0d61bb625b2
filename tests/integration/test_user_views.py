"""UserDefinedViews: a JSON file of named views, as the commercial connector reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string


def _views(tmp_path: Path, views: object) -> Path:
    path = tmp_path / "UserDefinedViews.json"
    path.write_text(json.dumps(views), encoding="utf-8")
    return path


def test_views_read_like_their_queries(emulator: Emulator, token: str, tmp_path: Path) -> None:
    unread = "SELECT id, subject FROM Messages WHERE isRead = 0"
    engineers = "SELECT displayName, mail FROM Users WHERE department = 'Engineering'"
    path = _views(
        tmp_path,
        {
            "UnreadMail": {"query": unread},
            "Engineers": {"query": engineers},
        },
    )
    emulator.reset()
    with o365sql.connect(connection_string(emulator, token, UserDefinedViews=str(path))) as con:
        assert emulator.requests() == []  # checking the views at connect time asks Graph nothing
        assert sorted(con.execute("SELECT * FROM UnreadMail").fetchall()) == sorted(
            con.execute(unread).fetchall()
        )
        tables = con.execute(
            "SELECT TableName, SchemaName, TableType, Description FROM sys_tables "
            "WHERE SchemaName = 'UserViews'"
        ).fetchall()
        assert sorted(tables) == [
            (
                "Engineers",
                "UserViews",
                "VIEW",
                "SELECT displayName, mail FROM Users WHERE department = 'Engineering'",
            ),
            ("UnreadMail", "UserViews", "VIEW", unread),
        ]
        columns = con.execute(
            "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = 'UnreadMail' "
            "ORDER BY Ordinal"
        ).fetchall()
        assert columns == [("id", "TEXT"), ("subject", "TEXT")]
    # views belong to the connection that read the file
    with o365sql.connect(connection_string(emulator, token)) as other:
        assert other.execute("SELECT count(*) FROM sys_tables WHERE SchemaName = 'UserViews'").fetchone() == (
            0,
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('["SELECT 1"]', "must hold an object"),
        ('{"V": {"sql": "SELECT 1"}}', "view 'V' needs"),
        ('{"V": {"query": "DELETE FROM Messages"}}', "view 'V' must be a SELECT"),
        ('{"V": {"query": "SELECT nosuchcolumn FROM Messages"}}', "view 'V' cannot be created"),
    ],
)
def test_a_bad_file_says_what_is_wrong(
    emulator: Emulator, token: str, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "views.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(o365sql.ProgrammingError, match=message):
        o365sql.connect(connection_string(emulator, token, UserDefinedViews=str(path)))


def test_a_missing_file_is_named(emulator: Emulator, token: str, tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(o365sql.ProgrammingError, match=r"absent\.json"):
        o365sql.connect(connection_string(emulator, token, UserDefinedViews=str(path)))
