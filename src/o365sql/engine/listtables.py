"""One SharePoint list as a table of its own, its columns typed: `CREATE VIRTUAL TABLE temp.Projects USING
o365(ListItems, '<site id>', '<list id or title>')`.

The list's columns (GET /sites/{id}/lists/{id}/columns) become real columns: number -> REAL, boolean ->
BOOLEAN, dateTime -> DATETIME, a person or lookup column -> `<name>LookupId` (TEXT), the rest TEXT; rows are
the list's items with `$expand=fields`. listitem-list.md: Graph filters on an indexed field only (a field
that is not indexed needs a header accepting a scan that "may fail randomly"), and on one indexed field at a
time, so only the list's first indexed column takes `$filter` terms; SQLite checks everything else.
"""

from __future__ import annotations

from typing import Any

from ..errors import ProgrammingError
from ..graph import path_segment
from ..schema import TABLES, TableSpec, col
from ..schema._types import ColumnSpec, ColumnType
from ..schema.sharepoint import SITES_WRITE

__all__ = ["list_table_spec"]

# the listItem's own columns, before the list's fields
_ITEM_COLUMNS = (
    col("id", read_only=True, not_null=True, desc="Item id (a number, as text)"),
    col("webUrl", read_only=True, desc="Address of the item"),
    col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
    col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
)
# column facet -> (SQL type, operator set a first indexed column of that type takes)
_FACETS: dict[str, tuple[ColumnType, str]] = {
    "number": ("REAL", "range"),
    "boolean": ("BOOLEAN", "bool"),
    "dateTime": ("DATETIME", ""),  # [U] how Graph compares a date field with a literal: never sent
    "text": ("TEXT", "eq"),
    "choice": ("TEXT", "eq"),
}
_LOOKUPS = ("personOrGroup", "lookup")
# listitem-list.md, columndefinition-list.md: the least privileged permission, delegated and application
_PERMISSIONS = (("Sites.Read.All",), ("Sites.Read.All",))


def _field_column(column: dict[str, Any], filterable: bool) -> ColumnSpec | None:
    name = str(column.get("name") or "")
    if not name or name.lower() in {c.name.lower() for c in _ITEM_COLUMNS}:
        return None
    desc = str(column.get("displayName") or name)
    # a column the list marks readOnly (Created, Modified) is SharePoint's to set; the others are written
    # as fields of the item (engine.dml_lists)
    fixed = bool(column.get("readOnly"))
    if any(facet in column for facet in _LOOKUPS):
        # Graph gives a person/lookup field as the id of the looked-up item, under <name>LookupId
        return col(
            f"{name}LookupId",
            path=f"fields/{name}LookupId",
            read_only=fixed,
            expand="fields",
            desc=f"{desc} (lookup id)",
        )
    sql_type, ops = next((_FACETS[f] for f in _FACETS if f in column), ("TEXT", ""))
    return col(
        name,
        sql_type,
        path=f"fields/{name}",
        ops=ops if filterable else "",
        read_only=fixed,
        expand="fields",
        desc=desc,
    )


def list_table_spec(graph: Any, table: str, site_id: str, list_ref: str) -> TableSpec:
    """The TableSpec of one list (by id or title) of one site, read from Graph's column definitions."""
    if not site_id or not list_ref:
        raise ProgrammingError(
            f"{table}: USING o365(ListItems, '<site id>', '<list id or title>') needs the site and the list "
            "(SELECT SiteId, id, displayName FROM Lists)"
        )
    if table.lower() in {name.lower() for name in TABLES}:
        raise ProgrammingError(
            f"{table} is a table of Microsoft Graph already: name the list's table otherwise"
        )
    base = f"/sites/{path_segment(site_id)}/lists/{path_segment(list_ref)}"
    found = graph.get_json(base, {"$select": "id,displayName"}, permissions=_PERMISSIONS)
    list_id = str(found["id"])
    items = f"/sites/{path_segment(site_id)}/lists/{path_segment(list_id)}"
    columns: list[ColumnSpec] = list(_ITEM_COLUMNS)
    indexed_taken = False
    for definition in graph.iter_items(f"{items}/columns", permissions=_PERMISSIONS):
        if definition.get("hidden"):
            continue
        filterable = bool(definition.get("indexed")) and not indexed_taken
        spec_column = _field_column(definition, filterable)
        if spec_column is None or spec_column.name.lower() in {c.name.lower() for c in columns}:
            continue
        indexed_taken = indexed_taken or bool(spec_column.filter_ops)
        columns.append(spec_column)
    return TableSpec(
        name=table,
        permissions=_PERMISSIONS,
        typical_rows=100,
        description=f"Items of the list {found.get('displayName')!r}, its columns typed",
        collection=f"{items}/items",
        max_page=None,
        writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
        write_permissions=SITES_WRITE,
        columns=tuple(columns),
    )
