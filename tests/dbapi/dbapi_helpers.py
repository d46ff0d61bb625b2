"""Helpers for the DB-API tests: a fake engine (lazy, paged virtual tables) and test procedures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import apsw

import o365sql
from o365sql import errors, procedures
from o365sql.connection import Connection
from o365sql.graph import Counters
from o365sql.properties import resolve

SECRET = "s3cr3t-VALUE"
TOKEN = "tok-abc123"

ITEM_COLUMNS = (
    ("id", "TEXT"),
    ("name", "TEXT"),
    ("created", "DATETIME"),
    ("flag", "BOOLEAN"),
    ("size", "INTEGER"),
    ("score", "REAL"),
    ("tags", "JSON"),
)


class FakeGraph:
    """Pages of generated items, fetched only when iterated to (like GraphClient.iter_items)."""

    def __init__(self, total: int, page_size: int) -> None:
        self.total = total
        self.page_size = page_size
        self.pages_requested = 0
        self.closed = False
        self.counters = Counters()  # what the cursor's stats read, as on GraphClient

    def iter_items(self) -> Iterator[dict[str, Any]]:
        for start in range(0, self.total, self.page_size):
            self.pages_requested += 1
            for i in range(start, min(start + self.page_size, self.total)):
                yield {
                    "id": f"id{i:05d}",
                    "name": f"item {i}",
                    "created": (dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "flag": i % 2,
                    "size": i * 10,
                    "score": i / 4,
                    "tags": f'["t{i % 3}"]',
                }

    def close(self) -> None:
        self.closed = True


class FakeHttp:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class ItemsModule:
    """A stand-in for the engine: Items streams FakeGraph pages; Written accepts writes; others misbehave."""

    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph
        self.written: dict[str, list[Any]] = {}

    def Create(self, db: Any, modname: str, dbname: str, tabname: str, *args: str) -> tuple[str, Any]:
        cols = ", ".join(f"{n} {t}" for n, t in ITEM_COLUMNS)
        kind = args[0] if args else "items"
        return f"CREATE TABLE x({cols}, PRIMARY KEY(id)) WITHOUT ROWID", _ItemsTable(self, kind)

    Connect = Create


class _ItemsTable:
    def __init__(self, module: ItemsModule, kind: str) -> None:
        self.module = module
        self.kind = kind

    def BestIndex(self, *args: Any) -> None:
        return None

    def Open(self) -> _ItemsCursor:
        return _ItemsCursor(self)

    def Disconnect(self) -> None:
        pass

    Destroy = Disconnect

    # writes, only for the "written" kind (the others show what happens when a table refuses them)
    def UpdateInsertRow(self, rowid: Any, fields: tuple[Any, ...]) -> int:
        if self.kind == "readonly":
            raise errors.NotSupportedError("Readonly does not support INSERT")
        if fields[2] is not None:
            raise errors.ProgrammingError(
                "column created of Written is read-only; leave it out of the INSERT"
            )
        self.module.written[str(fields[0])] = list(fields)
        return 0

    def UpdateDeleteRow(self, rowid: Any) -> None:
        self.module.written.pop(str(rowid), None)

    def UpdateChangeRow(self, rowid: Any, newrowid: Any, fields: tuple[Any, ...]) -> None:
        self.module.written[str(newrowid)] = list(fields)


class _ItemsCursor:
    def __init__(self, table: _ItemsTable) -> None:
        self.table = table
        self.rows: Iterator[Any] = iter(())
        self.row: tuple[Any, ...] | None = None

    def Filter(self, *args: Any) -> None:
        kind = self.table.kind
        if kind == "broken":
            raise KeyError("value")  # a bug in the engine: must surface as InternalError
        if kind == "denied":
            raise errors.PermissionDeniedError(
                "Graph denied access: the token lacks Mail.Read", code="ErrorAccessDenied", status=403
            )
        if kind == "written":
            self.rows = iter([tuple(r) for r in self.table.module.written.values()])
        else:
            self.rows = (
                tuple(item[c] for c, _ in ITEM_COLUMNS) for item in self.table.module.graph.iter_items()
            )
        self.Next()

    def Eof(self) -> bool:
        return self.row is None

    def Column(self, col: int) -> Any:
        assert self.row is not None
        return self.row[col]

    def Next(self) -> None:
        self.row = next(self.rows, None)

    def Rowid(self) -> Any:
        assert self.row is not None
        return self.row[0]

    def Close(self) -> None:
        pass


def make_connection(
    total: int = 25, page_size: int = 10, conn_string: str = ""
) -> tuple[Connection, FakeGraph, FakeHttp, ItemsModule]:
    """A Connection over the fake engine: tables Items, Written, Readonly, Broken, Denied."""
    props = resolve(conn_string or f"InitiateOAuth=OFF;OAuthAccessToken={TOKEN};OAuthClientSecret={SECRET}")
    graph = FakeGraph(total, page_size)
    http = FakeHttp()
    db = apsw.Connection(":memory:")
    module = ItemsModule(graph)
    db.create_module("fake", module)
    for name, kind in (
        ("Items", "items"),
        ("Written", "written"),
        ("Readonly", "readonly"),
        ("Broken", "broken"),
        ("Denied", "denied"),
    ):
        db.execute(f"CREATE VIRTUAL TABLE temp.{name} USING fake({kind})")
    con = Connection(db, props, graph=graph, auth=None, http=http)
    return con, graph, http, module


def _echo(ctx: procedures.ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    times = args["Times"]
    return [(args["Text"], i, args["Flag"], args["When"]) for i in range(times)]


def _boom(ctx: procedures.ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    raise ValueError("kaboom")


def _denied(ctx: procedures.ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    raise errors.PermissionDeniedError("the token lacks Mail.Send", code="ErrorAccessDenied", status=403)


def _whoami(ctx: procedures.ProcedureContext, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(ctx.user_id, type(ctx.graph).__name__)]


TEST_PROCEDURES = (
    procedures.Procedure(
        "TestEcho",
        "Returns Text Times times (a test procedure)",
        (
            procedures.ProcParam("Text", "TEXT", required=True, description="what to echo"),
            procedures.ProcParam("Times", "INTEGER", default=1),
            procedures.ProcParam("Flag", "BOOLEAN", default=False),
            procedures.ProcParam("When", "DATETIME"),
        ),
        (("Text", "TEXT"), ("N", "INTEGER"), ("Flag", "BOOLEAN"), ("When", "DATETIME")),
        _echo,
    ),
    procedures.Procedure("TestBoom", "Fails with a bug", (), (("Status", "TEXT"),), _boom),
    procedures.Procedure("TestDenied", "Fails with a Graph 403", (), (("Status", "TEXT"),), _denied),
    procedures.Procedure(
        "TestWhoAmI", "The context's user", (), (("UserId", "TEXT"), ("Graph", "TEXT")), _whoami
    ),
)


def assert_dbapi_error(exc: BaseException) -> None:
    """Only o365sql's exception classes may reach users."""
    assert isinstance(exc, o365sql.Error), f"{type(exc).__module__}.{type(exc).__name__} escaped: {exc}"
    assert type(exc).__module__.startswith("o365sql"), type(exc)
