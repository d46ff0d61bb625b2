"""Schemas beside main: UserViews (the user defined views) and Cache (the sync cache, chosen per query).

Each is an in-memory database ATTACHed to the connection, so SQLite itself resolves ``UserViews.MyView``,
``[Cache].[Messages]`` and ``"UserViews"."MyView"``: no SQL text is rewritten. SQLite lets a view of an
attached schema name only objects of that schema, so UserViews also holds every Graph table (the same virtual
tables as main, reading Graph) for its views to read; sys_tables lists only the views there. Cache holds the
tables SyncTable keeps; their scans read CacheLocation (engine._offline), so ``Cache.Messages`` and
``Messages`` can be joined to compare the cache with Graph. Bare names still resolve as before: SQLite looks
in temp and main first, then in the attached schemas.

The schemas belong to the connection: a statement may not DETACH them or CREATE, DROP or ALTER anything in
them (the authorizer refuses; the connection's own work runs inside ``internal()``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import apsw

from ..errors import NotSupportedError
from ..properties import Properties
from ..scale.delta import SYNC_TABLES
from . import userviews, vtable
from ._context import EngineContext
from ._offline import CACHE_SCHEMA

__all__ = ["CACHE_SCHEMA", "USERVIEWS_SCHEMA", "attached", "install", "internal"]

USERVIEWS_SCHEMA = userviews.SCHEMA

Authorizer = Callable[[int, str | None, str | None, str | None, str | None], int]

# what a statement may not do inside one of these schemas (dbname is the schema, except where noted)
_CHANGES = frozenset(
    {
        apsw.SQLITE_CREATE_INDEX, apsw.SQLITE_CREATE_TABLE, apsw.SQLITE_CREATE_TRIGGER,
        apsw.SQLITE_CREATE_VIEW, apsw.SQLITE_CREATE_VTABLE, apsw.SQLITE_DROP_INDEX, apsw.SQLITE_DROP_TABLE,
        apsw.SQLITE_DROP_TRIGGER, apsw.SQLITE_DROP_VIEW, apsw.SQLITE_DROP_VTABLE,
    }
)  # fmt: skip


class _Guard:
    """The authorizer: refuses changes to the connection's schemas, then asks the one installed before."""

    def __init__(self, previous: Authorizer | None, schemas: dict[str, str]) -> None:
        self.previous = previous
        self.schemas = schemas  # lower-case name -> what to say when a statement tries to change it
        self.internal = 0

    def __call__(
        self, op: int, p1: str | None, p2: str | None, dbname: str | None, trigger: str | None
    ) -> int:
        if not self.internal:
            # DETACH and ALTER TABLE name the schema in p1; the others in dbname
            target = p1 if op in (apsw.SQLITE_DETACH, apsw.SQLITE_ALTER_TABLE) else dbname
            if (op in _CHANGES or op in (apsw.SQLITE_DETACH, apsw.SQLITE_ALTER_TABLE)) and target:
                why = self.schemas.get(target.lower())
                if why is not None:
                    raise NotSupportedError(why)
        return self.previous(op, p1, p2, dbname, trigger) if self.previous is not None else apsw.SQLITE_OK


_GUARDS: weakref.WeakKeyDictionary[apsw.Connection, _Guard] = weakref.WeakKeyDictionary()


@contextmanager
def internal(db: apsw.Connection) -> Iterator[None]:
    """Inside, the connection's own statements may change its schemas (create views, tables)."""
    guard = _GUARDS.get(db)
    if guard is None:
        yield
        return
    guard.internal += 1
    try:
        yield
    finally:
        guard.internal -= 1


def install(db: apsw.Connection, ctx: EngineContext, props: Properties, reserved: set[str]) -> None:
    """Attach UserViews (when UserDefinedViews is set) and Cache (when CacheLocation is set) to ``db``.

    Call after vtable.install (the o365 module must exist). ``reserved`` holds lower-case names user views may
    not take (the system tables).
    """
    views_path = str(props["UserDefinedViews"] or "")
    cache = str(props["CacheLocation"] or "")
    schemas: dict[str, str] = {}
    if views_path:
        schemas[USERVIEWS_SCHEMA.lower()] = (
            f"schema {USERVIEWS_SCHEMA} holds the views of the UserDefinedViews file ({views_path}): change "
            "them with CREATE LOCAL VIEW, ALTER LOCAL VIEW or DROP LOCAL VIEW, or edit the file and reconnect"
        )
    if cache:
        schemas[CACHE_SCHEMA.lower()] = (
            f"schema {CACHE_SCHEMA} is the sync cache at CacheLocation: EXEC SyncTable changes it, "
            "statements cannot"
        )
    guard = _Guard(db.authorizer, schemas)
    db.authorizer = guard
    _GUARDS[db] = guard
    with internal(db):
        if views_path:
            db.execute(f"ATTACH ':memory:' AS \"{USERVIEWS_SCHEMA}\"")
            vtable.install(db, ctx, schema=USERVIEWS_SCHEMA)
        userviews.install(db, views_path, reserved)
        if cache:
            db.execute(f"ATTACH ':memory:' AS \"{CACHE_SCHEMA}\"")
            vtable.install(db, ctx, schema=CACHE_SCHEMA, tables=SYNC_TABLES)


def attached(db: apsw.Connection) -> list[str]:
    """The schemas install() attached to ``db``, in order (UserViews, Cache), by the names SQL uses."""
    names = {str(row[1]).lower() for row in db.execute("PRAGMA database_list")}
    return [s for s in (USERVIEWS_SCHEMA, CACHE_SCHEMA) if s.lower() in names]
