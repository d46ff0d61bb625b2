"""PEP 249 compliance, in the spirit of Stuart Bishop's dbapi20 suite, adapted to a driver whose Graph
tables are fixed: where a test needs a table of its own it creates an ordinary SQLite temp table."""

from __future__ import annotations

import datetime as dt

import pytest

import o365sql
from o365sql.connection import Connection

PREFIX = "dbapi20test_"
BOOZE = f"temp.{PREFIX}booze"
BARFLYS = f"temp.{PREFIX}barflys"
SAMPLES = ["Carlton Cold", "Carlton Draft", "Mountain Goat", "Redback", "Victoria Bitter", "XXXX"]


def _make_booze(con: Connection) -> o365sql.Cursor:
    cur = con.cursor()
    cur.execute(f"CREATE TABLE {BOOZE} (name TEXT)")
    return cur


def _fill_booze(cur: o365sql.Cursor) -> None:
    for name in SAMPLES:
        cur.execute(f"INSERT INTO {BOOZE} VALUES (?)", (name,))


# -- module interface ---------------------------------------------------------------------------------------


def test_module_globals() -> None:
    assert o365sql.apilevel == "2.0"
    assert o365sql.threadsafety in (0, 1, 2, 3)
    assert o365sql.threadsafety == 1
    assert o365sql.paramstyle == "qmark"
    assert callable(o365sql.connect)
    assert isinstance(o365sql.__version__, str)


def test_all_is_explicit_and_importable() -> None:
    for name in o365sql.__all__:
        assert hasattr(o365sql, name), name
    for name in ("connect", "apilevel", "threadsafety", "paramstyle", "Error", "STRING", "explain"):
        assert name in o365sql.__all__


def test_exception_hierarchy() -> None:
    m = o365sql
    assert issubclass(m.Warning, Exception)
    assert issubclass(m.Error, Exception)
    assert not issubclass(m.Warning, m.Error)
    assert issubclass(m.InterfaceError, m.Error)
    assert issubclass(m.DatabaseError, m.Error)
    for cls in (m.DataError, m.OperationalError, m.IntegrityError, m.InternalError, m.ProgrammingError,
                m.NotSupportedError):  # fmt: skip
        assert issubclass(cls, m.DatabaseError), cls
    from o365sql import errors

    assert m.Error is errors.Error and m.ProgrammingError is errors.ProgrammingError


def test_exceptions_as_connection_attributes(con: Connection) -> None:
    for name in ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
                 "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError"):  # fmt: skip
        assert getattr(con, name) is getattr(o365sql, name)


# -- connection ---------------------------------------------------------------------------------------------


def test_commit_and_rollback_are_noops(con: Connection) -> None:
    cur = _make_booze(con)
    cur.execute(f"INSERT INTO {BOOZE} VALUES ('Coopers')")
    con.rollback()  # no transactions: the row stays
    con.commit()
    cur.execute(f"SELECT count(*) FROM {BOOZE}")
    assert cur.fetchone() == (1,)


def test_cursor_has_connection_attribute(con: Connection) -> None:
    cur = con.cursor()
    assert cur.connection is con


def test_connection_close_is_idempotent_and_final(fake: tuple) -> None:
    con, graph, http, _ = fake
    cur = con.cursor()
    con.close()
    con.close()
    assert con.closed and graph.closed and http.closed
    with pytest.raises(o365sql.InterfaceError):
        con.commit()
    with pytest.raises(o365sql.InterfaceError):
        con.cursor()
    with pytest.raises(o365sql.InterfaceError):
        cur.execute("SELECT 1")
    with pytest.raises(o365sql.InterfaceError):
        con.execute("SELECT 1")


def test_connection_context_manager_closes(fake: tuple) -> None:
    con = fake[0]
    with con as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
    assert con.closed


def test_connection_execute_shortcut(con: Connection) -> None:
    cur = con.execute("SELECT ? + 1", (41,))
    assert isinstance(cur, o365sql.Cursor)
    assert cur.fetchall() == [(42,)]


# -- cursor -------------------------------------------------------------------------------------------------


def test_cursor_isolation(con: Connection) -> None:
    cur1 = _make_booze(con)
    cur2 = con.cursor()
    cur1.execute(f"INSERT INTO {BOOZE} VALUES ('Victoria Bitter')")
    cur2.execute(f"SELECT name FROM {BOOZE}")
    assert len(cur2.fetchall()) == 1


def test_description(con: Connection) -> None:
    cur = _make_booze(con)
    assert cur.description is None, "DDL must leave description None"
    cur.execute(f"SELECT name FROM {BOOZE}")
    assert cur.description is not None
    assert len(cur.description) == 1
    col = cur.description[0]
    assert len(col) == 7
    assert col[0].lower() == "name"
    assert col[1] == o365sql.STRING
    cur.execute(f"CREATE TABLE {BARFLYS} (name TEXT)")
    assert cur.description is None


def test_description_of_empty_result(con: Connection) -> None:
    cur = _make_booze(con)
    cur.execute(f"SELECT name FROM {BOOZE} WHERE 0")
    assert cur.description is not None and cur.description[0][0] == "name"
    assert cur.fetchall() == []


def test_rowcount(con: Connection) -> None:
    cur = _make_booze(con)
    assert cur.rowcount in (-1, 0)
    cur.execute(f"INSERT INTO {BOOZE} VALUES ('Victoria Bitter')")
    assert cur.rowcount == 1
    cur.execute(f"SELECT name FROM {BOOZE}")
    assert cur.rowcount == -1  # not known for a SELECT until read
    cur.execute(f"INSERT INTO {BOOZE} VALUES ('a'), ('b'), ('c')")
    assert cur.rowcount == 3
    cur.execute(f"DELETE FROM {BOOZE}")
    assert cur.rowcount == 4


def test_close_cursor(con: Connection) -> None:
    cur = con.cursor()
    cur.close()
    cur.close()
    with pytest.raises(o365sql.Error):
        cur.execute("SELECT 1")
    with pytest.raises(o365sql.Error):
        cur.fetchone()


def test_execute_qmark(con: Connection) -> None:
    cur = _make_booze(con)
    cur.execute(f"INSERT INTO {BOOZE} VALUES ('Victoria Bitter')")
    cur.execute(f"INSERT INTO {BOOZE} VALUES (?)", ("Cooper's",))
    cur.execute(f"SELECT name FROM {BOOZE} ORDER BY name")
    assert [r[0] for r in cur.fetchall()] == ["Cooper's", "Victoria Bitter"]


def test_executemany(con: Connection) -> None:
    cur = _make_booze(con)
    cur.executemany(f"INSERT INTO {BOOZE} VALUES (?)", [("Cooper's",), ("Boag's",)])
    assert cur.rowcount == 2
    cur.executemany(f"INSERT INTO {BOOZE} VALUES (:beer)", [{"beer": "A"}, {"beer": "B"}])
    assert cur.rowcount == 2
    cur.execute(f"SELECT name FROM {BOOZE} ORDER BY name")
    assert [r[0] for r in cur.fetchall()] == ["A", "B", "Boag's", "Cooper's"]


def test_executemany_refuses_queries(con: Connection) -> None:
    cur = con.cursor()
    with pytest.raises(o365sql.ProgrammingError, match="executemany"):
        cur.executemany("SELECT ?", [(1,), (2,)])


def test_fetchone(con: Connection) -> None:
    cur = con.cursor()
    with pytest.raises(o365sql.Error):
        cur.fetchone()  # nothing executed yet
    _make_booze(con)
    cur.execute(f"CREATE TABLE {BARFLYS} (name TEXT)")
    with pytest.raises(o365sql.Error):
        cur.fetchone()  # DDL has no result set
    cur.execute(f"SELECT name FROM {BOOZE}")
    assert cur.fetchone() is None
    cur.execute(f"INSERT INTO {BOOZE} VALUES ('Victoria Bitter')")
    with pytest.raises(o365sql.Error):
        cur.fetchone()
    cur.execute(f"SELECT name FROM {BOOZE}")
    assert cur.fetchone() == ("Victoria Bitter",)
    assert cur.fetchone() is None


def test_fetchmany_and_arraysize(con: Connection) -> None:
    cur = _make_booze(con)
    with pytest.raises(o365sql.Error):
        cur.fetchmany(4)
    _fill_booze(cur)
    cur.execute(f"SELECT name FROM {BOOZE} ORDER BY name")
    assert cur.arraysize == 1
    assert len(cur.fetchmany()) == 1
    cur.arraysize = 10
    assert len(cur.fetchmany(2)) == 2
    assert len(cur.fetchmany()) == 3  # arraysize 10, only 3 left
    assert cur.fetchmany() == []
    cur.execute(f"SELECT name FROM {BOOZE} ORDER BY name")
    cur.arraysize = 4
    assert [r[0] for r in cur.fetchmany()] == SAMPLES[:4]
    assert [r[0] for r in cur.fetchmany()] == SAMPLES[4:]
    assert cur.fetchmany() == []
    cur.execute(f"SELECT name FROM {BOOZE} WHERE 0")
    assert cur.fetchmany() == []


def test_fetchall(con: Connection) -> None:
    cur = _make_booze(con)
    with pytest.raises(o365sql.Error):
        cur.fetchall()
    _fill_booze(cur)
    with pytest.raises(o365sql.Error):
        cur.fetchall()  # after an INSERT
    cur.execute(f"SELECT name FROM {BOOZE}")
    rows = cur.fetchall()
    assert sorted(r[0] for r in rows) == SAMPLES
    assert cur.fetchall() == []
    cur.execute(f"SELECT name FROM {BOOZE} WHERE 0")
    assert cur.fetchall() == []


def test_mixed_fetch(con: Connection) -> None:
    cur = _make_booze(con)
    _fill_booze(cur)
    cur.execute(f"SELECT name FROM {BOOZE} ORDER BY name")
    got = [cur.fetchone()]
    got += cur.fetchmany(2)
    got += cur.fetchall()
    assert [r[0] for r in got if r] == SAMPLES


def test_iteration(con: Connection) -> None:
    cur = _make_booze(con)
    _fill_booze(cur)
    cur.execute(f"SELECT name FROM {BOOZE} ORDER BY name")
    assert iter(cur) is cur
    assert [r[0] for r in cur] == SAMPLES
    assert list(cur) == []


def test_rows_are_tuples(con: Connection) -> None:
    row = con.execute("SELECT 1, 'a', NULL").fetchone()
    assert row == (1, "a", None) and isinstance(row, tuple)


def test_null_roundtrip(con: Connection) -> None:
    cur = _make_booze(con)
    cur.execute(f"INSERT INTO {BOOZE} VALUES (?)", (None,))
    cur.execute(f"SELECT name FROM {BOOZE}")
    assert cur.fetchall() == [(None,)]


def test_callproc(con: Connection) -> None:
    cur = con.cursor()
    returned = cur.callproc("TestEcho", {"Text": "hello", "Times": 2})
    assert returned == {"Text": "hello", "Times": 2}
    rows = cur.fetchall()
    assert [(r[0], r[1]) for r in rows] == [("hello", 0), ("hello", 1)]
    assert [d[0] for d in cur.description] == ["Text", "N", "Flag", "When"]
    returned = cur.callproc("testecho", ["seq", 1])
    assert returned == ["seq", 1]
    assert cur.fetchone()[0] == "seq"


def test_nextset_is_absent(con: Connection) -> None:
    # PEP 249 makes nextset optional; a driver without multiple result sets leaves it out
    assert not hasattr(con.cursor(), "nextset")


def test_setsizes_are_noops(con: Connection) -> None:
    cur = con.cursor()
    cur.setinputsizes((25,))
    cur.setoutputsize(1000)
    cur.setoutputsize(1000, 0)
    cur.execute("SELECT 1")
    assert cur.fetchall() == [(1,)]


def test_lastrowid_is_none(con: Connection) -> None:
    cur = _make_booze(con)
    cur.execute(f"INSERT INTO {BOOZE} VALUES ('x')")
    assert cur.lastrowid is None


def test_type_constructors() -> None:
    assert o365sql.Date(2024, 2, 29) == dt.date(2024, 2, 29)
    assert o365sql.Time(13, 45, 50) == dt.time(13, 45, 50)
    assert o365sql.Timestamp(2024, 2, 29, 13, 45, 50) == dt.datetime(2024, 2, 29, 13, 45, 50)
    assert o365sql.DateFromTicks(86400 * 365) == dt.date(1971, 1, 1)
    assert o365sql.TimeFromTicks(3661).replace(tzinfo=None) == dt.time(1, 1, 1)
    assert o365sql.TimestampFromTicks(0) == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert o365sql.Binary(b"\x00\x01") == b"\x00\x01"


def test_type_objects_compare_with_declared_types() -> None:
    assert o365sql.STRING == "TEXT" and o365sql.STRING == "JSON" and o365sql.STRING == "varchar(20)"
    assert o365sql.NUMBER == "INTEGER" and o365sql.NUMBER == "REAL" and o365sql.NUMBER == "BOOLEAN"
    assert o365sql.DATETIME == "DATETIME"
    assert o365sql.BINARY == "BLOB"
    assert o365sql.STRING != o365sql.NUMBER
    assert o365sql.STRING != "INTEGER"
    assert len({o365sql.STRING, o365sql.NUMBER, o365sql.DATETIME, o365sql.BINARY, o365sql.ROWID}) == 5


def test_binary_roundtrip(con: Connection) -> None:
    cur = con.cursor()
    cur.execute("CREATE TABLE temp.blobs (b BLOB)")
    cur.execute("INSERT INTO temp.blobs VALUES (?)", (o365sql.Binary(b"\x00\xffdata"),))
    cur.execute("SELECT b FROM temp.blobs")
    assert cur.description[0][1] == o365sql.BINARY
    assert cur.fetchone() == (b"\x00\xffdata",)


def test_fetch_after_connection_close(fake: tuple) -> None:
    con = fake[0]
    cur = con.execute("SELECT id FROM Items")
    cur.fetchone()
    con.close()
    assert cur.closed
    with pytest.raises(o365sql.InterfaceError):
        cur.fetchone()
    with pytest.raises(o365sql.InterfaceError):
        list(cur)


def test_cursor_context_manager(con: Connection) -> None:
    with con.cursor() as cur:
        assert cur.execute("SELECT 2").fetchone() == (2,)
    assert cur.closed
