"""INSERT ... RETURNING on the Graph tables: the returned columns come from the items Graph created.

SQLite evaluates RETURNING over the values the INSERT supplied, so the id (and every other value Graph fills
in) would read as NULL. All of a RETURNING statement's writes happen before its first row is returned, so
the DB-API cursor can swap in, row by row, the values of the item Graph answered with.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..schema import get_table
from ._context import WriteLog
from .convert import SQLValue, column_reader

__all__ = ["returning"]

# (name, declared type, database, table, origin column), as apsw's description_full gives it
RawColumn = tuple[str, str | None, str | None, str | None, str | None]


def _value(
    table: str, column: str, item: dict[str, Any], extra: dict[str, SQLValue], log: WriteLog
) -> SQLValue:
    spec = log.specs.get(table) or get_table(table)
    col = spec.column(column)
    if col.kind in ("graph", "odata_type"):
        return column_reader(col)(item)
    return extra.get(col.name)


def returning(rows: Iterator[tuple[Any, ...]], raw: tuple[RawColumn, ...], log: WriteLog) -> Iterator[Any]:
    """The RETURNING rows with every column that comes from the created table read from Graph's answer."""
    created = iter(log.created)
    for row in rows:
        try:
            table, item, extra = next(created)
        except StopIteration:
            yield row
            continue
        values = list(row)
        for i, (_name, _decl, _db, origin_table, origin_column) in enumerate(raw):
            if origin_table and origin_column and origin_table.lower() == table.lower():
                values[i] = _value(table, origin_column, item, extra, log)
        yield tuple(values)
