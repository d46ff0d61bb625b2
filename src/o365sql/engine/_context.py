"""EngineContext: what the virtual tables need from a connection (Graph client, properties, identity)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..graph import BatchRequest, BatchResponse, Permissions
from ..properties import Properties
from .convert import SQLValue

if TYPE_CHECKING:
    from ..scale.cache import SyncCache
    from ..scale.scheduler import OwnerSkip
    from ..scale.stats import StatementMeter
    from ..schema import TableSpec

__all__ = ["EngineContext", "GraphLike", "PlannedRequest", "WriteLog"]


class GraphLike(Protocol):
    """The part of o365sql.graph.GraphClient the engine uses."""

    def iter_items(
        self,
        path: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        *,
        prefetch: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a collection, fetched page by page as the caller advances."""
        ...

    def get_json(
        self,
        path: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        *,
        permissions: Permissions | None = None,
    ) -> dict[str, Any]:
        """One GET answered with JSON."""
        ...

    def batch(self, requests: list[BatchRequest]) -> list[BatchResponse]:
        """JSON batching: BatchRequest in, BatchResponse(id, status, headers, body) out."""
        ...

    def upload(self, upload_url: str, data: bytes) -> Any:
        """PUT data to an upload session's URL in fragments; the last answer."""
        ...

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotent: bool | None = None,
        permissions: Permissions | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One request (POST/PATCH/DELETE for writes); 4xx/5xx raise DB-API errors naming `permissions`."""
        ...


@dataclass(frozen=True)
class PlannedRequest:
    """One Graph request a statement makes (or would make), with what SQLite still checks itself."""

    table: str
    method: str
    path: str
    params: dict[str, str]
    sqlite_checks: tuple[str, ...] = ()
    pushed: tuple[str, ...] = ()
    note: str = ""

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        lines = [f"{self.table}: {self.method} {self.path}" + (f"?{query}" if query else "")]
        if self.sqlite_checks:
            lines.append("  SQLite still checks: " + ", ".join(self.sqlite_checks))
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)


@dataclass
class WriteLog:
    """What one statement wrote: created items (for RETURNING and last_insert_id), moves, row count."""

    created: list[tuple[str, dict[str, Any], dict[str, SQLValue]]] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    done: list[str] = field(default_factory=list)
    # tables made by CREATE VIRTUAL TABLE (a SharePoint list's typed table) that created rows: RETURNING
    # finds their columns here, as they are not in schema.TABLES
    specs: dict[str, TableSpec] = field(default_factory=dict)

    @property
    def created_ids(self) -> list[str]:
        """Ids of the items the statement created, in order."""
        # a reply to a group thread (Posts) is answered 202 without an id: it has no entry here
        return [str(item["id"]) for _table, item, _extra in self.created if item.get("id")]


class EngineContext:
    """Per-connection state shared by every virtual table of that connection.

    graph: the GraphClient; props: the connection Properties; app_only: the token carries application
    permissions (no /me); default_user: the UserId property (None: /me when delegated); now: the clock
    CalendarView's default window is set by (tests pin it).
    """

    def __init__(
        self,
        graph: GraphLike,
        props: Properties,
        app_only: bool,
        default_user: str | None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.graph = graph
        self.props = props
        self.app_only = app_only
        self.default_user = default_user or None
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        # explain(): when set, scans record their requests here instead of calling Graph and return no rows.
        self.recording: _Recording | None = None
        # False: an IN list reaches Filter one value at a time (see vtable.one_value_at_a_time)
        self.in_sets = True
        self._me_id: str | None = None
        # the statement being measured (set by the DB-API cursor): skipped owners are reported to it
        self.meter: StatementMeter | None = None
        self._cache: SyncCache | None = None
        # the id of the last item an INSERT created on this connection (SQL: last_insert_id())
        self.last_insert_id: str | None = None
        # what the running statement wrote (the DB-API cursor starts a new log for every statement)
        self.log = WriteLog()

    @property
    def pushdown(self) -> bool:
        """Pushdown property: False (or Offline) sends no $filter/$orderby/$top/$skip, no by-id lookups."""
        return bool(self.props["Pushdown"]) and not self.offline

    @property
    def offline(self) -> bool:
        """Offline property: answer from the sync cache (CacheLocation) without asking Graph."""
        return bool(self.props["Offline"])

    @property
    def cache(self) -> SyncCache | None:
        """The sync cache at CacheLocation (opened on first use), or None when no location is set."""
        location = str(self.props["CacheLocation"] or "")
        if not location:
            return None
        if self._cache is None or self._cache.path != location:
            from ..scale.cache import SyncCache

            self._cache = SyncCache(location)
        return self._cache

    def close(self) -> None:
        """Release what the context opened (the cache file)."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    @property
    def page_size(self) -> int:
        """Pagesize property (rows a page); clamped per resource by the planner."""
        return int(self.props["Pagesize"])

    @property
    def directory_depth(self) -> int:
        """DirectoryRetrievalDepth: folder levels below the root the Files scan walks (-1 = unlimited)."""
        return int(self.props["DirectoryRetrievalDepth"])

    @property
    def max_concurrency(self) -> int:
        """MaxConcurrentRequests: requests in flight at once across the owners of a multi-owner query."""
        return max(1, int(self.props["MaxConcurrentRequests"]))

    @property
    def owner_errors(self) -> Literal["raise", "skip"]:
        """OwnerErrors: what a multi-owner query does when Graph refuses one owner (403/404)."""
        return "skip" if str(self.props["OwnerErrors"]).upper() == "SKIP" else "raise"

    def report_skip(self, skip: OwnerSkip) -> None:
        """An owner left out of a multi-owner query (OwnerErrors=SKIP): logged, and kept for cursor.stats."""
        logging.getLogger("o365sql.engine").warning("skipped owner %s", skip)
        if self.meter is not None:
            self.meter.skip(skip)

    def me_id(self) -> str:
        """The signed-in user's object id (one GET /me the first time it is needed)."""
        if self._me_id is None:
            if self.recording is not None:
                return "me"
            data = self.graph.get_json("/me", {"$select": "id"})
            self._me_id = str(data.get("id") or "me")
        return self._me_id


@dataclass
class _Recording:
    requests: list[PlannedRequest] = field(default_factory=list)
    # the plans (idxStr) whose scans started, so explain() reports the others from EXPLAIN QUERY PLAN
    plans: set[str] = field(default_factory=set)
