"""SharePoint writes: create a list; create a list item, update its fields, delete it; read one item.

listitem-create.md: POST /sites/{id}/lists/{id}/items with {"fields": {...}}; 201 with the item.
listitem-update.md: PATCH /sites/{id}/lists/{id}/items/{id}/fields with the fields to change; 200 with the
fieldValueSet. listitem-delete.md: DELETE .../items/{id}; 204. listitem-get.md: GET .../items/{id}
(`$expand=fields`) and .../items/{id}/fields. Writes need Sites.ReadWrite.All (delegated and application;
Sites.Manage.All and Sites.FullControl.All include it). A document library's items are files: Graph creates
them through the drive (driveitem-put-content.md), not through this route. list-create.md: POST
/sites/{id}/lists with displayName, columns and list.template (genericList, with its Title column, when not
given); 201 with the list; Sites.Manage.All (delegated), Sites.Manage.All or Sites.ReadWrite.All
(application).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import unquote

from ..odata import ResourceSpec
from .auth import Perm, require_any
from .envelope import Ctx, Result, json_result
from .errors import GraphError
from .gen_sites import SharePoint, _column, _guid
from .gen_sites import _list as _new_list
from .query import entity_result
from .sites import _PAGED, LIST_SPEC, SITES, _list, _site
from .util import fmt_s, identity_of

__all__ = [
    "LISTS_WRITE",
    "SITES_WRITE",
    "create_item",
    "create_list",
    "delete_item",
    "get_item",
    "get_item_fields",
    "update_item_fields",
]

Item = dict[str, Any]

_WRITE = {"Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All"}
SITES_WRITE = Perm(_WRITE, set(), _WRITE)
LISTS_WRITE = Perm(
    {"Sites.Manage.All", "Sites.FullControl.All"},
    set(),
    {"Sites.Manage.All", "Sites.ReadWrite.All", "Sites.FullControl.All"},
)
_FACETS = ("text", "number", "dateTime", "boolean", "choice")
LIST_ITEM_SPEC = ResourceSpec(name="listItem", properties={}, default_select=None, selectable=None, **_PAGED)
_NOT_FOUND = ("itemNotFound", "The resource could not be found.")  # [U] the message


def _bad(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message)


def _sp(ctx: Ctx, perm: Perm) -> SharePoint:
    require_any(ctx, perm, "accessDenied")
    return ctx.store.sharepoint


def _item(sp: SharePoint, lst: Item, iid: str) -> tuple[list[Item], Item]:
    items = sp.items.get(lst["id"], [])
    for item in items:
        if item["id"] == unquote(iid):
            return items, item
    raise GraphError(404, *_NOT_FOUND)


def _check_value(column: Item, value: object) -> None:
    name = column["name"]
    if value is None:
        if column.get("required"):
            raise _bad(f"Field '{name}' is required.")  # [U] wording
        return
    if "number" in column:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif "boolean" in column:
        ok = isinstance(value, bool)
    elif "dateTime" in column:
        try:
            ok = isinstance(value, str) and bool(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            ok = False
    elif "choice" in column:
        ok = value in column["choice"].get("choices", [])
    else:
        ok = isinstance(value, str)
    if not ok:
        # [U] SharePoint's wording for a value of the wrong type
        raise _bad(f"The value {value!r} is not valid for field '{name}'.")


def _check_fields(sp: SharePoint, lst: Item, fields: object, creating: bool) -> dict[str, Any]:
    """The fields a write sets, each a writable column of the list with a value of its type, or 400."""
    if not isinstance(fields, dict) or (creating and not fields):
        raise _bad("The request needs a 'fields' object with the item's column values.")
    columns = {c["name"]: c for c in sp.columns.get(lst["id"], [])}
    lookups = {f"{n}LookupId": c for n, c in columns.items() if "personOrGroup" in c or "lookup" in c}
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name.startswith("@"):
            continue
        if name in lookups:
            if value is not None and not (isinstance(value, str) and value.isdigit()):
                raise _bad(f"The value {value!r} is not valid for field '{name}'.")  # [U]
        else:
            column = columns.get(name)
            if column is None:
                raise _bad(f"Field '{name}' is not recognized")  # [U] SharePoint names the unknown field
            if column.get("readOnly"):
                raise _bad(f"Field '{name}' is read-only")  # [U]
            _check_value(column, value)
        out[name] = value
    if creating:
        for name, column in columns.items():
            if column.get("required") and out.get(name) is None:
                raise _bad(f"Field '{name}' is required.")  # [U]
    return out


def _etag(list_id: str, iid: str, version: int) -> str:
    return f'"{list_id},{iid},{version}"'


def get_item(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/lists/{id}/items/{id} (fields with $expand=fields)."""
    sp = _sp(ctx, SITES)
    site, lst = _list(ctx, sp, g)
    _items, item = _item(sp, lst, g["iid"])
    expand = next((v for k, v in ctx.params.items() if k.lower() == "$expand"), "")
    shown = item if "fields" in expand.lower() else {k: v for k, v in item.items() if k != "fields"}
    context = ctx.meta(f"sites('{site['id']}')/lists('{lst['id']}')/items/$entity")
    return entity_result(ctx, shown, LIST_ITEM_SPEC, context, strip=("$expand",))


def get_item_fields(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/lists/{id}/items/{id}/fields: the fieldValueSet."""
    sp = _sp(ctx, SITES)
    site, lst = _list(ctx, sp, g)
    _items, item = _item(sp, lst, g["iid"])
    context = ctx.meta(f"sites('{site['id']}')/lists('{lst['id']}')/items('{item['id']}')/fields/$entity")
    return json_result({"@odata.context": context, **item["fields"]})


def create_item(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /sites/{id}/lists/{id}/items: 201 with the item and its fields."""
    sp = _sp(ctx, SITES_WRITE)
    site, lst = _list(ctx, sp, g)
    if lst["list"]["template"] == "documentLibrary":
        # [U] wording; a library's items are files, created through the drive
        raise _bad("Files and folders should only be added to a DocumentLibrary via the OneDrive API")
    fields = _check_fields(sp, lst, ctx.json_body().get("fields"), creating=True)
    assert ctx.grant is not None
    author = (
        identity_of(ctx.store.users_by_id[ctx.grant.user_id])
        if ctx.grant.user_id
        else {"application": {"id": ctx.grant.client_id, "displayName": None}}
    )
    now = fmt_s(ctx.state.clock.now())
    with ctx.store.lock:
        items = sp.items.setdefault(lst["id"], [])
        iid = str(max((int(i["id"]) for i in items), default=0) + 1)
        etag = _etag(lst["id"], iid, 1)
        item: Item = {
            "@odata.etag": etag,
            "id": iid,
            "eTag": etag,
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            "webUrl": f"{lst['webUrl']}/DispForm.aspx?ID={iid}",
            "createdBy": author,
            "lastModifiedBy": author,
            "contentType": {"id": "0x0100" + lst["id"].replace("-", "").upper()[:16], "name": "Item"},
            "parentReference": {"id": lst["id"], "siteId": site["id"]},
            "fields": {"@odata.etag": etag, "id": iid, **fields, "Created": now, "Modified": now},
        }
        items.append(item)
    context = ctx.meta(f"sites('{site['id']}')/lists('{lst['id']}')/items/$entity")
    return dataclasses.replace(entity_result(ctx, item, LIST_ITEM_SPEC, context), status=201)


def update_item_fields(ctx: Ctx, g: dict[str, str]) -> Result:
    """PATCH /sites/{id}/lists/{id}/items/{id}/fields: 200 with the fieldValueSet."""
    sp = _sp(ctx, SITES_WRITE)
    site, lst = _list(ctx, sp, g)
    _items, item = _item(sp, lst, g["iid"])
    fields = _check_fields(sp, lst, ctx.json_body(), creating=False)
    now = fmt_s(ctx.state.clock.now())
    with ctx.store.lock:
        version = int(str(item["eTag"]).strip('"').rsplit(",", 1)[-1]) + 1
        etag = _etag(lst["id"], item["id"], version)
        item["fields"].update({**fields, "Modified": now, "@odata.etag": etag})
        item.update({"@odata.etag": etag, "eTag": etag, "lastModifiedDateTime": now})
    context = ctx.meta(f"sites('{site['id']}')/lists('{lst['id']}')/items('{item['id']}')/fields/$entity")
    return json_result({"@odata.context": context, **item["fields"]})


def delete_item(ctx: Ctx, g: dict[str, str]) -> Result:
    """DELETE /sites/{id}/lists/{id}/items/{id}: 204."""
    sp = _sp(ctx, SITES_WRITE)
    _site, lst = _list(ctx, sp, g)
    items, item = _item(sp, lst, g["iid"])
    with ctx.store.lock:
        items.remove(item)
    return Result(status=204)


def _new_columns(list_id: str, given: object) -> list[Item]:
    """The Title column of a genericList, then the columns asked for (one known facet each), or 400."""
    if given is None:
        given = []
    if not isinstance(given, list):
        raise _bad("columns must be a collection of column definitions.")
    columns = [_column(list_id, "Title", "text", False)]
    for definition in given:
        name = definition.get("name") if isinstance(definition, dict) else None
        if not isinstance(name, str) or not name.strip() or not name.replace("_", "").isalnum():
            raise _bad(f"A column needs a name of letters and digits: {definition!r}.")  # [U] wording
        if any(c["name"].lower() == name.lower() for c in columns):
            raise _bad(f"A column named '{name}' already exists.")  # [U] wording
        assert isinstance(definition, dict)
        facets = [f for f in _FACETS if f in definition]
        if len(facets) != 1:
            # [U] the emulator knows these facets; Graph has more (currency, lookup, personOrGroup, ...)
            raise _bad(f"Column '{name}' needs one type facet: {', '.join(_FACETS)}.")
        column = _column(list_id, name, facets[0], bool(definition.get("indexed")))
        column[facets[0]] = definition[facets[0]] or column[facets[0]]
        column["required"] = bool(definition.get("required"))
        columns.append(column)
    return columns


def create_list(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /sites/{id}/lists: 201 with the list (list-create.md)."""
    require_any(ctx, LISTS_WRITE, "accessDenied")
    sp = ctx.store.sharepoint
    site = _site(ctx, sp, g["sid"])
    data = ctx.json_body()
    name = data.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise _bad("displayName is required.")  # [U] wording
    template = (data.get("list") or {}).get("template") or "genericList"
    if template != "genericList":
        raise _bad(f"The emulator creates genericList lists only, not {template!r}.")  # [U] an emulator limit
    lists = sp.lists.setdefault(site["id"], [])
    if any(x["displayName"].lower() == name.lower() for x in lists):
        # [U] SharePoint's answer to a title already in use
        raise GraphError(409, "nameAlreadyExists", "A list with the same name already exists.")
    list_id = _guid(ctx.store.seed, "list", site["id"], "new", ctx.request_id)
    columns = _new_columns(list_id, data.get("columns"))
    now = fmt_s(ctx.state.clock.now())
    created = _new_list(site, list_id, name, f"{site['webUrl']}/Lists/{name.replace(' ', '')}", template, now)
    created["description"] = data.get("description") or ""
    with ctx.store.lock:
        lists.append(created)
        sp.columns[list_id] = columns
        sp.items[list_id] = []
    context = ctx.meta(f"sites('{site['id']}')/lists/$entity")
    return dataclasses.replace(entity_result(ctx, created, LIST_SPEC, context), status=201)
