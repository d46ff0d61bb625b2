"""Entry points for code built on the scheduler and delta sync (the CLI's `sync`, a Spark data source).

- :func:`sync` brings one table's cache up to date (what ``EXEC SyncTable`` and ``o365sql sync`` run).
- :func:`read_owner` reads one owner's rows of a table with the constraints Graph should get (a partition).
- :func:`delta_pages` reads one owner's delta streams of a table from given links (streaming offsets).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import ProgrammingError
from ..graph import GraphClient, path_segment
from ..properties import Properties
from .delta import DeltaExpired, DeltaPage, now_utc, read_stream, stream_table, streams_for
from .sync import SyncReport, sync_with

__all__ = ["ConnectionLike", "CursorLike", "StreamPage", "delta_pages", "read_owner", "sync"]


class CursorLike(Protocol):
    """What an o365sql.Cursor offers here (this package sits below the DB-API room, so it names no class)."""

    def execute(self, operation: str, parameters: Any = None) -> CursorLike:
        """Run a statement."""
        ...


class _Context(Protocol):
    @property
    def props(self) -> Properties: ...
    @property
    def graph(self) -> GraphClient: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def app_only(self) -> bool: ...


class ConnectionLike(Protocol):
    """What an o365sql.Connection offers here: its procedure context and cursors."""

    @property
    def procedure_context(self) -> _Context:
        """Properties, Graph client, UserId, app-only."""
        ...

    def cursor(self) -> CursorLike:
        """A new cursor."""
        ...


def sync(con: ConnectionLike, table: str, owners: Sequence[str] | None = None) -> SyncReport:
    """Bring ``table``'s cache at the connection's CacheLocation up to date (Events: CalendarView).

    ``owners`` are user ids or UPNs; by default every user (app-only), else the UserId property or the
    signed-in user. Raises what ``EXEC SyncTable`` raises.
    """
    ctx = con.procedure_context
    return sync_with(ctx.props, ctx.graph, ctx.app_only, table, list(owners) if owners else None, ctx.user_id)


def read_owner(
    con: ConnectionLike, table: str, owner: str, where: str = "", params: Sequence[Any] = ()
) -> CursorLike:
    """One owner's rows of a mailbox/drive table: ``SELECT * FROM table WHERE UserId = owner [AND (where)]``.

    ``where`` is SQL over the table's columns with ``?`` for ``params``; the planner sends to Graph what it
    can, as for any query. The cursor streams; ``cursor.stats`` says what the read cost.
    """
    spec = _table(table)
    if not spec.per_user:
        raise ProgrammingError(f"{spec.name} has no owner (UserId); query it directly")
    sql = f'SELECT * FROM "{spec.name}" WHERE UserId = ?' + (f" AND ({where})" if where.strip() else "")
    return con.cursor().execute(sql, [owner, *params])


def _table(name: str) -> Any:
    from ..schema import get_table

    try:
        return get_table(name)
    except KeyError:
        raise ProgrammingError(f"no table {name!r}") from None


@dataclass(frozen=True)
class StreamPage:
    """A delta page of one of the owner's streams; ``page.link`` is the offset to continue from."""

    scope: str
    page: DeltaPage
    restarted: bool  # the stored link had expired: this round replaces everything the stream held


def delta_pages(
    con: ConnectionLike, table: str, owner: str | None, links: Mapping[str, str] | None = None
) -> Iterator[StreamPage]:
    """The next delta round of each of ``owner``'s streams of ``table`` (owner None: Users/Groups, or /me).

    ``links`` maps a stream's scope (a folder id, ``drive``, ``contacts``, ...) to the link to continue from,
    as a previous page's ``link`` gave it; a stream without one starts a new enumeration, and one whose link
    Graph no longer knows starts over with ``restarted`` set.
    """
    try:
        spec = stream_table(table)
    except KeyError:
        raise ProgrammingError(f"{table!r} has no delta stream") from None
    ctx = con.procedure_context
    if not spec.per_user:
        path = ""
    elif owner is None:
        path = "/me"
    else:
        path = "/users/" + path_segment(owner)
    page_size = int(ctx.props["Pagesize"])
    for stream in streams_for(ctx.graph, spec, path, page_size, now_utc()):
        start = (links or {}).get(stream.scope, stream.url)
        try:
            for page in read_stream(ctx.graph, start, stream.headers):
                yield StreamPage(stream.scope, page, False)
        except DeltaExpired:
            first = True
            for page in read_stream(ctx.graph, stream.url, stream.headers):
                yield StreamPage(stream.scope, page, first)
                first = False
