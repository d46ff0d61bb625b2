"""SharePoint list item writes: create an item, update its fields, delete it; read one item or its fields.

listitem-create.md: POST /sites/{id}/lists/{id}/items with {"fields": {...}}; 201 with the item.
listitem-update.md: PATCH /sites/{id}/lists/{id}/items/{id}/fields with the fields to change; 200 with the
fieldValueSet. listitem-delete.md: DELETE .../items/{id}; 204. listitem-get.md: GET .../items/{id}
(`$expand=fields`) and .../items/{id}/fields. Writes need Sites.ReadWrite.All (delegated and application;
Sites.Manage.All and Sites.FullControl.All include it). A document library's items are files: Graph creates
them through the drive (driveitem-put-content.md), not through this route.
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
from .gen_sites import SharePoint
from .query import entity_result
from .sites import _PAGED, SITES, _list
from .util import fmt_s, identity_of

__all__ = ["SITES_WRITE", "create_item", "delete_item", "get_item", "get_item_fields", "update_item_fields"]

Item = dict[str, Any]

_WRITE = {"Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All"}
SITES_WRITE = Perm(_WRITE, set(), _WRITE)
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
