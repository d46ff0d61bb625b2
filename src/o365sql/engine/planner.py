"""BestIndexObject -> a Graph request plan (encoded in idxStr); the pushdown rule lives here.

The one rule: pushdown never changes a result. A constraint is `omit`ted (SQLite stops checking it) only when
Graph evaluates it exactly as SQLite would -- booleans, numbers and DateTimeOffset comparisons (turned into
exact range terms by engine.request); string comparisons (Graph ignores case), LIKE/GLOB (sent as startswith),
`<>` and dateTimeTimeZone strings are sent but re-checked, and so is every term on a column Graph may leave
unset or hold at another instant than it shows (ColumnSpec.unset_shows, instant_slack_hours). Routing
constraints (UserId, GroupId, MessageId, CalendarId, parentFolderId, parentReference_id) choose which
collection is read; they are applied with or without Pushdown, since they define the rows the table holds.
ORDER BY is consumed only for one single Graph stream on non-text, never-null orderable columns Graph sorts
by the value it shows; LIMIT/OFFSET go to the source only when every constraint is omitted and the order is
consumed (or absent). Bound values are unknown here: Filter builds the $filter text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import apsw

from ..errors import ProgrammingError
from ..schema import ColumnSpec, TableSpec, get_table
from ..schema._types import SEARCH_COLUMN
from ._context import EngineContext
from ._values import check_value, needs_check

__all__ = ["Plan", "PlanTerm", "best_index", "exact_op", "graph_op", "parent_keys"]

_OPS: dict[int, str] = {
    apsw.SQLITE_INDEX_CONSTRAINT_EQ: "eq",
    apsw.SQLITE_INDEX_CONSTRAINT_NE: "ne",
    apsw.SQLITE_INDEX_CONSTRAINT_LT: "lt",
    apsw.SQLITE_INDEX_CONSTRAINT_LE: "le",
    apsw.SQLITE_INDEX_CONSTRAINT_GT: "gt",
    apsw.SQLITE_INDEX_CONSTRAINT_GE: "ge",
    apsw.SQLITE_INDEX_CONSTRAINT_LIKE: "like",
    apsw.SQLITE_INDEX_CONSTRAINT_GLOB: "glob",
}
_SQL_OPS = {
    "eq": "=",
    "ne": "<>",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "like": "LIKE",
    "glob": "GLOB",
}
_TEXTUAL = ("TEXT", "JSON")


@dataclass
class PlanTerm:
    """One constraint the plan uses: Filter argument `argv` (0-based) holds its value (a set for IN)."""

    argv: int
    column: int
    op: str
    role: str  # route | id | window | filter
    omit: bool
    is_in: bool

    def describe(self, spec: TableSpec) -> str:
        """The SQL term, e.g. `isRead = ?` or `id IN (...)`."""
        name = spec.columns[self.column].name
        if self.is_in:
            return f"{name} IN (...)"
        return f"{name} {_SQL_OPS[self.op]} ?"


@dataclass
class Plan:
    """What BestIndex chose; serialised into idxStr and read back by Filter (and by explain)."""

    table: str
    terms: list[PlanTerm] = field(default_factory=list)
    order: list[tuple[int, bool]] = field(default_factory=list)
    limit_argv: int | None = None
    offset_argv: int | None = None
    columns: list[int] = field(default_factory=list)
    pushdown: bool = True
    # rows from the sync cache instead of Graph: Offline=true, or a table of schema Cache (engine.schemas)
    offline: bool = False
    # SQL terms SQLite still evaluates (offered constraints not omitted, ORDER BY not consumed, LIMIT kept)
    checks: list[str] = field(default_factory=list)
    # UPDATE: only the constrained and key columns are $select-ed; any other column SQLite reads after all
    # (a SET expression, a WHERE term Graph was not offered) is fetched with one GET of the item
    lazy: bool = False

    def encode(self) -> str:
        """idxStr text."""
        return json.dumps(
            {
                "t": self.table,
                "c": [[t.argv, t.column, t.op, t.role, int(t.omit), int(t.is_in)] for t in self.terms],
                "o": [[c, int(d)] for c, d in self.order],
                "l": self.limit_argv,
                "f": self.offset_argv,
                "u": self.columns,
                "p": int(self.pushdown),
                "x": int(self.offline),
                "k": self.checks,
                "z": int(self.lazy),
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, text: str) -> Plan:
        """Inverse of encode."""
        d: dict[str, Any] = json.loads(text)
        return cls(
            table=d["t"],
            terms=[PlanTerm(a, c, o, r, bool(m), bool(i)) for a, c, o, r, m, i in d["c"]],
            order=[(c, bool(desc)) for c, desc in d["o"]],
            limit_argv=d["l"],
            offset_argv=d["f"],
            columns=list(d["u"]),
            pushdown=bool(d["p"]),
            offline=bool(d["x"]),
            checks=list(d["k"]),
            lazy=bool(d["z"]),
        )


# Rough size of a tenant for the cost model (a table's own size is its TableSpec.typical_rows).
_TYPICAL_USERS = 1000
_REQUEST_COST = 1000.0


def graph_op(column: ColumnSpec, op: str) -> str | None:
    """The Graph operator that can serve `op` on this column, or None if none can."""
    if column.kind != "graph":
        return None
    ops = column.filter_ops
    if op in ("like", "glob"):
        return "startswith" if "startswith" in ops else None
    if column.type in _TEXTUAL:
        # Graph compares strings without regard to case: eq returns a superset (fine, re-checked); ne, lt, ...
        # could drop rows SQLite keeps, so they are never sent.
        return "eq" if op == "eq" and "eq" in ops else None
    return op if op in ops else None


def exact_op(column: ColumnSpec, op: str) -> bool:
    """True when Graph's answer for this operator equals SQLite's, so the term can be omitted."""
    if column.kind != "graph" or column.unset_shows is not None or column.instant_slack_hours:
        return False
    if column.type == "BOOLEAN":
        return op == "eq"
    if column.type in ("INTEGER", "REAL"):
        return op in ("eq", "lt", "le", "gt", "ge")
    if column.type == "DATETIME" and column.datetime_style == "offset":
        return op in ("eq", "lt", "le", "gt", "ge")
    return False


def _route_column(spec: TableSpec, column: ColumnSpec) -> bool:
    if column.kind == "scope":
        return spec.per_user
    if column.name == spec.parent_key:
        return True
    return column.name in spec.routes or column.name in spec.owners


def _parameter_route(spec: TableSpec, column: ColumnSpec) -> bool:
    """A routing column that is no Graph property (Sites.GroupId, Files.DriveId): an unrouted row holds NULL
    there, so only a plan that routes by it can match a value (the parent key is filled on every row)."""
    return column.kind == "param" and column.name != spec.parent_key and _route_column(spec, column)


def _owners_fan_out(spec: TableSpec, ctx: EngineContext, routed: set[str]) -> bool:
    """True when the scan reads every user's mailbox (app-only; no UserId, other owner or default user)."""
    if not spec.per_user or "UserId" in routed or not routed.isdisjoint(spec.owners):
        return False
    return ctx.app_only and not ctx.default_user


def _may_fan_out(spec: TableSpec, ctx: EngineContext, routed: set[str]) -> bool:
    if _owners_fan_out(spec, ctx, routed):
        return True
    return bool(spec.parent_key and spec.parent_key not in routed)


def parent_keys(spec: TableSpec) -> dict[str, str] | None:
    """Parent table key column -> this table's column, when the parent's rows give every routing value this
    table's path needs (ChannelMessages: Channels' TeamId and id give TeamId and ChannelId); else None."""
    if not spec.parent_table or not spec.parent_key:
        return None
    parent = get_table(spec.parent_table)
    mapping = {k: (spec.parent_key if k == "id" else k) for k in parent.key}
    if not set(spec.required_routes) <= set(mapping.values()):
        return None
    if not all(_has_column(spec, ours) for ours in mapping.values()):
        return None
    return mapping


def _has_column(spec: TableSpec, name: str) -> bool:
    try:
        spec.column(name)
    except KeyError:
        return False
    return True


def _check_search(spec: TableSpec, op: str | None, is_in: bool) -> None:
    """SEARCH holds one query for Graph's $search: any other use would read every row and match none."""
    if op != "eq" or is_in:
        raise ProgrammingError(
            f"{spec.name}.{SEARCH_COLUMN} takes one search text with '=': WHERE {SEARCH_COLUMN} = 'words'; "
            "IN, LIKE, comparisons and IS NULL are not supported (run one query per search text)"
        )


def best_index(spec: TableSpec, ctx: EngineContext, ii: apsw.IndexInfo, *, cached: bool = False) -> bool:
    """Fill the IndexInfo for one candidate plan; always returns True (a full scan is always possible).

    ``cached``: the table reads the sync cache (schema Cache), so nothing is pushed, as with Offline=true.
    """
    pushdown = ctx.pushdown and not cached
    plan = Plan(table=spec.name, pushdown=pushdown, offline=ctx.offline or cached)
    argv = 0
    all_exact = True
    limit_i: int | None = None
    offset_i: int | None = None
    routed: set[str] = set()
    has_id = False
    rows = float(spec.typical_rows)
    requests = 1.0
    unfed: set[str] = set()  # routing parameters this plan would compare without routing by them

    for i in range(ii.nConstraint):
        op_code = ii.get_aConstraint_op(i)
        if op_code == apsw.SQLITE_INDEX_CONSTRAINT_LIMIT:
            limit_i = i
            continue
        if op_code == apsw.SQLITE_INDEX_CONSTRAINT_OFFSET:
            offset_i = i
            continue
        icol = ii.get_aConstraint_iColumn(i)
        op = _OPS.get(op_code)
        usable = ii.get_aConstraint_usable(i)
        if 0 <= icol < len(spec.columns) and spec.columns[icol].name == SEARCH_COLUMN:
            _check_search(spec, op, usable and op == "eq" and bool(ii.get_aConstraintUsage_in(i)))
        if not usable:
            all_exact = False
            if op == "eq" and 0 <= icol < len(spec.columns) and _parameter_route(spec, spec.columns[icol]):
                unfed.add(spec.columns[icol].name)
            continue
        if icol < 0 or op is None:
            all_exact = False
            plan.checks.append("(a constraint Graph cannot take)")
            continue
        column = spec.columns[icol]
        literal = ii.get_aConstraint_rhs(i)
        if literal is not None:
            check_value(column, op, literal)  # a value written in the query, known before anything runs
        is_in = op == "eq" and ctx.in_sets and bool(ii.get_aConstraintUsage_in(i))
        collation = (ii.get_aConstraint_collation(i) or "BINARY").upper()
        role: str | None = None
        omit = False
        if collation != "BINARY":
            role = None
        elif column.kind == "param" and column.name == SEARCH_COLUMN:
            if op == "eq" and not is_in and column.name not in routed:
                role, omit = "search", True
                routed.add(column.name)
                rows = min(rows, 1000.0)  # Graph returns at most 1,000 search results
        elif op == "eq" and _route_column(spec, column) and column.name not in routed:
            role, omit = "route", True
            routed.add(column.name)
            # a folder or calendar holds a tenth of a mailbox; another owner (a library, a group's calendar)
            # about as many rows as a user's
            rows /= 10 if column.name in spec.routes else 1
            rows *= 5 if is_in else 1
            requests *= 5 if is_in else 1
        elif spec.window and column.name in spec.window and op in ("eq", "lt", "le", "gt", "ge"):
            role = "window"
            rows /= 3
        elif pushdown and column.name == "id" and op == "eq" and spec.item and not has_id:
            role, has_id = "id", True
            rows = 10.0 if is_in else 1.0
            requests = 1.0
        elif pushdown and graph_op(column, op) is not None:
            role = "filter"
            omit = exact_op(column, op)
            rows /= 10 if op == "eq" else 3
            requests *= 2 if is_in else 1
        elif literal is None and needs_check(column, op):
            role = "check"  # a parameter's value, checked as a literal's is (see _values.check_value)
        term_sql = f"{column.name} {'IN (...)' if is_in else _SQL_OPS[op] + ' ?'}"
        if role is None:
            all_exact = False
            plan.checks.append(term_sql)
            continue
        if not omit:
            all_exact = False
            plan.checks.append(term_sql)
        ii.set_aConstraintUsage_argvIndex(i, argv + 1)
        ii.set_aConstraintUsage_omit(i, omit)
        if is_in:
            ii.set_aConstraintUsage_in(i, True)
        plan.terms.append(PlanTerm(argv, icol, op, role, omit, is_in))
        argv += 1

    # The item path only knows the owner and the parent key: with a folder/calendar route the GET would not
    # check membership, so the id is then left to SQLite.
    id_usable = has_id and not any(
        t.role == "route" and spec.columns[t.column].name in spec.routes for t in plan.terms
    )
    if spec.parent_key and spec.parent_key not in routed:
        id_usable = False
    if SEARCH_COLUMN in routed:
        id_usable = False  # a GET by id would ignore the search
    if has_id and not id_usable:
        for t in plan.terms:
            if t.role == "id":
                t.role = "filter-none"

    fan_out = _may_fan_out(spec, ctx, routed)
    if _owners_fan_out(spec, ctx, routed):
        rows *= _TYPICAL_USERS
        requests *= _TYPICAL_USERS
    if spec.parent_key and spec.parent_key not in routed:
        parents = get_table(spec.parent_table).typical_rows if spec.parent_table else 1000
        rows *= parents
        requests *= max(1, parents // 50) if spec.fanout_expand else parents
    if spec.recursive and not routed - {"UserId", *spec.owners}:
        requests *= 20
    if any(name not in routed for name in spec.required_routes):
        if spec.parent_key not in routed and parent_keys(spec) is not None:
            # the parent table's own fan-out gives the routes (ChannelMessages: every team's channels)
            parent = get_table(spec.parent_table or "")
            grand = get_table(parent.parent_table).typical_rows if parent.parent_table else 1000
            rows *= grand
            requests *= grand
        else:
            requests *= 1e9  # the scan cannot run without it: any plan that supplies it wins
    if unfed - routed:
        # `s.GroupId = g.id` with Sites read first would compare g.id with the NULL an unrouted row holds:
        # no rows where routing by it finds some. The plan that routes by the parameter must win.
        requests *= 1e9

    consumed = _order_consumed(spec, ii, plan, fan_out, routed, id_usable)
    if ii.nOrderBy:
        if consumed:
            ii.orderByConsumed = True
            plan.order = [(ii.get_aOrderBy_iColumn(k), ii.get_aOrderBy_desc(k)) for k in range(ii.nOrderBy)]
        else:
            names = ", ".join(
                spec.columns[ii.get_aOrderBy_iColumn(k)].name + (" DESC" if ii.get_aOrderBy_desc(k) else "")
                for k in range(ii.nOrderBy)
            )
            plan.checks.append(f"ORDER BY {names}")

    if limit_i is not None:
        if pushdown and all_exact and (ii.nOrderBy == 0 or consumed):
            ii.set_aConstraintUsage_argvIndex(limit_i, argv + 1)
            ii.set_aConstraintUsage_omit(limit_i, True)
            plan.limit_argv = argv
            argv += 1
            if offset_i is not None:
                ii.set_aConstraintUsage_argvIndex(offset_i, argv + 1)
                ii.set_aConstraintUsage_omit(offset_i, True)
                plan.offset_argv = argv
                argv += 1
        else:
            plan.checks.append("LIMIT/OFFSET")

    plan.columns, plan.lazy = _used_columns(spec, ii)
    ii.idxStr = plan.encode()
    ii.idxNum = 0
    # SQLite multiplies an inner table's cost by the outer rows, so a request (a round trip of 100+ ms) must
    # weigh far more than a row: joins then drive child tables by their parent key instead of fanning out.
    ii.estimatedRows = max(1, int(rows))
    ii.estimatedCost = float(max(1.0, rows) + _REQUEST_COST * requests)
    return True


def _order_consumed(
    spec: TableSpec,
    ii: apsw.IndexInfo,
    plan: Plan,
    fan_out: bool,
    routed: set[str],
    id_usable: bool,
) -> bool:
    if not ii.nOrderBy or not plan.pushdown or spec.orderby_rule == "none":
        return False
    # Several Graph streams (IN lists, fan-outs, folder walks, batched ids) come back unsorted, and Graph
    # takes no $orderby with $search.
    if fan_out or any(t.is_in or t.role == "search" for t in plan.terms):
        return False
    if spec.recursive and not routed - {"UserId", *spec.owners}:
        return False
    filters = [t for t in plan.terms if t.role == "filter"]
    for k in range(ii.nOrderBy):
        c = ii.get_aOrderBy_iColumn(k)
        if c < 0:
            return False
        column = spec.columns[c]
        if not column.orderable or column.kind != "graph" or column.type in _TEXTUAL or not column.not_null:
            return False
        if column.instant_slack_hours or column.unset_shows is not None:
            return False  # Graph sorts by a value SQLite does not see
        if filters:
            if spec.orderby_rule == "directory":
                return False
            # Outlook's InefficientFilter rule: each $orderby property must lead the $filter. Filter puts the
            # column's own terms first, or adds an always-true `ge` term (the column is never null).
            if column.type != "DATETIME" or "ge" not in column.filter_ops:
                return False
    return True


def _used_columns(spec: TableSpec, ii: apsw.IndexInfo) -> tuple[list[int], bool]:
    """(columns to $select, lazy): an UPDATE reads only its constraint and key columns up front."""
    used = set(ii.colUsed)
    count = len(spec.columns)
    keys = {spec.index_of(k) for k in spec.key} if spec.writes else set()
    if spec.writes and count < 63 and any(c >= count for c in used):
        # SQLite marks every column used for an UPDATE of a virtual table, though it reads only those the
        # WHERE clause and SET expressions need (the others come back as no-change): bits beyond the last
        # column only appear then.
        wanted = {ii.get_aConstraint_iColumn(i) for i in range(ii.nConstraint)}
        if spec.item is None:
            # no item to GET later for a column the plan left out: what only $expand brings comes up front
            wanted |= {i for i, c in enumerate(spec.columns) if c.expand}
        return sorted(c for c in wanted | keys if 0 <= c < count), True
    # colUsed bit 63 stands for "column 63 or any later one".
    if 63 in used:
        used.update(range(63, count))
    # UPDATE and DELETE identify each row by its key (Cursor.Rowid), so writable tables always read it
    return sorted(c for c in used | keys if 0 <= c < count), False
