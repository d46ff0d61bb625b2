"""Graph delta queries, table by table: which streams an owner has, and reading one stream page by page.

A stream is one delta query (graph-protocol.md C6): per mail folder for Messages, the primary calendar's
calendarView for CalendarView (Graph tracks event changes only there, so `Events` is synced as CalendarView),
the default contacts folder for Contacts, the drive for Files, and the tenant for Users and Groups. Each page
yields the items added or changed, the ids removed (`@removed`, or the drive's `deleted` facet) and the link
to continue from: a nextLink until the round ends, then the deltaLink to poll next time. A token Graph no
longer knows (410 Gone, syncStateNotFound, resyncRequired) raises :class:`DeltaExpired`; the caller starts
that stream over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ..errors import Error
from ..graph import BatchRequest, BatchResponse, encode_query, path_segment
from ..schema import TableSpec, get_table
from .drive import DeltaSource

__all__ = [
    "SYNC_TABLES",
    "DeltaExpired",
    "DeltaPage",
    "Stream",
    "is_expired",
    "page_of",
    "read_stream",
    "stream_table",
    "streams_for",
]

#: Tables SyncTable keeps; `Events` is an alias of CalendarView (calendarView delta).
SYNC_TABLES = ("Messages", "CalendarView", "Contacts", "Files", "Users", "Groups")
_ALIASES = {"events": "CalendarView"}
#: CalendarView's synced window: Graph's calendarView delta needs one, fixed when the stream starts.
WINDOW_PAST = timedelta(days=365)
WINDOW_FUTURE = timedelta(days=365)
_EXPIRED_CODES = frozenset({"syncStateNotFound", "SyncStateNotFound", "resyncRequired", "syncStateInvalid"})


class DeltaExpired(Exception):
    """Graph no longer knows the stream's token: start the stream over (drop what it held)."""


def is_expired(exc: BaseException) -> bool:
    """True for Graph's "start a new enumeration" answers (410 Gone, syncStateNotFound, resyncRequired)."""
    return getattr(exc, "status", None) == 410 or getattr(exc, "code", None) in _EXPIRED_CODES


class GraphSource(DeltaSource, Protocol):
    """The part of GraphClient a sync uses: iter_items (as a drive walk does), get_json and batch."""

    def get_json(
        self, path: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """One GET answered with JSON."""
        ...

    def batch(self, requests: list[BatchRequest]) -> list[BatchResponse]:
        """JSON batching."""
        ...


@dataclass(frozen=True)
class Stream:
    """One delta query of one owner: ``url`` starts a new enumeration (relative to GraphURL, with a query)."""

    scope: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeltaPage:
    """One page of a delta round: changes, removals, and the link to continue from."""

    items: list[dict[str, Any]]
    removed: list[str]
    link: str  # the nextLink, or at the end of the round the deltaLink
    complete: bool  # True when ``link`` is the deltaLink


def stream_table(name: str) -> TableSpec:
    """The table a SyncTable name stands for (case-insensitive; Events -> CalendarView); KeyError if none."""
    spec = get_table(_ALIASES.get(name.lower(), name))
    if spec.name not in SYNC_TABLES:
        raise KeyError(spec.name)
    return spec


def _select(spec: TableSpec) -> str:
    props: list[str] = ["id"]
    for c in spec.columns:
        top = c.top_property
        # a column needing a permission of its own (signInActivity) is not synced: read it online
        if top and top not in props and c.permissions is None:
            props.append(top)
    props.extend(p for p in spec.select_always if p not in props)
    return ",".join(props)


def _query(url: str, params: dict[str, str]) -> str:
    return f"{url}?{encode_query(params)}"


def streams_for(
    graph: GraphSource, spec: TableSpec, owner_path: str, page_size: int, now: datetime
) -> list[Stream]:
    """The delta streams of one owner (``/users/{id}``, ``/me``, or ``""`` for Users and Groups)."""
    outlook = {"Prefer": f"odata.maxpagesize={max(1, min(page_size, 1000))}"}
    if spec.name == "Messages":
        select = _select(spec)
        return [
            Stream(
                fid,
                _query(f"{owner_path}/mailFolders/{path_segment(fid)}/messages/delta", {"$select": select}),
                outlook,
            )
            for fid in _mail_folders(graph, owner_path)
        ]
    if spec.name == "CalendarView":
        start = (now - WINDOW_PAST).strftime("%Y-%m-%dT00:00:00Z")
        end = (now + WINDOW_FUTURE).strftime("%Y-%m-%dT00:00:00Z")
        url = _query(f"{owner_path}/calendarView/delta", {"startDateTime": start, "endDateTime": end})
        return [Stream("calendarView", url, outlook)]
    if spec.name == "Contacts":
        return [
            Stream("contacts", _query(f"{owner_path}/contacts/delta", {"$select": _select(spec)}), outlook)
        ]
    if spec.name == "Files":
        return [
            Stream(
                "drive", _query(f"{owner_path}/drive/root/delta", {"$select": _select(spec), "$top": "200"})
            )
        ]
    kind = "users" if spec.name == "Users" else "groups"
    return [Stream(kind, _query(f"/{kind}/delta", {"$select": _select(spec)}))]


def _mail_folders(graph: GraphSource, owner_path: str) -> list[str]:
    """Every mail folder id of a mailbox: the top level, then the children of folders that have some."""
    params = {"$select": "id,childFolderCount", "$top": "999"}
    out: list[str] = []
    pending = [f"{owner_path}/mailFolders"]
    while pending:
        path = pending.pop()
        for folder in graph.iter_items(path, params):
            fid = str(folder["id"])
            out.append(fid)
            if int(folder.get("childFolderCount") or 0) > 0:
                pending.append(f"{owner_path}/mailFolders/{path_segment(fid)}/childFolders")
    return out


def page_of(body: dict[str, Any]) -> DeltaPage:
    """A delta page's JSON as changes, removals and the next link."""
    items: list[dict[str, Any]] = []
    removed: list[str] = []
    for entry in body.get("value") or ():
        if not isinstance(entry, dict) or "id" not in entry:
            continue
        if "@removed" in entry or entry.get("deleted") is not None:
            removed.append(str(entry["id"]))
        else:
            items.append(entry)
    following = body.get("@odata.nextLink")
    if isinstance(following, str) and following:
        return DeltaPage(items, removed, following, False)
    final = body.get("@odata.deltaLink")
    if not isinstance(final, str) or not final:
        raise Error("a delta page carries neither @odata.nextLink nor @odata.deltaLink")
    return DeltaPage(items, removed, final, True)


def read_stream(
    graph: GraphSource, link: str, headers: dict[str, str] | None = None, first: dict[str, Any] | None = None
) -> Iterator[DeltaPage]:
    """The pages of one round from ``link`` (a start URL, nextLink or deltaLink) to the next deltaLink.

    ``first`` is the first page when it already came (through $batch). Raises DeltaExpired on 410 and alike.
    """
    body = first
    while True:
        if body is None:
            try:
                body = graph.get_json(link, headers=headers or None)
            except Error as exc:
                if is_expired(exc):
                    raise DeltaExpired(str(exc)) from exc
                raise
        page = page_of(body)
        yield page
        if page.complete:
            return
        link, body = page.link, None


def now_utc() -> datetime:
    """The clock CalendarView's window is taken from."""
    return datetime.now(UTC)
