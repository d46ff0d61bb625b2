"""One statement that reads every row of each table in o365sql.schema.TABLES, derived from its TableSpec.

A table whose collection path needs routing values (Posts: GroupId; ChannelMessageReplies: TeamId, ChannelId)
is read through a join from the table those values come from: its parent_table (the parent key's foreign key
names the columns), or, for a route without a parent (EventOccurrences.EventId), the table another spec's
foreign key names for a column of that name (EventAttachments.EventId -> Events.id). Parents that need routing
values themselves are reached the same way, so a chain ends at a table a bare SELECT * reads. A table added to
TABLES gets its statement here without anyone listing it; one that cannot be derived is named, with the
reason, by scan_problems() (tests/reliability/test_fault_coverage.py fails on it).
"""

from __future__ import annotations

from dataclasses import dataclass

from o365sql.schema import TABLES, ForeignKey, TableSpec, foreign_keys

__all__ = ["DELEGATED_SCOPES", "scan_problems", "scan_statement", "scan_statements"]

#: The owner foreign key (UserId -> Users.id) every per-user table has: it routes nothing by itself.
_OWNER = "Users"

#: Every delegated permission a table names: a token with all of them may read every table.
DELEGATED_SCOPES = frozenset(p for spec in TABLES.values() for p in spec.permissions[0])


@dataclass(frozen=True)
class _Link:
    """One table of the join chain and the columns it takes from the table before it."""

    table: str
    on: tuple[tuple[str, str], ...]  # (this table's column, the previous table's column)


def _route_sources() -> dict[str, ForeignKey]:
    """Column name -> the first foreign key (in TABLES order) whose last column has that name."""
    out: dict[str, ForeignKey] = {}
    for spec in TABLES.values():
        for fk in foreign_keys(spec):
            if fk.referenced_table != _OWNER:
                out.setdefault(fk.columns[-1], fk)
    return out


def _source(spec: TableSpec) -> tuple[TableSpec, tuple[tuple[str, str], ...]]:
    """The table spec's required routes are read from, and the column pairs that join them."""
    parent = [fk for fk in foreign_keys(spec) if fk.referenced_table != _OWNER]
    if parent:
        fk = parent[0]
        return TABLES[fk.referenced_table], tuple(zip(fk.columns, fk.referenced_columns, strict=True))
    routes = spec.required_routes
    found = _route_sources().get(routes[-1])
    if len(routes) != 1 or found is None:
        raise LookupError(
            f"{spec.name} needs {', '.join(routes)} but names no parent_table, and no other table's foreign "
            "key says where such a value comes from: give its TableSpec a parent_table/parent_key"
        )
    return TABLES[found.referenced_table], ((routes[0], found.referenced_columns[-1]),)


def _chain(spec: TableSpec, seen: tuple[str, ...] = ()) -> list[_Link]:
    if not spec.required_routes:
        return [_Link(spec.name, ())]
    if spec.name in seen:
        raise LookupError(f"the routing values of {spec.name} come round to it again: {' -> '.join(seen)}")
    parent, on = _source(spec)
    missing = set(spec.required_routes) - {column for column, _ in on}
    if missing:
        needs = ", ".join(sorted(missing))
        raise LookupError(f"{spec.name} needs {needs}, which its parent {parent.name} does not give")
    return [*_chain(parent, (*seen, spec.name)), _Link(spec.name, on)]


def scan_statement(spec: TableSpec) -> str:
    """SELECT every row (every column) of the table: bare, or joined from where its routing values come."""
    links = _chain(spec)
    if len(links) == 1:
        return f"SELECT * FROM {spec.name}"
    parts = [f"{links[0].table} AS t0"]
    for i, link in enumerate(links[1:], start=1):
        terms = " AND ".join(f"t{i}.{column} = t{i - 1}.{other}" for column, other in link.on)
        parts.append(f"JOIN {link.table} AS t{i} ON {terms}")
    return f"SELECT t{len(links) - 1}.* FROM {' '.join(parts)}"


def scan_statements() -> dict[str, str]:
    """Table name -> its scan statement, for every table in TABLES whose statement can be derived."""
    return {name: sql for name, sql in _derive().items() if isinstance(sql, str)}


def scan_problems() -> dict[str, str]:
    """Table name -> why no scan statement can be derived for it (empty when every table has one)."""
    return {name: str(found) for name, found in _derive().items() if isinstance(found, LookupError)}


def _derive() -> dict[str, str | LookupError]:
    out: dict[str, str | LookupError] = {}
    for name, spec in TABLES.items():
        try:
            out[name] = scan_statement(spec)
        except LookupError as exc:  # reported by the coverage test, not at import (one table, one failure)
            out[name] = exc
    return out
