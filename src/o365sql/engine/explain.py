"""explain(): the Graph requests a SELECT would make and the terms SQLite still checks, without calling Graph.

How: the statement runs once with the context in recording mode. Every virtual-table scan SQLite starts
(Filter) records the requests it would send, with the real constraint values, and returns no rows. A scan
SQLite never starts that way -- the inner side of a join, which is only scanned per outer row -- is reported
from `EXPLAIN QUERY PLAN` (the plan BestIndex chose, as idxStr), with `?` for the values the outer rows would
supply (and, for a join on an outer table's ids, how many of those scans run side by side: engine.joins).
Because recorded scans return no rows, an IN (SELECT ...) over another Office 365 table is planned
with an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import apsw

from ..schema import get_table
from ._context import EngineContext, PlannedRequest, _Recording
from ._describe import describe_plan
from .joins import join_note
from .planner import Plan
from .vtable import context_of, is_empty_in_failure, one_value_at_a_time

__all__ = ["explain"]

_INDEX = re.compile(r"VIRTUAL TABLE INDEX -?\d+:(\{.*\})\s*$")
_READ = re.compile(r"^\s*(WITH|SELECT|VALUES)\b", re.IGNORECASE)


def explain(
    db: apsw.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[PlannedRequest]:
    """The Graph requests the SELECT `sql` would make (method, path, parameters) and SQLite's own checks."""
    ctx = context_of(db)
    if ctx is None:
        raise apsw.SQLError("explain() needs a connection prepared by o365sql.engine.install()")
    if not _READ.match(sql):
        raise apsw.SQLError("explain() takes a SELECT statement")
    try:
        eqp, recording = _record(db, ctx, sql, params, can_cache=True)
    except apsw.SQLError as exc:
        if not is_empty_in_failure(exc):
            raise
        # every subquery comes back empty while recording: apsw's empty IN list failure is the rule here
        with one_value_at_a_time(db):
            eqp, recording = _record(db, ctx, sql, params, can_cache=False)
    out: list[PlannedRequest] = []
    for r in recording.requests:
        if r not in out:
            out.append(r)
    seen = set(recording.plans)
    for row in eqp:
        m = _INDEX.search(str(row[-1]))
        if m is None or m.group(1) in seen:
            continue
        seen.add(m.group(1))
        try:
            plan = Plan.decode(m.group(1))
            spec = get_table(plan.table)
        except (ValueError, KeyError):
            continue
        note = join_note(spec, plan, ctx) or (
            "once per row of the outer loop, or per value of a subquery (values known only then)"
        )
        out.append(describe_plan(spec, plan, ctx, note))
    return out


def _record(
    db: apsw.Connection, ctx: EngineContext, sql: str, params: Sequence[Any] | dict[str, Any], can_cache: bool
) -> tuple[list[tuple[Any, ...]], _Recording]:
    """Run ``sql`` with the scans recording instead of reading; (EXPLAIN QUERY PLAN rows, the recording)."""
    recording = _Recording()
    previous = ctx.recording
    ctx.recording = recording
    try:
        eqp = db.execute("EXPLAIN QUERY PLAN " + sql, params, can_cache=can_cache).fetchall()
        for _row in db.execute(sql, params, can_cache=can_cache):
            pass
    finally:
        ctx.recording = previous
    return eqp, recording
