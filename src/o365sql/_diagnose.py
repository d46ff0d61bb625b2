"""apsw and Python exceptions -> DB-API exceptions that say what to write instead (close names, the list)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

import apsw

from .engine import is_empty_in_failure
from .engine.schemas import CACHE_SCHEMA, USERVIEWS_SCHEMA
from .engine.systables import SYSTEM_TABLES
from .engine.userviews import views_of
from .errors import (
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)
from .scale.delta import SYNC_TABLES

__all__ = ["snippet", "translate"]


_INTERFACE = (
    apsw.CursorClosedError, apsw.ConnectionClosedError, apsw.ThreadingViolationError,
    apsw.ExecutionCompleteError, apsw.IncompleteExecutionError,
)  # fmt: skip
_OPERATIONAL = (
    apsw.BusyError, apsw.LockedError, apsw.InterruptError, apsw.FullError, apsw.IOError, apsw.CantOpenError,
    apsw.NoMemError, apsw.ProtocolError, apsw.AbortError, apsw.SchemaChangeError, apsw.ReadOnlyError,
    apsw.AuthError, apsw.PermissionsError,
)  # fmt: skip
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def snippet(sql: str) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= 160 else flat[:157] + "..."


def _bare(name: str) -> str:
    return name.split(".")[-1].strip('[]"`')


def _known_tables(db: apsw.Connection) -> list[str]:
    names: list[str] = []
    try:
        for row in db.execute("PRAGMA table_list"):
            schema, name, kind = row[0], row[1], row[2]
            if kind == "shadow" or name.startswith("sqlite_"):
                continue
            # the user defined views, by the bare names that reach them (schema UserViews also holds the
            # tables its views read: main's, named once)
            if schema not in ("main", "temp") and not (schema == USERVIEWS_SCHEMA and kind == "view"):
                continue
            names.append(name)
    except apsw.Error:
        pass
    names.extend(n for n in SYSTEM_TABLES if n not in names)
    return sorted(set(names), key=str.lower)


def _columns(db: apsw.Connection, table: str) -> list[str]:
    if table.lower() in SYSTEM_TABLES:
        return [c for c, _ in SYSTEM_TABLES[table.lower()]]
    try:
        return [row[1] for row in db.execute(f'PRAGMA table_xinfo("{table}")')]
    except apsw.Error:
        return []


def translate(db: apsw.Connection, exc: Exception, sql: str, params: Any) -> Error:
    """The DB-API exception, with a hint, for an apsw/Python exception raised running ``sql`` on ``db``."""
    if isinstance(exc, Error):
        return exc
    msg = str(exc)
    if is_empty_in_failure(exc):
        # the statement runs again one value at a time when this happens before its first row (cursor.py);
        # later, inside a join, rows were already handed out
        return NotSupportedError(
            "an IN (SELECT ...) list came back empty for one row of a join, which apsw cannot pass to an "
            "Office 365 table; write the condition as EXISTS (SELECT 1 FROM ... WHERE ... = column) or a JOIN"
        )
    if isinstance(exc, apsw.SQLError):
        return _sql_error(db, msg, sql)
    if isinstance(exc, apsw.BindingsError):
        m = re.search(r"uses (\d+) and there are (\d+) supplied", msg)
        if m:
            return ProgrammingError(
                f"wrong number of parameters: the statement has {m.group(1)} placeholder(s) but "
                f"{m.group(2)} value(s) were supplied: {snippet(sql)}"
            )
        return ProgrammingError(f"parameters do not fit the statement: {msg}")
    if isinstance(exc, KeyError) and isinstance(params, Mapping) and exc.args:
        name = str(exc.args[0])
        if name not in params and re.search(rf"[:@$]{re.escape(name)}\b", sql):
            given = ", ".join(sorted(map(str, params))) or "none"
            return ProgrammingError(f"no value supplied for parameter :{name} (parameters given: {given})")
    if isinstance(exc, apsw.ConstraintError):
        return IntegrityError(f"constraint failed: {msg}")
    if isinstance(exc, apsw.MismatchError):
        return DataError(f"data type mismatch ({msg}) in: {snippet(sql)}")
    if isinstance(exc, apsw.TooBigError | apsw.RangeError):
        return DataError(f"value out of range or too big: {msg}")
    if isinstance(exc, _INTERFACE):
        return InterfaceError(f"{msg}: the cursor or connection can no longer run statements")
    if isinstance(exc, _OPERATIONAL):
        return OperationalError(msg)
    return InternalError(
        f"internal error while running {snippet(sql)!r}: {type(exc).__name__}: {msg}. "
        "This is a bug in o365sql; please report it with the statement"
    )


def _sql_error(db: apsw.Connection, msg: str, sql: str) -> Error:
    m = re.match(r"no such table: (\S+)", msg)
    if m:
        raw, name = m.group(1), _bare(m.group(1))
        known = _known_tables(db)
        exact = next((k for k in known if k.lower() == name.lower()), None)
        if exact and raw != name:
            schema = raw[: -len(name) - 1]
            if _bare(schema).lower() == CACHE_SCHEMA.lower():
                return ProgrammingError(
                    f"no such table: {raw}. Schema {CACHE_SCHEMA} holds the tables SyncTable keeps "
                    f"({', '.join(SYNC_TABLES)}); read {exact} from Graph, without the schema name."
                )
            return ProgrammingError(
                f"no such table: {raw}. There is a table {exact}: write it without the schema name {schema}."
            )
        if raw != name and _bare(raw[: -len(name) - 1]).lower() == USERVIEWS_SCHEMA.lower():
            views = ", ".join(v.name for v in views_of(db)) or "none"
            return ProgrammingError(
                f"no such table: {raw}. The user defined views are: {views} (CREATE LOCAL VIEW adds one)"
            )
        close = difflib.get_close_matches(name.lower(), [k.lower() for k in known], n=1)
        hint = ""
        if close:
            hint = " Did you mean " + next(k for k in known if k.lower() == close[0]) + "?"
        return ProgrammingError(f"no such table: {name}.{hint} The tables are: {', '.join(known)}")
    m = re.match(r"no such column: (\S+)", msg)
    if m:
        return _no_such_column(db, m.group(1), sql)
    m = re.match(r"table (\S+) has no column named (\S+)", msg)
    if m:
        return _no_such_column(db, m.group(2), sql, _bare(m.group(1)))
    m = re.match(r"table (\S+) may not be modified", msg)
    if m:
        return NotSupportedError(
            f"{_bare(m.group(1))} is read-only: it cannot be inserted, updated or deleted"
        )
    if "syntax error" in msg or msg.startswith("incomplete input") or msg.startswith("unrecognized token"):
        return ProgrammingError(f"SQL syntax error ({msg}) in: {snippet(sql)}")
    return ProgrammingError(f"{msg} in: {snippet(sql)}")


def _no_such_column(db: apsw.Connection, raw: str, sql: str, table: str | None = None) -> Error:
    column = _bare(raw)
    known = {k.lower(): k for k in _known_tables(db)}
    tables: list[str] = [table] if table else []
    for word in [] if table else _WORD_RE.findall(sql):
        name = known.get(word.lower())
        if name and name not in tables:
            tables.append(name)
    if not tables:
        return ProgrammingError(f"no such column: {raw} in: {snippet(sql)}")
    parts: list[str] = []
    for table in tables:
        cols = _columns(db, table)
        close = difflib.get_close_matches(column.lower(), [c.lower() for c in cols], n=3)
        parts.extend(f"{table}.{c}" for c in cols if c.lower() in close)
    hint = (" Did you mean " + " or ".join(parts) + "?") if parts else ""
    where = " or ".join(tables)
    return ProgrammingError(
        f"no such column: {raw} in table {where}.{hint} "
        f"List the columns with: SELECT ColumnName FROM sys_tablecolumns WHERE TableName = '{tables[0]}'"
    )
