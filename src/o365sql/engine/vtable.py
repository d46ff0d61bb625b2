"""The apsw virtual-table module: one WITHOUT ROWID table per schema TableSpec, rows streamed from Graph.

Joins: SQLite calls Filter on the inner table once per outer row. Each cursor lives for one statement, so it
keeps an LRU of the last CACHE_ENTRIES distinct requests whose whole answer was at most CACHE_ROWS rows; an
identical Filter call within the statement replays them instead of asking Graph again. Nothing is cached
across statements, so every statement sees Graph's current data.
"""

from __future__ import annotations

import re
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import apsw

from ..errors import PermissionDeniedError, permission_hint
from ..schema import TABLES, TableSpec, get_table
from ._context import EngineContext
from ._run import describe, describe_plan, run
from .convert import SQLValue, column_reader
from .planner import Plan, best_index
from .request import Row, build, cache_key

__all__ = [
    "MODULE_NAME",
    "Module",
    "context_of",
    "create_table_sql",
    "install",
    "is_empty_in_failure",
    "one_value_at_a_time",
]

MODULE_NAME = "o365"
CACHE_ENTRIES = 32
CACHE_ROWS = 1000


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(spec: TableSpec) -> str:
    """The declared schema SQLite sees: Graph's column names and our declared types, WITHOUT ROWID."""
    cols = []
    for c in spec.columns:
        decl = f"{_quote_ident(c.name)} {c.type}"
        if c.hidden:
            decl += " HIDDEN"
        cols.append(decl)
    key = ", ".join(_quote_ident(k) for k in spec.key)
    return f"CREATE TABLE {_quote_ident(spec.name)}({', '.join(cols)}, PRIMARY KEY({key})) WITHOUT ROWID"


class Module:
    """apsw VTModule: `CREATE VIRTUAL TABLE x USING o365(TableName)` makes table TableName of the schema."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def Create(
        self, connection: apsw.Connection, modulename: str, databasename: str, tablename: str, *args: Any
    ) -> tuple[str, Table]:
        """Build the table object and its declared schema."""
        name = str(args[0]).strip("'\"") if args else tablename
        try:
            spec = get_table(name)
        except KeyError as exc:
            raise apsw.SQLError(str(exc.args[0])) from None
        return create_table_sql(spec), Table(self, spec)

    Connect = Create


class Table:
    """apsw VTTable for one TableSpec."""

    def __init__(self, module: Module, spec: TableSpec) -> None:
        self.module = module
        self.spec = spec

    def BestIndexObject(self, ii: apsw.IndexInfo) -> bool:
        """Choose the Graph request plan for this set of constraints (see engine.planner)."""
        return best_index(self.spec, self.module.ctx, ii)

    def Open(self) -> Cursor:
        """A cursor for one statement."""
        return Cursor(self)

    def Disconnect(self) -> None:
        """Nothing to release."""

    Destroy = Disconnect


_UNSET: Any = object()


class Cursor:
    """apsw VTCursor: pulls items lazily from the request plan, converts only the columns asked for."""

    def __init__(self, table: Table) -> None:
        self.table = table
        spec = table.spec
        self.readers = [column_reader(c) if c.kind in ("graph", "odata_type") else None for c in spec.columns]
        self.names = [c.name for c in spec.columns]
        self.rows: Iterator[Row] = iter(())
        self.item: dict[str, Any] = {}
        self.extra: dict[str, SQLValue] = {}
        self.values: list[Any] = []
        self.eof = True
        self.cache: OrderedDict[str, list[Row]] = OrderedDict()
        # the columns this statement uses (colUsed), converted once per row in _advance
        self.used: list[tuple[int, Any, str]] = []

    def Filter(self, indexnum: int, indexname: str, constraintargs: tuple[Any, ...] | None) -> None:
        """Start a scan for the plan BestIndex chose, with the constraint values now known."""
        ctx = self.table.module.ctx
        self._drop_stream()
        args = tuple(constraintargs or ())
        plan = Plan.decode(indexname)
        # colUsed: count(*) uses no column, so no row converts any (Column still converts on demand)
        self.used = [(i, self.readers[i], self.names[i]) for i in plan.columns]
        if ctx.recording is not None:
            ctx.recording.plans.add(indexname)
            if ctx.recording.requests and any(a is None or a == set() for a in args):
                # explain(): a NULL or an empty set here came from a scan explain() emptied (a subquery)
                note = "values from a subquery, known only when the query runs"
                ctx.recording.requests.append(describe_plan(self.table.spec, plan, ctx, note))
            else:
                ctx.recording.requests.extend(describe(build(self.table.spec, ctx, plan, args)))
            self.rows = iter(())
        else:
            ex = build(self.table.spec, ctx, plan, args)
            key = cache_key(indexname, args)
            cached = self.cache.get(key)
            if cached is not None:
                self.cache.move_to_end(key)
                self.rows = iter(cached)
            else:
                self.rows = self._recording(key, run(ex))
        self._advance()

    def _recording(self, key: str, rows: Iterator[Row]) -> Iterator[Row]:
        kept: list[Row] | None = []
        for row in rows:
            if kept is not None:
                kept.append(row)
                if len(kept) > CACHE_ROWS:
                    kept = None
            yield row
        if kept is not None:
            self.cache[key] = kept
            while len(self.cache) > CACHE_ENTRIES:
                self.cache.popitem(last=False)

    def _advance(self) -> None:
        try:
            self.item, self.extra = next(self.rows)
        except PermissionDeniedError as exc:
            raise _name_permission(exc, self.table.spec, self.table.module.ctx.app_only) from None
        except StopIteration:
            self.eof = True
            self.item, self.extra = {}, {}
            return
        self.eof = False
        # Converting the used columns here, in one loop, costs less than a check-and-store per Column call.
        values = [_UNSET] * len(self.names)
        item, extra = self.item, self.extra
        for i, reader, name in self.used:
            values[i] = reader(item) if reader is not None else extra.get(name)
        self.values = values

    def Eof(self) -> bool:
        """True after the last row."""
        return self.eof

    def Next(self) -> None:
        """Move to the next row (fetching the next page only when needed)."""
        self._advance()

    def Column(self, number: int) -> SQLValue:
        """The value of column `number` of the current row."""
        v = self.values[number]
        if v is _UNSET:
            reader = self.readers[number]
            v = reader(self.item) if reader is not None else self.extra.get(self.names[number])
            self.values[number] = v
        result: SQLValue = v
        return result

    def Rowid(self) -> int:
        """WITHOUT ROWID tables have none; SQLite does not ask."""
        return 0

    def _drop_stream(self) -> None:
        rows = self.rows
        self.rows = iter(())
        close = getattr(rows, "close", None)
        if close is not None:
            close()

    def Close(self) -> None:
        """Drop the stream (an unfinished generator closes its HTTP pages with it) and the cache."""
        self._drop_stream()
        self.cache.clear()


_PROFILE_REQUEST = re.compile(r"^GET \S*/(?:me|users/[^/\s?]+)(?:\?\S*)?:")


def _name_permission(exc: PermissionDeniedError, spec: TableSpec, app_only: bool) -> PermissionDeniedError:
    """The same 403, its message naming the permission this table reads with (when Graph's didn't)."""
    head, generic, _ = exc.message.partition("; the token lacks a permission")
    if not generic:
        return exc
    delegated: tuple[str, ...]
    application: tuple[str, ...]
    if _PROFILE_REQUEST.match(head):
        # the profile lookup that fills UserId (GET /me), not the table's own collection
        delegated, application = ("User.Read",), ("User.Read.All",)
    else:
        delegated, application = spec.permissions
    hint = permission_hint(delegated, application, app_only)
    return PermissionDeniedError(
        f"{spec.name}: {head}; {hint}", code=exc.code, status=exc.status, request_id=exc.request_id
    )


_MODULES: weakref.WeakKeyDictionary[apsw.Connection, Module] = weakref.WeakKeyDictionary()


def install(db: apsw.Connection, ctx: EngineContext, *, schema: str = "main") -> None:
    """Register the o365 module on db and create every schema table in `schema` (idempotent per connection).

    A second call on the same connection switches the tables to the new context.
    """
    existing = _MODULES.get(db)
    if existing is not None:
        existing.ctx = ctx
    else:
        module = Module(ctx)
        # read_only: no xUpdate, so SQLite answers INSERT/UPDATE/DELETE with "table X may not be modified".
        # It also allows the child tables' two-column keys, which writable WITHOUT ROWID tables can't have.
        db.create_module(MODULE_NAME, cast(Any, module), use_bestindex_object=True, read_only=True)
        _MODULES[db] = module
    for name in TABLES:
        db.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {_quote_ident(schema)}.{_quote_ident(name)} "
            f"USING {MODULE_NAME}({_quote_ident(name)})"
        )


@contextmanager
def one_value_at_a_time(db: apsw.Connection) -> Iterator[None]:
    """Inside, IN lists reach Filter one value per call instead of as one set.

    apsw fails (SQLError "<NULL>") when an IN whose values come from a subquery has none at all; a statement
    that failed so runs again inside this, prepared afresh, and gets no Filter call for the empty list.
    """
    ctx = context_of(db)
    if ctx is None:
        yield
        return
    ctx.in_sets = False
    try:
        yield
    finally:
        ctx.in_sets = True


def is_empty_in_failure(exc: BaseException) -> bool:
    """True for apsw's failure on an empty IN (SELECT ...) list (see one_value_at_a_time)."""
    return isinstance(exc, apsw.SQLError) and str(exc) == "<NULL>"


def context_of(db: apsw.Connection) -> EngineContext | None:
    """The EngineContext install() gave this connection, if any."""
    module = _MODULES.get(db)
    return module.ctx if module is not None else None
