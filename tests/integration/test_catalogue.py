"""A BI tool's catalogue crawl against the emulator: every sys table, every table's columns and keys, via the
sys tables and via SQLAlchemy's inspector on an office365:// URL, checked against docs/tables.md."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

import o365sql
from o365sql.emulator import Emulator
from o365sql.engine.systables import SYSTEM_TABLES

from .conftest import connection_string

TABLES_MD = Path(__file__).resolve().parents[2] / "docs" / "tables.md"

Keys = dict[str, tuple[str, ...]]
References = dict[str, set[tuple[str, str, str]]]


def documented() -> tuple[Keys, References]:
    """Per table in docs/tables.md: its key columns, and its references (column, table, column)."""
    keys: Keys = {}
    refs: References = {}
    for section in re.split(r"^## ", TABLES_MD.read_text(encoding="utf-8"), flags=re.M)[1:]:
        name = section.split("\n", 1)[0].strip()
        key = re.search(r"Key: ([^.]+)\.", section)
        assert key, name
        keys[name] = tuple(k.strip() for k in key.group(1).split(","))
        refs[name] = set()
        found = re.search(r"^References \(sys_foreignkeys\): (.+)\.$", section, flags=re.M)
        for ref in found.group(1).split("; ") if found else ():
            columns, target = ref.split(" -> ")
            table, referenced = target.split(".")
            # a composite key is one reference of several columns, one sys_foreignkeys row per column
            for column, ref_column in zip(columns.split(", "), referenced.split(", "), strict=True):
                refs[name].add((column, table, ref_column))
    return keys, refs


def test_the_docs_name_parents() -> None:
    keys, refs = documented()
    assert ("GroupId", "Groups", "id") in refs["GroupMembers"]
    assert ("MessageId", "Messages", "id") in refs["MessageAttachments"]
    assert ("UserId", "Users", "id") in refs["Messages"]
    assert keys["MessageAttachments"] == ("MessageId", "id")


def test_sys_table_crawl_matches_the_docs(con: o365sql.Connection) -> None:
    for table, columns in SYSTEM_TABLES.items():
        cur = con.execute(f"SELECT * FROM {table}")
        assert cur.fetchall(), table
        assert [d[0] for d in cur.description] == [c for c, _ in columns]
    keys, refs = documented()
    schemas = con.execute("SELECT CatalogName, SchemaName FROM sys_schemas").fetchall()
    tables = con.execute("SELECT CatalogName, SchemaName, TableName FROM sys_tables").fetchall()
    assert {(c, s) for c, s, _ in tables} <= set(schemas)
    assert {t for _, _, t in tables} == set(keys)
    for _, _, table in tables:
        columns = [
            r[0] for r in con.execute("SELECT ColumnName FROM sys_tablecolumns WHERE TableName = ?", [table])
        ]
        pk = con.execute(
            "SELECT ColumnName FROM sys_primarykeys WHERE TableName = ? ORDER BY KeySeq", [table]
        ).fetchall()
        assert tuple(r[0] for r in pk) == keys[table]
        assert set(keys[table]) <= set(columns)
        fks = con.execute(
            "SELECT ColumnName, ReferencedTableName, ReferencedColumnName FROM sys_foreignkeys "
            "WHERE TableName = ? AND ForeignKeyType = 'FOREIGNKEY_TYPE_IMPORT'",
            [table],
        ).fetchall()
        assert set(fks) == refs[table]
        key_columns = con.execute(
            "SELECT ColumnName, IsKey, IsForeignKey FROM sys_keycolumns WHERE TableName = ?", [table]
        ).fetchall()
        assert {c for c, is_key, _ in key_columns if is_key} == set(keys[table])
        assert {c for c, _, is_fk in key_columns if is_fk} == {c for c, _, _ in refs[table]}


@pytest.fixture(scope="module")
def inspector_engine(emulator: Emulator, token: str) -> sa.Engine:
    return sa.create_engine("office365:///?" + quote(connection_string(emulator, token), safe="=;/:"))


def test_inspector_crawl_matches_the_docs(inspector_engine: sa.Engine) -> None:
    keys, refs = documented()
    try:
        with inspector_engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert set(keys) <= set(inspector.get_table_names())
            for table in keys:
                columns = {c["name"] for c in inspector.get_columns(table)}
                assert columns
                assert tuple(inspector.get_pk_constraint(table)["constrained_columns"]) == keys[table]
                got = {
                    (column, fk["referred_table"], referred)
                    for fk in inspector.get_foreign_keys(table)
                    for column, referred in zip(
                        fk["constrained_columns"], fk["referred_columns"], strict=True
                    )
                }
                # reflection lists no hidden column, so no key on one (Users.manager_id)
                assert got == {r for r in refs[table] if r[0] in columns}, table
            members = sa.Table("GroupMembers", sa.MetaData(), autoload_with=conn)
            (fk,) = members.foreign_keys
            assert fk.target_fullname == "Groups.id"
    finally:
        inspector_engine.dispose()


def test_office365_url_reads_the_emulator(inspector_engine: sa.Engine, raw: object) -> None:
    import httpx

    assert isinstance(raw, httpx.Client)
    expected = sorted(
        u["id"] for u in raw.get("/users", params={"$select": "id", "$top": "999"}).json()["value"]
    )
    try:
        with inspector_engine.connect() as conn:
            assert inspector_engine.dialect.driver == "o365sql"
            got = sorted(r.id for r in conn.execute(sa.text("SELECT id FROM Users")))
    finally:
        inspector_engine.dispose()
    assert got == expected and got
