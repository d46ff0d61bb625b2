"""What tools written for the commercial connector expect: the `office365://` SQLAlchemy URL and the
catalogue system tables a BI tool crawls (schemas, keys, foreign keys, SQL capabilities), as the docs say.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import connection_string

DOCS = Path(__file__).resolve().parents[2] / "docs" / "tables.md"


def test_office365_url_names_the_dialect(emulator: Emulator, token: str) -> None:
    engine = sa.create_engine("office365:///?" + quote(connection_string(emulator, token), safe="=;/:"))
    try:
        with engine.connect() as conn:
            (n,) = conn.execute(sa.text("SELECT count(*) FROM Users")).one()
            assert n > 0
            assert "Conversations" in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_catalog_crawl_matches_the_docs(con: o365sql.Connection) -> None:
    """Every sys table answers; every table's columns and key agree with docs/tables.md."""
    assert con.execute("SELECT CatalogName, SchemaName FROM sys_schemas").fetchall() == [
        ("o365sql", "Office365")
    ]
    docs = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", docs, flags=re.S | re.M))
    tables = [r[0] for r in con.execute("SELECT TableName FROM sys_tables ORDER BY TableName")]
    assert sorted(tables) == sorted(sections) == sorted(TABLES)
    for table in tables:
        columns = con.execute(
            "SELECT ColumnName, DataTypeName, IsHidden FROM sys_tablecolumns WHERE TableName = ? "
            "ORDER BY Ordinal",
            (table,),
        ).fetchall()
        documented = [d for d in re.findall(r"^\| (\w+) \| (\w+) \|", sections[table], flags=re.M)]
        documented = [d for d in documented if d[0] != "column"]
        # every visible column is documented, in order; the docs name no column the table lacks
        visible = [(c, t) for c, t, hidden in columns if not hidden]
        assert [d for d in documented if d in visible] == visible, table
        assert set(documented) <= {(c, t) for c, t, _ in columns}, table
        key = [
            r[0]
            for r in con.execute(
                "SELECT ColumnName FROM sys_primarykeys WHERE TableName = ? ORDER BY KeySeq", (table,)
            )
        ]
        assert f"Key: {', '.join(key)}." in sections[table], table
        flagged = con.execute(
            "SELECT ColumnName FROM sys_keycolumns WHERE TableName = ? AND IsKey ORDER BY ColumnName",
            (table,),
        ).fetchall()
        assert sorted(key) == [r[0] for r in flagged], table


def test_foreign_keys_name_real_parents(con: o365sql.Connection) -> None:
    fks = con.execute(
        "SELECT TableName, ColumnName, ReferencedTableName, ReferencedColumnName FROM sys_foreignkeys"
    ).fetchall()
    assert ("GroupMembers", "GroupId", "Groups", "id") in fks
    assert ("Posts", "ThreadId", "Threads", "id") in fks
    assert ("Tasks", "TaskListId", "TaskLists", "id") in fks
    assert ("Messages", "UserId", "Users", "id") in fks
    columns = set(con.execute("SELECT TableName, ColumnName FROM sys_tablecolumns").fetchall())
    for table, column, ref_table, ref_column in fks:
        assert (table, column) in columns and (ref_table, ref_column) in columns
        flagged = con.execute(
            "SELECT IsForeignKey, ReferencedTableName FROM sys_keycolumns "
            "WHERE TableName = ? AND ColumnName = ?",
            (table, column),
        ).fetchall()
        assert flagged == [(True, ref_table)]


def test_sqlinfo_states_the_dialect(con: o365sql.Connection) -> None:
    info = dict(con.execute("SELECT NAME, VALUE FROM sys_sqlinfo").fetchall())
    assert info["DIALECT"] == "SQLite" and info["SUPPORTS_TRANSACTIONS"] == "NO"
