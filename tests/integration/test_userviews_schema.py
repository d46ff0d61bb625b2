"""Schema UserViews: a user defined view answers by its qualified name in every spelling, in explain(),
through SQLAlchemy's inspector and in the CLI, and statements cannot change the schema."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

import o365sql
from o365sql.cli import main
from o365sql.cli.completion import Catalog, SqlCompleter
from o365sql.emulator import Emulator

from .conftest import connection_string

VIEWS = {
    "EnabledUsers": {"query": "SELECT id, displayName FROM Users WHERE accountEnabled = true"},
    "UnreadCount": {"query": "SELECT count(*) AS n FROM Messages WHERE isRead = false"},
}


@pytest.fixture(scope="module")
def views_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("views") / "UserDefinedViews.json"
    path.write_text(json.dumps(VIEWS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def conn_string(emulator: Emulator, token: str, views_path: Path) -> str:
    return connection_string(emulator, token, UserDefinedViews=views_path)


@pytest.fixture(scope="module")
def vcon(conn_string: str) -> Iterator[o365sql.Connection]:
    with o365sql.connect(conn_string) as connection:
        yield connection


def _enabled(raw: httpx.Client) -> list[tuple[str, str]]:
    users = raw.get("/users", params={"$select": "id,displayName,accountEnabled", "$top": "999"}).json()
    return sorted((u["id"], u["displayName"]) for u in users["value"] if u.get("accountEnabled") is True)


@pytest.mark.parametrize(
    "name",
    [
        "UserViews.EnabledUsers",
        "[UserViews].[EnabledUsers]",
        '"UserViews"."EnabledUsers"',
        "userviews.enabledusers",
    ],
)
def test_qualified_names_answer_as_the_bare_name(
    vcon: o365sql.Connection, raw: httpx.Client, name: str
) -> None:
    expected = _enabled(raw)
    assert expected
    assert sorted(vcon.execute(f"SELECT id, displayName FROM {name}").fetchall()) == expected
    assert sorted(vcon.execute("SELECT id, displayName FROM EnabledUsers").fetchall()) == expected


def test_a_qualified_view_joins_and_explains(vcon: o365sql.Connection, raw: httpx.Client) -> None:
    unread = raw.get("/me/messages", params={"$filter": "isRead eq false", "$count": "true", "$top": "1"})
    n = vcon.execute("SELECT n FROM UserViews.UnreadCount").fetchone()[0]
    assert n == unread.json()["@odata.count"]
    # the view's WHERE still reaches Graph as $filter when the view is named with its schema
    planned = vcon.explain("SELECT * FROM [UserViews].[EnabledUsers]")
    assert [(p.table, p.path) for p in planned] == [("Users", "/users")]
    assert planned[0].params["$filter"] == "accountEnabled eq true"
    joined = vcon.execute(
        "SELECT count(*) FROM UserViews.EnabledUsers e JOIN Users u ON u.id = e.id"
    ).fetchone()[0]
    assert joined == len(_enabled(raw))


def test_sqlalchemy_reflects_the_schema(conn_string: str, raw: httpx.Client) -> None:
    engine = sa.create_engine("o365sql:///?" + quote(conn_string, safe="=;/:"))
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert "UserViews" in inspector.get_schema_names()
            assert inspector.get_view_names(schema="UserViews") == ["EnabledUsers", "UnreadCount"]
            # the Graph tables the views read are main's: not listed again under UserViews
            assert inspector.get_table_names(schema="UserViews") == []
            columns = inspector.get_columns("EnabledUsers", schema="UserViews")
            assert [c["name"] for c in columns] == ["id", "displayName"]
            view = sa.Table("EnabledUsers", sa.MetaData(), schema="UserViews", autoload_with=conn)
            got = conn.execute(sa.select(view.c.id, view.c.displayName)).all()
            assert sorted(tuple(r) for r in got) == _enabled(raw)
    finally:
        engine.dispose()


def test_sys_tables_list_only_the_views_under_the_schema(vcon: o365sql.Connection) -> None:
    listed = vcon.execute(
        "SELECT TableName, TableType FROM sys_tables WHERE SchemaName = 'UserViews'"
    ).fetchall()
    assert sorted(listed) == [("EnabledUsers", "VIEW"), ("UnreadCount", "VIEW")]
    assert vcon.execute(
        "SELECT VALUE FROM sys_sqlinfo WHERE NAME = 'SUPPORTS_MULTIPLE_SCHEMAS'"
    ).fetchone() == ("YES",)


@pytest.mark.parametrize(
    "sql",
    [
        "DROP VIEW UserViews.EnabledUsers",
        "CREATE VIEW UserViews.Mine AS SELECT 1",
        "CREATE TABLE UserViews.t (a)",
        "DETACH UserViews",
        "DROP TABLE UserViews.Users",
    ],
)
def test_statements_cannot_change_the_schema(vcon: o365sql.Connection, sql: str) -> None:
    with pytest.raises(o365sql.NotSupportedError, match="schema UserViews holds the views"):
        vcon.execute(sql)
    assert vcon.execute("SELECT count(*) FROM UserViews.EnabledUsers").fetchone()[0] > 0


def test_a_misspelt_view_is_named_in_the_hint(vcon: o365sql.Connection) -> None:
    with pytest.raises(
        o365sql.ProgrammingError, match=r"no such table: EnabledUser\. Did you mean EnabledUsers\?"
    ):
        vcon.execute("SELECT * FROM EnabledUser")


def test_a_view_naming_a_schema_says_to_name_tables_bare(
    emulator: Emulator, token: str, tmp_path: Path
) -> None:
    path = tmp_path / "views.json"
    path.write_text(json.dumps({"V": {"query": "SELECT id FROM main.Users"}}), encoding="utf-8")
    with pytest.raises(o365sql.ProgrammingError, match=r"view 'V': .*database main; name tables without"):
        o365sql.connect(connection_string(emulator, token, UserDefinedViews=path))


def test_cli_completes_and_describes_qualified_views(vcon: o365sql.Connection, conn_string: str) -> None:
    completer = SqlCompleter(Catalog.read(vcon))

    def offered(text: str) -> list[str]:
        event = CompleteEvent(completion_requested=True)
        return [c.text for c in completer.get_completions(Document(text), event)]

    assert offered("SELECT * FROM UserViews.Ena") == ["EnabledUsers"]
    assert offered("SELECT * FROM UserV") == ["UserViews"]
    assert offered("SELECT * FROM UserViews.EnabledUsers e WHERE e.disp") == ["displayName"]
    # the hidden Graph tables of the schema are not offered under it
    assert offered("SELECT * FROM UserViews.Use") == []
    result = CliRunner().invoke(
        main, ["describe", "UserViews.EnabledUsers", "-c", conn_string, "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[:2] for r in rows[1:]] == [["id", "TEXT"], ["displayName", "TEXT"]]
    result = CliRunner().invoke(main, ["tables", "-c", conn_string], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "UserViews.EnabledUsers" in result.stdout


def test_local_view_statements_change_the_connection_and_the_file(
    emulator: Emulator, token: str, raw: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "views.json"
    path.write_text(
        json.dumps({"First": {"query": "SELECT id FROM Users", "note": "kept"}}), encoding="utf-8"
    )
    conn = connection_string(emulator, token, UserDefinedViews=path)
    with o365sql.connect(conn) as con:
        con.execute("CREATE LOCAL VIEW [UserViews].[Enabled] AS SELECT id, displayName FROM Users -- mine")
        assert sorted(con.execute("SELECT * FROM UserViews.Enabled").fetchall()) != []
        con.execute(
            "/* narrower */ ALTER LOCAL VIEW Enabled "
            "SELECT id, displayName FROM Users WHERE accountEnabled = true;"
        )
        assert sorted(con.execute("SELECT * FROM UserViews.Enabled").fetchall()) == _enabled(raw)
        con.execute("ALTER LOCAL VIEW First AS SELECT id, mail FROM Users")
        assert [d[0] for d in con.execute("SELECT * FROM First").description] == ["id", "mail"]
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert list(saved) == ["First", "Enabled"]  # in the file's order, other fields of an entry kept
    assert saved["First"] == {"query": "SELECT id, mail FROM Users", "note": "kept"}
    assert "accountEnabled = true" in saved["Enabled"]["query"]
    with o365sql.connect(conn) as con:  # a new connection loads what the statements saved
        assert sorted(con.execute("SELECT * FROM UserViews.Enabled").fetchall()) == _enabled(raw)
        con.execute("DROP LOCAL VIEW UserViews.Enabled")
        with pytest.raises(
            o365sql.ProgrammingError,
            match=r"no such table: UserViews\.Enabled\. The user defined views are: First",
        ):
            con.execute("SELECT * FROM UserViews.Enabled")
        assert con.execute("SELECT TableName FROM sys_tables WHERE SchemaName = 'UserViews'").fetchall() == [
            ("First",)
        ]
    assert list(json.loads(path.read_text(encoding="utf-8"))) == ["First"]


def test_local_view_statements_refuse_what_would_break(
    emulator: Emulator, token: str, tmp_path: Path
) -> None:
    path = tmp_path / "views.json"
    views = {"Base": {"query": "SELECT id, mail FROM Users"}, "OnBase": {"query": "SELECT mail FROM Base"}}
    path.write_text(json.dumps(views), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    with o365sql.connect(connection_string(emulator, token, UserDefinedViews=path)) as con:
        refused = {
            "DROP LOCAL VIEW Base": r"view 'OnBase' uses view 'Base'.*change or drop OnBase first",
            "ALTER LOCAL VIEW Base AS SELECT id FROM Users": r"view 'OnBase' uses view 'Base'",
            "CREATE LOCAL VIEW Base AS SELECT 1": r"view Base exists: ALTER LOCAL VIEW Base",
            "CREATE LOCAL VIEW Users AS SELECT 1": r"view 'Users' has the name of a table",
            "CREATE LOCAL VIEW Bad AS SELECT nosuch FROM Users": r"view 'Bad': no such column: nosuch",
            "CREATE LOCAL VIEW Cache.X AS SELECT 1": r"views are in schema UserViews, not Cache",
            "CREATE LOCAL VIEW X SELECT 1": r"expected AS before the view's query",
            "DROP LOCAL VIEW Nope": r"no user defined view Nope",
        }
        for sql, message in refused.items():
            with pytest.raises(o365sql.ProgrammingError, match=message):
                con.execute(sql)
            # nothing changed: the views answer as before and the file is as it was
            assert con.execute("SELECT count(*) FROM OnBase").fetchone()[0] > 0, sql
            assert [d[0] for d in con.execute("SELECT * FROM Base").description] == ["id", "mail"], sql
        assert path.read_text(encoding="utf-8") == before
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.ProgrammingError, match="set UserDefinedViews to its path"),
    ):
        con.execute("CREATE LOCAL VIEW V AS SELECT 1")
