"""Plan + Filter arguments -> the Graph requests to make: routing, $filter, $select, $orderby, $top, $skip.

Routing values (UserId, parent keys, parentFolderId, CalendarId, parentReference_id) choose the collection;
IN lists on them read each collection in turn. Filter terms come from engine._terms; when they need more than
MAX_REQUESTS_PER_SCAN requests or MAX_FILTER_CHARS characters, terms are handed back to SQLite (or, when
omitted, to a local check). CalendarView's window: a lower bound from `start_dateTime`/`end_dateTime`
`>=`/`>`/`=` (the date of the value, minus a second), an upper bound from `<=`/`<`/`=` (the next day, plus a
second), both widened by the columns' 14 h all-day slack, defaults now-30 days and now+30 days; those
constraints stay with SQLite. A term the shown-when-unset value of its column satisfies is not sent (SQLite
checks it); an operator a directory column takes only as an advanced query adds ConsistencyLevel: eventual
and $count=true. Unconstrained
MailFolders and Files scans walk the folder tree (Files: DirectoryRetrievalDepth levels below the root,
default 5); walks send no $filter. LIMIT/OFFSET, when the planner pushed them, become $top (page size; the
scan stops after LIMIT rows) and $skip on a single stream where Graph supports it, else rows are skipped
here.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .._types import format_datetime
from ..errors import ProgrammingError
from ..graph import path_segment
from ..schema import TableSpec, get_table
from ..schema._types import SEARCH_COLUMN, OwnerScope
from ._context import EngineContext
from ._terms import (
    EMPTY,
    FLOOR,
    Check,
    datetime_superset,
    dt_literal,
    fill,
    filter_alternatives,
    holds_when_unset,
)
from ._values import DATE_PREFIX, check_value, numeric_affinity, sqlite_affinity
from .convert import SQLValue, column_reader
from .planner import Plan, PlanTerm, graph_op, parent_keys

__all__ = ["ME", "Execution", "Row", "build", "cache_key", "expand_of"]

Row = tuple[dict[str, Any], dict[str, SQLValue]]

MAX_FILTER_CHARS = 3000
MAX_REQUESTS_PER_SCAN = 20
WINDOW_DEFAULT = timedelta(days=30)
#: Graph answers a calendarView of at most 1825 days (400 ErrorInvalidRequest beyond that)
WINDOW_MAX = timedelta(days=1825)
ME = "\x00me"  # the scope value of /me: UserId is resolved only if the query reads it


@dataclass
class Execution:
    """The Graph requests one Filter call makes, still unexecuted."""

    spec: TableSpec
    ctx: EngineContext
    plan: Plan
    empty: bool = False
    scopes: list[tuple[str, SQLValue]] | None = None  # None: fan out over every user
    parents: list[str] | None = None  # None: fan out over the parent collection
    routes: list[dict[str, str]] = field(default_factory=lambda: [{}])
    route_column: str | None = None
    ids: list[str] | None = None
    filters: list[str | None] = field(default_factory=lambda: [None])
    params: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    limit: int | None = None
    local_skip: int = 0
    dedupe: bool = False
    walk: bool = False
    param_values: dict[str, SQLValue] = field(default_factory=dict)
    pushed: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    # False on a scheduler or readahead worker: no prefetch thread of its own (the worker is the parallelism)
    prefetch: bool = True
    # A parent table that is itself a fan-out gives the routing values and parent keys (ChannelMessages
    # without TeamId: the rows of Channels): its scan, and parent key column -> this table's column.
    parent_scan: tuple[Execution, dict[str, str]] | None = None
    # the routing column that chose another owner than a user (Files.DriveId, Events.GroupId): the scopes'
    # values are then its values, and UserId is NULL
    scope_column: str | None = None

    @property
    def owner(self) -> OwnerScope | None:
        """The owner scope_column chose, or None for users' mailboxes and drives."""
        return self.spec.owners[self.scope_column] if self.scope_column else None


def _text_values(value: Any, is_in: bool) -> list[str]:
    """Routing/id values as SQLite text; values no Graph id can equal (NULL, blobs, '', '.', '..') dropped."""
    raw = list(value) if is_in and isinstance(value, set | frozenset | list | tuple) else [value]
    out: list[str] = []
    for v in raw:
        t = sqlite_affinity(v, numeric=False)
        if isinstance(t, str) and t not in ("", ".", "..") and t not in out:
            out.append(t)
    return out


def _window_bounds(ex: Execution, terms: list[tuple[PlanTerm, Any]]) -> dict[str, str]:
    spec, ctx = ex.spec, ex.ctx
    assert spec.window is not None
    start_col, end_col = spec.window
    lower: datetime | None = None
    upper: datetime | None = None
    # Graph windows all-day events at midnight of their own zone, up to the columns' slack away from the date
    # they show: bounds taken from constraints are widened so the window holds every event SQLite keeps.
    slack = timedelta(hours=max(spec.column(c).instant_slack_hours for c in (start_col, end_col)))
    for term, value in terms:
        name = spec.columns[term.column].name
        v = sqlite_affinity(value, numeric=True)
        if not isinstance(v, str):
            continue
        m = DATE_PREFIX.match(v)
        if m is None:
            continue
        try:
            day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        # Compared as text, `x >= v` implies x's date >= v's date, and `x <= v` implies x's date <= v's date;
        # a second of slack keeps events that merely touch the window's edge.
        if term.op in ("ge", "gt", "eq") and name in (start_col, end_col):
            lo = _shift(day, -(timedelta(seconds=1) + slack))
            lower = lo if lower is None else max(lower, lo)
        if term.op in ("le", "lt", "eq") and name in (start_col, end_col):
            hi = _shift(day, timedelta(days=1, seconds=1) + slack)
            upper = hi if upper is None else min(upper, hi)
    now = ctx.now().replace(tzinfo=None, microsecond=0)
    if lower is None and upper is None:
        lower, upper = now - WINDOW_DEFAULT, now + WINDOW_DEFAULT
    elif upper is None:
        assert lower is not None
        upper = _shift(max(lower, now), WINDOW_DEFAULT)
    elif lower is None:
        lower = _shift(min(upper, now), -WINDOW_DEFAULT)
    if upper <= lower:
        upper = _shift(lower, timedelta(days=1))
    if upper - lower > WINDOW_MAX:
        raise ProgrammingError(
            f"{spec.name}: the window {lower.date()} to {upper.date()} is longer than the {WINDOW_MAX.days} "
            f"days Graph answers for at once; narrow {start_col}/{end_col} (one query per five years)"
        )
    return {"startDateTime": format_datetime(lower), "endDateTime": format_datetime(upper)}


def _shift(moment: datetime, delta: timedelta) -> datetime:
    """moment + delta, held to the years datetime can represent (a window edge at year 1 or 9999)."""
    try:
        return moment + delta
    except OverflowError:
        return datetime.max.replace(microsecond=0) if delta > timedelta(0) else datetime.min


def _int_arg(value: Any) -> int | None:
    v = sqlite_affinity(value, numeric=True)
    if isinstance(v, int | float) and math.isfinite(v):
        return int(v)
    return None


def build(spec: TableSpec, ctx: EngineContext, plan: Plan, args: tuple[Any, ...]) -> Execution:
    """Turn the plan and Filter's argument values into the Graph requests to make."""
    ex = Execution(spec=spec, ctx=ctx, plan=plan)
    readers = [column_reader(c) if c.kind in ("graph", "odata_type") else _none for c in spec.columns]
    route_terms: dict[str, list[str]] = {}
    window_terms: list[tuple[PlanTerm, Any]] = []
    filter_parts: list[tuple[PlanTerm, list[str]]] = []  # (term, alternatives) alternatives: or-chunks
    check_columns: set[int] = set()
    search: str | None = None

    for term in plan.terms:
        value = args[term.argv] if term.argv < len(args) else None
        column = spec.columns[term.column]
        if term.role in ("filter", "window", "check"):
            check_value(column, term.op, value)  # a parameter's value, unknown when the plan was made
        if term.role == "route":
            vals = _text_values(value, term.is_in)
            if not vals:
                ex.empty = True
            route_terms[column.name] = vals
        elif term.role == "search":
            text = sqlite_affinity(value, numeric=False) if value is not None else None
            search = text if isinstance(text, str) else None
            if search is None or not search.strip():
                ex.empty = True  # SEARCH = NULL or '' matches nothing (SQLite would say the same)
            ex.param_values[column.name] = search
        elif term.role == "window":
            if not term.is_in:
                window_terms.append((term, value))
        elif term.role == "id":
            ex.ids = _text_values(value, term.is_in)
            if not ex.ids:
                ex.empty = True
        elif term.role == "filter":
            numeric = numeric_affinity(column)
            values = (
                [sqlite_affinity(v, numeric) for v in value]
                if term.is_in and isinstance(value, set | frozenset | list | tuple)
                else [sqlite_affinity(value, numeric)]
            )
            if holds_when_unset(column, term.op, values):
                continue  # Graph may not return items that leave it unset; SQLite checks the term
            parts = filter_alternatives(column, term, values)
            if parts == EMPTY:
                ex.empty = True
            elif parts is None:
                if term.omit:
                    ex.checks.append(Check(term.column, term.op, tuple(values), readers[term.column]))
                    check_columns.add(term.column)
                    wider = datetime_superset(column, term, values)
                    if wider:
                        filter_parts.append(
                            (PlanTerm(term.argv, term.column, term.op, "filter", False, False), wider)
                        )
            else:
                assert isinstance(parts, list)
                filter_parts.append((term, parts))

    # routing: the scope (mailbox/drive owner), the parent key and the other routing columns. An owner that
    # is a Graph property (Files.parentReference_driveId) chooses the drive only when nothing else does;
    # otherwise it is checked on the rows of the drive chosen.
    chosen = {"UserId", *(n for n in spec.owners if spec.column(n).kind == "param")} & set(route_terms)
    for name in (n for n in spec.owners if n in route_terms and spec.column(n).kind == "graph" and chosen):
        idx = spec.index_of(name)
        ex.checks.append(Check(idx, "eq", tuple(route_terms.pop(name)), readers[idx]))
        check_columns.add(idx)
    owner = next((name for name in spec.owners if name in route_terms), None)
    if owner is not None:
        _owner_scopes(ex, owner, route_terms)
    elif spec.per_user:
        users = route_terms.get("UserId")
        if users is not None:
            ex.scopes = [("/users/" + path_segment(u), u) for u in users]
        elif ctx.default_user:
            ex.scopes = [("/users/" + path_segment(ctx.default_user), ctx.default_user)]
        elif not ctx.app_only:
            ex.scopes = [("/me", ME)]
        else:
            ex.scopes = None
    else:
        ex.scopes = [("", None)]
    missing = [name for name in spec.required_routes if name not in route_terms]
    if missing:
        ex.parent_scan = parent_scan(spec, ctx, route_terms)
    if missing and ex.parent_scan is None:
        raise ProgrammingError(
            f"{spec.name} needs {' and '.join(missing)}: add WHERE {missing[0]} = '...' "
            f"or join from the table that has it"
        )
    if spec.parent_key:
        ex.parents = route_terms.get(spec.parent_key)
        if ex.parents is not None and len(ex.parents) == 1:
            ex.param_values[spec.parent_key] = ex.parents[0]
    else:
        ex.parents = [""]
    routed = [name for name in spec.routes if name in route_terms]
    if routed:
        primary = routed[0]
        ex.route_column = primary
        # the other values the primary's path names too (ChannelMessageReplies: TeamId and ChannelId) go
        # into every route; the rest are checked on the rows
        named = [primary, *(n for n in routed[1:] if "{" + n + "}" in spec.routes[primary])]
        ex.routes = [
            dict(zip(named, vs, strict=True)) for vs in itertools.product(*(route_terms[n] for n in named))
        ]
        for other in (n for n in routed if n not in named):
            idx = spec.index_of(other)
            ex.checks.append(Check(idx, "eq", tuple(route_terms[other]), readers[idx]))
            check_columns.add(idx)
        if spec.parent_key and "{" + spec.parent_key + "}" not in spec.routes[primary]:
            # a route of its own, no parent below it (Drives by GroupId: /groups/{id}/drives): read once,
            # the parent key unknown (NULL) on its rows
            if spec.parent_key in route_terms:
                raise ProgrammingError(
                    f"{spec.name}: {primary} reads another collection than {spec.parent_key}'s; give one of "
                    "them"
                )
            ex.parents = [""]
    for c in spec.columns:
        if c.kind == "param" and c.name not in (spec.parent_key, SEARCH_COLUMN, ex.scope_column):
            given = route_terms.get(c.name)
            ex.param_values[c.name] = given[0] if given and len(given) == 1 else None
    if spec.window:
        ex.params.update(_window_bounds(ex, window_terms))

    walk = bool(spec.recursive) and not routed
    ex.walk = walk
    if ex.ids is not None:
        # An id lookup returns at most the item: the list filters are SQLite's (they were not omitted
        # unless exact, and exact ones are checked here).
        for term, _parts in filter_parts:
            if term.omit:
                _add_value_check(ex, spec, term, args, readers, check_columns)
        filter_parts = []
        ex.dedupe = len(ex.ids) > 1
    if walk or search is not None:
        # a folder walk sends no $filter; Graph refuses $filter together with $search: checked here instead
        for term, _parts in filter_parts:
            if term.omit:
                _add_value_check(ex, spec, term, args, readers, check_columns)
        filter_parts = []
    if search is not None:
        ex.params["$search"] = _search_text(spec, search)
        if not spec.per_user:
            # directory search is an "advanced query": it needs this header and $count=true
            ex.headers["ConsistencyLevel"] = "eventual"
            ex.params["$count"] = "true"

    expand = expand_of(spec, plan.columns)
    if expand:
        # aad-advanced-queries.md: $expand is not served in an advanced query (ConsistencyLevel: eventual)
        if search is not None:
            raise ProgrammingError(
                f"{spec.name}: SEARCH cannot be combined with "
                f"{', '.join(c.name for c in spec.columns if c.expand)}: Graph refuses $expand in a $search "
                "query; read those columns in a second query joined on id"
            )
        kept: list[tuple[PlanTerm, list[str]]] = []
        for term, alts in filter_parts:
            if not _advanced(spec, term):
                kept.append((term, alts))
            elif term.omit:
                _add_value_check(ex, spec, term, args, readers, check_columns)
        filter_parts = kept  # the advanced terms are checked here or by SQLite instead
        ex.params["$expand"] = expand
    ex.filters = _compose_filters(ex, spec, plan, filter_parts, args, readers, check_columns)
    if any(_advanced(spec, term) for term, _alts in filter_parts):
        # an operator the directory serves only as an advanced query (aad-advanced-queries.md)
        ex.headers["ConsistencyLevel"] = "eventual"
        ex.params["$count"] = "true"
    if len(ex.filters) > 1:
        ex.dedupe = True
    ex.pushed = [f for f in ex.filters if f]

    select = _select(spec, set(plan.columns) | check_columns)
    ex.params["$select"] = select
    if plan.order:
        ex.params["$orderby"] = ",".join(
            spec.columns[c].graph_path + (" desc" if desc else "") for c, desc in plan.order
        )

    limit = _int_arg(args[plan.limit_argv]) if plan.limit_argv is not None else None
    offset = _int_arg(args[plan.offset_argv]) if plan.offset_argv is not None else None
    if limit is not None and limit < 0:
        limit = None
    offset = max(0, offset or 0)
    if limit == 0:
        ex.empty = True
    ex.limit = limit
    single = (
        ex.scopes is not None
        and len(ex.scopes) == 1
        and ex.parents is not None
        and len(ex.parents) == 1
        and len(ex.routes) == 1
        and len(ex.filters) == 1
        and ex.ids is None
        and not walk
        and not ex.checks
    )
    if offset:
        if single and spec.supports_skip and search is None:
            ex.params["$skip"] = str(offset)
        else:
            ex.local_skip = offset
    if plan.pushdown and spec.max_page and not (ex.owner and ex.owner.entity):
        top = min(ctx.page_size, spec.max_page)
        if limit is not None and not ex.checks:
            top = min(top, limit + ex.local_skip)
        ex.params["$top"] = str(max(1, top))
    return ex


def parent_scan(
    spec: TableSpec, ctx: EngineContext, route_terms: dict[str, list[str]]
) -> tuple[Execution, dict[str, str]] | None:
    """The scan of the parent table whose rows give the routing values a query left out, or None.

    The routing values the query did give constrain that scan (ChannelMessageReplies WHERE TeamId = 't':
    the messages of team t's channels); the parent key itself must not be given (then no scan is needed).
    """
    mapping = parent_keys(spec)
    if mapping is None or spec.parent_key in route_terms:
        return None
    parent = get_table(spec.parent_table or "")
    terms: list[PlanTerm] = []
    args: list[Any] = []
    for key, ours in mapping.items():
        if key != "id" and ours in route_terms:
            terms.append(PlanTerm(len(args), parent.index_of(key), "eq", "route", True, True))
            args.append(set(route_terms[ours]))
    columns = sorted(parent.index_of(k) for k in mapping)
    plan = Plan(table=parent.name, terms=terms, columns=columns, pushdown=ctx.pushdown)
    return build(parent, ctx, plan, tuple(args)), mapping


def _owner_scopes(ex: Execution, name: str, route_terms: dict[str, list[str]]) -> None:
    """Read the owners a routing column names (Files.DriveId, Events.GroupId) in place of users'."""
    spec = ex.spec
    owner = spec.owners[name]
    for other in (n for n in ("UserId", *spec.owners) if n != name and n in route_terms):
        raise ProgrammingError(
            f"{spec.name} reads one {owner.reads} at a time: give {name} or {other}, not both"
        )
    for other, why in owner.without.items():
        if other in route_terms:
            raise ProgrammingError(
                f"{spec.name}: {name} and {other} cannot be combined: {why}; give {name} or {other}, not both"
            )
    ex.scopes = [(fill(owner.path, {name: v}), v) for v in route_terms[name]]
    ex.scope_column = name  # its value on every row; UserId NULL


def _advanced(spec: TableSpec, term: PlanTerm) -> bool:
    """True when the term's Graph operator is one the column takes only in an advanced query."""
    column = spec.columns[term.column]
    op = graph_op(column, term.op)
    return op is not None and op in column.advanced_ops


def _search_text(spec: TableSpec, search: str) -> str:
    """The $search value.

    Outlook's KQL goes inside one pair of double quotes (quoted phrases inside it stay phrases); the directory
    wants `"property:value"` clauses, so a text without quotes becomes one clause, a bare word on displayName.
    """
    if spec.per_user:
        return f'"{search}"'
    if '"' in search:
        return search
    return f'"{search}"' if ":" in search else f'"displayName:{search}"'


def _none(_item: dict[str, Any]) -> SQLValue:
    return None


def _add_value_check(
    ex: Execution,
    spec: TableSpec,
    term: PlanTerm,
    args: tuple[Any, ...],
    readers: list[Callable[[dict[str, Any]], SQLValue]],
    check_columns: set[int],
) -> None:
    column = spec.columns[term.column]
    value = args[term.argv]
    numeric = numeric_affinity(column)
    values = (
        tuple(sqlite_affinity(v, numeric) for v in value)
        if term.is_in and isinstance(value, set | frozenset | list | tuple)
        else (sqlite_affinity(value, numeric),)
    )
    ex.checks.append(Check(term.column, term.op, values, readers[term.column]))
    check_columns.add(term.column)


def _compose_filters(
    ex: Execution,
    spec: TableSpec,
    plan: Plan,
    parts: list[tuple[PlanTerm, list[str]]],
    args: tuple[Any, ...],
    readers: list[Callable[[dict[str, Any]], SQLValue]],
    check_columns: set[int],
) -> list[str | None]:
    # Too many requests or too long a URL: give terms back to SQLite (or to local checks when omitted).
    def combos(ps: list[tuple[PlanTerm, list[str]]]) -> int:
        n = 1
        for _t, alts in ps:
            n *= len(alts)
        return n

    while parts and (
        combos(parts) > MAX_REQUESTS_PER_SCAN
        or sum(max(len(a) for a in alts) for _t, alts in parts) > MAX_FILTER_CHARS
    ):
        worst = max(range(len(parts)), key=lambda k: (len(parts[k][1]), max(len(a) for a in parts[k][1])))
        term, _alts = parts.pop(worst)
        if term.omit:
            _add_value_check(ex, spec, term, args, readers, check_columns)
    if not parts:
        return [None]
    # Outlook's InefficientFilter rule: the $orderby properties lead the $filter, in order.
    leading: list[tuple[PlanTerm | None, list[str]]] = []
    rest: list[tuple[PlanTerm | None, list[str]]] = list(parts)
    for c, _desc in plan.order:
        own = [p for p in rest if p[0] is not None and p[0].column == c]
        if own:
            for p in own:
                rest.remove(p)
            leading.extend(own)
        else:
            column = spec.columns[c]
            leading.append((None, [f"{column.graph_path} ge {dt_literal(column, FLOOR)}"]))
    ordered = leading + rest
    out: list[str | None] = []
    for combo in itertools.product(*(alts for _t, alts in ordered)):
        out.append(" and ".join(combo))
    return out


def expand_of(spec: TableSpec, columns: Iterable[int]) -> str:
    """The $expand the columns need (Users.manager_id: manager($select=id); ListItems.fields: fields), ""
    for none."""
    out: list[str] = []
    for i in sorted(columns):
        e = spec.columns[i].expand
        if e and e not in out:
            out.append(e)
    return ",".join(out)


def _select(spec: TableSpec, columns: set[int]) -> str:
    props: list[str] = ["id"]
    for i, c in enumerate(spec.columns):
        if i in columns:
            top = c.top_property
            if top and top not in props:
                props.append(top)
    for p in spec.select_always:
        if p not in props:
            props.append(p)
    return ",".join(props)


def cache_key(plan_text: str, args: tuple[Any, ...]) -> str:
    """A key for the cursor's per-statement cache: same plan and values, same requests."""

    def norm(v: Any) -> Any:
        if isinstance(v, set | frozenset):
            return ["set", sorted(repr(x) for x in v)]
        return repr(v)

    return plan_text + "|" + json.dumps([norm(a) for a in args])
