"""The declarative shapes of a table: ColumnSpec and TableSpec (tables are data, not classes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "COLUMN_TYPES",
    "ColumnKind",
    "ColumnSpec",
    "ColumnType",
    "FilterOp",
    "OwnerScope",
    "Permissions",
    "TableSpec",
    "col",
    "drive_base",
]

ColumnType = Literal["TEXT", "INTEGER", "REAL", "BOOLEAN", "DATETIME", "JSON"]
COLUMN_TYPES: tuple[str, ...] = ("TEXT", "INTEGER", "REAL", "BOOLEAN", "DATETIME", "JSON")

# Graph $filter operators a column may accept. "startswith" serves LIKE/GLOB prefixes; an SQL IN list becomes
# or-ed eq terms on any column that accepts "eq".
FilterOp = Literal["eq", "ne", "lt", "le", "gt", "ge", "startswith"]

# graph: a value read from the item's JSON at graph_path.
# scope: the mailbox/drive owner the row was read from (UserId); its value is the routing value.
# param: a routing parameter that is not a Graph property (GroupId, MessageId, CalendarId); its value is the
#        value the query routed with, NULL when the table was read without it.
# odata_type: the short name of the item's @odata.type ("user", "fileAttachment").
ColumnKind = Literal["graph", "scope", "param", "odata_type"]

# A hidden parameter column: `WHERE SEARCH = '...'` sends Graph's $search. Graph's matching cannot be redone
# in SQLite, so the value chooses the rows the way a routing value does (with or without Pushdown).
SEARCH_COLUMN = "SEARCH"


# (delegated, application), least privileged first
Permissions = tuple[tuple[str, ...], tuple[str, ...]]


def drive_base(scope: str) -> str:
    """The drive of a scope: `/me` -> `/me/drive`, `/sites/x` -> `/sites/x/drive`; `/drives/x` is one."""
    return scope if scope.startswith("/drives/") else f"{scope}/drive"


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its SQL name and type, where it lives in Graph's JSON and what Graph can do with it."""

    name: str
    type: ColumnType
    graph_path: str
    filter_ops: frozenset[str] = frozenset()
    orderable: bool = False
    read_only: bool = False
    hidden: bool = False
    description: str = ""
    # Graph never returns null here (lets the planner add an always-true range term for $orderby rules and
    # trust Graph's ordering, which may place nulls differently from SQLite).
    not_null: bool = False
    kind: ColumnKind = "graph"
    # Graph operators (eq, startswith) the service takes on this column only as an advanced query
    # (directory: ConsistencyLevel: eventual and $count=true, per aad-advanced-queries.md's property tables).
    advanced_ops: frozenset[str] = frozenset()
    # The value SQLite sees when Graph leaves the property unset on an item (Exchange stores a message's flag
    # only once flagged): Graph shows it, but a $filter may not match it, so a term this value satisfies is
    # never sent, and no term on the column is trusted (None: Graph always stores the property).
    unset_shows: str | int | None = None
    # Hours by which Graph's stored instant may differ from the value it shows: an all-day event shows
    # midnight of its date but is filtered, sorted and windowed at midnight of its own zone (up to 14 h
    # away). Filters are widened by this much and re-checked; Graph's order is not trusted.
    instant_slack_hours: int = 0
    # How a DATETIME is spelled in $filter: "offset" (Edm.DateTimeOffset, unquoted 2024-01-01T00:00:00Z) or
    # "dtz" (the dateTime string of a dateTimeTimeZone, quoted with 7 fractional digits, always UTC here).
    datetime_style: Literal["offset", "dtz"] = "offset"
    # A value Graph returns only through `$expand` of a navigation property (Users.manager_id:
    # `manager($select=id)`; ListItems.fields and a typed list's columns: `fields`): the scan sends this
    # $expand, when the column is used, instead of naming the property in $select.
    expand: str = ""
    # Permissions reading this column needs beyond the table's (delegated, application): Graph refuses the
    # whole request without them (Users.signInActivity: AuditLog.Read.All), and a 403 names them.
    permissions: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """graph_path split into JSON keys ('from/emailAddress/address' -> ('from', 'emailAddress', ...))."""
        return tuple(p for p in self.graph_path.split("/") if p)

    @property
    def top_property(self) -> str | None:
        """The top-level Graph property this column comes from (what $select must name), if any."""
        if self.kind != "graph" or not self.graph_path or self.expand:
            return None
        return self.path[0]


@dataclass(frozen=True)
class OwnerScope:
    """Another owner than a user, chosen by a routing column: a drive, a site's or a group's library, a
    Microsoft 365 group's calendar. Its path replaces `{scope}` (`{drive}` is the owner's drive)."""

    path: str  # "/groups/{GroupId}", filled with the column's value
    owner: str  # what the id names, for messages: "group", "drive", "site"
    reads: str  # what the table reads of one owner, for messages: "drive", "calendar"
    # the message for an unknown id ({column}, {value!r}) and how to list the ids
    unknown: str
    find: str
    # a single entity read in place of the collection (a group has one calendar: {scope}/calendar): no $top
    entity: str | None = None
    # reads and writes below this owner, when they differ from the table's; no application permission means
    # Graph serves signed-in users only, and ((), ()) for writes means Graph takes none
    permissions: Permissions | None = None
    write_permissions: Permissions | None = None
    # routing columns the owner has not, each with why (a group has one calendar: no CalendarId)
    without: dict[str, str] = field(default_factory=dict)
    # Graph's codes for an owner that exists without the resource (a security group has no mailbox): no rows;
    # any other 404 of the owner itself raises, naming the column
    empty: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TableSpec:
    """One virtual table over one Graph collection.

    Path templates use `{scope}` (`/me`, `/users/{UserId}` or an owner's path), `{drive}` (the scope's drive,
    see `drive_base`), `{id}` and `{<column>}` for routing values.
    """

    name: str
    description: str
    collection: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ("id",)
    item: str | None = None
    # True for mailbox/drive tables: a UserId column chooses /users/{UserId}; none means /me (delegated) or a
    # fan-out over every user (app-only).
    per_user: bool = False
    # column -> the collection read when the column is constrained with = or IN (applied even with
    # Pushdown=false, because it chooses which collection is read).
    routes: dict[str, str] = field(default_factory=dict)
    # A parent key every row needs (GroupMembers.GroupId, MessageAttachments.MessageId): without a constraint
    # on it the table fans out over fanout_collection (ids of the parents).
    parent_key: str | None = None
    fanout_collection: str | None = None
    # When set, the fan-out lists the parents with `$expand=<this>` and reads the children from each parent
    # (one request per page of parents instead of one per parent).
    fanout_expand: str | None = None
    max_page: int | None = 1000
    supports_skip: bool = False
    # "outlook": $orderby properties must lead $filter in the same order (InefficientFilter); "directory":
    # $orderby with $filter needs advanced queries, so never combined; "none": no $orderby at all.
    orderby_rule: Literal["outlook", "directory", "none"] = "none"
    # "mailfolders" / "drive": the unconstrained scan walks the folder tree.
    recursive: Literal["mailfolders", "drive"] | None = None
    # CalendarView: startDateTime/endDateTime window taken from these columns' constraints.
    window: tuple[str, str] | None = None
    # Graph properties always $select-ed because the engine itself reads them.
    select_always: tuple[str, ...] = ()
    # The Graph permissions reading the table needs, least privileged first: (delegated, application). A 403
    # names them, so the user knows what to add to Scope or grant to the app.
    permissions: Permissions = ((), ())
    # Rows the collection typically holds (per owner or parent): the planner's cost model weighs plans by it.
    typical_rows: int = 1000
    # The table whose rows parent_key names (GroupMembers -> Groups): a fan-out reads that many parents.
    parent_table: str | None = None
    # The statements Graph accepts on the table, a subset of {"INSERT", "UPDATE", "DELETE"}; empty means
    # read-only. sys_tables.IsUpdateable and sys_tablecolumns.IsReadOnly derive from it (see below).
    writes: frozenset[str] = frozenset()
    # The columns an INSERT must give (Graph's required properties); a missing one is a ProgrammingError.
    insert_required: tuple[str, ...] = ()
    # Columns only an INSERT sets: they choose where the item is created (folder, calendar, group, message),
    # so an UPDATE refuses them. UserId is one on every per-user table.
    insert_only: tuple[str, ...] = ()
    # The permissions a write needs, least privileged first (delegated, application): a 403 names them.
    write_permissions: Permissions = ((), ())
    # A view: rows computed by Graph (CalendarView expands recurrences), listed as VIEW in sys_tables.
    is_view: bool = False
    # Routing columns that read another owner than a user (Files.DriveId -> /drives/{DriveId},
    # Events.GroupId -> /groups/{GroupId}): a constraint makes that the scope; an INSERT giving one writes
    # there.
    owners: dict[str, OwnerScope] = field(default_factory=dict)

    @property
    def table_type(self) -> Literal["TABLE", "VIEW"]:
        """What sys_tables reports as TableType."""
        return "VIEW" if self.is_view else "TABLE"

    def owner_of(self, path: str) -> tuple[str, OwnerScope] | None:
        """The owner column and scope a request path (with or without /v1.0) reads below, or None."""
        parts = [p for p in path.split("?", 1)[0].split("/") if p]
        first = parts[1] if parts[:1] == ["v1.0"] and len(parts) > 1 else (parts[0] if parts else "")
        for name, owner in self.owners.items():
            if owner.path.strip("/").split("/", 1)[0] == first:
                return name, owner
        return None

    @property
    def required_routes(self) -> tuple[str, ...]:
        """Routing columns the collection's path needs (Posts: GroupId): a query must give them."""
        return tuple(c for c in self.routes if "{" + c + "}" in self.collection)

    @property
    def updatable(self) -> bool:
        """True when Graph accepts some write on the table (sys_tables.IsUpdateable)."""
        return bool(self.writes)

    def is_key(self, column: ColumnSpec) -> bool:
        """True when the column is part of the table's key."""
        return column.name.lower() in (k.lower() for k in self.key)

    def column_read_only(self, column: ColumnSpec) -> bool:
        """True when no statement can set the column: it is read-only, or the table takes no INSERT/UPDATE."""
        return column.read_only or not (self.writes & {"INSERT", "UPDATE"})

    def column_writes(self, column: ColumnSpec) -> frozenset[str]:
        """The statements that can set the column (INSERT and/or UPDATE); empty when it is read-only.

        The owner (UserId) and the columns in insert_only choose where an item is created: INSERT only.
        """
        if self.column_read_only(column):
            return frozenset()
        statements = set(self.writes & {"INSERT", "UPDATE"})
        if column.kind in ("scope", "param") or column.name in self.insert_only:
            statements.discard("UPDATE")
        return frozenset(statements)

    def table_write_note(self) -> str:
        """What sys_tables and the docs say about writes: the statements the table accepts."""
        if not self.writes:
            return "Read-only."
        accepted = ", ".join(s for s in ("INSERT", "UPDATE", "DELETE") if s in self.writes)
        return f"Accepts {accepted}."

    def column_write_note(self, column: ColumnSpec) -> str:
        """What sys_tablecolumns and the docs say about writing the column."""
        statements = self.column_writes(column)
        if not statements:
            return "Read-only."
        required = " (required)" if column.name in self.insert_required else ""
        if statements == {"INSERT"}:
            return f"Set by INSERT{required} only."
        if statements == {"UPDATE"}:
            return "Set by UPDATE only."
        return f"Set by INSERT{required} and UPDATE."

    def nullable(self, column: ColumnSpec) -> bool:
        """True when the column can be NULL: key columns and columns Graph always fills cannot."""
        return not (self.is_key(column) or column.not_null)

    @property
    def paths(self) -> dict[str, str]:
        """The path templates: collection, item and one per routing column."""
        out = {"collection": self.collection}
        if self.item:
            out["item"] = self.item
        for column, template in self.routes.items():
            out[f"route:{column}"] = template
        if self.fanout_collection:
            out["fanout"] = self.fanout_collection
        return out

    def column(self, name: str) -> ColumnSpec:
        """The column called name (case-insensitive); KeyError if there is none."""
        low = name.lower()
        for c in self.columns:
            if c.name.lower() == low:
                return c
        raise KeyError(name)

    def index_of(self, name: str) -> int:
        """The position of the column called name (case-insensitive)."""
        low = name.lower()
        for i, c in enumerate(self.columns):
            if c.name.lower() == low:
                return i
        raise KeyError(name)


_TEXT_EQ = frozenset({"eq"})
_TEXT_PREFIX = frozenset({"eq", "startswith"})
_BOOL = frozenset({"eq", "ne"})
_RANGE = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})

_OPS: dict[str, frozenset[str]] = {
    "": frozenset(),
    "eq": _TEXT_EQ,
    "prefix": _TEXT_PREFIX,
    "bool": _BOOL,
    "range": _RANGE,
}


def col(
    name: str,
    type: ColumnType = "TEXT",
    *,
    path: str | None = None,
    ops: str = "",
    orderable: bool = False,
    read_only: bool = False,
    hidden: bool = False,
    not_null: bool = False,
    kind: ColumnKind = "graph",
    dtz: bool = False,
    advanced: str = "",
    unset_shows: str | int | None = None,
    slack_hours: int = 0,
    expand: str = "",
    permissions: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
    desc: str = "",
) -> ColumnSpec:
    """A ColumnSpec; the default path splits the name at each `_` (Graph's flattening undone).

    `ops` names an operator set: "eq", "prefix" (eq, startswith), "bool" (eq, ne), "range" (eq ... ge);
    `advanced` names the subset of them Graph serves only as an advanced query.
    """
    if path is None:
        path = "" if kind != "graph" else name.replace("_", "/")
    return ColumnSpec(
        name=name,
        type=type,
        graph_path=path,
        filter_ops=_OPS[ops],
        orderable=orderable,
        read_only=read_only,
        hidden=hidden,
        description=desc,
        not_null=not_null,
        kind=kind,
        datetime_style="dtz" if dtz else "offset",
        advanced_ops=_OPS[advanced],
        unset_shows=unset_shows,
        instant_slack_hours=slack_hours,
        expand=expand,
        permissions=permissions,
    )
