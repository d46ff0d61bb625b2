"""SQL text cut into statements (a `;` in quotes or comments ends none), and the catalog queries."""

from __future__ import annotations

from collections.abc import Iterator

import apsw

__all__ = ["DESCRIBE_SQL", "TABLES_SQL", "is_complete", "split"]

# the Graph tables by their names; the other schemas' (UserViews, Cache) qualified, as SQL names them
_SHOWN = "CASE WHEN SchemaName = 'Office365' THEN TableName ELSE SchemaName || '.' || TableName END"
TABLES_SQL = (
    f"SELECT {_SHOWN} AS TableName, TableType, Description FROM sys_tables "
    "ORDER BY SchemaName <> 'Office365', SchemaName, TableName"
)
# one parameter, a table's name: `Messages`, `Cache.Messages`, a view by `UserViews.MyView` or its bare name
# (as in SQL, a bare name is never the Cache schema's)
DESCRIBE_SQL = (
    'SELECT ColumnName AS "column", DataTypeName AS "type", IsKey AS "key", IsReadOnly AS "read_only", '
    "Description FROM sys_tablecolumns WHERE lower(?1) IN (lower(SchemaName || '.' || TableName), "
    "CASE WHEN SchemaName <> 'Cache' THEN lower(TableName) END) ORDER BY Ordinal"
)


def is_complete(text: str) -> bool:
    """True when `text` ends with a `;` that closes a statement (SQLite's own lexer decides)."""
    return apsw.complete(text)


def split(text: str) -> Iterator[str]:
    """The statements of a script without their final `;`; text after the last `;` counts as one more."""
    start = 0
    pos = text.find(";")
    while pos >= 0:
        if is_complete(text[start : pos + 1]):
            statement = text[start:pos].strip()
            if statement:
                yield statement
            start = pos + 1
        pos = text.find(";", pos + 1)
    rest = text[start:].strip()
    if rest and not _only_comments(rest):
        yield rest


def _only_comments(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return all(not line or line.startswith("--") for line in lines)
