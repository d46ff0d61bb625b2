"""User defined views: the named queries of the UserDefinedViews JSON file, as views of the connection.

The file has the commercial connector's shape, ``{"MyView": {"query": "SELECT ..."}, ...}``. Each query
becomes a view of schema ``UserViews`` (attached by engine.schemas, which also puts the Graph tables there for
the views to read), queried as ``UserViews.MyView`` or by its bare name; sys_tables lists it as a VIEW of that
schema. Creating the views reads no Graph data: each is compiled (``PRAGMA table_info``), so a bad query fails
at connect time, naming the file and the view.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw

from .._statements import single_statement
from ..errors import ProgrammingError
from ..schema import TABLES

__all__ = ["SCHEMA", "UserView", "install", "read_file", "views_of"]

SCHEMA = "UserViews"

_EXAMPLE = '{"MyView": {"query": "SELECT * FROM Messages WHERE isRead = false"}}'


@dataclass(frozen=True)
class UserView:
    """One view: its name, its query, and its columns as (name, declared type)."""

    name: str
    query: str
    columns: tuple[tuple[str, str], ...]


_VIEWS: weakref.WeakKeyDictionary[apsw.Connection, tuple[UserView, ...]] = weakref.WeakKeyDictionary()


def _bad(path: str, what: str) -> ProgrammingError:
    return ProgrammingError(f"UserDefinedViews file {path}: {what}")


def read_file(path: str) -> dict[str, str]:
    """The views of a UserDefinedViews file, name -> query; ProgrammingError naming the file if bad."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _bad(
            path, f"cannot be read ({exc.strerror or exc}); check the UserDefinedViews property"
        ) from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(path, f"is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise _bad(path, f"must hold a JSON object of views, like {_EXAMPLE}")
    views: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, body in data.items():
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, str) or not query.strip():
            raise _bad(path, f'view {name!r} needs a "query" string, like {_EXAMPLE}')
        if not name.strip():
            raise _bad(path, "a view needs a name (the key of its entry)")
        if name.lower() in seen:
            raise _bad(
                path, f"views {seen[name.lower()]!r} and {name!r} differ only in case; SQL names ignore it"
            )
        seen[name.lower()] = name
        views[name] = query
    return views


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create(db: apsw.Connection, path: str, name: str, query: str, taken: set[str]) -> UserView:
    if name.lower() in taken:
        raise _bad(path, f"view {name!r} has the name of a table; rename the view")
    try:
        statement = single_statement(query)
    except ProgrammingError:
        raise _bad(path, f"view {name!r}: the query must be one SELECT statement") from None
    view = f"{_quote(SCHEMA)}.{_quote(name)}"
    try:
        db.execute(f"CREATE VIEW {view} AS {statement}")
        info = list(db.execute(f"PRAGMA {_quote(SCHEMA)}.table_info({_quote(name)})"))
    except apsw.Error as exc:
        db.execute(f"DROP VIEW IF EXISTS {view}")
        # SQLite lets a view name only its own schema's objects: the tables, by their bare names
        hint = "; name tables without a schema" if "cannot reference objects in database" in str(exc) else ""
        raise _bad(path, f"view {name!r}: {exc}{hint}; fix its query") from None
    # SQLite declares no type for a computed column; TEXT is what a tool can always read it as
    columns = tuple((str(row[1]), str(row[2]).upper() or "TEXT") for row in info)
    return UserView(name, statement, columns)


def install(db: apsw.Connection, path: str, reserved: set[str]) -> tuple[UserView, ...]:
    """Create the views of the file at ``path`` in schema UserViews of ``db`` (none for an empty path).

    The schema must be attached (engine.schemas does both). ``reserved`` holds lower-case names views may
    not take (the system tables); the tables are always taken.
    """
    views: list[UserView] = []
    if path:
        taken = {name.lower() for name in TABLES} | reserved
        for name, query in read_file(path).items():
            views.append(_create(db, path, name, query, taken))
    _VIEWS[db] = tuple(views)
    return tuple(views)


def views_of(db: apsw.Connection) -> tuple[UserView, ...]:
    """The user defined views installed on ``db`` (empty when none were)."""
    return _VIEWS.get(db, ())
