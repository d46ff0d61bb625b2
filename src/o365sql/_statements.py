"""Statement text before SQLite sees it: one statement per execute, and MaxRows as a LIMIT around a query."""

from __future__ import annotations

import re
from collections.abc import Mapping

import apsw

from .errors import ProgrammingError

__all__ = ["aggregate_type", "cap_rows", "column_names", "single_statement"]

# whitespace and comments only
_NOTHING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))*", re.S)
_QUERY = re.compile(r"(?:\s+|--[^\n]*\n|/\*.*?\*/)*(?:SELECT|WITH|VALUES)\b", re.S | re.I)
_RENAMED = re.compile(r"^(.*):\d+$")


def single_statement(sql: str) -> str:
    """The one statement in ``sql``, without its closing ``;``; ProgrammingError when there are more.

    As sqlite3 does, a second statement is refused before anything runs: apsw would run both and merge their
    rows under the first one's columns.
    """
    for semicolon in re.finditer(";", sql):
        end = semicolon.end()
        if apsw.complete(sql[:end]):  # this ';' ends a statement (not inside a string, comment or trigger)
            if not _NOTHING.fullmatch(sql, end):
                raise ProgrammingError(
                    "You can only execute one statement at a time: run each statement with its own execute()"
                )
            return sql[: end - 1]
    return sql


def cap_rows(sql: str, max_rows: int) -> str | None:
    """``sql`` (one statement) with at most ``max_rows`` result rows, or None when it is not a query.

    The query goes inside ``SELECT * FROM (...) LIMIT n``: SQLite keeps its order, declared types and origin
    columns, and hands the LIMIT to the table when it can (so Graph gets ``$top``); a smaller LIMIT inside
    still wins. ``WITH ... DELETE`` and the like match too: SQLite refuses the wrapped text, and the caller
    then runs the statement as written.
    """
    if max_rows < 0 or not _QUERY.match(sql):
        return None
    # newlines, so a trailing -- comment cannot swallow the closing parenthesis
    return f"SELECT * FROM (\n{sql}\n) LIMIT {max_rows}"


def column_names(names: list[str]) -> list[str]:
    """Result column names as the query itself gives them.

    Inside the MaxRows wrapper SQLite renames a repeated subquery column to ``name:1``, ``name:2`` ...; the
    query alone would call each ``name``.
    """
    out: list[str] = []
    for name in names:
        m = _RENAMED.match(name)
        out.append(m.group(1) if m and m.group(1) in out else name)
    return out


_IDENT = r'(?:"[^"]+"|\[[^\]]+\]|`[^`]+`|\w+)'
_MINMAX = re.compile(rf"(?is)^\s*(?:min|max)\s*\(\s*(?:{_IDENT}\s*\.\s*)?({_IDENT})\s*\)\s*$")
_WORD = re.compile(r"\w+")


def _bare(ident: str) -> str:
    return ident[1:-1] if ident[:1] in '"[`' else ident


def aggregate_type(sql: str, name: str, tables: Mapping[str, Mapping[str, str]]) -> str | None:
    """The declared type of a ``min(col)``/``max(col)`` result column (named so, or aliased), else None.

    SQLite declares no type for an aggregate; its value is one of the column's values, so it has the column's
    type. ``tables`` maps each table name (lower case) to its column types (column name lower case -> type);
    the tables named in ``sql`` that have the column must agree on its type.
    """
    m = _MINMAX.match(name)
    if m is None:
        alias = re.escape(name)
        found = re.search(
            rf"(?is)\b(?:min|max)\s*\(\s*(?:{_IDENT}\s*\.\s*)?({_IDENT})\s*\)\s+(?:AS\s+)?"
            rf"(?:\"{alias}\"|\[{alias}\]|`{alias}`|{alias}(?!\w))",
            sql,
        )
        if found is None:
            return None
        column = _bare(found.group(1)).lower()
    else:
        column = _bare(m.group(1)).lower()
    named = {w.lower() for w in _WORD.findall(sql)}
    types = {cols[column] for table, cols in tables.items() if table in named and column in cols}
    return types.pop() if len(types) == 1 else None
