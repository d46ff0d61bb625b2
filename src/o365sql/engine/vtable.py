"""The apsw virtual-table module: one virtual table per schema TableSpec, rows streamed from Graph.

Read-only tables are WITHOUT ROWID tables keyed by Graph's string ids. Writable ones (TableSpec.writes)
are rowid tables: SQLite refuses a composite PRIMARY KEY on a writable WITHOUT ROWID virtual table, and the
rowid a cursor hands out stands for the whole identity of the row it read (owner, id, parent key), which
xUpdate turns back into the item's Graph path (engine.dml).

Joins: SQLite calls Filter on the inner table once per outer row. Each cursor lives for one statement, so it
keeps an LRU of the last CACHE_ENTRIES distinct requests whose whole answer was at most CACHE_ROWS rows; an
identical Filter call within the statement replays them instead of asking Graph again. Nothing is cached
across statements, so every statement sees Graph's current data.
"""

from __future__ import annotations

import re
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import apsw

from ..errors import (
    Error,
    NotSupportedError,
    PermissionDeniedError,
    owner_permission_hint,
    permission_hint,
)
from ..scale.readahead import Budget
from ..schema import TABLES, TableSpec, get_table
from ._context import EngineContext
from ._describe import describe, describe_plan
from ._offline import CACHE_SCHEMA
from ._run import in_worker, run
from ._terms import fill
from .convert import SQLValue, column_reader
from .dml import ROW_SCOPE, RowIdentity, Writer, partial_failure
from .dml_groups import writer_for
from .joins import JoinReadahead
from .listtables import list_table_spec
from .planner import Plan, best_index
from .request import Execution, Row, build, cache_key, expand_of

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


def rowid_table(spec: TableSpec) -> bool:
    """Writable tables (and composite keys) are declared as rowid tables; the others WITHOUT ROWID."""
    return bool(spec.writes) or len(spec.key) > 1


def create_table_sql(spec: TableSpec) -> str:
    """The declared schema SQLite sees: Graph's column names, our declared types and the key."""
    cols = []
    for c in spec.columns:
        decl = f"{_quote_ident(c.name)} {c.type}"
        if c.hidden:
            decl += " HIDDEN"
        cols.append(decl)
    key = ", ".join(_quote_ident(k) for k in spec.key)
    tail = "" if rowid_table(spec) else " WITHOUT ROWID"
    return f"CREATE TABLE {_quote_ident(spec.name)}({', '.join(cols)}, PRIMARY KEY({key})){tail}"


class Module:
    """apsw VTModule: `CREATE VIRTUAL TABLE x USING o365(TableName)` makes table TableName of the schema;
    `USING o365(ListItems, '<site id>', '<list id or title>')` makes one SharePoint list a typed table."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        # the open scans of this connection: an inner join scan looks for the outer one here (engine.joins)
        self.scans: weakref.WeakSet[Cursor] = weakref.WeakSet()
        self.budget = Budget()  # reads ahead running at once, across the connection's joins

    def Create(
        self, connection: apsw.Connection, modulename: str, databasename: str, tablename: str, *args: Any
    ) -> tuple[str, Table]:
        """Build the table object and its declared schema."""
        values = [str(a).strip().strip("'\"") for a in args]
        name = values[0] if values else tablename
        if name.lower() == "listitems" and len(values) > 1:
            # one list as a table of its own, its columns typed (engine.listtables)
            spec = list_table_spec(self.ctx.graph, tablename, values[1], values[2] if len(values) > 2 else "")
            return create_table_sql(spec), Table(self, spec, connection)
        try:
            spec = get_table(name)
        except KeyError as exc:
            raise apsw.SQLError(str(exc.args[0])) from None
        # a table of schema Cache reads the sync cache (engine.schemas attaches it beside main)
        cached = databasename.lower() == CACHE_SCHEMA.lower()
        return create_table_sql(spec), Table(self, spec, connection, cached=cached)

    Connect = Create


class Table:
    """apsw VTTable for one TableSpec."""

    def __init__(self, module: Module, spec: TableSpec, db: apsw.Connection, *, cached: bool = False) -> None:
        self.module = module
        self.spec = spec
        self.cached = cached
        # weak: the connection owns its tables
        self.db = weakref.ref(db)
        # rowid -> identity of a row a cursor of the running statement read (filled by Cursor.Rowid)
        self.identities: dict[int, RowIdentity] = {}
        self.next_rowid = 1

    def BestIndexObject(self, ii: apsw.IndexInfo) -> bool:
        """Choose the Graph request plan for this set of constraints (see engine.planner)."""
        return best_index(self.spec, self.module.ctx, ii, cached=self.cached)

    def Open(self) -> Cursor:
        """A cursor for one statement."""
        return Cursor(self)

    def Disconnect(self) -> None:
        """Nothing to release."""

    def Destroy(self) -> None:
        """DROP TABLE: refused, so a statement cannot take a table away for the rest of the connection (a
        SharePoint list made a table with CREATE VIRTUAL TABLE may be dropped)."""
        if TABLES.get(self.spec.name) is not self.spec:
            return
        raise NotSupportedError(
            f"{self.spec.name} is a table of Microsoft Graph: it cannot be dropped (a connection always has "
            "every table)"
        )

    # -- writes (engine.dml) -------------------------------------------------------------------------------

    def remember(self, who: RowIdentity) -> int:
        """A rowid standing for this row's identity until the statement ends."""
        rowid = self.next_rowid
        self.next_rowid += 1
        self.identities[rowid] = who
        return rowid

    def _identity(self, rowid: int) -> RowIdentity:
        who = self.identities.get(rowid)
        if who is None:
            raise apsw.SQLError(f"{self.spec.name}: no row with rowid {rowid} was read by this statement")
        return who

    def _writer(self) -> Writer:
        return writer_for(self.spec, self.module.ctx)

    def _write(self, statement: str, action: Any) -> None:
        ctx = self.module.ctx
        if ctx.recording is not None:
            # explain() runs the statement to record its reads; a write (WITH ... INSERT) must not happen
            raise NotSupportedError(f"explain() describes reads only; this statement would {statement}")
        if ctx.offline:
            # the rows came from the sync cache; a write goes to Graph and the next SyncTable brings it back
            raise NotSupportedError(
                f"{self.spec.name}: Offline=true answers from the sync cache and cannot {statement}; "
                "connect without Offline to write, then run EXEC SyncTable to refresh the cache"
            )
        try:
            action(ctx.log)
        except Error as exc:
            raise partial_failure(exc, self.spec, statement, ctx.log) from None

    def UpdateInsertRow(self, rowid: int | None, fields: tuple[SQLValue, ...]) -> int:
        """INSERT: POST the item (engine.dml); the rowid returned means nothing outside this statement."""
        values: dict[str, SQLValue] = {
            c.name: v for c, v in zip(self.spec.columns, fields, strict=True) if v is not None
        }
        self._write("INSERT", lambda log: self._writer().insert(values, log))
        self.next_rowid += 1
        return self.next_rowid

    def UpdateDeleteRow(self, rowid: int) -> None:
        """DELETE: remove the item the cursor read as `rowid`."""
        who = self._identity(rowid)
        self._write("DELETE", lambda log: self._writer().delete(who, log))

    def UpdateChangeRow(self, rowid: int, newrowid: int, fields: tuple[Any, ...]) -> None:
        """UPDATE: PATCH the columns the statement set (the others arrive as apsw.no_change)."""
        who = self._identity(rowid)
        changed = {
            c.name: v for c, v in zip(self.spec.columns, fields, strict=True) if v is not apsw.no_change
        }
        self._write("UPDATE", lambda log: self._writer().update(who, changed, log))

    def Begin(self) -> None:
        """A write statement starts: forget the rowids of earlier statements.

        A table of schema Cache refuses every write. Inside an explicit BEGIN ... a ROLLBACK could not undo
        the write, so the write is refused there.
        """
        self.identities.clear()
        if self.cached:
            # refused before any row is read, so even a write that would match no row says so
            raise NotSupportedError(
                f"{CACHE_SCHEMA}.{self.spec.name} is the sync cache: statements cannot write to it; write "
                f"to {self.spec.name} (Graph), then run EXEC SyncTable Table='{self.spec.name}' to refresh it"
            )
        db = self.db()
        if db is not None and not db.get_autocommit():
            raise NotSupportedError(
                f"{self.spec.name}: Graph has no transactions, so a write inside BEGIN ... COMMIT could not "
                "be rolled back; run it outside the transaction (each statement takes effect when it runs)"
            )

    def Sync(self) -> None:
        """Nothing to flush: every write went to Graph when it ran."""

    def Commit(self) -> None:
        """The statement ended: its rowids mean nothing any more."""
        self.identities.clear()

    def Rollback(self) -> None:
        """The statement failed: writes already sent stay (Graph has no transactions)."""
        self.identities.clear()


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
        # the columns this statement uses (colUsed), converted once per row in _advance: those read from the
        # item (with their reader) and those from the extra values (by name), split so the per-row loops
        # test nothing
        self.used: list[int] = []
        self.from_item: tuple[tuple[int, Callable[[dict[str, Any]], SQLValue]], ...] = ()
        self.from_extra: tuple[tuple[int, str], ...] = ()
        # an UPDATE's plan reads few columns; the others are fetched per row only if SQLite asks for them
        self.lazy: set[int] | None = None
        # rows taken from the stream ahead of SQLite (an inner join scan looked at them), or its error
        self.ahead: deque[Row | BaseException] = deque()
        self.gen = 0
        self.seq = 0
        self.join = JoinReadahead(table.spec, table.module.ctx, self._read, table.module.budget)
        table.module.scans.add(self)

    def Filter(self, indexnum: int, indexname: str, constraintargs: tuple[Any, ...] | None) -> None:
        """Start a scan for the plan BestIndex chose, with the constraint values now known."""
        ctx = self.table.module.ctx
        self._drop_stream()
        args = tuple(constraintargs or ())
        plan = Plan.decode(indexname)
        # colUsed: count(*) uses no column, so no row converts any (Column still converts on demand)
        self.used = list(plan.columns)
        self.from_item = tuple((i, r) for i in self.used if (r := self.readers[i]) is not None)
        self.from_extra = tuple((i, self.names[i]) for i in self.used if self.readers[i] is None)
        self.lazy = set(plan.columns) if plan.lazy else None
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
                rows = (
                    None
                    if ctx.offline
                    else self.join.rows(self._outer_scans(), indexname, plan, args, lambda: run(ex))
                )
                self.rows = self._recording(key, rows if rows is not None else run(ex))
        self.gen += 1
        self.seq = 0
        self._advance()

    def _read(self, plan: Plan, args: tuple[Any, ...]) -> Iterator[Row]:
        """The rows of one Filter call with these values, read on a readahead worker."""
        ex: Execution = build(self.table.spec, self.table.module.ctx, plan, args)
        return run(in_worker(ex))

    def _outer_scans(self) -> list[Cursor]:
        return [s for s in self.table.module.scans if s is not self]

    # -- what an inner join scan sees of this one (engine.joins.Scan) ----------------------------------------

    def current(self, column: int) -> Any:
        """The current row's value of a column SQLite reads (None when it reads none of it)."""
        v = self.values[column] if column < len(self.values) else _UNSET
        return None if v is _UNSET else v

    def used_columns(self) -> list[int]:
        """The columns SQLite reads from this scan."""
        return list(self.used)

    def upcoming(self, count: int, columns: Sequence[int]) -> list[tuple[Any, ...]]:
        """The values of ``columns`` in the next ``count`` rows (fewer at the end or an error), kept."""
        while len(self.ahead) < count and not (self.ahead and isinstance(self.ahead[-1], BaseException)):
            try:
                self.ahead.append(next(self.rows))
            except StopIteration:
                break
            except Exception as exc:  # raised when SQLite reaches this row, not before
                self.ahead.append(exc)
        out: list[tuple[Any, ...]] = []
        for entry in list(self.ahead)[:count]:
            if isinstance(entry, BaseException):
                break
            item, extra = entry
            out.append(tuple(self._value(item, extra, c) for c in columns))
        return out

    def _value(self, item: dict[str, Any], extra: dict[str, SQLValue], column: int) -> Any:
        reader = self.readers[column]
        return reader(item) if reader is not None else extra.get(self.names[column])

    def _recording(self, key: str, rows: Iterator[Row]) -> Iterator[Row]:
        kept: list[Row] = []
        for row in rows:
            kept.append(row)
            yield row
            if len(kept) > CACHE_ROWS:
                # too many to replay: the rest pass through untouched
                kept.clear()
                yield from rows
                return
        self.cache[key] = kept
        while len(self.cache) > CACHE_ENTRIES:
            self.cache.popitem(last=False)

    def _advance(self) -> None:
        try:
            if self.ahead:
                entry = self.ahead.popleft()
                if isinstance(entry, BaseException):
                    raise entry
                self.item, self.extra = entry
            else:
                self.item, self.extra = next(self.rows)
        except PermissionDeniedError as exc:
            raise _name_permission(exc, self.table.spec, self.table.module.ctx.app_only, self.used) from None
        except StopIteration:
            self.eof = True
            self.item, self.extra = {}, {}
            return
        self.eof = False
        self.seq += 1
        # Converting the used columns here, in one loop, costs less than a check-and-store per Column call.
        values = [_UNSET] * len(self.names)
        item, extra = self.item, self.extra
        for i, reader in self.from_item:
            values[i] = reader(item)
        for i, name in self.from_extra:
            values[i] = extra.get(name)
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
            if reader is not None and self.lazy is not None and number not in self.lazy:
                self._fetch_whole_item()
            v = reader(self.item) if reader is not None else self.extra.get(self.names[number])
            self.values[number] = v
        result: SQLValue = v
        return result

    def _fetch_whole_item(self) -> None:
        """GET the current item with every column (an UPDATE read a column its plan did not select)."""
        assert self.lazy is not None
        self.lazy.update(range(len(self.names)))
        spec = self.table.spec
        if spec.item is None:
            return
        who = self._identity()
        path = fill(spec.item, {"scope": who.scope, **dict(who.keys)})
        expand = expand_of(spec, range(len(spec.columns)))
        whole = self.table.module.ctx.graph.get_json(path, {"$expand": expand} if expand else None)
        self.item = {**self.item, **whole}

    def _identity(self) -> RowIdentity:
        spec = self.table.spec
        keys: list[tuple[str, str]] = []
        for name in spec.key:
            i = spec.index_of(name)
            reader = self.readers[i]
            value = reader(self.item) if reader is not None else self.extra.get(name)
            keys.append((name, "" if value is None else str(value)))
        scope = self.extra.get(ROW_SCOPE)
        etag = self.item.get("@odata.etag")
        return RowIdentity(
            scope if isinstance(scope, str) else "", tuple(keys), etag if isinstance(etag, str) else None
        )

    def Rowid(self) -> int:
        """A writable table's row: a number standing for its identity (asked only by UPDATE/DELETE)."""
        return self.table.remember(self._identity())

    def ColumnNoChange(self, number: int) -> Any:
        """UPDATE asks for a column it does not set: say unchanged, so it stays out of the PATCH."""
        return apsw.no_change

    def _drop_stream(self) -> None:
        rows = self.rows
        self.rows = iter(())
        self.ahead.clear()
        close = getattr(rows, "close", None)
        if close is not None:
            close()

    def Close(self) -> None:
        """Drop the stream (an unfinished generator closes its HTTP pages with it), the cache and the reads
        a join started ahead (their workers stop)."""
        self._drop_stream()
        self.eof = True
        self.join.close()
        self.table.module.scans.discard(self)
        self.cache.clear()


_PROFILE_REQUEST = re.compile(r"^GET \S*/(?:me|users/[^/\s?]+)(?:\?\S*)?:")


def _name_permission(
    exc: PermissionDeniedError, spec: TableSpec, app_only: bool, used: list[int]
) -> PermissionDeniedError:
    """The same 403, its message naming the permission this table reads with (when Graph's didn't).

    A used column that needs a permission of its own (Users.signInActivity_*: AuditLog.Read.All) names that
    one: the table's own permissions are not what is missing then.
    """
    head, generic, _ = exc.message.partition("; the token lacks a permission")
    if not generic:
        return exc
    delegated: tuple[str, ...]
    application: tuple[str, ...]
    own = [spec.columns[i] for i in used if spec.columns[i].permissions is not None]
    if own:
        delegated, application = own[0].permissions or ((), ())
        hint = permission_hint(delegated, application, app_only)
        return PermissionDeniedError(
            f"{spec.name}: {head}; {', '.join(c.name for c in own)} {hint}",
            code=exc.code,
            status=exc.status,
            request_id=exc.request_id,
        )
    below = spec.owner_of(head.split(" ", 1)[-1])
    if below is not None:
        # another owner than a user (a library, a group's calendar): its own permissions, when it has them
        _column, owner = below
        hint = owner_permission_hint(spec.name, owner.owner, owner.permissions or spec.permissions, app_only)
        return PermissionDeniedError(
            f"{spec.name}: {head}; {hint}", code=exc.code, status=exc.status, request_id=exc.request_id
        )
    if _PROFILE_REQUEST.match(head) and spec.collection != "{scope}":
        # the profile lookup that fills UserId (GET /me), not the table's own read (MailboxSettings reads /me)
        delegated, application = ("User.Read",), ("User.Read.All",)
    else:
        delegated, application = spec.permissions
    hint = permission_hint(delegated, application, app_only)
    return PermissionDeniedError(
        f"{spec.name}: {head}; {hint}", code=exc.code, status=exc.status, request_id=exc.request_id
    )


def _last_insert_id(module: Module) -> Any:
    def last_insert_id() -> str | None:
        return module.ctx.last_insert_id

    return last_insert_id


_MODULES: weakref.WeakKeyDictionary[apsw.Connection, Module] = weakref.WeakKeyDictionary()


_TABLE_NAMES = frozenset(name.lower() for name in TABLES)


def _authorize(op: int, p1: str | None, p2: str | None, dbname: str | None, trigger: str | None) -> int:
    """The authorizer: ALTER TABLE on a Graph table is refused (a rename would hide it from queries), and
    so is ATTACH of a file (also behind VACUUM INTO): SQL run through the driver never reads or writes
    local files."""
    if op == apsw.SQLITE_ALTER_TABLE and (p2 or "").lower() in _TABLE_NAMES:
        raise NotSupportedError(f"{p2} is a table of Microsoft Graph: it cannot be altered or renamed")
    if op == apsw.SQLITE_ATTACH and (p1 or "") not in ("", ":memory:"):
        raise NotSupportedError(
            "ATTACH and VACUUM INTO of a file are refused: statements run through o365sql do not read or "
            "write local files (ATTACH ':memory:' works; copy results to a file from Python)"
        )
    return apsw.SQLITE_OK


def install(
    db: apsw.Connection, ctx: EngineContext, *, schema: str = "main", tables: Iterable[str] = TABLES
) -> None:
    """Register the o365 module on db; create `tables` (default: all) in `schema` (idempotent per connection).

    A second call on the same connection switches the tables to the new context.
    """
    existing = _MODULES.get(db)
    if existing is not None:
        existing.ctx = ctx
    else:
        module = Module(ctx)
        # last_insert_id(): the id of the last item an INSERT created on this connection (Graph ids are
        # text, so cursor.lastrowid cannot hold it)
        db.create_module(MODULE_NAME, cast(Any, module), use_bestindex_object=True, use_no_change=True)
        db.create_scalar_function("last_insert_id", _last_insert_id(module), 0)
        db.authorizer = _authorize
        _MODULES[db] = module
    for name in tables:
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
