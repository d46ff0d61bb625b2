"""SQLite's affinity and comparison rules for one value, and the values a typed column compares with."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any

import apsw

from ..errors import DataError
from ..schema import ColumnSpec
from .convert import SQLValue

__all__ = ["DATE_PREFIX", "check_value", "compare", "needs_check", "numeric_affinity", "sqlite_affinity"]

DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")

_local = threading.local()


def _affinity_db() -> apsw.Connection:
    db: apsw.Connection | None = getattr(_local, "db", None)
    if db is None:
        db = apsw.Connection(":memory:")
        db.execute("CREATE TABLE a(n NUMERIC, t TEXT)")
        _local.db = db
    return db


def sqlite_affinity(value: Any, numeric: bool) -> SQLValue:
    """The value after SQLite applies NUMERIC (or TEXT) affinity, as before comparing it with a column."""
    if value is None:
        return None
    if numeric and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if not numeric and isinstance(value, str):
        return value
    db = _affinity_db()
    out = db.execute("INSERT INTO a VALUES(?, ?) RETURNING n, t", (value, value)).fetchall()
    db.execute("DELETE FROM a")
    result: SQLValue = out[0][0] if numeric else out[0][1]
    return result


def numeric_affinity(column: ColumnSpec) -> bool:
    return column.type != "TEXT"


def _storage_class(v: SQLValue) -> int:
    if v is None:
        return 0
    if isinstance(v, int | float):
        return 1
    if isinstance(v, str):
        return 2
    return 3


def compare(op: str, a: SQLValue, b: SQLValue) -> bool:
    """SQLite's `a op b` (BINARY collation) for values that already carry their affinity."""
    if a is None or b is None:
        return False
    ca, cb = _storage_class(a), _storage_class(b)
    c = (ca > cb) - (ca < cb) if ca != cb else (a > b) - (a < b)  # type: ignore[operator]
    return {
        "eq": c == 0,
        "ne": c != 0,
        "lt": c < 0,
        "le": c <= 0,
        "gt": c > 0,
        "ge": c >= 0,
    }[op]


_COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
_TYPED = ("BOOLEAN", "DATETIME", "INTEGER", "REAL")
_SQL = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _is_date(v: SQLValue) -> bool:
    m = DATE_PREFIX.match(v) if isinstance(v, str) else None
    if m is None:
        return False
    try:
        datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


def needs_check(column: ColumnSpec, op: str) -> bool:
    """True when ``column op value`` is checked by check_value (a comparison on a typed Graph column)."""
    return column.kind == "graph" and op in _COMPARISONS and column.type in _TYPED


def check_value(column: ColumnSpec, op: str, value: Any) -> None:
    """DataError when ``column op value`` compares a typed column with a value of no meaning for it.

    SQLite would answer such a comparison (`isRead = 'yes'`, `receivedDateTime > 'yesterday'`) without an
    error and with no rows, or all of them: a wrong answer nobody sees. The message says what to write.
    """
    if not needs_check(column, op):
        return
    listed = isinstance(value, set | frozenset | list | tuple)
    for raw in value if listed else (value,):
        v = sqlite_affinity(raw, numeric=True)
        if v is None:
            continue
        term = f"{column.name} IN (..., {raw!r}, ...)" if listed else f"{column.name} {_SQL[op]} {raw!r}"
        if column.type == "BOOLEAN" and not (isinstance(v, int | float) and v in (0, 1)):
            raise DataError(
                f"{term}: {column.name} is a BOOLEAN, stored as 1 (true) or 0 (false); write "
                f"{column.name} = 1 (or = true) or {column.name} = 0 (or = false)"
            )
        if column.type == "DATETIME" and not _is_date(v):
            raise DataError(
                f"{term}: {column.name} is a DATETIME, compared as ISO-8601 UTC text such as "
                "'2024-05-01T09:30:00Z'; write a date ('2024-05-01'), a date-time, a datetime parameter, or "
                "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day') for a time relative to now"
            )
        if column.type in ("INTEGER", "REAL") and not isinstance(v, int | float):
            raise DataError(f"{term}: {column.name} is a number; compare it with a number")
