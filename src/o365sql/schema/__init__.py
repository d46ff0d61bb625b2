"""Declarative table specs: every virtual table, its columns and what Graph can filter and sort on."""

from __future__ import annotations

from ._keys import ForeignKey, primary_key_name
from ._keys import foreign_keys as _foreign_keys
from ._types import COLUMN_TYPES, ColumnSpec, ColumnType, TableSpec, col
from .calendar import CALENDAR_VIEW, CALENDARS, EVENT_ATTACHMENTS, EVENTS
from .calendar_more import CALENDAR_GROUPS, EVENT_OCCURRENCES
from .contacts import CONTACT_FOLDERS, CONTACTS
from .directory import GROUP_MEMBERS, GROUPS, USERS
from .directory_more import (
    DEVICES,
    DIRECT_REPORTS,
    DIRECTORY_ROLE_MEMBERS,
    DIRECTORY_ROLES,
    LICENSES,
    ORG_CONTACTS,
)
from .files import FILES
from .groupcontent import CONVERSATIONS, POSTS, THREADS
from .mail import MAIL_FOLDERS, MESSAGE_ATTACHMENTS, MESSAGES
from .mailbox import MAILBOX_SETTINGS, RULES
from .places import ROOM_LISTS, ROOMS
from .sharepoint import DRIVES, LIST_COLUMNS, LIST_ITEMS, LISTS, SITES
from .tasks import BUCKETS, PLANNER_TASKS, PLANS, TASK_LISTS, TASKS
from .teams import CHANNEL_MESSAGE_REPLIES, CHANNEL_MESSAGES, CHANNELS, TEAM_MEMBERS, TEAMS

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
        CONVERSATIONS,
        THREADS,
        POSTS,
        TASK_LISTS,
        TASKS,
        PLANS,
        BUCKETS,
        PLANNER_TASKS,
        EVENT_OCCURRENCES,
        CALENDAR_GROUPS,
        MAILBOX_SETTINGS,
        RULES,
        DIRECT_REPORTS,
        LICENSES,
        ORG_CONTACTS,
        DEVICES,
        DIRECTORY_ROLES,
        DIRECTORY_ROLE_MEMBERS,
        TEAMS,
        CHANNELS,
        CHANNEL_MESSAGES,
        CHANNEL_MESSAGE_REPLIES,
        TEAM_MEMBERS,
        SITES,
        DRIVES,
        LISTS,
        LIST_ITEMS,
        LIST_COLUMNS,
        ROOM_LISTS,
        ROOMS,
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
