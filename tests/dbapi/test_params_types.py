"""Parameter styles (qmark and :name) and type conversion both ways, driven by declared column types."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

import o365sql
from o365sql import _types
from o365sql.connection import Connection


@pytest.fixture
def typed(con: Connection) -> o365sql.Cursor:
    cur = con.cursor()
    cur.execute(
        "CREATE TABLE temp.t (id TEXT PRIMARY KEY, at DATETIME, ok BOOLEAN, n INTEGER, r REAL, j JSON)"
    )
    return cur


def test_qmark_and_named_styles(con: Connection) -> None:
    assert con.execute("SELECT ?, ?", (1, "a")).fetchone() == (1, "a")
    assert con.execute("SELECT ?, ?", [1, "a"]).fetchone() == (1, "a")
    assert con.execute("SELECT :x, :y, :x", {"x": 1, "y": "b"}).fetchone() == (1, "b", 1)
    assert con.execute("SELECT 1").fetchone() == (1,)
    assert con.execute("SELECT 1", None).fetchone() == (1,)


def test_datetime_parameter_is_stored_as_iso_utc(typed: o365sql.Cursor) -> None:
    aware = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    typed.execute("INSERT INTO temp.t (id, at) VALUES ('a', ?)", (aware,))
    typed.execute(
        "INSERT INTO temp.t (id, at) VALUES ('b', ?)", (dt.datetime(2024, 5, 1, 9, 0),)
    )  # naive = UTC
    typed.execute("SELECT id, CAST(at AS TEXT) AS raw, at FROM temp.t ORDER BY id")
    rows = typed.fetchall()
    assert rows[0][1] == "2024-05-01T10:30:00Z"
    assert rows[1][1] == "2024-05-01T09:00:00Z"
    # the declared DATETIME column comes back as an aware UTC datetime; the CAST expression stays text
    assert rows[0][2] == dt.datetime(2024, 5, 1, 10, 30, tzinfo=dt.UTC)
    assert rows[0][2].tzinfo is dt.UTC
    assert typed.description[1][1] is None and typed.description[2][1] == o365sql.DATETIME


def test_datetime_comparisons_with_parameters(typed: o365sql.Cursor) -> None:
    for i in range(5):
        typed.execute(
            "INSERT INTO temp.t (id, at) VALUES (?, ?)", (f"r{i}", dt.datetime(2024, 1, 1 + i, tzinfo=dt.UTC))
        )
    typed.execute(
        "SELECT id FROM temp.t WHERE at >= ? ORDER BY at", (dt.datetime(2024, 1, 3, tzinfo=dt.UTC),)
    )
    assert [r[0] for r in typed] == ["r2", "r3", "r4"]


def test_fractions_of_a_second_are_dropped(typed: o365sql.Cursor) -> None:
    """Stored DATETIMEs have whole seconds; a fraction in a parameter would break text comparison."""
    when = dt.datetime(2024, 1, 1, 0, 0, 0, 250000, tzinfo=dt.UTC)
    typed.execute("INSERT INTO temp.t (id, at) VALUES ('m', ?)", (when,))
    typed.execute("SELECT at, CAST(at AS TEXT) FROM temp.t")
    assert typed.fetchone() == (when.replace(microsecond=0), "2024-01-01T00:00:00Z")
    typed.execute("SELECT count(*) FROM temp.t WHERE at <= ?", (when,))
    assert typed.fetchone() == (1,)


def test_bool_parameters_and_boolean_columns(typed: o365sql.Cursor) -> None:
    typed.executemany("INSERT INTO temp.t (id, ok) VALUES (?, ?)", [("t", True), ("f", False), ("n", None)])
    typed.execute("SELECT id, ok, ok + 0 FROM temp.t ORDER BY id")
    assert typed.fetchall() == [("f", False, 0), ("n", None, None), ("t", True, 1)]
    typed.execute("SELECT id FROM temp.t WHERE ok = ?", (True,))
    assert typed.fetchall() == [("t",)]


def test_other_parameter_types(typed: o365sql.Cursor) -> None:
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    typed.execute(
        "INSERT INTO temp.t (id, n, r, j) VALUES (?, ?, ?, ?)",
        (str(u), decimal.Decimal("7"), 2.5, '{"a": 1}'),
    )
    typed.execute("SELECT ?, ?, ?, ?", (u, decimal.Decimal("1.5"), bytearray(b"ab"), dt.date(2024, 2, 29)))
    assert typed.fetchone() == (str(u), 1.5, b"ab", "2024-02-29")
    typed.execute("SELECT n, r, j FROM temp.t")
    assert typed.fetchone() == (7, 2.5, '{"a": 1}')
    assert [d[1] for d in typed.description] == [o365sql.NUMBER, o365sql.NUMBER, o365sql.STRING]


def test_time_parameter(con: Connection) -> None:
    assert con.execute("SELECT ?", (dt.time(8, 15),)).fetchone() == ("08:15:00",)


@pytest.mark.parametrize("bad", [object(), {1, 2}, [1, 2], complex(1, 2), decimal.Decimal("NaN")])
def test_unsupported_parameter_types(con: Connection, bad: object) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="parameter 1"):
        con.execute("SELECT ?", (bad,))


def test_parameters_must_be_sequence_or_mapping(con: Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="sequence"):
        con.execute("SELECT ?", "a")
    with pytest.raises(o365sql.ProgrammingError, match="sequence"):
        con.execute("SELECT ?", 5)


def test_fetch_conversions_from_fake_engine(con: Connection) -> None:
    cur = con.execute("SELECT id, created, flag, size, score, tags FROM Items LIMIT 2")
    rows = cur.fetchall()
    assert rows[1] == ("id00001", dt.datetime(2024, 1, 1, 1, tzinfo=dt.UTC), True, 10, 0.25, '["t1"]')
    assert [d[1] for d in cur.description] == [
        o365sql.STRING, o365sql.DATETIME, o365sql.NUMBER, o365sql.NUMBER, o365sql.NUMBER, o365sql.STRING,
    ]  # fmt: skip
    # nullable: the key is not, the rest are
    assert [d[6] for d in cur.description] == [False, True, True, True, True, True]


def test_expressions_pass_through(con: Connection) -> None:
    cur = con.execute("SELECT max(created), flag AND 1, upper(name) FROM Items")
    assert cur.fetchone() == ("2024-01-02T00:00:00Z", 0, "ITEM 24")  # the row of max(created)
    assert cur.description[0][1] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T10:00:00Z", dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)),
        ("2024-01-01T10:00:00.1234567Z", dt.datetime(2024, 1, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)),
        ("2024-01-01T12:00:00+02:00", dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)),
        ("2024-01-01T10:00:00", dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)),
        ("not a date", "not a date"),
        ("", ""),
        (12, 12),
    ],
)
def test_parse_datetime(text: object, expected: object) -> None:
    assert _types.parse_datetime(text) == expected


def test_format_datetime_roundtrip() -> None:
    for when in (
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2024, 6, 1, 1, 2, 3, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
    ):
        assert _types.parse_datetime(_types.format_datetime(when)) == when


def test_boolean_text_values() -> None:
    conv = _types.converter_for("BOOLEAN")
    assert conv is not None
    assert [conv(v) for v in (1, 0, "true", "False", 2.0, "maybe")] == [
        True,
        False,
        True,
        False,
        True,
        "maybe",
    ]
    assert _types.converter_for("TEXT") is None and _types.converter_for(None) is None
