"""Writes to SharePoint lists: a new list (Lists), and list items: ListItems (the JSON `fields` column) and a
list's typed table.

listitem-create.md: POST /sites/{id}/lists/{id}/items with {"fields": {...}}. listitem-update.md: PATCH
.../items/{id}/fields with the fields to change. listitem-delete.md: DELETE .../items/{id}. On ListItems an
UPDATE of `fields` sends only the fields whose value differs from the item's current ones (one GET of the
item's fields first): a field the new object leaves out keeps its value, as Graph's PATCH does. On a typed
list table (engine.listtables) each column is a field, and SQLite says which columns the UPDATE set.
list-create.md: POST /sites/{id}/lists with displayName, columns and list.template (genericList if none).
Graph v1.0 documents no update or delete of a list (list.md: get and create only; no list-update.md or
list-delete.md), so Lists refuses UPDATE and DELETE, saying so, before any request.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import DataError, NotSupportedError
from ..graph import path_segment
from .convert import SQLValue
from .dml import RowIdentity, Writer
from .write_values import build_body

if TYPE_CHECKING:
    from ._context import WriteLog

__all__ = ["ListItemWriter", "ListWriter"]

# fieldValueSet entries SharePoint sets itself: never sent back in a PATCH
_SYSTEM = frozenset({"id", "Created", "Modified", "AuthorLookupId", "EditorLookupId", "ContentType"})


class ListItemWriter(Writer):
    """ListItems and typed list tables: the item's fields as {"fields": {...}}."""

    def _fields(self, values: dict[str, SQLValue]) -> dict[str, Any]:
        fields = build_body(self.spec, values).get("fields", {})
        if not isinstance(fields, dict):
            raise DataError(
                f"{self.spec.name}.fields takes a JSON object of column name -> value, such as "
                '\'{"Title": "Q3 plan", "Budget": 1200}\''
            )
        return {k: v for k, v in fields.items() if not k.startswith("@")}

    def _insert_generic(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        body = {"fields": self._fields(values)}
        return self._request("POST", self._collection_for(scope, routes), body)

    def insert(self, values: dict[str, SQLValue], log: WriteLog) -> None:
        """POST one item; a typed list table is named in the log, as RETURNING cannot look it up."""
        super().insert(values, log)
        log.specs[self.spec.name] = self.spec

    def _item(self, who: RowIdentity) -> str:
        keys = dict(who.keys)
        if "SiteId" in keys:
            site, lst = path_segment(keys["SiteId"]), path_segment(keys["ListId"])
            return f"/sites/{site}/lists/{lst}/items/{path_segment(keys['id'])}"
        return f"{self.spec.collection}/{path_segment(keys['id'])}"

    def _patch(self, who: RowIdentity, changed: dict[str, SQLValue]) -> dict[str, Any]:
        fields = self._fields(changed)
        if "fields" in changed:
            # ListItems: the whole object arrives; send only what differs from the item now
            current = self.ctx.graph.get_json(self._item(who) + "/fields", permissions=self._permissions())
            fields = {k: v for k, v in fields.items() if k not in _SYSTEM and current.get(k) != v}
        if not fields:
            return {}
        return self._request("PATCH", self._item(who) + "/fields", fields)

    def delete(self, who: RowIdentity, log: WriteLog) -> None:
        """DELETE one list item."""
        self._accepts("DELETE")
        self._request("DELETE", self._item(who))
        log.rows += 1
        log.done.append(who.key("id"))


class ListWriter(Writer):
    """Lists: INSERT creates a list, its columns from the JSON `Columns` value."""

    def _insert_generic(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        columns = values.pop("Columns", None)
        body = build_body(self.spec, values)
        if columns is not None:
            try:
                parsed = json.loads(columns) if isinstance(columns, str) else None
            except ValueError:
                parsed = None
            if not isinstance(parsed, list) or not all(isinstance(c, dict) for c in parsed):
                raise DataError(
                    f"{self.spec.name}.Columns takes a JSON array of column definitions, such as "
                    '\'[{"name": "Author", "text": {}}, {"name": "Pages", "number": {}}]\''
                )
            body["columns"] = parsed
        return self._request("POST", self._collection_for(scope, routes), body)

    def update(self, who: RowIdentity, changed: dict[str, SQLValue], log: WriteLog) -> None:
        """Refused: Graph v1.0 has no list update."""
        raise NotSupportedError(_NO_LIST_WRITE.format(statement="UPDATE", verb="update"))

    def delete(self, who: RowIdentity, log: WriteLog) -> None:
        """Refused: Graph v1.0 has no list delete."""
        raise NotSupportedError(_NO_LIST_WRITE.format(statement="DELETE", verb="delete"))


_NO_LIST_WRITE = (
    "Lists does not accept {statement}: Microsoft Graph v1.0 has no API to {verb} a list (only to create "
    "one); {verb} it in SharePoint (the list's settings page). ListItems accepts INSERT, UPDATE and DELETE"
)
