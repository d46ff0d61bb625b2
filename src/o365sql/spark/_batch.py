"""The batch read: partitions planned on the Spark driver from the directory, each read by a task of its own.

Every task opens its own connection with the read's properties (it signs in for itself: no token leaves the
process that obtained it) and runs one SELECT through the driver -- ``SELECT cols FROM T WHERE UserId IN
(its owners) AND <the filter option> AND <Spark's pushed filters>`` -- so what reaches Graph is decided by the
driver's own planner, and Graph's faults (429, 503, dropped connections) are retried inside the task as the
driver retries them. Tasks only read, so Spark may run a failed one again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql.datasource import DataSourceReader, Filter, InputPartition

from ..schema import ColumnSpec, TableSpec, get_table
from ._filters import Term, quote, term_for
from ._options import Settings, worker_connection

__all__ = ["BatchReader", "OwnerPartition", "owner_column", "statement"]


@dataclass(frozen=True)
class OwnerPartition(InputPartition):
    """The owners (user ids, or group ids for GroupMembers) one task reads; empty: the table as one read."""

    owners: tuple[str, ...]


def owner_column(spec: TableSpec) -> tuple[str, str] | None:
    """(the column naming an owner, the table that lists the owners), or None for a tenant-wide table."""
    if spec.per_user:
        return "UserId", "Users"
    if spec.parent_key and spec.parent_table and not get_table(spec.parent_table).per_user:
        return spec.parent_key, spec.parent_table
    return None


def statement(
    settings: Settings, columns: Sequence[ColumnSpec], terms: Sequence[Term], owners: Sequence[str]
) -> tuple[str, list[Any]]:
    """The SELECT one task runs, and its parameters."""
    spec = settings.table
    where: list[str] = []
    params: list[Any] = []
    if owners:
        oc = owner_column(spec)
        assert oc is not None
        marks = ", ".join("?" for _ in owners)
        where.append(f"{quote(oc[0])} = ?" if len(owners) == 1 else f"{quote(oc[0])} IN ({marks})")
        params.extend(owners)
    if settings.filter:
        where.append(f"({settings.filter})")
    for t in terms:
        where.append(t.sql)
        params.extend(t.params)
    sql = f"SELECT {', '.join(quote(c.name) for c in columns)} FROM {quote(spec.name)}"
    return (sql + " WHERE " + " AND ".join(where) if where else sql), params


def _given_owners(spec: TableSpec, terms: Sequence[Term]) -> list[str] | None:
    """Owners a pushed ``UserId = x`` / ``UserId IN (...)`` names: the driver routes by them, so do we."""
    oc = owner_column(spec)
    if oc is None:
        return None
    chosen: set[str] | None = None
    for t in terms:
        if t.column == oc[0] and t.values is not None:
            values = {str(v) for v in t.values}
            chosen = values if chosen is None else chosen & values
    return None if chosen is None else sorted(chosen)


class BatchReader(DataSourceReader):
    """Reads one table: Spark's filters pushed to the driver, one partition per owner (or group of owners)."""

    def __init__(self, settings: Settings, columns: tuple[ColumnSpec, ...]) -> None:
        self.settings = settings
        self.columns = columns
        self.terms: list[Term] = []

    def pushFilters(self, filters: list[Filter]) -> Iterable[Filter]:
        """Keep the filters the driver evaluates exactly; hand back the rest for Spark to evaluate."""
        by_name = {c.name: c for c in self.columns}
        for f in filters:
            t = term_for(f, by_name)
            if t is None:
                yield f
            else:
                self.terms.append(t)

    def partitions(self) -> Sequence[InputPartition]:
        """Plan on the Spark driver: list the owners (a directory read) and cut them into partitions."""
        owners = self._owners()
        per = self.settings.owners_per_partition
        parts = [()] if owners is None else [tuple(owners[i : i + per]) for i in range(0, len(owners), per)]
        if parts:
            # the driver checks the statement here, before any task runs: one statement (the filter option
            # cannot smuggle in a second), known columns, valid SQL; explain() makes no request
            worker_connection(self.settings).explain(
                *statement(self.settings, self.columns, self.terms, parts[0])
            )
        return [OwnerPartition(p) for p in parts]

    def _owners(self) -> list[str] | None:
        spec = self.settings.table
        given = _given_owners(spec, self.terms)
        if given is not None:
            return given
        oc = owner_column(spec)
        if oc is None:
            return None
        con = worker_connection(self.settings)
        if spec.per_user and (not con.procedure_context.app_only or con.properties["UserId"]):
            return None  # one mailbox: the signed-in user's, or the UserId property's
        return sorted(str(r[0]) for r in con.execute(f"SELECT id FROM {quote(oc[1])}"))

    def read(self, partition: InputPartition) -> Iterator[tuple[Any, ...]]:
        """Run the partition's SELECT through this worker's own connection."""
        assert isinstance(partition, OwnerPartition)
        sql, params = statement(self.settings, self.columns, self.terms, partition.owners)
        with worker_connection(self.settings).cursor() as cur:
            yield from cur.execute(sql, params)
