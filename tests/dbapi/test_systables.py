"""System tables: their shape, their content from the schema/procedures/properties, and secrets masked."""

from __future__ import annotations

import dataclasses

import pytest
from dbapi_helpers import SECRET, TOKEN

import o365sql
from o365sql import Connection, schema
from o365sql.engine import systables


def test_sys_tables_lists_schema_tables(con: Connection) -> None:
    cur = con.execute(
        "SELECT CatalogName, SchemaName, TableName, TableType, Description, IsUpdateable FROM sys_tables"
    )
    rows = cur.fetchall()
    assert {r[2] for r in rows} == set(schema.TABLES)
    assert all(r[0] == "o365sql" and r[1] == "Office365" for r in rows)
    assert {r[2]: r[3] for r in rows if r[3] != "TABLE"} == {
        "CalendarView": "VIEW",
        "EventOccurrences": "VIEW",
    }
    assert all(isinstance(r[5], bool) for r in rows)
    assert [d[0] for d in cur.description] == [c for c, _ in systables.SYSTEM_TABLES["sys_tables"]]


def test_is_updateable_says_what_the_table_accepts(con: Connection) -> None:
    updatable = dict(con.execute("SELECT TableName, IsUpdateable FROM sys_tables").fetchall())
    assert updatable == {name: bool(spec.writes) for name, spec in schema.TABLES.items()}
    # a table that takes no INSERT or UPDATE (CalendarView: DELETE only) has no column a statement could set
    settable = con.execute(
        "SELECT TableName, ColumnName FROM sys_tablecolumns WHERE NOT IsReadOnly"
    ).fetchall()
    assert {t for t, _ in settable} == {
        name for name, spec in schema.TABLES.items() if spec.writes & {"INSERT", "UPDATE"}
    }
    assert ("Messages", "receivedDateTime") not in settable and ("Messages", "subject") in settable
    assert ("GroupMembers", "id") in settable and ("GroupMembers", "displayName") not in settable


def test_column_read_only_derives_from_writes() -> None:
    messages = dataclasses.replace(schema.TABLES["Messages"], writes=frozenset())
    subject, received = messages.column("subject"), messages.column("receivedDateTime")
    assert messages.column_read_only(subject) and not messages.updatable
    writable = dataclasses.replace(messages, writes=frozenset({"UPDATE"}))
    assert writable.updatable
    assert not writable.column_read_only(subject)
    assert writable.column_read_only(received)  # read-only in Graph whatever the table takes
    delete_only = dataclasses.replace(messages, writes=frozenset({"DELETE"}))
    assert delete_only.updatable and delete_only.column_read_only(subject)


def test_sys_tablecolumns_for_messages(con: Connection) -> None:
    cur = con.execute(
        "SELECT ColumnName, DataTypeName, IsKey, IsNullable, IsReadOnly, IsHidden, Ordinal "
        "FROM sys_tablecolumns WHERE TableName = 'Messages' ORDER BY Ordinal"
    )
    rows = cur.fetchall()
    spec = schema.TABLES["Messages"]
    assert [r[0] for r in rows] == [c.name for c in spec.columns]
    assert [r[1] for r in rows] == [c.type for c in spec.columns]
    assert [r[6] for r in rows] == list(range(1, len(spec.columns) + 1))
    by_name = {r[0]: r for r in rows}
    assert by_name["id"][2] is True and by_name["id"][3] is False
    assert all(
        by_name[c.name][4] == spec.column_read_only(c) and by_name[c.name][5] == c.hidden
        for c in spec.columns
    )
    assert [d[0] for d in con.execute("SELECT * FROM sys_tablecolumns LIMIT 1").description] == [
        c for c, _ in systables.SYSTEM_TABLES["sys_tablecolumns"]
    ]


def test_sys_procedures_and_parameters(con: Connection) -> None:
    procs = {r[0]: r[1] for r in con.execute("SELECT ProcedureName, Description FROM sys_procedures")}
    assert procs["TestEcho"].startswith("Returns Text")
    params = con.execute(
        "SELECT ColumnName, Direction, DataTypeName, IsRequired, Ordinal FROM sys_procedureparameters "
        "WHERE ProcedureName = 'TestEcho' ORDER BY Ordinal"
    ).fetchall()
    assert params[:4] == [
        ("Text", 1, "TEXT", True, 1),
        ("Times", 1, "INTEGER", False, 2),
        ("Flag", 1, "BOOLEAN", False, 3),
        ("When", 1, "DATETIME", False, 4),
    ]
    assert [(p[0], p[1]) for p in params[4:]] == [("Text", 4), ("N", 4), ("Flag", 4), ("When", 4)]


def test_sys_connection_props(con: Connection) -> None:
    rows = {r[0]: r for r in con.execute("SELECT * FROM sys_connection_props")}
    assert rows["InitiateOAuth"][5] == "OFF"
    assert rows["InitiateOAuth"][4] == "OFF, GETANDREFRESH, REFRESH"
    assert rows["Pagesize"][2] == "int"
    assert rows["OAuthClientSecret"][5] == "********"
    assert rows["OAuthAccessToken"][5] == "********"
    assert rows["ProxyPassword"][5] in ("", None)
    assert {r[7] for r in rows.values()} >= {"OAuth", "Authentication"}


def test_system_tables_are_read_only(con: Connection) -> None:
    for table in systables.SYSTEM_TABLES:
        with pytest.raises(o365sql.NotSupportedError, match=f"{table} is read-only"):
            con.execute(f"DELETE FROM {table}")
        with pytest.raises(o365sql.NotSupportedError, match=f"{table} is read-only"):
            con.execute(f"UPDATE {table} SET CatalogName = 'x'" if table != "sys_connection_props" else
                        f"UPDATE {table} SET Value = 'x'")  # fmt: skip


def test_procedures_registered_later_show_up(con: Connection) -> None:
    from o365sql import procedures

    procedures.register(procedures.Procedure("TestLate", "late", (), (("A", "TEXT"),), lambda c, a: [("x",)]))
    try:
        names = [r[0] for r in con.execute("SELECT ProcedureName FROM sys_procedures")]
        assert "TestLate" in names
    finally:
        procedures.unregister("TestLate")


def test_secrets_never_appear(con: Connection) -> None:
    """Grep every system table, the repr and the properties view for the secret and the token."""
    seen: list[str] = [repr(con), str(con.properties), repr(con.cursor())]
    for table in systables.SYSTEM_TABLES:
        for row in con.execute(f"SELECT * FROM {table}"):
            seen.append(repr(row))
    blob = "\n".join(seen)
    assert SECRET not in blob and TOKEN not in blob
    assert "********" in blob


def test_properties_view_is_masked(con: Connection) -> None:
    props = con.properties
    assert props["OAuthClientSecret"] == "********"
    assert props["InitiateOAuth"] == "OFF"


def test_sys_tables_say_which_statements(con: Connection) -> None:
    tables = dict(con.execute("SELECT TableName, Description FROM sys_tables").fetchall())
    assert tables["CalendarView"].endswith("Accepts DELETE.")
    assert tables["GroupMembers"].endswith("Accepts INSERT, DELETE.")
    assert tables["Contacts"].endswith("Accepts INSERT, UPDATE, DELETE.")
    notes = {
        (t, c): d
        for t, c, d in con.execute(
            "SELECT TableName, ColumnName, Description FROM sys_tablecolumns"
        ).fetchall()
    }
    assert notes[("GroupMembers", "GroupId")].endswith("Set by INSERT (required) only.")
    assert notes[("Contacts", "parentFolderId")].endswith("Set by INSERT only.")
    assert notes[("Contacts", "UserId")].endswith("Set by INSERT only.")
    assert notes[("Events", "start_dateTime")].endswith("Set by INSERT (required) and UPDATE.")
    assert notes[("Messages", "subject")].endswith("Set by INSERT and UPDATE.")
    assert notes[("Messages", "receivedDateTime")].endswith("Read-only.")
    assert notes[("CalendarView", "subject")].endswith("Read-only.")
    assert notes[("Messages", "SEARCH")].endswith("Read-only.")


def test_sys_primarykeys_are_the_table_keys(con: Connection) -> None:
    rows = con.execute("SELECT TableName, ColumnName, KeySeq, KeyName FROM sys_primarykeys").fetchall()
    keys: dict[str, list[str]] = {}
    for table, column, seq, key_name in rows:
        assert key_name == f"PK_{table}"
        keys.setdefault(table, []).append(column)
        assert seq == len(keys[table])
    assert keys == {name: list(spec.key) for name, spec in schema.TABLES.items()}


def test_sys_foreignkeys_name_parents_and_owners(con: Connection) -> None:
    imports = {
        (r[0], r[1]): (r[2], r[3])
        for r in con.execute(
            "SELECT TableName, ColumnName, ReferencedTableName, ReferencedColumnName FROM sys_foreignkeys "
            "WHERE ForeignKeyType = 'FOREIGNKEY_TYPE_IMPORT'"
        )
    }
    assert imports[("GroupMembers", "GroupId")] == ("Groups", "id")
    assert imports[("MessageAttachments", "MessageId")] == ("Messages", "id")
    per_user = {name for name, spec in schema.TABLES.items() if spec.per_user}
    assert {t for t, c in imports if c == "UserId"} == per_user
    assert all(imports[(t, "UserId")] == ("Users", "id") for t in per_user)
    assert imports[("Users", "manager_id")] == ("Users", "id")  # a column holding another row's key
    assert {t for t, c in imports if c != "UserId"} == {
        name for name, spec in schema.TABLES.items() if spec.parent_table
    } | {"Users"}
    # every import is listed again on the referenced table as an export
    exports = {
        (r[2], r[3]): (r[0], r[1])
        for r in con.execute(
            "SELECT TableName, ColumnName, ReferencedTableName, ReferencedColumnName FROM sys_foreignkeys "
            "WHERE ForeignKeyType = 'FOREIGNKEY_TYPE_EXPORT'"
        )
    }
    assert exports == imports


def test_sys_keycolumns_cover_keys_and_foreign_keys(con: Connection) -> None:
    rows = con.execute(
        "SELECT TableName, ColumnName, IsKey, IsForeignKey, ReferencedTableName FROM sys_keycolumns"
    ).fetchall()
    keys = {(t, c) for t, c, is_key, _, _ in rows if is_key}
    assert keys == {(name, k) for name, spec in schema.TABLES.items() for k in spec.key}
    assert ("GroupMembers", "GroupId", True, True, "Groups") in rows
    assert ("Messages", "UserId", False, True, "Users") in rows
    assert ("Users", "id", True, False, None) in rows


def test_a_new_table_spec_shows_up_in_every_key_table(
    con: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = dataclasses.replace(schema.TABLES["GroupMembers"], name="TestOwners")
    monkeypatch.setitem(schema.TABLES, "TestOwners", child)
    assert con.execute("SELECT TableType FROM sys_tables WHERE TableName = 'TestOwners'").fetchall() == [
        ("TABLE",)
    ]
    assert con.execute(
        "SELECT ColumnName FROM sys_primarykeys WHERE TableName = 'TestOwners' ORDER BY KeySeq"
    ).fetchall() == [("GroupId",), ("id",)]
    assert con.execute(
        "SELECT ReferencedTableName, ReferencedColumnName FROM sys_foreignkeys WHERE TableName = 'TestOwners'"
    ).fetchall() == [("Groups", "id")]
    assert con.execute(
        "SELECT TableName, ColumnName FROM sys_foreignkeys WHERE ForeignKeyType = 'FOREIGNKEY_TYPE_EXPORT' "
        "AND ReferencedTableName = 'TestOwners'"
    ).fetchall() == [("Groups", "id")]


def test_a_parent_keyed_by_two_columns_is_referenced_by_both() -> None:
    threads = dataclasses.replace(
        schema.TABLES["GroupMembers"], name="TestThreads", parent_table=None, parent_key=None
    )
    posts = dataclasses.replace(
        schema.TABLES["GroupMembers"],
        name="TestPosts",
        parent_table="TestThreads",
        parent_key="ThreadId",
        columns=(*schema.TABLES["GroupMembers"].columns, schema.col("ThreadId", kind="param")),
        key=("GroupId", "ThreadId", "id"),
    )
    from o365sql.schema._keys import foreign_keys

    (fk,) = foreign_keys(posts, {**schema.TABLES, "TestThreads": threads})
    assert (fk.columns, fk.referenced_table, fk.referenced_columns) == (
        ("GroupId", "ThreadId"),
        "TestThreads",
        ("GroupId", "id"),
    )


def test_sys_schemas_without_views(con: Connection) -> None:
    assert con.execute("SELECT CatalogName, SchemaName FROM sys_schemas").fetchall() == [
        ("o365sql", "Office365")
    ]


def test_sys_sqlinfo_names_only_what_sqlite_has(con: Connection) -> None:
    info = dict(con.execute("SELECT NAME, VALUE FROM sys_sqlinfo").fetchall())
    known = {r[0].upper() for r in con.execute("SELECT name FROM pragma_function_list")}
    for name in ("AGGREGATE_FUNCTIONS", "STRING_FUNCTIONS", "NUMERIC_FUNCTIONS", "TIMEDATE_FUNCTIONS"):
        listed = set(info[name].split(", ")) - {"DISTINCT"}
        assert listed and listed <= known, (name, listed - known)
    assert info["COUNT"] == "YES" and info["SUPPORT_TRANSACTION"] == "NO"
    assert int(info["MAX_IDENTIFIER_LENGTH"]) > 1000
    # every operator listed works in a WHERE clause
    true_conditions = {
        "=": "1 = 1", "==": "1 == 1", ">": "2 > 1", "<": "1 < 2", ">=": "1 >= 1", "<=": "1 <= 1",
        "<>": "1 <> 2", "!=": "1 != 2", "LIKE": "'ab' LIKE 'a%'", "NOT LIKE": "'ab' NOT LIKE 'b%'",
        "GLOB": "'ab' GLOB 'a*'", "NOT GLOB": "'ab' NOT GLOB 'b*'", "IN": "1 IN (1)",
        "NOT IN": "1 NOT IN (2)", "BETWEEN": "1 BETWEEN 0 AND 2", "NOT BETWEEN": "1 NOT BETWEEN 2 AND 3",
        "IS NULL": "NULL IS NULL", "IS NOT NULL": "1 IS NOT NULL", "IS": "1 IS 1", "IS NOT": "1 IS NOT 2",
        "AND": "1 AND 1", "OR": "0 OR 1", "NOT": "NOT 0", "EXISTS": "EXISTS (SELECT 1)",
    }  # fmt: skip
    assert set(info["SUPPORTED_OPERATORS"].split(", ")) == set(true_conditions)
    for op, condition in true_conditions.items():
        assert con.execute(f"SELECT 1 WHERE {condition}").fetchall() == [(1,)], op
