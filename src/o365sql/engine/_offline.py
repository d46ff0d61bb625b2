"""Offline=true, or a table of schema Cache: a table's rows from the sync cache (CacheLocation), not Graph.

``Cache.Messages`` reads the cache on a connection whose ``Messages`` reads Graph (engine.schemas attaches the
schema), so one query can compare the two. The planner sends nothing to Graph for such a scan (as with
Pushdown=false), so SQLite evaluates every WHERE,
ORDER BY and LIMIT over the cached items; only the owner (UserId) is chosen here. Files keeps the online
table's DirectoryRetrievalDepth, CalendarView its window (from the constraints; default 30 days either side
of now) within what the sync covered. Anything the cache cannot answer exactly raises instead of returning
fewer rows: a table SyncTable does not keep, one never synced, an owner not synced, a folder or calendar
route.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import NotSupportedError, ProgrammingError
from ..scale.delta import SYNC_TABLES
from ..scale.drive import drive_tree
from .convert import SQLValue
from .request import ME, Execution, Row

__all__ = ["CACHE_SCHEMA", "cached_rows"]

CACHE_SCHEMA = "Cache"


def _source(ex: Execution) -> str:
    """How the query asked for the cache, as the errors name it."""
    return "Offline=true" if ex.ctx.offline else f"{CACHE_SCHEMA}.{ex.spec.name}"


def _from_graph(ex: Execution) -> str:
    """How to read the table from Graph instead."""
    return (
        "set Offline=false" if ex.ctx.offline else f"query {ex.spec.name} without the {CACHE_SCHEMA} schema"
    )


def _owners(ex: Execution, known: list[str]) -> list[tuple[str, SQLValue]]:
    """(cache owner, UserId value) for the owners the query reads."""
    cache = ex.ctx.cache
    assert cache is not None
    if not ex.spec.per_user:
        return [("", None)]
    if ex.scopes is None:
        return [(o, o) for o in known]
    out: list[tuple[str, SQLValue]] = []
    for _scope, user in ex.scopes:
        if user == ME:
            me = cache.get_meta("me")
            if me is None:
                raise ProgrammingError(
                    f"{_source(ex)}: the cache holds no {ex.spec.name} of the signed-in user; run EXEC "
                    f"SyncTable Table='{ex.spec.name}' online first"
                )
            out.append((me, me))
        else:
            out.append((str(user), user))
    missing = [o for o, _u in out if o not in known]
    if missing:
        raise ProgrammingError(
            f"{_source(ex)}: the cache holds no {ex.spec.name} of {', '.join(repr(m) for m in missing)}; run "
            f"EXEC SyncTable Table='{ex.spec.name}', UserId='{missing[0]}' online first"
        )
    return out


def _in_window(ex: Execution, item: dict[str, Any]) -> bool:
    lo, hi = ex.params.get("startDateTime", ""), ex.params.get("endDateTime", "")
    start, end = item.get("start"), item.get("end")
    if not (isinstance(start, dict) and isinstance(end, dict)):
        return False
    # calendarView items are in UTC unless a time zone was asked for; compare to the second
    return str(start.get("dateTime", ""))[:19] < hi[:19] and str(end.get("dateTime", ""))[:19] > lo[:19]


def cached_rows(ex: Execution) -> Iterator[Row]:
    """The rows of ``ex`` from the sync cache."""
    spec, ctx = ex.spec, ex.ctx
    cache = ctx.cache
    if cache is None:
        raise ProgrammingError(f"{_source(ex)} needs CacheLocation: the path of the sync cache file")
    if spec.name not in SYNC_TABLES:
        raise NotSupportedError(
            f"{_source(ex)}: {spec.name} is not kept in the sync cache (SyncTable keeps "
            f"{', '.join(SYNC_TABLES)}); {_from_graph(ex)} to read it from Graph"
        )
    if ex.scope_column is not None:
        raise NotSupportedError(
            f"Offline=true: {spec.name} by {ex.scope_column} needs Graph (SyncTable keeps users' own "
            "mailboxes and OneDrives only); set Offline=false"
        )
    uncached = [
        c.name for i, c in enumerate(spec.columns) if i in ex.plan.columns and (c.expand or c.permissions)
    ]
    if uncached:
        raise NotSupportedError(
            f"{_source(ex)}: {spec.name}.{uncached[0]} is not kept in the sync cache; {_from_graph(ex)} "
            "to read it from Graph"
        )
    if ex.route_column is not None:
        raise NotSupportedError(
            f"{_source(ex)}: {spec.name} by {ex.route_column} needs Graph; compare it without letting SQLite "
            f"hand it over (WHERE +{ex.route_column} = ...) or {_from_graph(ex)}"
        )
    known = cache.owners(spec.name)
    if not known:
        raise ProgrammingError(
            f"{_source(ex)}: the cache at {cache.path} holds no {spec.name}; run EXEC SyncTable "
            f"Table='{spec.name}' online first"
        )
    for owner, user in _owners(ex, known):
        items: Iterator[dict[str, Any]] = (item for _o, item in cache.items(spec.name, [owner]))
        if spec.recursive == "drive":
            items = drive_tree(items, ctx.directory_depth)
        extra: dict[str, SQLValue] = dict(ex.param_values)
        if spec.per_user:
            extra["UserId"] = user
        for item in items:
            if spec.window and not _in_window(ex, item):
                continue
            yield item, extra
