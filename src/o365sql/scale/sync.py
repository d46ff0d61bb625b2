"""SyncTable: bring a table's sync cache up to date through Graph's delta queries, owners in parallel.

For each owner (every user when app-only, the given UserId values, or the signed-in user) the table's streams
(scale.delta) are read from where the cache left them: a stream never synced starts a new enumeration, one
interrupted mid-round resumes from its stored nextLink, a complete one polls its deltaLink. An owner's first
requests go out together through $batch (20 a request), so a re-sync of a mailbox with 30 folders costs two
requests plus the folder listing, and bytes in proportion to what changed. A stream whose token expired (410)
starts over and replaces what it held. Pages are applied on the calling thread, each in one transaction.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import Error, ProgrammingError
from ..graph import BatchRequest, GraphClient, path_segment
from ..properties import Properties
from .cache import SyncCache
from .delta import (
    DeltaExpired,
    DeltaPage,
    Stream,
    is_expired,
    now_utc,
    read_stream,
    stream_table,
    streams_for,
)
from .scheduler import OwnerErrors, OwnerJob, OwnerSkip, is_owner_failure, run_owners

__all__ = ["SyncReport", "sync_table", "sync_with"]

_TENANT = ""  # the owner of Users and Groups streams


@dataclass(frozen=True)
class SyncReport:
    """What one SyncTable run did."""

    table: str
    owners: int
    streams: int
    upserted: int
    removed: int
    restarted: int
    requests: int
    bytes: int
    seconds: float
    skipped: tuple[OwnerSkip, ...] = ()


@dataclass(frozen=True)
class _Event:
    owner: str
    scope: str
    page: DeltaPage | None = None
    restart: bool = False
    scopes: tuple[str, ...] | None = None  # the owner's current streams (the others are gone)


def _owner_path(owner: str, me: str | None) -> str:
    if owner == _TENANT:
        return ""
    return "/me" if owner == me else "/users/" + path_segment(owner)


def sync_table(
    graph: GraphClient,
    cache: SyncCache,
    table: str,
    *,
    owners: Sequence[str] | None = None,
    app_only: bool,
    workers: int = 16,
    owner_errors: OwnerErrors = "raise",
    page_size: int = 1000,
    now: datetime | None = None,
) -> SyncReport:
    """Bring ``table``'s cache up to date; ``owners`` limits the mailboxes/drives (default: all or /me)."""
    try:
        spec = stream_table(table)
    except KeyError:
        raise ProgrammingError(
            f"SyncTable: {table!r} cannot be synced; choose one of Messages, Events (CalendarView), "
            "Contacts, "
            "Files, Users, Groups"
        ) from None
    started = time.perf_counter()
    before = graph.counters.snapshot()
    me: str | None = None
    if not spec.per_user:
        chosen = [_TENANT]
    elif owners:
        chosen = list(dict.fromkeys(owners))
    elif app_only:
        chosen = [str(u["id"]) for u in graph.iter_items("/users", {"$select": "id", "$top": "999"})]
    else:
        me = str(graph.get_json("/me", {"$select": "id"}).get("id") or "")
        cache.set_meta("me", me)
        chosen = [me]
    clock = now or now_utc()

    def events(owner: str) -> Iterator[_Event]:
        path = _owner_path(owner, me)
        streams = streams_for(graph, spec, path, page_size, clock)
        yield _Event(owner, "", scopes=tuple(s.scope for s in streams))
        known = {s.scope: s.link for s in cache.streams(spec.name, owner)}
        yield from _owner_rounds(graph, owner, streams, known)

    skipped: list[OwnerSkip] = []
    upserted = removed = restarted = streams = 0
    for event in run_owners(
        (OwnerJob(o, functools.partial(events, o)) for o in chosen),
        workers=workers,
        on_owner_error=owner_errors,
        is_owner_error=is_owner_failure,
        on_skip=skipped.append,
        table=spec.name,
        chunk=1,
    ):
        if event.scopes is not None:
            current = set(event.scopes)
            streams += len(current)
            for state in cache.streams(spec.name, event.owner):
                if state.scope not in current:
                    cache.drop(spec.name, event.owner, state.scope)
            continue
        assert event.page is not None
        page = event.page
        restarted += int(event.restart)
        added, gone = cache.apply(
            spec.name, event.owner, event.scope, page.items, page.removed, page.link, page.complete,
            restart=event.restart,
        )  # fmt: skip
        upserted += added
        removed += gone
    traffic = graph.counters.snapshot() - before
    return SyncReport(
        table=spec.name,
        owners=len(chosen) - len(skipped),
        streams=streams,
        upserted=upserted,
        removed=removed,
        restarted=restarted,
        requests=traffic.requests,
        bytes=traffic.bytes,
        seconds=time.perf_counter() - started,
        skipped=tuple(skipped),
    )


def _owner_rounds(
    graph: GraphClient, owner: str, streams: list[Stream], known: dict[str, str]
) -> Iterator[_Event]:
    """Every stream's round; the first request of each goes through $batch when the owner has several."""
    links = [known.get(s.scope, s.url) for s in streams]
    firsts: list[dict[str, Any] | None] = [None] * len(streams)
    expired = [False] * len(streams)
    if len(streams) > 1:
        requests = [
            BatchRequest(str(n), "GET", link, headers=s.headers or None)
            for n, (s, link) in enumerate(zip(streams, links, strict=True))
        ]
        answers = graph.batch(requests)
        for n, answer in enumerate(answers):
            error = answer.error()
            if error is None and isinstance(answer.body, dict):
                firsts[n] = answer.body
            elif error is not None and is_expired(error):
                expired[n] = True
            elif error is not None:
                raise error
    for n, stream in enumerate(streams):
        link = stream.url if expired[n] else links[n]
        yield from _round(graph, owner, stream, link, firsts[n], expired[n])


def _round(
    graph: GraphClient, owner: str, stream: Stream, link: str, first: dict[str, Any] | None, restart: bool
) -> Iterator[_Event]:
    try:
        for page in read_stream(graph, link, stream.headers, first):
            yield _Event(owner, stream.scope, page, restart)
            restart = False
    except DeltaExpired:
        if link == stream.url:
            raise Error(f"{stream.url}: Graph refused a new delta enumeration as expired") from None
        # the stored token is gone: a new enumeration replaces what the stream held
        for n, page in enumerate(read_stream(graph, stream.url, stream.headers)):
            yield _Event(owner, stream.scope, page, n == 0)


def sync_with(
    props: Properties,
    graph: GraphClient,
    app_only: bool,
    table: str,
    owners: list[str] | None,
    user: str | None,
) -> SyncReport:
    """SyncTable with a connection's properties (CacheLocation, MaxConcurrentRequests, OwnerErrors, ...)."""
    location = str(props["CacheLocation"] or "")
    if not location:
        raise ProgrammingError(
            "SyncTable needs CacheLocation: the path of the SQLite file the cache lives in"
        )
    if props["Offline"]:
        raise ProgrammingError("SyncTable reads Graph: set Offline=false to sync, then Offline=true to query")
    cache = SyncCache(location)
    try:
        return sync_table(
            graph,
            cache,
            table,
            owners=owners or ([user] if user else None),
            app_only=app_only,
            workers=int(props["MaxConcurrentRequests"]),
            owner_errors="skip" if str(props["OwnerErrors"]).upper() == "SKIP" else "raise",
            page_size=int(props["Pagesize"]),
        )
    finally:
        cache.close()
