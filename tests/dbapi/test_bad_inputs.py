"""A corpus of bad statements: each raises the right DB-API exception, says what is wrong, and nothing but
o365sql's exception classes ever reaches the caller."""

from __future__ import annotations

import re
from typing import Any

import pytest
from dbapi_helpers import assert_dbapi_error

import o365sql
from o365sql import errors
from o365sql.connection import Connection

PE = o365sql.ProgrammingError
NS = o365sql.NotSupportedError

# (statement, parameters, exception class, regex the message must match)
CORPUS: list[tuple[Any, Any, type[Exception], str]] = [
    # malformed SQL
    ("SELEC * FROM Items", None, PE, r'syntax error.*near "SELEC"'),
    ("SELECT * FROM", None, PE, r"syntax error|incomplete input"),
    ("SELECT * FROM Items WHERE", None, PE, r"syntax error|incomplete input"),
    ("SELECT (1", None, PE, r"syntax error|incomplete input"),
    ("SELECT 'unterminated", None, PE, r"unrecognized token"),
    ("SELECT * FROM Items ORDER", None, PE, r"syntax error|incomplete input"),
    ("INSERT INTO Items VALUES", None, PE, r"syntax error|incomplete input"),
    ("UPDATE SET x = 1", None, PE, r'near "SET"'),
    ("DELETE Items", None, PE, r'near "Items"'),
    ("SELECT * FROM Items WHERE id = = 'a'", None, PE, r'near "="'),
    ("SELECT 1 +", None, PE, r"syntax error|incomplete input"),
    ("CREATE TABLE", None, PE, r"syntax error|incomplete input"),
    ("SELECT * FROM Items GROUP", None, PE, r"syntax error|incomplete input"),
    ("SELECT * FROM Items WHERE 1 =", None, PE, r"syntax error|incomplete input"),
    ("SELECT 1 UNION SELECT 1, 2", None, PE, r"same number of result columns"),
    # unknown tables: named, with a suggestion and the list of tables
    ("SELECT * FROM Itemz", None, PE, r"no such table: Itemz\. Did you mean Items\?.*Written"),
    ("SELECT * FROM nothing_here", None, PE, r"no such table: nothing_here.*The tables are: .*Items"),
    ("INSERT INTO Nope(a) VALUES (1)", None, PE, r"no such table: Nope"),
    ("DELETE FROM Nope", None, PE, r"no such table: Nope"),
    ("UPDATE Nope SET a = 1", None, PE, r"no such table: Nope"),
    ("SELECT * FROM Items JOIN Nope ON 1", None, PE, r"no such table: Nope"),
    ("SELECT * FROM sys_table", None, PE, r"no such table: sys_table\. Did you mean sys_tables\?"),
    (
        "SELECT * FROM main.Items",
        None,
        PE,
        r"no such table: main\.Items\. There is a table Items: write it with",
    ),
    # unknown columns: the column and its table named, close matches suggested
    ("SELECT nme FROM Items", None, PE, r"no such column: nme in table Items\. Did you mean Items\.name\?"),
    ("SELECT * FROM Items WHERE sise > 3", None, PE, r"no such column: sise in table Items.*Items\.size"),
    ("SELECT i.nam FROM Items i", None, PE, r"no such column: i\.nam in table Items.*Items\.name"),
    ("SELECT * FROM Items ORDER BY creted", None, PE, r"no such column: creted.*Items\.created"),
    ("SELECT TableNam FROM sys_tables", None, PE, r"no such column: TableNam.*sys_tables\.TableName"),
    ("SELECT Nme FROM sys_connection_props", None, PE, r"no such column: Nme in table sys_connection_props"),
    ("UPDATE Written SET nam = 'x' WHERE id = 'a'", None, PE, r"no such column: nam in table Written"),
    ("INSERT INTO Written(id, nme) VALUES ('a', 'b')", None, PE, r"no such column: nme in table Written"),
    ("SELECT * FROM Items WHERE id IN (SELECT nope FROM Written)", None, PE, r"no such column: nope"),
    ("SELECT id FROM Items, Written", None, PE, r"ambiguous column name: id"),
    # functions
    ("SELECT nosuchfunc(1)", None, PE, r"no such function: nosuchfunc"),
    ("SELECT count(1, 2) FROM Items", None, PE, r"wrong number of arguments to function count"),
    ("SELECT json_extract('not json', '$')", None, PE, r"malformed JSON"),
    # parameters
    ("SELECT ?", (), PE, r"wrong number of parameters: the statement has 1 placeholder\(s\) but 0"),
    ("SELECT ?, ?", (1,), PE, r"has 2 placeholder\(s\) but 1 value"),
    ("SELECT ?", (1, 2), PE, r"has 1 placeholder\(s\) but 2 value"),
    ("SELECT :a", {}, PE, r"no value supplied for parameter :a"),
    ("SELECT :a, :b", {"a": 1}, PE, r"no value supplied for parameter :b \(parameters given: a\)"),
    ("SELECT ?", {"a": 1}, PE, r"parameters do not fit the statement"),
    ("SELECT ?", (object(),), PE, r"parameter 1: values of type object are not supported"),
    ("SELECT ?", "abc", PE, r"sequence .* or a mapping"),
    (None, None, PE, r"statement must be a str"),
    (b"SELECT 1", None, PE, r"statement must be a str"),
    # stored procedures
    ("EXEC NoSuch", None, PE, r"unknown stored procedure 'NoSuch'.*TestEcho"),
    ("EXEC TestEcho Colour='x'", None, PE, r"no parameter 'Colour'.*Text \(required\), Times"),
    ("EXEC TestEcho", None, PE, r"TestEcho needs Text"),
    ("EXEC TestEcho Times = 3", None, PE, r"TestEcho needs Text"),
    ("EXEC TestEcho Text=?", (), PE, r"1 \? placeholder\(s\) but 0 parameter"),
    ("EXEC TestEcho Text=?", ("a", "b"), PE, r"1 \? placeholder\(s\) but 2 parameter"),
    ("EXEC TestEcho Text=:t", {}, PE, r"no value supplied for :t"),
    ("EXEC TestEcho Text='a' Times=2", None, PE, r"expected ',' between parameters"),
    ("EXEC TestEcho Text='a', Times='x'", None, o365sql.DataError, r"Times expects a value of type INTEGER"),
    ("EXECUTE", None, PE, r"expected a procedure name"),
    ("EXEC TestEcho Text=unquoted", None, PE, r"put text in single quotes"),
    ("EXEC TestEcho Text='a', text='b'", None, PE, r"more than once"),
    ("EXEC TestEcho Text='open", None, PE, r"closing ' of a string literal"),
    ("EXEC TestBoom", None, o365sql.InternalError, r"TestBoom failed: ValueError: kaboom"),
    ("EXEC TestDenied", None, errors.PermissionDeniedError, r"lacks Mail\.Send"),
    # writes
    ("INSERT INTO Readonly(id) VALUES ('x')", None, NS, r"Readonly does not support INSERT"),
    (
        "INSERT INTO Written(id, created) VALUES ('x', '2024-01-01')",
        None,
        PE,
        r"column created of Written is read",
    ),
    ("DELETE FROM sys_tables", None, NS, r"sys_tables is read-only"),
    ("INSERT INTO sys_procedures(ProcedureName) VALUES ('x')", None, NS, r"sys_procedures is read-only"),
    ("UPDATE sys_connection_props SET Value = 'x'", None, NS, r"sys_connection_props is read-only"),
    (
        "CREATE TEMP TABLE u(a UNIQUE); INSERT INTO u VALUES (1), (1)",
        None,
        o365sql.ProgrammingError,
        r"one statement at a time",
    ),
    # the engine failing
    ("SELECT * FROM Broken", None, o365sql.InternalError, r"KeyError.*bug in o365sql"),
    ("SELECT * FROM Denied", None, errors.PermissionDeniedError, r"lacks Mail\.Read"),
    # values
    ("SELECT * FROM Items LIMIT 'x'", None, o365sql.DataError, r"datatype mismatch"),
    ("SELECT zeroblob(2000000000)", None, o365sql.DataError, r"too big"),
]


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 50


@pytest.mark.parametrize(
    ("sql", "params", "expected", "pattern"), CORPUS, ids=[repr(c[0])[:60] for c in CORPUS]
)
def test_bad_input(con: Connection, sql: Any, params: Any, expected: type[Exception], pattern: str) -> None:
    cur = con.cursor()
    with pytest.raises(o365sql.Error) as info:
        cur.execute(sql, params)
        cur.fetchall()
    exc = info.value
    assert_dbapi_error(exc)
    assert isinstance(exc, expected), f"{type(exc).__name__} instead of {expected.__name__}: {exc}"
    assert re.search(pattern, str(exc)), f"message {str(exc)!r} does not match {pattern!r}"
    # the cursor stays usable after an error
    assert cur.execute("SELECT 1").fetchone() == (1,)


def test_errors_mid_scan_are_mapped(fake: tuple) -> None:
    """An error while iterating (a later page failing) reaches the caller as a DB-API error too."""
    con, graph, _, _ = fake

    def failing_pages() -> Any:
        yield {"id": "x", "name": "n", "created": None, "flag": 0, "size": 1, "score": 0.0, "tags": "[]"}
        raise errors.ThrottledError("Graph kept answering 429", code="TooManyRequests", status=429)

    graph.iter_items = failing_pages
    cur = con.execute("SELECT id FROM Items")
    assert cur.fetchone() == ("x",)
    with pytest.raises(errors.ThrottledError, match="429"):
        cur.fetchone()
    assert cur.fetchone() is None  # the scan is over, not broken

    def buggy_pages() -> Any:
        yield {"id": "x", "name": "n", "created": None, "flag": 0, "size": 1, "score": 0.0, "tags": "[]"}
        raise RuntimeError("unexpected")

    graph.iter_items = buggy_pages
    cur = con.execute("SELECT id FROM Items")
    cur.fetchone()
    with pytest.raises(o365sql.InternalError, match="RuntimeError: unexpected") as info:
        cur.fetchall()
    assert isinstance(info.value.__cause__, RuntimeError)


def test_constraint_failure_is_an_integrity_error(con: Connection) -> None:
    con.execute("CREATE TEMP TABLE u(a UNIQUE)")
    with pytest.raises(o365sql.IntegrityError, match=r"UNIQUE constraint failed: u\.a"):
        con.execute("INSERT INTO u VALUES (1), (1)")
