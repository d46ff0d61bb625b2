"""Connection: the DB-API 2.0 connection over an apsw connection that holds the Graph tables.

``connect()`` resolves the connection properties, builds one HTTP client, the token provider and the Graph
client, opens an in-memory apsw connection and installs the engine's virtual tables, the system tables and the
stored procedures into it. Connecting does no network I/O: the first statement that needs Graph does.

Graph has no transactions: every INSERT, UPDATE, DELETE and EXEC is applied when it runs. ``commit()`` only
marks the writes so far as seen; ``rollback()`` after writes raises NotSupportedError saying how many rows it
cannot undo (docs/writes.md).
"""

from __future__ import annotations

import logging
import weakref
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import apsw
import httpx

from . import _types
from ._diagnose import translate
from ._logging import ConnectionLog, configure_logging
from ._statements import cap_rows, single_statement
from .auth import provider_from_properties
from .cursor import Cursor
from .engine import EngineContext, PlannedRequest, context_of, explain, install, schemas, systables
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
from .graph import GraphClient, TokenProvider, make_http_client
from .procedures import ProcedureContext
from .properties import Properties, resolve
from .scale.stats import ProgressCallback, StatementMeter
from .schema import TABLES

__all__ = ["Connection", "connect"]

_log = logging.getLogger("o365sql.connection")


def connect(connection_string: str = "", **properties: Any) -> Connection:
    """Open a connection: ``Name=Value;...`` properties, merged with keyword ones (keywords win).

    No network I/O happens here; sign-in and Graph requests wait for the first statement that needs them.
    """
    props = resolve(connection_string, **properties)
    log = configure_logging(props)
    http: httpx.Client | None = None
    con: Connection | None = None
    try:
        http = make_http_client(props)
        auth = provider_from_properties(props, http)
        graph = GraphClient(props["GraphURL"], auth, http=http)
        con = Connection(apsw.Connection(":memory:"), props, graph=graph, auth=auth, http=http, log=log)
        ctx = EngineContext(graph=graph, props=props, app_only=auth.app_only, default_user=props["UserId"])
        install(con._db, ctx)
        schemas.install(con._db, ctx, props, set(systables.SYSTEM_TABLES))
        with con._working():
            _log.info("connected: %r", con)
    except BaseException as exc:
        if con is not None:
            con.close()
        else:
            if http is not None:
                http.close()
            if log is not None:
                log.close()
        if isinstance(exc, Error) or not isinstance(exc, Exception):
            raise
        raise InternalError(f"could not open the connection: {type(exc).__name__}: {exc}") from exc
    return con


class Connection:
    """A DB-API 2.0 connection to Office 365 through Microsoft Graph.

    Graph has no transactions: writes and EXEC apply when they run; ``rollback()`` after writes raises.
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
        self,
        db: apsw.Connection,
        props: Properties,
        *,
        graph: GraphClient,
        auth: TokenProvider,
        http: httpx.Client,
        log: ConnectionLog | None = None,
    ) -> None:
        """Wrap an apsw connection (``connect()`` is the usual way in); adds the system tables."""
        self._log = log
        self._db = db
        self._props = props
        self._graph = graph
        self._auth = auth
        self._http = http
        self._closed = False
        self._cursors: weakref.WeakSet[Cursor] = weakref.WeakSet()
        self._nullable_cache: dict[tuple[str, str], dict[str, bool]] = {}
        self._progress: ProgressCallback | None = None
        self._meter: StatementMeter | None = None  # the statement that ran last (progress reports on it)
        # rows INSERT/UPDATE/DELETE wrote since the last commit()/rollback(): what rollback() cannot undo
        self._uncommitted = 0
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
        return self._props.masked()

    @property
    def procedure_context(self) -> ProcedureContext:
        """What stored procedures run with: properties, Graph client, token provider, HTTP client, user."""
        self._check()
        return ProcedureContext(
            props=self._props,
            graph=self._graph,
            tokens=self._auth,
            http=self._http,
            user_id=self._props["UserId"] or None,
        )

    # -- figures -----------------------------------------------------------------------------------------

    def set_progress(self, callback: ProgressCallback | None) -> None:
        """Call ``callback(stats)`` after every page Graph returns, and once more when a statement ends.

        ``stats`` is the running statement's :class:`~o365sql.scale.StatementStats`. During a multi-owner
        query the call comes from a worker thread: keep it quick, and don't use the connection from it.
        ``None`` turns reporting off.
        """
        self._progress = callback
        self._graph.counters.listener = self._report_progress if callback is not None else None

    def _report_progress(self) -> None:
        meter, callback = self._meter, self._progress
        if meter is None or callback is None:
            return
        try:
            callback(meter.stats())
        except Exception as exc:  # a broken progress bar must not break the query
            _log.warning("the progress callback failed: %s: %s", type(exc).__name__, exc)

    def _begin_statement(self) -> StatementMeter:
        """A meter for the statement about to run (the engine reports skipped owners to it)."""
        meter = StatementMeter(self._graph.counters)
        self._meter = meter
        ctx = context_of(self._db)
        if ctx is not None:
            ctx.meter = meter
        return meter

    def _end_statement(self, meter: StatementMeter, sql: str) -> None:
        """Freeze the statement's figures, log them (Verbosity) and report them once more."""
        if meter.finished:
            return
        meter.finish()
        flat = " ".join(sql.split())
        _log.info("%s: %s", flat if len(flat) <= 160 else flat[:157] + "...", meter.stats().summary())
        if meter is self._meter:
            self._report_progress()

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

    @property
    def autocommit(self) -> bool:
        """Always True: Graph has no transactions, so every statement takes effect when it runs."""
        return True

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        if not value:
            raise NotSupportedError(
                "autocommit cannot be turned off: Graph has no transactions, so every INSERT, UPDATE, "
                "DELETE and EXEC takes effect when it runs"
            )

    def commit(self) -> None:
        """Nothing to send (every write took effect when it ran); rollback() has nothing to answer for."""
        self._check()
        self._uncommitted = 0

    def rollback(self) -> None:
        """Nothing to undo when nothing was written since commit(); NotSupportedError otherwise.

        Graph has no transactions: rows written since the last commit() stay written, and rollback() says so
        rather than pretending (the count is then cleared, so a second rollback() passes).
        """
        self._check()
        written, self._uncommitted = self._uncommitted, 0
        if written:
            raise NotSupportedError(
                f"rollback() cannot undo the {written} row(s) INSERT/UPDATE/DELETE wrote since the last "
                "commit(): Graph has no transactions and each statement took effect when it ran"
            )

    def cancel(self) -> None:
        """Stop the statement running on this connection; safe from another thread or a signal handler.

        SQLite ends the statement with OperationalError at its next step, so a scan stops after the page it
        is reading; nothing is cancelled on a closed connection.
        """
        if not self._closed:
            self._db.interrupt()

    def close(self) -> None:
        """Close the cursors, the SQL engine and the HTTP connections; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        for cur in list(self._cursors):
            cur._release()
        ctx = context_of(self._db)
        if ctx is not None:
            ctx.close()
        self._db.close(True)
        self._graph.close()
        self._http.close()
        if self._log is not None:
            with self._log.working():
                _log.info("closed: %r", self)
            self._log.close()

    def _working(self) -> AbstractContextManager[None]:
        """While inside, this connection's log file takes the driver's log records."""
        return self._log.working() if self._log is not None else nullcontext()

    def explain(self, operation: str, parameters: Any = None) -> list[PlannedRequest]:
        """The Graph requests a query would make, and which of its terms SQLite still checks.

        MaxRows shows as the LIMIT it adds (``$top`` where Graph takes it, else "SQLite still checks: LIMIT").
        """
        self._check()
        statement = single_statement(operation)
        try:
            with self._working():
                return explain(
                    self._db,
                    cap_rows(statement, self._props["MaxRows"]) or statement,
                    _types.adapt_parameters(parameters),
                )
        except Error:
            raise
        except Exception as exc:
            raise translate(self._db, exc, operation, parameters) from exc

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        shown = [
            f"{name}={self._props[name]!r}"
            for name in ("GraphURL", "AuthScheme", "UserId")
            if self._props[name]
        ]
        state = "closed" if self._closed else "open"
        return f"<o365sql.Connection {' '.join([*shown, state])}>"

    # -- description -------------------------------------------------------------------------------------

    def _nullable(self, database: str | None, table: str | None, column: str | None) -> bool | None:
        """Whether a result column that comes straight from a table column may be NULL (None: unknown)."""
        if not table or not column:
            return None
        key = ((database or "main").lower(), table.lower())
        info = self._nullable_cache.get(key)
        if info is None:
            spec = next((s for n, s in TABLES.items() if n.lower() == table.lower()), None)
            if spec is not None:
                info = {c.name.lower(): spec.nullable(c) for c in spec.columns}
            else:
                info = self._declared_nullable(key[0], table)
            self._nullable_cache[key] = info
        return info.get(column.lower())

    def _declared_nullable(self, database: str, table: str) -> dict[str, bool]:
        # an ordinary SQLite table (temp tables, CREATE TABLE): NOT NULL and WITHOUT ROWID keys cannot be NULL
        info: dict[str, bool] = {}
        try:
            without_rowid = any(r[4] for r in self._db.execute(f'PRAGMA "{database}".table_list("{table}")'))
            for r in self._db.execute(f'PRAGMA "{database}".table_xinfo("{table}")'):
                info[str(r[1]).lower()] = not (r[3] or (r[5] and without_rowid))
        except apsw.Error:
            return {}
        return info
