"""UserDefinedViews: named views from a JSON file, as the commercial connector reads it.

The file maps names to queries: ``{"UnreadMail": {"query": "SELECT * FROM Messages WHERE isRead = 0"}}``.
Each becomes a TEMP view on the connection (SQLite lets only TEMP views use the virtual tables of `main`),
listed by sys_tables with SchemaName ``UserViews``. A view reads Graph only when a statement uses it.
"""

from __future__ import annotations

import json
from pathlib import Path

import apsw

from ..errors import ProgrammingError

__all__ = ["VIEW_SCHEMA", "install_views", "load_views", "view_columns", "views"]

VIEW_SCHEMA = "UserViews"


def load_views(path: str) -> dict[str, str]:
    """{name: query} from the file; ProgrammingError naming the file and what is wrong with it."""
    where = f"UserDefinedViews file {path!r}"
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise ProgrammingError(f"{where} cannot be read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProgrammingError(f"{where} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProgrammingError(f'{where} must hold an object: {{"ViewName": {{"query": "SELECT ..."}}}}')
    out: dict[str, str] = {}
    for name, body in data.items():
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, str) or not query.strip():
            raise ProgrammingError(f'{where}: view {name!r} needs {{"query": "SELECT ..."}}')
        out[name] = query.strip().rstrip(";")
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def install_views(db: apsw.Connection, path: str) -> None:
    """Create the file's views on db (after the tables exist); a query SQLite refuses names its view."""
    for name, query in load_views(path).items():
        if not query.lower().startswith(("select", "with")):
            raise ProgrammingError(f"UserDefinedViews: view {name!r} must be a SELECT, not {query[:40]!r}")
        try:
            db.execute(f"CREATE TEMP VIEW {_quote(name)} AS {query}")
            # SQLite resolves a view's names when a statement uses it: compile one now (EXPLAIN plans the
            # statement without running it, so no request is made) to report a bad column at connect time.
            db.execute(f"EXPLAIN SELECT * FROM temp.{_quote(name)}").fetchall()
        except apsw.Error as exc:
            raise ProgrammingError(f"UserDefinedViews: view {name!r} cannot be created: {exc}") from None


def views(db: apsw.Connection) -> list[tuple[str, str]]:
    """(name, query) of the user-defined views on db, by name."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_temp_master WHERE type = 'view' ORDER BY name COLLATE NOCASE"
    )
    return [
        (str(name), str(sql).split(" AS ", 1)[1] if " AS " in str(sql) else str(sql)) for name, sql in rows
    ]


def view_columns(db: apsw.Connection, name: str) -> list[tuple[str, str]]:
    """(column, declared type) of a view; a column of no declared type (an expression) is TEXT."""
    rows = db.execute(f"PRAGMA temp.table_info({_quote(name)})").fetchall()
    return [(str(r[1]), str(r[2] or "TEXT")) for r in rows]
