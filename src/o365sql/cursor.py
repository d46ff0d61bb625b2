"""Cursor: runs statements and EXEC on a connection and streams their rows, converted by declared type."""

from __future__ import annotations

import contextlib
import logging
import re
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import apsw

from . import _types, procedures
from ._diagnose import snippet, translate
from ._statements import aggregate_type, cap_rows, column_names, single_statement
from .engine import WriteLog, context_of, is_empty_in_failure, localviews, one_value_at_a_time, returning
from .errors import Error, InterfaceError, InternalError, ProgrammingError
from .scale.stats import StatementMeter, StatementStats
from .schema import TABLES

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["Cursor"]

_log = logging.getLogger("o365sql.connection")
_LITERAL = re.compile(r"'(?:[^']|'')*'?")


def _shown(operation: object) -> str:
    """The statement as the log shows it: EXEC's values may be secrets (refresh tokens), so never theirs."""
    if not isinstance(operation, str):
        return repr(operation)
    text = _LITERAL.sub("'...'", operation) if procedures.is_exec(operation) else operation
    return snippet(text)


Row = tuple[Any, ...]
# (name, declared type, database, table, origin column) as apsw's description_full gives it
RawColumn = tuple[str, str | None, str | None, str | None, str | None]
# table -> column -> declared type (lower-case names), for the type of min()/max() result columns
_COLUMN_TYPES = {t.lower(): {c.name.lower(): c.type for c in spec.columns} for t, spec in TABLES.items()}


def _executemany_failure(exc: Error, index: int, written_before: int) -> Error:
    """executemany() stopped at parameter set `index`: the error says what was written before it."""
    this = getattr(exc, "rows_written", 0) or 0
    setattr(exc, "rows_written", written_before + this)  # noqa: B010
    if index and written_before:
        exc.message = (
            f"{exc.message}. executemany() stopped at parameter set {index + 1}: the {written_before} row(s) "
            "written by the sets before it stay written (Graph has no transactions)"
        )
        exc.args = (exc.message, *exc.args[1:])
    return exc


class Cursor:
    """A DB-API 2.0 cursor. Rows stream: the next Graph page is fetched only when iteration reaches it."""

    def __init__(self, connection: Connection) -> None:
        """A cursor of ``connection``; use ``connection.cursor()``."""
        self.connection = connection
        self.arraysize = 1
        self.rowcount = -1
        # ids of the items the last INSERT created, in order; old id -> new id of messages it moved
        self.inserted_ids: list[str] = []
        self.moved_ids: dict[str, str] = {}
        self._closed = False
        self._cur: apsw.Cursor | None = None
        self._rows: Iterator[Row] | None = None
        self._has_results = False
        self._raw: tuple[RawColumn, ...] | None = None
        # (column index, converter) for the columns whose declared type needs one; None when none does
        self._converters: tuple[tuple[int, _types.Converter], ...] | None = None
        self._description: tuple[tuple[Any, ...], ...] | None = None
        self._sql = ""
        self._fetched = 0  # rows fetched of the current result (for the log)
        # the statement runs inside the MaxRows wrapper; set once apsw prepared it and is about to run it
        self._capped = False
        self._started = False
        self._meter: StatementMeter | None = None

    # -- state -------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after ``close()`` or after the connection closed."""
        return self._closed

    @property
    def stats(self) -> StatementStats:
        """What the last statement cost so far: requests, pages, rows, throttled, retries, bytes, seconds.

        Final once every row is fetched; ``skipped`` names owners left out under OwnerErrors=SKIP.
        """
        return self._meter.stats() if self._meter is not None else StatementStats()

    def _finish(self) -> None:
        if self._meter is not None:
            self.connection._end_statement(self._meter, self._sql)

    @property
    def lastrowid(self) -> None:
        """Always None: Graph ids are text, not SQLite rowids. After an INSERT, read ``inserted_ids``, the SQL
        function ``last_insert_id()`` or ``INSERT ... RETURNING id``."""
        return None

    def _check(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection._check()

    def _release(self) -> None:
        self._finish()
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
        self._finish()
        self._fetched = 0
        self._capped = False
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
        if self._capped:
            names = column_names([col[0] for col in raw])
            raw = tuple((name, *col[1:]) for name, col in zip(names, raw, strict=True))
        raw = tuple(
            col if col[1] else (col[0], aggregate_type(self._sql, col[0], _COLUMN_TYPES), *col[2:])
            for col in raw
        )
        self._raw = raw
        convs = tuple((i, f) for i, col in enumerate(raw) if (f := _types.converter_for(col[1])) is not None)
        self._converters = convs or None

    def _on_statement(self, cursor: apsw.Cursor, sql: str, bindings: Any) -> bool:
        self._started = True
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

    @property
    def declared_types(self) -> tuple[str | None, ...] | None:
        """Per result column, its declared type (``JSON``, ``DATETIME``, ``TEXT``...), None for an expression.

        None when the last statement returned no result set. Tells a JSON column (text holding a JSON
        document) from plain text, which the type codes of ``description`` (both STRING) cannot.
        """
        if self._raw is None:
            return None
        return tuple(_types.base_type(decl) or None for _, decl, *_ in self._raw)

    # -- running statements ------------------------------------------------------------------------------

    def execute(self, operation: str, parameters: Any = None) -> Cursor:
        """Run one statement (or EXEC) with ``?`` or ``:name`` parameters; returns the cursor itself."""
        with self._logged("execute", operation):
            return self._execute(operation, parameters)

    @contextlib.contextmanager
    def _logged(self, what: str, operation: object) -> Iterator[None]:
        """Inside, the connection's log takes the records; the call and any error it raises are logged."""
        with self.connection._working():
            if _log.isEnabledFor(logging.INFO):
                _log.info("%s: %s", what, _shown(operation))
            try:
                yield
            except Error as exc:
                _log.info("failed: %s", exc)
                raise

    def _execute(self, operation: str, parameters: Any) -> Cursor:
        self._check()
        self._reset()
        if not isinstance(operation, str):
            raise ProgrammingError(f"the statement must be a str, not {type(operation).__name__}")
        _types.check_text(operation, "the statement")
        self._sql = operation
        self._meter = self.connection._begin_statement()
        if procedures.is_exec(operation):
            try:
                self._run_exec(operation, parameters)
            finally:
                self._finish()
            return self
        if localviews.is_local_view(operation):
            try:
                self._run_local_view(operation, parameters)
            finally:
                self._finish()
            return self
        params = _types.adapt_parameters(parameters)
        statement = single_statement(operation)
        cur = self._apsw_cursor()
        db = self.connection._db
        ctx = context_of(db)
        log = WriteLog()
        if ctx is not None:
            ctx.log = log
        before = db.total_changes()
        capped = cap_rows(statement, self.connection._props["MaxRows"])
        try:
            try:
                self._start(cur, statement, capped, params, can_cache=True)
            except apsw.SQLError as exc:
                if not is_empty_in_failure(exc) or log.rows:
                    raise  # (a statement that already wrote is never run again)
                with one_value_at_a_time(db):
                    self._start(cur, statement, capped, params, can_cache=False)
        except Error:
            self._reset()
            self._after_write(log)
            if log.rows:
                self.rowcount = log.rows
            raise
        except Exception as exc:
            self._reset()
            self._after_write(log)
            raise translate(self.connection._db, exc, operation, params) from exc
        self._after_write(log)
        if self._raw is None:
            self.rowcount = db.total_changes() - before
            self._finish()
        else:
            self._rows = returning(cur, self._raw, log) if log.created else cur
            self._has_results = True
            if log.rows:
                self.rowcount = log.rows
        return self

    def _start(
        self, cur: apsw.Cursor, statement: str, capped: str | None, params: Any, *, can_cache: bool
    ) -> None:
        """Prepare and start ``statement`` (inside the MaxRows wrapper when ``capped`` is given)."""
        self._capped = capped is not None
        if capped is not None:
            self._started = False
            try:
                cur.execute(capped, params, can_cache=can_cache)
                return
            except apsw.SQLError:
                if self._started:
                    raise
                # SQLite refused the wrapped text (WITH ... DELETE, say): run the statement as written
                self._capped = False
        cur.execute(statement, params, can_cache=can_cache)

    def _after_write(self, log: WriteLog) -> None:
        self.inserted_ids = log.created_ids
        self.moved_ids = dict(log.moved)
        self.connection._uncommitted += log.rows

    def executemany(self, operation: str, seq_of_parameters: Any) -> Cursor:
        """Run a statement once per parameter set; rowcount is the total of rows changed."""
        self._check()
        total = 0
        created: list[str] = []
        moved: dict[str, str] = {}
        is_exec = isinstance(operation, str) and procedures.is_exec(operation)
        for n, params in enumerate(seq_of_parameters):
            try:
                self.execute(operation, params)
            except Error as exc:
                raise _executemany_failure(exc, n, total) from None
            created.extend(self.inserted_ids)
            moved.update(self.moved_ids)
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
        self.inserted_ids, self.moved_ids = created, moved
        return self

    def _run_local_view(self, operation: str, parameters: Any) -> None:
        """CREATE / ALTER / DROP LOCAL VIEW (engine.localviews): no rows, saved in UserDefinedViews."""
        if parameters:
            raise ProgrammingError(
                "LOCAL VIEW statements take no parameters: the view's query is saved as written"
            )
        db = self.connection._db
        try:
            localviews.execute(db, self.connection._props, operation)
        except apsw.Error as exc:
            raise translate(db, exc, operation, None) from exc

    def _run_exec(self, operation: str, parameters: Any) -> None:
        stmt = procedures.parse_exec(operation)
        params = _types.adapt_parameters(parameters)
        proc = procedures.get(stmt.procedure)
        self._run_procedure(proc, procedures.bind(stmt, params))

    def callproc(self, procname: str, parameters: Any = None) -> Any:
        """Run a stored procedure with a mapping (by name) or sequence (in declared order) of inputs.

        Its result set is then read with the fetch methods; returns the parameters unchanged.
        """
        with self._logged("callproc", procname):
            return self._callproc(procname, parameters)

    def _callproc(self, procname: str, parameters: Any) -> Any:
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
        self._meter = self.connection._begin_statement()
        try:
            self._run_procedure(proc, given)
        finally:
            self._finish()
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
        if self.connection._log is None:
            return self._fetch()
        with self.connection._working():
            return self._fetch()

    def _fetch(self) -> Row | None:
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
            _log.info("%d row(s)", self._fetched)
            self._finish()
            return None
        except Error:
            self._rows = None
            self._finish()
            raise
        except Exception as exc:
            self._rows = None
            self._finish()
            raise translate(self.connection._db, exc, self._sql, None) from exc
        self._fetched += 1
        meter = self._meter
        if meter is not None:
            meter.rows += 1
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
