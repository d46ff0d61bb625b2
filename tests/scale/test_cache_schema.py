"""Schema Cache: on an online connection with CacheLocation, Cache.X answers from the sync cache (no Graph
request) while X reads Graph, so the two can be compared in one query; what the cache cannot answer raises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from o365sql.emulator import Emulator
from o365sql.errors import NotSupportedError, ProgrammingError

from .conftest import app_connect, raw_items


def _graph_log(emu: Emulator) -> list[dict[str, Any]]:
    return [r for r in emu.requests() if str(r["path"]).startswith("/v1.0/")]


def test_cache_schema_reads_the_cache_and_graph_side_by_side(tenant: Emulator, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache.db")
    with app_connect(tenant, CacheLocation=cache) as con:
        con.execute("EXEC SyncTable Table = 'Messages'").fetchall()
        con.execute("EXEC SyncTable Table = 'Users'").fetchall()
        fresh = con.execute("SELECT * FROM Messages ORDER BY UserId, id").fetchall()
        tenant.reset()
        cached = con.execute("SELECT * FROM Cache.Messages ORDER BY UserId, id").fetchall()
        assert _graph_log(tenant) == []  # the cache answered: not one Graph request
        assert cached == fresh and cached
        # both in one statement: the cache and Graph agree after the sync...
        users = {u["id"] for u in raw_items(tenant, "/users", {"$select": "id"})}
        same = con.execute("SELECT count(*) FROM [Cache].[Users] c JOIN Users u ON u.id = c.id").fetchone()[0]
        assert same == len(users)
        # ...and a change made after it shows as a difference between the two
        owner = sorted(users)[0]
        added = con.execute(
            "INSERT INTO Messages (UserId, subject) VALUES (?, 'after the sync') RETURNING id", [owner]
        ).fetchone()[0]
        new = con.execute(
            "SELECT id FROM Messages WHERE UserId = ? "
            'EXCEPT SELECT id FROM "Cache"."Messages" WHERE UserId = ?',
            [owner, owner],
        ).fetchall()
        assert new == [(added,)]


def test_explain_shows_no_request_for_the_cache(tenant: Emulator, tmp_path: Path) -> None:
    with app_connect(tenant, CacheLocation=str(tmp_path / "cache.db")) as con:
        planned = con.explain("SELECT id FROM Cache.Users WHERE displayName = 'x'")
        assert [(p.table, p.method, p.note) for p in planned] == [
            ("Users", "-", "no request: Cache.Users reads the cache")
        ]
        assert "displayName = ?" in planned[0].sqlite_checks[0]


def test_what_the_cache_cannot_answer_raises(tenant: Emulator, tmp_path: Path) -> None:
    with app_connect(tenant, CacheLocation=str(tmp_path / "cache.db")) as con:
        with pytest.raises(
            ProgrammingError, match=r"Cache\.Contacts: .*holds no Contacts.*SyncTable Table='Contacts'"
        ):
            con.execute("SELECT * FROM Cache.Contacts").fetchall()
        con.execute("EXEC SyncTable Table = 'Files'").fetchall()
        with pytest.raises(
            NotSupportedError,
            match=r"Cache\.Files: Files by parentReference_id needs Graph.*"
            r"query Files without the Cache schema",
        ):
            con.execute("SELECT * FROM Cache.Files WHERE parentReference_id = 'x'").fetchall()
        # only the tables SyncTable keeps are in the schema
        kept = r"no such table: Cache\.MailFolders\. Schema Cache holds the tables SyncTable keeps"
        with pytest.raises(ProgrammingError, match=kept):
            con.execute("SELECT * FROM Cache.MailFolders").fetchall()


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM Cache.Messages WHERE id = 'nothing matches'",
        "UPDATE Cache.Users SET displayName = 'x' WHERE id = 'nothing matches'",
        "INSERT INTO Cache.Contacts (displayName) VALUES ('x')",
    ],
)
def test_writes_to_the_cache_are_refused(tenant: Emulator, tmp_path: Path, sql: str) -> None:
    with app_connect(tenant, CacheLocation=str(tmp_path / "cache.db")) as con:
        tenant.reset()
        with pytest.raises(NotSupportedError, match=r"Cache\.\w+ is the sync cache: statements cannot write"):
            con.execute(sql)
        assert [r for r in _graph_log(tenant) if r["method"] != "GET"] == []


def test_the_schema_exists_only_with_a_cache_location(tenant: Emulator, tmp_path: Path) -> None:
    with app_connect(tenant) as con:
        assert con.execute("SELECT SchemaName FROM sys_schemas").fetchall() == [("Office365",)]
        assert con.execute("SELECT count(*) FROM sys_tables WHERE SchemaName = 'Cache'").fetchone() == (0,)
    with app_connect(tenant, CacheLocation=str(tmp_path / "cache.db")) as con:
        assert ("Cache",) in con.execute("SELECT SchemaName FROM sys_schemas").fetchall()
        tables = con.execute(
            "SELECT TableName, IsUpdateable FROM sys_tables WHERE SchemaName = 'Cache'"
        ).fetchall()
        assert sorted(tables) == sorted(
            (t, False) for t in ("CalendarView", "Contacts", "Files", "Groups", "Messages", "Users")
        )
        columns = con.execute(
            "SELECT ColumnName FROM sys_tablecolumns WHERE SchemaName = 'Cache' AND TableName = 'Users' "
            "ORDER BY Ordinal"
        ).fetchall()
        main = con.execute(
            "SELECT ColumnName FROM sys_tablecolumns WHERE SchemaName = 'Office365' AND TableName = 'Users' "
            "ORDER BY Ordinal"
        ).fetchall()
        assert columns == main
        keys = (
            "SELECT ColumnName, KeySeq FROM sys_primarykeys WHERE SchemaName = ? AND TableName = 'Messages'"
        )
        assert con.execute(keys, ["Cache"]).fetchall() == con.execute(keys, ["Office365"]).fetchall() != []
        with pytest.raises(NotSupportedError, match="schema Cache is the sync cache"):
            con.execute("DETACH Cache")


def test_sqlalchemy_reflects_the_cache_tables(tenant: Emulator, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache.db")
    engine = sa.create_engine("o365sql:///", creator=lambda: app_connect(tenant, CacheLocation=cache))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("EXEC SyncTable Table = 'Groups'").all()
            inspector = sa.inspect(conn)
            assert "Cache" in inspector.get_schema_names()
            assert sorted(inspector.get_table_names(schema="Cache")) == sorted(
                ("CalendarView", "Contacts", "Files", "Groups", "Messages", "Users")
            )
            assert inspector.get_foreign_keys("Messages", schema="Cache") == []
            groups = sa.Table("Groups", sa.MetaData(), schema="Cache", autoload_with=conn)
            tenant.reset()
            got = conn.execute(sa.select(groups.c.id, groups.c.displayName)).all()
            assert _graph_log(tenant) == []
            expected = raw_items(tenant, "/groups", {"$select": "id,displayName"})
            assert sorted(tuple(r) for r in got) == sorted((g["id"], g["displayName"]) for g in expected)
    finally:
        engine.dispose()
