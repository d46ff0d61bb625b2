"""Connection and Cursor: the DB-API 2.0 surface over an apsw connection that holds the Graph tables.

``connect()`` resolves the connection properties, builds one HTTP client, the token provider and the Graph
client, opens an in-memory apsw connection and installs the engine's virtual tables, the system tables and the
stored procedures into it. Connecting does no network I/O: the first statement that needs Graph does.

Graph has no transactions: every INSERT, UPDATE, DELETE and EXEC is applied at once, so ``commit()`` and
``rollback()`` do nothing (rollback cannot undo a write that already happened).
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import re
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import apsw

from . import _types
from . import errors as _errors
from .engine import exec_parse, procedures, systables
from .errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)

__all__ = ["Connection", "Cursor", "connect"]

Row = tuple[Any, ...]
# (name, declared type, database, table, origin column) as apsw's description_full gives it
RawColumn = tuple[str, str | None, str | None, str | None, str | None]


def connect(connection_string: str = "", **properties: Any) -> Connection:
    """Open a connection: ``Name=Value;...`` properties, merged with keyword ones (keywords win).

    No network I/O happens here; sign-in and Graph requests wait for the first statement that needs them.
    """
    from . import graph as _graph
    from ._logging import configure_logging
    from .auth import provider_from_properties
    from .properties import resolve

    props = resolve(connection_string, **properties)
    configure_logging(props)
    http: Any = None
    con: Connection | None = None
    try:
        http = _graph.make_http_client(props)
        auth = provider_from_properties(props, http)
        graph = _graph.GraphClient(props["GraphURL"], auth, http=http)
        con = Connection(apsw.Connection(":memory:"), props, graph=graph, auth=auth, http=http)
        _install_engine(con)
    except BaseException as exc:
        if con is not None:
            con.close()
        elif http is not None:
            http.close()
        if isinstance(exc, Error) or not isinstance(exc, Exception):
            raise
        raise InternalError(f"could not open the connection: {type(exc).__name__}: {exc}") from exc
    return con


def _install_engine(con: Connection) -> None:
    """Create the Graph tables on the connection."""
    from .engine import EngineContext, install

    props = con._props
    ctx = EngineContext(
        graph=con._graph,
        props=props,
        app_only=bool(getattr(con._auth, "app_only", False)),
        default_user=props["UserId"] or None,
    )
    install(con._db, ctx)


# ------------------------------------------------------------------------------------------------------------
# apsw -> DB-API exceptions
# ------------------------------------------------------------------------------------------------------------

_INTERFACE = (
    apsw.CursorClosedError, apsw.ConnectionClosedError, apsw.ThreadingViolationError,
    apsw.ExecutionCompleteError, apsw.IncompleteExecutionError,
)  # fmt: skip
_OPERATIONAL = (
    apsw.BusyError, apsw.LockedError, apsw.InterruptError, apsw.FullError, apsw.IOError, apsw.CantOpenError,
    apsw.NoMemError, apsw.ProtocolError, apsw.AbortError, apsw.SchemaChangeError, apsw.ReadOnlyError,
    apsw.AuthError, apsw.PermissionsError,
)  # fmt: skip
_DML_TARGET_RE = re.compile(
    r"(?is)\b(INSERT|REPLACE|UPDATE|DELETE)\b(?:\s+OR\s+\w+)?(?:\s+INTO|\s+FROM)?\s+([\w.\[\]\"`]+)"
)
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _snippet(sql: str) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= 160 else flat[:157] + "..."


def _bare(name: str) -> str:
    return name.split(".")[-1].strip('[]"`')


class Connection:
    """A DB-API 2.0 connection to Office 365 through Microsoft Graph.

    Graph has no transactions: writes and EXEC apply at once; ``commit()``/``rollback()`` do nothing.
    """

    Warning = Warning
    Error = Error
    InterfaceError = InterfaceError
    DatabaseError = DatabaseError
    DataError = DataError
    OperationalError = OperationalError
    IntegrityError = IntegrityError
    InternalError = InternalError
    ProgrammingError = ProgrammingError
    NotSupportedError = NotSupportedError

    def __init__(
        self, db: apsw.Connection, props: Any, *, graph: Any = None, auth: Any = None, http: Any = None
    ) -> None:
        """Wrap an apsw connection (``connect()`` is the usual way in); adds system tables and procedures."""
        self._db = db
        self._props = props
        self._graph = graph
        self._auth = auth
        self._http = http
        self._closed = False
        self._cursors: weakref.WeakSet[Cursor] = weakref.WeakSet()
        self._nullable_cache: dict[tuple[str, str], dict[str, bool]] = {}
        procedures.load_builtin()
        systables.install(db, props)

    # -- state -------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after ``close()``."""
        return self._closed

    def _check(self) -> None:
        if self._closed:
            raise InterfaceError("the connection is closed; open a new one with o365sql.connect()")

    @property
    def properties(self) -> dict[str, str]:
        """The connection properties as text, secrets shown as ``********``."""
        masked = getattr(self._props, "masked", None)
        return dict(masked()) if callable(masked) else {}

    @property
    def procedure_context(self) -> procedures.ProcedureContext:
        """What stored procedures run with: properties, Graph client, token provider, HTTP client, user."""
        self._check()
        user = self._props.get("UserId")
        return procedures.ProcedureContext(
            props=self._props, graph=self._graph, auth=self._auth, http=self._http, user_id=user or None
        )

    # -- DB-API ------------------------------------------------------------------------------------------

    def cursor(self) -> Cursor:
        """A new cursor on this connection."""
        self._check()
        cur = Cursor(self)
        self._cursors.add(cur)
        return cur

    def execute(self, operation: str, parameters: Any = None) -> Cursor:
        """Shortcut: a new cursor that has run ``operation``."""
        return self.cursor().execute(operation, parameters)

    def executemany(self, operation: str, seq_of_parameters: Any) -> Cursor:
        """Shortcut: a new cursor that has run ``operation`` once per parameter set."""
        return self.cursor().executemany(operation, seq_of_parameters)

    def commit(self) -> None:
        """Does nothing: Graph has no transactions and every write was applied when it ran."""
        self._check()

    def rollback(self) -> None:
        """Does nothing: Graph has no transactions, so writes that ran cannot be undone."""
        self._check()

    def close(self) -> None:
        """Close the cursors, the SQL engine and the HTTP connections; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        for cur in list(self._cursors):
            cur._release()
        self._db.close(True)
        close_graph = getattr(self._graph, "close", None)
        if callable(close_graph):
            close_graph()
        close_http = getattr(self._http, "close", None)
        if callable(close_http):
            close_http()

    def explain(self, operation: str, parameters: Any = None) -> list[Any]:
        """The Graph requests a query would make, and which of its terms SQLite still checks."""
        self._check()
        engine = importlib.import_module("o365sql.engine")
        explain = getattr(engine, "explain", None)
        if explain is None:
            raise NotSupportedError("explain() needs the o365sql engine, which is not installed")
        try:
            return list(explain(self._db, operation, _types.adapt_parameters(parameters)))
        except Error:
            raise
        except Exception as exc:
            raise self._translate(exc, operation, parameters) from exc

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        shown = []
        for name in ("GraphURL", "AuthScheme", "UserId"):
            if self._props.get(name):
                shown.append(f"{name}={self._props[name]!r}")
        state = "closed" if self._closed else "open"
        return f"<o365sql.Connection {' '.join(shown)} {state}>".replace("  ", " ")

    # -- helpers for error messages and description ----------------------------------------------------

    def _known_tables(self) -> list[str]:
        names: list[str] = []
        try:
            for row in self._db.execute("PRAGMA table_list"):
                schema, name, kind = row[0], row[1], row[2]
                if kind == "shadow" or name.startswith("sqlite_") or schema not in ("main", "temp"):
                    continue
                names.append(name)
        except apsw.Error:
            pass
        names.extend(n for n in systables.SYSTEM_TABLES if n not in names)
        return sorted(set(names), key=str.lower)

    def _columns(self, table: str) -> list[str]:
        if table.lower() in systables.SYSTEM_TABLES:
            return [c for c, _ in systables.SYSTEM_TABLES[table.lower()]]
        try:
            return [row[1] for row in self._db.execute(f'PRAGMA table_xinfo("{table}")')]
        except apsw.Error:
            return []

    def _nullable(self, database: str | None, table: str | None, column: str | None) -> bool | None:
        if not table or not column:
            return None
        key = ((database or "main").lower(), table.lower())
        info = self._nullable_cache.get(key)
        if info is None:
            info = {}
            spec = systables.table_specs().get(table)
            if spec is None:
                spec = next(
                    (s for n, s in systables.table_specs().items() if n.lower() == table.lower()), None
                )
            if spec is not None:
                keys = systables._key_names(spec)
                info = {
                    c.name.lower(): not (c.name.lower() in keys or getattr(c, "not_null", False))
                    for c in spec.columns
                }
            else:
                try:
                    without_rowid = any(
                        r[4] for r in self._db.execute(f'PRAGMA "{key[0]}".table_list("{table}")')
                    )
                    for r in self._db.execute(f'PRAGMA "{key[0]}".table_xinfo("{table}")'):
                        info[str(r[1]).lower()] = not (r[3] or (r[5] and without_rowid))
                except apsw.Error:
                    info = {}
            self._nullable_cache[key] = info
        return info.get(column.lower())

    def _translate(self, exc: Exception, sql: str, params: Any) -> _errors.Error:
        """The DB-API exception for an apsw/Python exception raised while running ``sql``."""
        if isinstance(exc, Error):
            return exc
        msg = str(exc)
        if isinstance(exc, apsw.SQLError):
            return self._sql_error(msg, sql)
        if isinstance(exc, apsw.BindingsError):
            m = re.search(r"uses (\d+) and there are (\d+) supplied", msg)
            if m:
                return ProgrammingError(
                    f"wrong number of parameters: the statement has {m.group(1)} placeholder(s) but "
                    f"{m.group(2)} value(s) were supplied: {_snippet(sql)}"
                )
            return ProgrammingError(f"parameters do not fit the statement: {msg}")
        if isinstance(exc, KeyError) and isinstance(params, Mapping) and exc.args:
            name = str(exc.args[0])
            if name not in params and re.search(rf"[:@$]{re.escape(name)}\b", sql):
                given = ", ".join(sorted(map(str, params))) or "none"
                return ProgrammingError(
                    f"no value supplied for parameter :{name} (parameters given: {given})"
                )
        if isinstance(exc, AttributeError) and re.search(r"'Update(Insert|Delete|Change)Row'", msg):
            op = {"Insert": "INSERT", "Delete": "DELETE", "Change": "UPDATE"}[
                re.search(r"Update(Insert|Delete|Change)Row", msg).group(1)  # type: ignore[union-attr]
            ]
            m = _DML_TARGET_RE.search(sql)
            table = _bare(m.group(2)) if m else "this table"
            return NotSupportedError(f"{table} does not support {op}: it is read-only")
        if isinstance(exc, apsw.ConstraintError):
            return IntegrityError(f"constraint failed: {msg}")
        if isinstance(exc, apsw.MismatchError):
            return DataError(f"data type mismatch ({msg}) in: {_snippet(sql)}")
        if isinstance(exc, apsw.TooBigError | apsw.RangeError):
            return DataError(f"value out of range or too big: {msg}")
        if isinstance(exc, _INTERFACE):
            return InterfaceError(f"{msg}: the cursor or connection can no longer run statements")
        if isinstance(exc, _OPERATIONAL):
            return OperationalError(msg)
        return InternalError(
            f"internal error while running {_snippet(sql)!r}: {type(exc).__name__}: {msg}. "
            "This is a bug in o365sql; please report it with the statement"
        )

    def _sql_error(self, msg: str, sql: str) -> _errors.Error:
        m = re.match(r"no such table: (\S+)", msg)
        if m:
            raw, name = m.group(1), _bare(m.group(1))
            known = self._known_tables()
            exact = next((k for k in known if k.lower() == name.lower()), None)
            if exact and raw != name:
                schema = raw[: -len(name) - 1]
                return ProgrammingError(
                    f"no such table: {raw}. There is a table {exact}: write it without the schema name "
                    f"{schema}."
                )
            close = difflib.get_close_matches(name.lower(), [k.lower() for k in known], n=1)
            hint = ""
            if close:
                hint = " Did you mean " + next(k for k in known if k.lower() == close[0]) + "?"
            return ProgrammingError(f"no such table: {name}.{hint} The tables are: {', '.join(known)}")
        m = re.match(r"no such column: (\S+)", msg)
        if m:
            return self._no_such_column(m.group(1), sql)
        m = re.match(r"table (\S+) has no column named (\S+)", msg)
        if m:
            return self._no_such_column(m.group(2), sql, _bare(m.group(1)))
        m = re.match(r"table (\S+) may not be modified", msg)
        if m:
            return NotSupportedError(
                f"{_bare(m.group(1))} is read-only: it cannot be inserted, updated or deleted"
            )
        if (
            "syntax error" in msg
            or msg.startswith("incomplete input")
            or msg.startswith("unrecognized token")
        ):
            return ProgrammingError(f"SQL syntax error ({msg}) in: {_snippet(sql)}")
        return ProgrammingError(f"{msg} in: {_snippet(sql)}")

    def _no_such_column(self, raw: str, sql: str, table: str | None = None) -> _errors.Error:
        column = _bare(raw)
        known = {k.lower(): k for k in self._known_tables()}
        tables: list[str] = [table] if table else []
        for word in [] if table else _WORD_RE.findall(sql):
            name = known.get(word.lower())
            if name and name not in tables:
                tables.append(name)
        if not tables:
            return ProgrammingError(f"no such column: {raw} in: {_snippet(sql)}")
        parts: list[str] = []
        for table in tables:
            cols = self._columns(table)
            close = difflib.get_close_matches(column.lower(), [c.lower() for c in cols], n=3)
            parts.extend(f"{table}.{c}" for c in cols if c.lower() in close)
        hint = (" Did you mean " + " or ".join(parts) + "?") if parts else ""
        where = " or ".join(tables)
        return ProgrammingError(
            f"no such column: {raw} in table {where}.{hint} "
            f"List the columns with: SELECT ColumnName FROM sys_tablecolumns WHERE TableName = '{tables[0]}'"
        )


class Cursor:
    """A DB-API 2.0 cursor. Rows stream: the next Graph page is fetched only when iteration reaches it."""

    def __init__(self, connection: Connection) -> None:
        """A cursor of ``connection``; use ``connection.cursor()``."""
        self.connection = connection
        self.arraysize = 1
        self.rowcount = -1
        self._closed = False
        self._cur: apsw.Cursor | None = None
        self._rows: Iterator[Row] | None = None
        self._has_results = False
        self._raw: tuple[RawColumn, ...] | None = None
        # (column index, converter) for the columns whose declared type needs one; None when none does
        self._converters: tuple[tuple[int, _types.Converter], ...] | None = None
        self._description: tuple[tuple[Any, ...], ...] | None = None
        self._sql = ""

    # -- state -------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after ``close()`` or after the connection closed."""
        return self._closed

    @property
    def lastrowid(self) -> None:
        """Always None: Graph ids are strings, not SQLite rowids (read the id column instead)."""
        return None

    def _check(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection._check()

    def _release(self) -> None:
        self._closed = True
        self._rows = None
        self._has_results = False
        if self._cur is not None:
            with contextlib.suppress(apsw.Error):
                self._cur.close(True)
            self._cur = None

    def close(self) -> None:
        """Close the cursor (and stop any scan it had in progress); closing twice is harmless."""
        self._release()

    def _reset(self) -> None:
        self._rows = None
        self._has_results = False
        self._raw = None
        self._converters = None
        self._description = None
        self.rowcount = -1

    def _set_columns(self, raw: tuple[RawColumn, ...] | None) -> None:
        self._description = None
        if not raw:
            self._raw = None
            self._converters = None
            return
        self._raw = raw
        convs = tuple((i, f) for i, col in enumerate(raw) if (f := _types.converter_for(col[1])) is not None)
        self._converters = convs or None

    def _on_statement(self, cursor: apsw.Cursor, sql: str, bindings: Any) -> bool:
        # apsw calls this before each statement runs, once prepared: the only moment the column list of a
        # statement that will return no rows can be read, and how a multi-statement script's later
        # SELECTs get their own description
        try:
            self._set_columns(tuple(cursor.description_full))
        except apsw.Error:
            self._set_columns(None)
        return True

    def _apsw_cursor(self) -> apsw.Cursor:
        if self._cur is None:
            self._cur = self.connection._db.cursor()
            # a weak reference, so a dropped Cursor frees its apsw cursor (and any open scan) at once
            ref = weakref.ref(self)

            def trace(cursor: apsw.Cursor, sql: str, bindings: Any) -> bool:
                me = ref()
                return me._on_statement(cursor, sql, bindings) if me is not None else True

            self._cur.exec_trace = trace
        return self._cur

    @property
    def description(self) -> tuple[tuple[Any, ...], ...] | None:
        """Per result column: (name, type code, None, None, None, None, nullable or None); None if no rows."""
        if self._description is None and self._raw is not None:
            con = self.connection
            self._description = tuple(
                (name, _types.type_code_for(decl), None, None, None, None, con._nullable(db, table, origin))
                for name, decl, db, table, origin in self._raw
            )
        return self._description

    # -- running statements ------------------------------------------------------------------------------

    def execute(self, operation: str, parameters: Any = None) -> Cursor:
        """Run one statement (or EXEC) with ``?`` or ``:name`` parameters; returns the cursor itself."""
        self._check()
        self._reset()
        if not isinstance(operation, str):
            raise ProgrammingError(f"the statement must be a str, not {type(operation).__name__}")
        self._sql = operation
        if exec_parse.is_exec(operation):
            self._run_exec(operation, parameters)
            return self
        params = _types.adapt_parameters(parameters)
        cur = self._apsw_cursor()
        db = self.connection._db
        before = db.total_changes()
        try:
            cur.execute(operation, params)
        except Error:
            self._reset()
            raise
        except Exception as exc:
            self._reset()
            raise self.connection._translate(exc, operation, params) from exc
        if self._raw is None:
            self.rowcount = db.total_changes() - before
        else:
            self._rows = cur
            self._has_results = True
        return self

    def executemany(self, operation: str, seq_of_parameters: Any) -> Cursor:
        """Run a statement once per parameter set; rowcount is the total of rows changed."""
        self._check()
        total = 0
        is_exec = isinstance(operation, str) and exec_parse.is_exec(operation)
        for params in seq_of_parameters:
            self.execute(operation, params)
            if is_exec:
                continue
            if self._has_results:
                self._reset()
                raise ProgrammingError(
                    "executemany() is for INSERT/UPDATE/DELETE and EXEC; a statement that returns rows "
                    "needs execute()"
                )
            total += max(self.rowcount, 0)
        self._reset()
        self.rowcount = -1 if is_exec else total
        return self

    def _run_exec(self, operation: str, parameters: Any) -> None:
        stmt = exec_parse.parse_exec(operation)
        params = _types.adapt_parameters(parameters)
        proc = procedures.get(stmt.procedure)
        self._run_procedure(proc, exec_parse.bind(stmt, params))

    def callproc(self, procname: str, parameters: Any = None) -> Any:
        """Run a stored procedure with a mapping (by name) or sequence (in declared order) of inputs.

        Its result set is then read with the fetch methods; returns the parameters unchanged.
        """
        self._check()
        self._reset()
        proc = procedures.get(procname)
        if parameters is None:
            given: dict[str, Any] = {}
        elif isinstance(parameters, Mapping):
            given = {str(k): _types.adapt_parameter(v, f"parameter {k}") for k, v in parameters.items()}
        elif isinstance(parameters, Sequence) and not isinstance(parameters, str | bytes):
            if len(parameters) > len(proc.params):
                names = ", ".join(p.name for p in proc.params) or "none"
                raise ProgrammingError(
                    f"procedure {proc.name} takes {len(proc.params)} parameter(s) ({names}) but "
                    f"{len(parameters)} were supplied"
                )
            given = {
                p.name: _types.adapt_parameter(v, f"parameter {p.name}")
                for p, v in zip(proc.params, parameters, strict=False)
            }
        else:
            raise ProgrammingError("callproc parameters must be a mapping (by name) or a sequence (in order)")
        self._sql = f"EXEC {proc.name}"
        self._run_procedure(proc, given)
        return dict(parameters) if isinstance(parameters, Mapping) else parameters

    def _run_procedure(self, proc: procedures.Procedure, given: Mapping[str, Any]) -> None:
        args = procedures.resolve_arguments(proc, given)
        ctx = self.connection.procedure_context
        try:
            rows = proc.func(ctx, args)
        except Error:
            raise
        except Exception as exc:
            raise InternalError(f"procedure {proc.name} failed: {type(exc).__name__}: {exc}") from exc
        width = len(proc.result_columns)
        checked: list[Row] = []
        for row in rows or ():
            row = tuple(row)
            if len(row) != width:
                raise InternalError(
                    f"procedure {proc.name} returned a row of {len(row)} values for {width} result columns"
                )
            checked.append(row)
        self._set_columns(tuple((name, decl, None, None, None) for name, decl in proc.result_columns))
        self._rows = iter(checked)
        self._has_results = True
        self.rowcount = len(checked)

    # -- fetching ----------------------------------------------------------------------------------------

    def _next(self) -> Row | None:
        rows = self._rows
        if rows is None:
            self._check()
            if not self._has_results:
                raise ProgrammingError(
                    "no result set to fetch from: run a SELECT or EXEC with execute() first"
                    if not self._sql
                    else "the last statement returned no result set"
                )
            return None
        try:
            row = next(rows)
        except StopIteration:
            self._rows = None
            return None
        except Error:
            self._rows = None
            raise
        except Exception as exc:
            self._rows = None
            raise self.connection._translate(exc, self._sql, None) from exc
        conv = self._converters
        if conv is not None:
            values = list(row)
            for i, f in conv:
                v = values[i]
                if v is not None:
                    values[i] = f(v)
            row = tuple(values)
        return row

    def fetchone(self) -> Row | None:
        """The next row, or None when there are no more."""
        return self._next()

    def fetchmany(self, size: int | None = None) -> list[Row]:
        """Up to ``size`` (default ``arraysize``) more rows."""
        n = self.arraysize if size is None else size
        out: list[Row] = []
        while len(out) < n:
            row = self._next()
            if row is None:
                break
            out.append(row)
        return out

    def fetchall(self) -> list[Row]:
        """Every remaining row."""
        out: list[Row] = []
        while (row := self._next()) is not None:
            out.append(row)
        return out

    def __iter__(self) -> Cursor:
        return self

    def __next__(self) -> Row:
        row = self._next()
        if row is None:
            raise StopIteration
        return row

    def setinputsizes(self, sizes: Any) -> None:
        """Does nothing (allowed by PEP 249)."""

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        """Does nothing (allowed by PEP 249)."""

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<o365sql.Cursor {'closed' if self._closed else 'open'} rowcount={self.rowcount}>"
