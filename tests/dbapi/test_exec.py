"""EXEC[UTE] parsing and binding, the procedure registry, and running procedures through the cursor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import o365sql
from o365sql import procedures
from o365sql.connection import Connection
from o365sql.procedures import exec_parse
from o365sql.procedures.exec_parse import Literal, Named, Positional


def test_basic_forms() -> None:
    stmt = exec_parse.parse_exec("EXEC SendMail @ToRecipients='a@x.com', @Subject='Hi', @Content='...'")
    assert stmt.procedure == "SendMail"
    assert stmt.arguments == (
        ("ToRecipients", Literal("a@x.com")),
        ("Subject", Literal("Hi")),
        ("Content", Literal("...")),
    )
    stmt = exec_parse.parse_exec("execute  my_proc second = 2, first = -1.5e3;")
    assert stmt.procedure == "my_proc"
    assert stmt.arguments == (("second", Literal(2)), ("first", Literal(-1500.0)))
    assert exec_parse.parse_exec("EXEC GetAdminConsentURL").arguments == ()
    assert exec_parse.parse_exec("EXEC GetAdminConsentURL ;").arguments == ()


def test_placeholders_and_keywords() -> None:
    stmt = exec_parse.parse_exec("EXEC P a = ?, b = :named, c = @other, d = NULL, e = true, f = FALSE, g = ?")
    assert stmt.arguments == (
        ("a", Positional(0)),
        ("b", Named("named")),
        ("c", Named("other")),
        ("d", Literal(None)),
        ("e", Literal(True)),
        ("f", Literal(False)),
        ("g", Positional(1)),
    )
    assert stmt.positional_count == 2


def test_quoting_comments_and_names() -> None:
    stmt = exec_parse.parse_exec(
        "/* lead */ -- line\n EXEC [Office365].[My Proc] [Odd Name] = N'it''s', \"q\" = '', "
        "x='a;b,c=d' -- tail"
    )
    assert stmt.procedure == "My Proc"
    assert stmt.arguments == (("Odd Name", Literal("it's")), ("q", Literal("")), ("x", Literal("a;b,c=d")))


@pytest.mark.parametrize(
    "sql",
    ["EXEC", "EXEC 'x'", "EXEC P a", "EXEC P a =", "EXEC P a = 'x", "EXEC P a = b", "EXEC P a = 1 b = 2",
     "EXEC P a = 1,", "EXEC P = 1", "EXEC P a = ?7", "EXEC P a = 1; SELECT 1", "EXEC P a = : x",
     "EXEC P /* open", "EXEC P.", "EXEC [] a = 1"],
)  # fmt: skip
def test_malformed(sql: str) -> None:
    with pytest.raises(o365sql.ProgrammingError, match=r"EXEC syntax error|procedure name"):
        exec_parse.parse_exec(sql)


def test_is_exec() -> None:
    assert exec_parse.is_exec("exec X")
    assert exec_parse.is_exec("  -- c\n/* d */ EXECUTE X")
    assert exec_parse.is_exec("EXEC")
    assert not exec_parse.is_exec("EXECUTIVE x")
    assert not exec_parse.is_exec("SELECT 'EXEC'")
    assert not exec_parse.is_exec("exec_x")


def test_bind() -> None:
    stmt = exec_parse.parse_exec("EXEC P a = ?, b = 'lit', c = ?")
    assert exec_parse.bind(stmt, ("x", 3)) == {"a": "x", "b": "lit", "c": 3}
    with pytest.raises(o365sql.ProgrammingError, match=r"2 \? placeholder\(s\) but 1"):
        exec_parse.bind(stmt, ("x",))
    with pytest.raises(o365sql.ProgrammingError, match="mapping"):
        exec_parse.bind(stmt, {"a": 1})
    named = exec_parse.parse_exec("EXEC P a = :One, b = @two")
    assert exec_parse.bind(named, {"one": 1, "TWO": 2}) == {"a": 1, "b": 2}
    with pytest.raises(o365sql.ProgrammingError, match=":two"):
        exec_parse.bind(named, {"one": 1})
    with pytest.raises(o365sql.ProgrammingError, match="as a mapping"):
        exec_parse.bind(named, (1, 2))
    with pytest.raises(o365sql.ProgrammingError, match="more than once"):
        exec_parse.bind(exec_parse.parse_exec("EXEC P a = 1, A = 2"), ())


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_string_literals_roundtrip(text: str) -> None:
    literal = "'" + text.replace("'", "''") + "'"
    stmt = exec_parse.parse_exec(f"EXEC TestEcho Text = {literal}, @Other={literal}")
    assert stmt.arguments == (("Text", Literal(text)), ("Other", Literal(text)))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**18), max_value=10**18), st.floats(allow_nan=False, allow_infinity=False))
def test_number_literals_roundtrip(i: int, f: float) -> None:
    stmt = exec_parse.parse_exec(f"EXEC P i = {i}, f = {f!r}")
    assert stmt.arguments == (("i", Literal(i)), ("f", Literal(f)))


# -- running procedures ------------------------------------------------------------------------------------


def test_exec_through_cursor(con: Connection) -> None:
    cur = con.execute(
        "EXEC TestEcho @Text = ?, Times = ?, flag = 'true', WHEN = ?",
        ("hi", 3, dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC)),
    )
    rows = cur.fetchall()
    assert rows == [("hi", i, True, dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC)) for i in range(3)]
    assert [(d[0], d[1]) for d in cur.description] == [
        ("Text", o365sql.STRING), ("N", o365sql.NUMBER), ("Flag", o365sql.NUMBER), ("When", o365sql.DATETIME),
    ]  # fmt: skip
    assert cur.rowcount == 3


def test_exec_defaults_and_named_params(con: Connection) -> None:
    cur = con.execute("execute testecho text = :t", {"t": "x"})
    assert cur.fetchall() == [("x", 0, False, None)]


def test_exec_fetch_styles(con: Connection) -> None:
    cur = con.execute("EXEC TestEcho Text='a', Times=5")
    assert cur.fetchone()[1] == 0
    assert [r[1] for r in cur.fetchmany(2)] == [1, 2]
    assert [r[1] for r in cur] == [3, 4]
    assert cur.fetchone() is None


def test_executemany_exec(con: Connection) -> None:
    cur = con.cursor()
    cur.executemany("EXEC TestEcho Text = ?", [("a",), ("b",)])
    assert cur.rowcount == -1


def test_unknown_procedure_lists_known(con: Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError) as info:
        con.execute("EXEC NoSuchProc a = 1")
    assert "NoSuchProc" in str(info.value) and "TestEcho" in str(info.value)
    with pytest.raises(o365sql.ProgrammingError, match="NoSuchProc"):
        con.cursor().callproc("NoSuchProc")


def test_unknown_and_missing_parameters(con: Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError) as info:
        con.execute("EXEC TestEcho Text='a', Colour='red'")
    msg = str(info.value)
    assert "'Colour'" in msg and "Text (required)" in msg and "Times" in msg
    with pytest.raises(o365sql.ProgrammingError, match="needs Text"):
        con.execute("EXEC TestEcho Times=2")
    with pytest.raises(o365sql.ProgrammingError, match="needs Text"):
        con.execute("EXEC TestEcho Text=NULL")
    with pytest.raises(o365sql.DataError, match="TestEcho parameter Times expects a value of type INTEGER"):
        con.execute("EXEC TestEcho Text='a', Times='many'")
    with pytest.raises(o365sql.ProgrammingError, match="takes 4 parameter"):
        con.cursor().callproc("TestEcho", ["a", 1, True, None, "extra"])


def test_procedure_errors(con: Connection) -> None:
    with pytest.raises(o365sql.InternalError, match="TestBoom failed: ValueError: kaboom") as info:
        con.execute("EXEC TestBoom")
    assert isinstance(info.value.__cause__, ValueError)
    with pytest.raises(o365sql.errors.PermissionDeniedError) as denied:
        con.execute("EXEC TestDenied")
    assert denied.value.status == 403 and denied.value.__cause__ is None  # unchanged, not wrapped


def test_procedure_context(fake: tuple) -> None:
    con = fake[0]
    assert con.execute("EXEC TestWhoAmI").fetchall() == [(None, "FakeGraph")]


def test_registry_api() -> None:
    assert procedures.get("TESTECHO").name == "TestEcho"
    names = [p.name for p in procedures.all_procedures()]
    assert names == sorted(names, key=str.lower) and "TestEcho" in names
    proc = procedures.get("TestEcho")
    assert proc.param("@times") is not None and proc.param("nope") is None
    with pytest.raises(ValueError, match="twice"):
        procedures.register(
            procedures.Procedure(
                "Dup", "", (procedures.ProcParam("A"), procedures.ProcParam("a")), (), lambda c, a: []
            )
        )
    with pytest.raises(ValueError, match="plain identifiers"):
        procedures.register(procedures.Procedure("bad name", "", (), (), lambda c, a: []))


def test_bad_result_rows_are_internal_errors(con: Connection) -> None:
    def wrong(ctx: Any, args: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(1, 2)]

    procedures.register(procedures.Procedure("TestWrongWidth", "", (), (("A", "TEXT"),), wrong))
    try:
        with pytest.raises(o365sql.InternalError, match="2 values for 1 result columns"):
            con.execute("EXEC TestWrongWidth")
    finally:
        procedures.unregister("TestWrongWidth")


@settings(max_examples=150, deadline=None)
@given(st.text(), st.integers(min_value=0, max_value=3))
def test_literals_roundtrip_through_cursor(text: str, times: int) -> None:
    from dbapi_helpers import make_connection

    con = make_connection()[0]
    try:
        literal = "'" + text.replace("'", "''") + "'"
        rows = con.execute(f"EXEC TestEcho Text = {literal}, Times = {times}").fetchall()
        assert [r[0] for r in rows] == [text] * times
        # the same value bound as a parameter
        rows = con.execute("EXEC TestEcho Text = ?, Times = 1", (text,)).fetchall()
        assert rows[0][0] == text
    finally:
        con.close()


def test_syntax_errors_do_not_echo_literals() -> None:
    with pytest.raises(o365sql.ProgrammingError) as info:
        exec_parse.parse_exec("EXEC RefreshOAuthAccessToken OAuthRefreshToken 'rt-SECRET-123'")
    assert "SECRET" not in str(info.value) and "'...'" in str(info.value)
    with pytest.raises(o365sql.ProgrammingError) as info:
        exec_parse.parse_exec("EXEC P a = 'x' 'rt-SECRET-123")
    assert "SECRET" not in str(info.value)
