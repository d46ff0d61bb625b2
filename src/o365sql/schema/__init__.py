"""Declarative table specs: every virtual table, its columns and what Graph can filter and sort on."""

from __future__ import annotations

from ._keys import ForeignKey, primary_key_name
from ._keys import foreign_keys as _foreign_keys
from ._types import COLUMN_TYPES, ColumnSpec, ColumnType, TableSpec, col
from .calendar import CALENDAR_VIEW, CALENDARS, EVENT_ATTACHMENTS, EVENTS
from .contacts import CONTACT_FOLDERS, CONTACTS
from .directory import GROUP_MEMBERS, GROUPS, USERS
from .files import FILES
from .mail import MAIL_FOLDERS, MESSAGE_ATTACHMENTS, MESSAGES

__all__ = [
    "COLUMN_TYPES",
    "TABLES",
    "ColumnSpec",
    "ColumnType",
    "ForeignKey",
    "TableSpec",
    "col",
    "column_types",
    "foreign_keys",
    "get_table",
    "primary_key_name",
]

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        USERS,
        GROUPS,
        GROUP_MEMBERS,
        MESSAGES,
        MAIL_FOLDERS,
        MESSAGE_ATTACHMENTS,
        EVENTS,
        EVENT_ATTACHMENTS,
        CALENDAR_VIEW,
        CALENDARS,
        CONTACTS,
        CONTACT_FOLDERS,
        FILES,
    )
}

_BY_LOWER = {name.lower(): spec for name, spec in TABLES.items()}


def get_table(name: str) -> TableSpec:
    """The table called name, case-insensitively; KeyError naming the known tables otherwise."""
    try:
        return _BY_LOWER[name.lower()]
    except KeyError:
        raise KeyError(f"no table {name!r}; known tables: {', '.join(TABLES)}") from None


def column_types(table_name: str) -> dict[str, str]:
    """Declared SQL type of every column of a table (TEXT, INTEGER, REAL, BOOLEAN, DATETIME, JSON)."""
    return {c.name: c.type for c in get_table(table_name).columns}


def foreign_keys(table: TableSpec) -> tuple[ForeignKey, ...]:
    """A table's foreign keys (its parent key, UserId -> Users.id on per-user tables), from its TableSpec."""
    return _foreign_keys(table, TABLES)
