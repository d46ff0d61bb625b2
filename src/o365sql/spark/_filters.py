"""Spark's pushed filters as SQL terms for the driver, so its planner (and only it) decides what Graph gets.

A filter is taken only when the SQL term means exactly what Spark's filter means -- same three-valued logic,
binary string comparison (GLOB, not LIKE, which ignores case), values of the column's own type -- so pushing
it never changes a result: the driver then sends to Graph what Graph evaluates exactly and checks the rest in
SQLite, by the one pushdown rule. Anything else (a timestamp with a fraction of a second, NaN, a NULL literal,
a column that is not read) is handed back to Spark, which evaluates it itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyspark.sql.datasource import (
    EqualNullSafe,
    EqualTo,
    Filter,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNotNull,
    IsNull,
    LessThan,
    LessThanOrEqual,
    Not,
    StringContains,
    StringEndsWith,
    StringStartsWith,
)

from ..schema import ColumnSpec

__all__ = ["Term", "quote", "term_for"]

_COMPARE: dict[type[Filter], str] = {
    EqualTo: "=",
    GreaterThan: ">",
    GreaterThanOrEqual: ">=",
    LessThan: "<",
    LessThanOrEqual: "<=",
}
_REFUSED = object()  # a literal the SQL side cannot take exactly


@dataclass(frozen=True)
class Term:
    """One SQL term (``?`` placeholders) and, for ``col = v`` / ``col IN (...)``, the values it allows."""

    sql: str
    params: tuple[Any, ...]
    column: str
    values: tuple[Any, ...] | None = None


def quote(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def _literal(column: ColumnSpec, value: Any) -> Any:
    """The parameter for ``value`` against ``column``, or _REFUSED when SQLite would compare otherwise."""
    kind = column.type
    if kind in ("TEXT", "JSON"):
        return value if isinstance(value, str) else _REFUSED
    if kind == "BOOLEAN":
        return value if isinstance(value, bool) else _REFUSED
    if kind == "INTEGER":
        return value if isinstance(value, int) and not isinstance(value, bool) else _REFUSED
    if kind == "REAL":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return value if ok else _REFUSED
    # DATETIME: the driver's values are whole seconds in UTC; an instant with a fraction, or a wall-clock
    # time with no zone, would need rounding rules of its own, so Spark keeps those.
    if isinstance(value, datetime) and value.utcoffset() is not None and value.microsecond == 0:
        return value
    return _REFUSED


def _glob(text: str) -> str:
    """``text`` as a GLOB pattern that matches only itself (GLOB is case-sensitive, like Spark)."""
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)


def term_for(f: Filter, columns: dict[str, ColumnSpec]) -> Term | None:
    """The SQL term for a Spark filter over these columns, or None when it must stay with Spark."""
    if isinstance(f, Not):
        inner = f.child
        if isinstance(inner, EqualTo):
            t = term_for(inner, columns)
            return None if t is None else Term(t.sql.replace(" = ?", " <> ?", 1), t.params, t.column)
        t = term_for(inner, columns)
        return None if t is None else Term(f"NOT ({t.sql})", t.params, t.column)
    attribute: tuple[str, ...] = getattr(f, "attribute", ())
    if len(attribute) != 1 or attribute[0] not in columns:
        return None
    column = columns[attribute[0]]
    name = quote(column.name)
    if isinstance(f, IsNull):
        return Term(f"{name} IS NULL", (), column.name)
    if isinstance(f, IsNotNull):
        return Term(f"{name} IS NOT NULL", (), column.name)
    if isinstance(f, In):
        values = tuple(_literal(column, v) for v in f.value)
        if not values or any(v is _REFUSED for v in values):
            return None
        marks = ", ".join("?" for _ in values)
        return Term(f"{name} IN ({marks})", values, column.name, values)
    if isinstance(f, StringStartsWith | StringEndsWith | StringContains):
        if column.type not in ("TEXT", "JSON") or not isinstance(f.value, str):
            return None
        text = _glob(f.value)
        pattern = {
            StringStartsWith: f"{text}*",
            StringEndsWith: f"*{text}",
            StringContains: f"*{text}*",
        }[type(f)]
        return Term(f"{name} GLOB ?", (pattern,), column.name)
    if isinstance(f, EqualNullSafe):
        value = _literal(column, f.value) if f.value is not None else None
        return None if value is _REFUSED else Term(f"{name} IS ?", (value,), column.name)
    op = _COMPARE.get(type(f))
    if op is None:
        return None
    value = _literal(column, getattr(f, "value", None))
    if value is _REFUSED:
        return None
    return Term(f"{name} {op} ?", (value,), column.name, (value,) if op == "=" else None)
