"""The streaming read: each owner's Graph delta links are the stream's offsets, so a query picks up changes.

An offset is ``{"owners": {owner: {stream scope: delta link}}}`` (a stream is one delta query: a mail folder,
a drive, a calendar view; see ``o365sql.scale``). A micro-batch continues every owner's streams from the links
of the last offset and ends at the new delta links; owners that appeared in the directory since then start a
new enumeration. Graph's delta rounds can't be replayed up to a given point, so the rounds run where Spark
plans the micro-batch (its driver), owner after owner, and a batch replayed after a failure reads from
its start links again: Spark sees those changes at least once, in their newest state. ``@removed`` items are
not rows of the table, so the stream carries adds and changes; ``EXEC SyncTable`` keeps deletions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyspark.sql.datasource import SimpleDataSourceStreamReader

from .. import _types
from ..connection import Connection
from ..engine.convert import SQLValue, column_reader
from ..errors import ProgrammingError
from ..scale import delta_pages
from ..scale.delta import stream_table
from ..schema import ColumnSpec
from ._filters import quote
from ._options import Settings, worker_connection

__all__ = ["DeltaStreamReader"]

Offset = dict[str, dict[str, dict[str, str]]]


class DeltaStreamReader(SimpleDataSourceStreamReader):
    """readStream over a table's delta queries (Messages, CalendarView, Contacts, Files, Users, Groups)."""

    def __init__(self, settings: Settings, columns: tuple[ColumnSpec, ...]) -> None:
        try:
            self.table = stream_table(settings.table.name).name
        except KeyError:
            raise ProgrammingError(
                f"{settings.table.name} has no delta query to stream; stream Messages, CalendarView, "
                "Contacts, Files, Users or Groups, or read it as a batch"
            ) from None
        if settings.filter:
            raise ProgrammingError("the filter option applies to batch reads; filter the stream in Spark")
        self.settings = settings
        self.columns = columns

    def initialOffset(self) -> dict[str, Any]:
        """No links (``earliest``), or every owner's links after a round whose items are dropped."""
        if self.settings.starting == "earliest":
            return {"owners": {}}
        _, end = self._round({"owners": {}}, keep=False)
        return end

    def read(self, start: dict[str, Any]) -> tuple[Iterator[tuple[Any, ...]], dict[str, Any]]:
        """The items added or changed since ``start``, and the links to continue from."""
        rows, end = self._round(start, keep=True)
        return iter(rows), end

    def readBetweenOffsets(self, start: dict[str, Any], end: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        """A replayed batch: the changes since ``start`` again (Graph's rounds can't stop at ``end``)."""
        rows, _ = self._round(start, keep=True)
        return iter(rows)

    def commit(self, end: dict[str, Any]) -> None:
        """Nothing to release: the links are all in the offset."""

    def _round(self, start: dict[str, Any], keep: bool) -> tuple[list[tuple[Any, ...]], Offset]:
        before: dict[str, dict[str, str]] = dict(start.get("owners") or {})
        rows: list[tuple[Any, ...]] = []
        after: dict[str, dict[str, str]] = {}
        con = worker_connection(self.settings)
        for owner in _owners(con, self.settings):
            key = owner or ""
            old = before.get(key) or {}
            links: dict[str, str] = {}
            changed: set[str] = set()
            for sp in delta_pages(con, self.table, owner, old):
                links[sp.scope] = sp.page.link
                if sp.page.items or sp.page.removed or sp.restarted:
                    changed.add(sp.scope)
                if keep:
                    rows.extend(self._rows(sp.page.items, owner))
            # Graph names a new token on every poll: a stream with nothing new keeps its link, so an idle
            # tenant's offset stays put and Spark plans no empty batches
            after[key] = {s: old[s] if s in old and s not in changed else link for s, link in links.items()}
        return rows, {"owners": after}

    def _rows(self, items: list[dict[str, Any]], owner: str | None) -> Iterator[tuple[Any, ...]]:
        readers = [column_reader(c) if c.kind in ("graph", "odata_type") else None for c in self.columns]
        converters = [_types.converter_for(c.type) for c in self.columns]
        for item in items:
            values: list[Any] = []
            for column, reader, convert in zip(self.columns, readers, converters, strict=True):
                value: SQLValue = owner if column.kind == "scope" else reader(item) if reader else None
                values.append(convert(value) if convert is not None and value is not None else value)
            yield tuple(values)


def _owners(con: Connection, settings: Settings) -> list[str | None]:
    """Whose streams: every user (app-only, no UserId), else the UserId property's or the signed-in user's."""
    if not settings.table.per_user:
        return [None]
    user = con.properties["UserId"]
    if not con.procedure_context.app_only or user:
        return [user or None]
    return [str(r[0]) for r in sorted(con.execute(f"SELECT id FROM {quote('Users')}"))]
