"""explain(): the Graph requests a SELECT would make and the terms SQLite still checks, without calling Graph.

How: the statement runs once with the context in recording mode. Every virtual-table scan SQLite starts
(Filter) records the requests it would send, with the real constraint values, and returns no rows. A scan
SQLite never starts that way -- the inner side of a join, which is only scanned per outer row -- is reported
from `EXPLAIN QUERY PLAN` (the plan BestIndex chose, as idxStr), with `?` for the values the outer rows would
supply. Because recorded scans return no rows, an IN (SELECT ...) over another Office 365 table is planned
with an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import apsw

from ..schema import TableSpec, get_table
from ._context import PlannedRequest, _Recording
from .planner import Plan
from .vtable import context_of

__all__ = ["explain"]

_INDEX = re.compile(r"VIRTUAL TABLE INDEX -?\d+:(\{.*\})\s*$")
_READ = re.compile(r"^\s*(WITH|SELECT|VALUES)\b", re.IGNORECASE)


def _scope(spec: TableSpec, plan: Plan, app_only: bool, default_user: str | None) -> str:
    template = spec.item if any(t.role == "id" for t in plan.terms) and spec.item else spec.collection
    routed = {spec.columns[t.column].name for t in plan.terms if t.role == "route"}
    if "UserId" in routed or (app_only and not default_user):
        scope = "/users/{UserId}"
    elif default_user:
        scope = "/users/" + default_user
    else:
        scope = "/me"
    return template.replace("{scope}", scope)


def explain(
    db: apsw.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[PlannedRequest]:
    """The Graph requests the SELECT `sql` would make (method, path, query parameters) and SQLite's own
    checks."""
    ctx = context_of(db)
    if ctx is None:
        raise apsw.SQLError("explain() needs a connection prepared by o365sql.engine.install()")
    if not _READ.match(sql):
        raise apsw.SQLError("explain() takes a SELECT statement")
    recording = _Recording()
    previous = ctx.recording
    ctx.recording = recording
    try:
        eqp = db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        for _row in db.execute(sql, params):
            pass
    finally:
        ctx.recording = previous
    out: list[PlannedRequest] = []
    for r in recording.requests:
        if r not in out:
            out.append(r)
    seen = {r.table for r in out}
    for row in eqp:
        m = _INDEX.search(str(row[-1]))
        if m is None:
            continue
        try:
            plan = Plan.decode(m.group(1))
            spec = get_table(plan.table)
        except (ValueError, KeyError):
            continue
        if spec.name in seen:
            continue
        seen.add(spec.name)
        out.append(
            PlannedRequest(
                table=spec.name,
                method="GET",
                path=_scope(spec, plan, ctx.app_only, ctx.default_user),
                params={},
                sqlite_checks=tuple(plan.checks),
                pushed=tuple(t.describe(spec) for t in plan.terms),
                note="once per row of the outer loop (values known only then)",
            )
        )
    return out
