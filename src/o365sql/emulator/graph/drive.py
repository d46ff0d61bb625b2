"""OneDrive routes: drive, items by id and path, children, downloads (302 to a signed URL), simple uploads."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from . import specs
from .auth import open_drive
from .drive_items import content_of, download_url, drive_finish, new_item, store_file
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError
from .model import Drive
from .query import entity_result, list_result
from .store import GraphStore
from .util import fmt_ms

__all__ = [
    "create_folder",
    "delete_item",
    "download",
    "get_content",
    "get_drive",
    "get_item",
    "list_children",
    "put_content",
]

Item = dict[str, Any]
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def get_drive(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/drive."""
    drv = open_drive(ctx, owner)
    return json_result({"@odata.context": ctx.meta(f"{owner.base}/drive/$entity"), **drv.drive})


def get_item(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/drive/root, /me/drive/items/{id}, /me/drive/root:/{path}:."""
    drv = open_drive(ctx, owner)
    item = drv.item_at(g["path"]) if "path" in g else drv.item(g.get("iid", "root"))
    suffix = "drive/root/$entity" if item["id"] == drv.root_id else "drive/items/$entity"
    return entity_result(
        ctx,
        item,
        specs.DRIVE_CHILDREN,
        ctx.meta(f"{owner.base}/{suffix}"),
        finish=drive_finish(ctx, owner, drv),
    )


def list_children(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET .../children: folders first then files, by name (OneDrive's default order)."""
    drv = open_drive(ctx, owner)
    folder = drv.item_at(g["path"]) if "path" in g else drv.item(g.get("iid", "root"))
    if "folder" not in folder:
        return list_result(
            ctx,
            [],
            specs.DRIVE_CHILDREN,
            ctx.meta(f"{owner.base}/drive/items/children"),
            token_paging="drive",
        )
    items = [drv.items[c] for c in drv.children.get(folder["id"], [])]
    items.sort(key=lambda i: ("file" in i, i["name"].lower()))
    where = (
        "drive/root/children" if folder["id"] == drv.root_id else f"drive/items('{folder['id']}')/children"
    )
    return list_result(
        ctx,
        items,
        specs.DRIVE_CHILDREN,
        ctx.meta(f"{owner.base}/{where}"),
        finish=drive_finish(ctx, owner, drv),
        token_paging="drive",
        strip=("$expand",),
    )


def get_content(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET .../content: 302 to the pre-authenticated download URL."""
    drv = open_drive(ctx, owner)
    item = drv.item_at(g["path"]) if "path" in g else drv.item(g["iid"])
    if "file" not in item:
        raise GraphError(400, "invalidRequest", "The item is a folder; only files have content.")  # [U]
    return Result(status=302, headers={"Location": download_url(ctx, owner.id, drv, item)})


# -- simple upload -------------------------------------------------------------------------------------------


def put_content(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PUT .../content: 201 with a new driveItem, 200 when it replaced one."""
    drv = open_drive(ctx, owner, write=True)
    if len(ctx.body) > ctx.state.config.drive_upload_limit:
        # [U] the code
        raise GraphError(
            413, "requestTooLarge", "The request is too large for a simple upload; use an upload session."
        )
    existing: Item | None
    if "iid" in g:
        existing = drv.item(g["iid"])
        parent = drv.items[existing["parentReference"]["id"]]
        name = existing["name"]
    else:
        path = g["path"] if "path" in g else f"{drv.path_of(drv.item(g['pid'])['id'])}/{g['name']}"
        existing, parent, name = drv.resolve_target(path)
        if existing is not None:
            behavior = _conflict_behavior(ctx)
            if behavior == "fail":
                # [U] the message
                raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")
            if behavior == "rename":
                siblings = {drv.items[c]["name"].lower() for c in drv.children.get(parent["id"], [])}
                name, existing = _numbered_name(name, siblings), None
    return store_file(ctx, owner, drv, existing, parent, name, bytes(ctx.body))


def _conflict_behavior(ctx: Ctx) -> str:
    """A simple upload's `@microsoft.graph.conflictBehavior` query parameter (driveitem-put-content.md:
    fail, replace or rename; the default for PUT is replace). OneDrive's older `@name.conflictBehavior`
    spelling is read too."""
    for key, value in ctx.params.items():
        if key.lower() in ("@microsoft.graph.conflictbehavior", "@name.conflictbehavior"):
            behavior = value.strip().lower()
            if behavior not in ("fail", "replace", "rename"):
                raise GraphError(400, "invalidRequest", f"Invalid conflict behavior '{value}'.")  # [U]
            return behavior
    return "replace"


def _numbered_name(name: str, taken: set[str]) -> str:
    """`report.txt` -> `report 1.txt` (then 2, ...): OneDrive's renaming. [U] the exact pattern."""
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    n = 1
    while f"{stem} {n}{dot}{ext}".lower() in taken:
        n += 1
    return f"{stem} {n}{dot}{ext}"


def create_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST .../children with a folder facet: 201; conflictBehavior fail (default), rename or replace."""
    drv = open_drive(ctx, owner, write=True)
    parent = drv.item_at(g["path"]) if "path" in g else drv.item(g.get("iid", "root"))
    if "folder" not in parent:
        raise GraphError(400, "invalidRequest", "The parent is not a folder.")  # [U]
    data = ctx.json_body()
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or any(ch in name for ch in '"*:<>?/\\|'):
        raise GraphError(
            400, "invalidRequest", "Invalid request: the name is missing or has invalid characters."
        )
    if "folder" not in data:
        # [U] the code and message
        raise GraphError(400, "invalidRequest", "Only folders can be created here; upload files with PUT.")
    behavior = str(data.get("@microsoft.graph.conflictBehavior", "fail")).lower()
    siblings = {drv.items[c]["name"].lower(): c for c in drv.children.get(parent["id"], [])}
    if name.lower() in siblings:
        if behavior == "rename":
            n = 1
            while f"{name} {n}".lower() in siblings:
                n += 1
            name = f"{name} {n}"
        elif behavior == "replace":
            drv.remove(siblings[name.lower()])
        else:
            # [U] the message
            raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")
    now = ctx.state.clock.now()
    item = new_item(ctx, owner, drv, parent, name, now, ("folder", now.timestamp()), ctag_version=0)
    shaped = drive_finish(ctx, owner, drv)(item, dict(item))
    return json_result(
        {"@odata.context": ctx.meta(f"{owner.base}/drive/items/$entity"), **shaped}, status=201
    )


def _relocate(drv: Drive, iid: str) -> None:
    """Recompute the parentReference and webUrl of an item and everything below it (after a move/rename)."""
    item = drv.items[iid]
    parent = drv.items[item["parentReference"]["id"]]
    ppath = drv.path_of(parent["id"])
    item["parentReference"]["name"] = parent["name"] if parent["id"] != drv.root_id else "Documents"
    item["parentReference"]["path"] = "/drive/root:" + ("/" + ppath if ppath else "")
    item["webUrl"] = f"{drv.drive['webUrl']}/{ppath + '/' if ppath else ''}{item['name']}"
    for child in drv.children.get(iid, []):
        _relocate(drv, child)


def _free_name(drv: Drive, folder: Item, item: Item, name: str, behavior: str) -> str:
    """The name the item gets in `folder`: 409 when taken (conflictBehavior fail), else renamed/replaced."""
    taken = {drv.items[c]["name"].lower(): c for c in drv.children.get(folder["id"], []) if c != item["id"]}
    if name.lower() not in taken:
        return name
    if behavior == "replace":
        drv.remove(taken[name.lower()])
        return name
    if behavior == "rename":
        n = 1
        while f"{name} {n}".lower() in taken:
            n += 1
        return f"{name} {n}"
    raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")  # [U] the message


def update_item(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/drive/items/{id}: rename (name) and/or move (parentReference.id); 200 with the item.

    driveitem-move.md / driveitem-update.md: a name taken in the target folder is 409 nameAlreadyExists
    unless @microsoft.graph.conflictBehavior says rename or replace; the id and the content stay the same.
    """
    drv = open_drive(ctx, owner, write=True)
    item = drv.item_at(g["path"]) if "path" in g else drv.item(g["iid"])
    if item["id"] == drv.root_id:
        raise GraphError(403, "accessDenied", "The root folder cannot be changed.")  # [U]
    data = ctx.json_body()
    for key in data:
        if key not in ("name", "parentReference", "description", "@microsoft.graph.conflictBehavior"):
            raise GraphError(400, "invalidRequest", f"Property '{key}' cannot be updated.")  # [U]
    name = data.get("name", item["name"])
    if not isinstance(name, str) or not name.strip() or any(ch in name for ch in '"*:<>?/\\|'):
        raise GraphError(
            400, "invalidRequest", "Invalid request: the name is missing or has invalid characters."
        )
    target = drv.items[item["parentReference"]["id"]]
    ref = data.get("parentReference")
    if ref is not None:
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            raise GraphError(400, "invalidRequest", "parentReference needs the id of the new parent folder.")
        target = drv.item(ref["id"])
        if "folder" not in target:
            raise GraphError(400, "invalidRequest", "The new parent is not a folder.")  # [U]
        node = target
        while node["id"] != drv.root_id:  # not into itself or its own subtree
            if node["id"] == item["id"]:
                raise GraphError(400, "invalidRequest", "An item cannot be moved into itself.")  # [U]
            node = drv.items[node["parentReference"]["id"]]
    behavior = str(data.get("@microsoft.graph.conflictBehavior", "fail")).lower()
    name = _free_name(drv, target, item, name, behavior)
    old_parent = item["parentReference"]["id"]
    if target["id"] != old_parent:
        drv.children[old_parent].remove(item["id"])
        drv.items[old_parent]["folder"]["childCount"] -= 1
        drv.children.setdefault(target["id"], []).append(item["id"])
        target["folder"]["childCount"] += 1
        item["parentReference"]["id"] = target["id"]
    item["name"] = name
    if isinstance(data.get("description"), str):
        item["description"] = data["description"]
    item["lastModifiedDateTime"] = fmt_ms(ctx.state.clock.now())
    guid, _, version = item["eTag"].strip('"').partition(",")
    item["eTag"] = f'"{guid},{int(version or 1) + 1}"'
    _relocate(drv, item["id"])
    shaped = drive_finish(ctx, owner, drv)(item, {k: item[k] for k in specs.DRIVE_ITEM_DEFAULT if k in item})
    return json_result({"@odata.context": ctx.meta(f"{owner.base}/drive/items/$entity"), **shaped})


def delete_item(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/drive/items/{id}: 204 (folders with their contents)."""
    drv = open_drive(ctx, owner, write=True)
    item = drv.item_at(g["path"]) if "path" in g else drv.item(g["iid"])
    if item["id"] == drv.root_id:
        raise GraphError(403, "accessDenied", "The root folder cannot be deleted.")  # [U]
    drv.remove(item["id"])
    return Result(status=204)


# -- the pre-authenticated download endpoint (not Graph: no Authorization, no Graph faults) ------------------
async def download(request: Request) -> Response:
    """GET {base}/personal/{site}/_layouts/15/download.aspx?UniqueId=..&tempauth=..; Range gives 206."""
    state = request.app.state.emulator
    store: GraphStore = state.graph
    found = store.check_download_token(request.query_params.get("tempauth", ""))
    if found is None or found[1] != request.query_params.get("UniqueId"):
        return Response(
            '{"error":{"code":"-2147024891, System.UnauthorizedAccessException","message":'
            '{"lang":"en-US","value":"Access denied."}}}',
            status_code=401,
            media_type="application/json",
        )
    user_id, item_id = found
    drv = store.drive(user_id)
    item = drv.items.get(item_id)
    if item is None or "file" not in item:
        return Response(status_code=404)
    data = content_of(store, drv, item)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": item["eTag"],
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item['name'])}",
    }
    header = request.headers.get("range")
    if header:
        match = _RANGE.match(header.strip())
        size = len(data)
        if match and (match.group(1) or match.group(2)):
            if match.group(1):
                start = int(match.group(1))
                end = int(match.group(2)) if match.group(2) else size - 1
            else:
                start, end = max(0, size - int(match.group(2))), size - 1
            end = min(end, size - 1)
            if start <= end and start < size:
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
                return Response(
                    data[start : end + 1],
                    status_code=206,
                    headers=headers,
                    media_type=item["file"]["mimeType"],
                )
        headers["Content-Range"] = f"bytes */{size}"
        return Response(b"", status_code=416, headers=headers)
    return Response(data, headers=headers, media_type=item["file"]["mimeType"])
