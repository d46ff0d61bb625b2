"""User defined views: the named queries of the UserDefinedViews JSON file, as views of the connection.

The file has the commercial connector's shape, ``{"MyView": {"query": "SELECT ..."}, ...}``. Each query
becomes a view of schema ``UserViews`` (attached by engine.schemas, which also puts the Graph tables there for
the views to read), queried as ``UserViews.MyView`` or by its bare name; sys_tables lists it as a VIEW of that
schema. Creating the views reads no Graph data: each is compiled (``PRAGMA table_info``), so a bad query fails
at connect time, naming the file and the view.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw

from .._statements import single_statement
from ..errors import ProgrammingError
from ..schema import TABLES

__all__ = ["SCHEMA", "UserView", "define", "install", "read_file", "remove", "views_of"]

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


def _load(path: str) -> dict[str, Any]:
    """The file's JSON object as written (entries may carry more than a query)."""
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
    return data


def read_file(path: str) -> dict[str, str]:
    """The views of a UserDefinedViews file, name -> query; ProgrammingError naming the file if bad."""
    data = _load(path)
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


def _columns(db: apsw.Connection, name: str) -> tuple[tuple[str, str], ...]:
    """A view's columns as (name, declared type), compiling it (apsw.Error when it does not compile)."""
    info = db.execute(f"PRAGMA {_quote(SCHEMA)}.table_info({_quote(name)})")
    # SQLite declares no type for a computed column; TEXT is what a tool can always read it as
    return tuple((str(row[1]), str(row[2]).upper() or "TEXT") for row in info)


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
        columns = _columns(db, name)
    except apsw.Error as exc:
        db.execute(f"DROP VIEW IF EXISTS {view}")
        # SQLite lets a view name only its own schema's objects: the tables, by their bare names
        hint = "; name tables without a schema" if "cannot reference objects in database" in str(exc) else ""
        raise _bad(path, f"view {name!r}: {exc}{hint}; fix its query") from None
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


# -- CREATE / ALTER / DROP LOCAL VIEW (engine.localviews parses them) ------------------------------------


def _find(db: apsw.Connection, name: str) -> UserView | None:
    return next((v for v in views_of(db) if v.name.lower() == name.lower()), None)


def _drop(db: apsw.Connection, name: str) -> None:
    db.execute(f"DROP VIEW IF EXISTS {_quote(SCHEMA)}.{_quote(name)}")


def _recompiled(db: apsw.Connection, path: str, changed: str) -> list[UserView]:
    """Every view again with its columns now; ProgrammingError when one no longer compiles."""
    out: list[UserView] = []
    for view in views_of(db):
        if view.name.lower() == changed.lower():
            continue
        try:
            out.append(UserView(view.name, view.query, _columns(db, view.name)))
        except apsw.Error as exc:
            raise _bad(
                path, f"view {view.name!r} uses view {changed!r} ({exc}): change or drop {view.name} first"
            ) from None
    return out


def _save(path: str, name: str, query: str | None) -> None:
    """Set (or with None remove) one view of the file, keeping its other entries as they are.

    The file is replaced in one step (a new file renamed over it), so a reader never sees half of it.
    """
    data: dict[str, Any] = {}
    for key, body in _load(path).items():
        if key.lower() != name.lower():
            data[key] = body
        elif query is not None:  # a changed view keeps its place and any other fields of its entry
            data[name] = {**body, "query": query} if isinstance(body, dict) else {"query": query}
    if query is not None and name not in data:
        data[name] = {"query": query}
    target = Path(path)
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise _bad(path, f"cannot be written ({exc.strerror or exc}); the views were not changed") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.chmod(temp, stat.S_IMODE(target.stat().st_mode))  # mkstemp made it private; keep the file's mode
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise _bad(path, f"cannot be written ({exc.strerror or exc}); the views were not changed") from None


def define(
    db: apsw.Connection, path: str, name: str, query: str, reserved: set[str], *, replace: bool
) -> None:
    """CREATE LOCAL VIEW (``replace`` False) or ALTER LOCAL VIEW (True): the view on ``db`` and in the file.

    Nothing changes when the query does not compile, another view stops compiling, or the file cannot be
    written.
    """
    old = _find(db, name)
    if replace and old is None:
        raise ProgrammingError(
            f"there is no user defined view {name}: CREATE LOCAL VIEW {name} AS SELECT ... creates it"
        )
    if not replace and old is not None:
        raise ProgrammingError(
            f"the user defined view {old.name} exists: ALTER LOCAL VIEW {old.name} AS SELECT ... changes it"
        )
    taken = {t.lower() for t in TABLES} | reserved
    name = old.name if old is not None else name
    if name.lower() in taken:
        raise _bad(path, f"view {name!r} has the name of a table; choose another name")
    if old is not None:
        _drop(db, old.name)
    try:
        view = _create(db, path, name, query, taken)
        others = _recompiled(db, path, name)
        _save(path, name, view.query)
    except ProgrammingError:
        _drop(db, name)  # (not a table's name, checked above)
        if old is not None:
            db.execute(f"CREATE VIEW {_quote(SCHEMA)}.{_quote(old.name)} AS {old.query}")
        raise
    # an altered view keeps its place (sys_tables lists the views in the file's order)
    kept = {v.name.lower(): v for v in [*others, view]}
    _VIEWS[db] = (*(kept.pop(v.name.lower()) for v in views_of(db)), *kept.values())


def remove(db: apsw.Connection, path: str, name: str) -> None:
    """DROP LOCAL VIEW: the view leaves ``db`` and the file (refused while another view uses it)."""
    old = _find(db, name)
    if old is None:
        raise ProgrammingError(
            f"there is no user defined view {name} (sys_tables lists them under UserViews)"
        )
    _drop(db, old.name)
    try:
        others = _recompiled(db, path, old.name)
        _save(path, old.name, None)
    except ProgrammingError:
        db.execute(f"CREATE VIEW {_quote(SCHEMA)}.{_quote(old.name)} AS {old.query}")
        raise
    _VIEWS[db] = tuple(others)
