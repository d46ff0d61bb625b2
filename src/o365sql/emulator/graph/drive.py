"""OneDrive routes: drive, items by id and path, children, downloads (302 to a signed URL), simple uploads."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from . import specs
from .auth import FILES, require_drive
from .envelope import Ctx, GraphError, Result, json_result
from .query import Finish, entity_result, list_result
from .router import Owner, owner_route
from .store import Drive, GraphStore
from .util import drive_item_id, fmt_ms, fmt_s, make_content, quick_xor_hash

__all__ = ["download", "resolve_target", "store_file"]

Item = dict[str, Any]
_FACETS = ("file", "folder", "root")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
DEFAULT_UPLOAD_LIMIT = 250 * 1024 * 1024  # simple upload limit in current docs (older docs: 4 MB)


def _drive(ctx: Ctx, owner: Owner, write: bool = False) -> Drive:
    require_drive(ctx, owner.id, FILES[1] if write else FILES[0])
    return ctx.store.drive(owner.id)


def _not_found() -> GraphError:
    return GraphError(404, "itemNotFound", "The resource could not be found.")


def content_of(store: GraphStore, drv: Drive, item: Item) -> bytes:
    """The file's bytes (generated on first use) and, as a side effect, its quickXorHash."""
    data = drv.content.get(item["id"])
    if data is None:
        data = make_content(item.get("_kind", "bin"), f"{drv.drive['id']}/{item['id']}", int(item["size"]))
        drv.content[item["id"]] = data
    if item["file"]["hashes"].get("quickXorHash") is None:
        item["file"]["hashes"]["quickXorHash"] = quick_xor_hash(data)
    return data


def download_url(ctx: Ctx, owner_id: str, drv: Drive, item: Item) -> str:
    """The short-lived pre-authenticated URL the item's content redirects to."""
    token = ctx.store.download_token(owner_id, item["id"])
    site = ctx.store.users_by_id[owner_id]["userPrincipalName"].replace("@", "_").replace(".", "_")
    return (
        f"{ctx.state.base_url}/personal/{site}/_layouts/15/download.aspx"
        f"?UniqueId={quote(item['id'])}&tempauth={quote(token)}"
    )


def _finish(ctx: Ctx, owner: Owner, drv: Drive) -> Finish:
    selected = ctx.select_list()
    drives_prefix = owner.via_me is False and ctx.path.lower().startswith("drives/")

    def finish(item: Item, shaped: Item) -> Item:
        out: Item = {}
        if "file" in item:
            content_of(ctx.store, drv, item)
            if not selected or "@microsoft.graph.downloadurl" in selected:
                out["@microsoft.graph.downloadUrl"] = download_url(ctx, owner.id, drv, item)
        for key, value in shaped.items():
            if key == "@microsoft.graph.downloadUrl" or (key in _FACETS and key not in item):
                continue
            out[key] = value
        if drives_prefix and "parentReference" in out and "path" in out["parentReference"]:
            ref = dict(out["parentReference"])
            ref["path"] = ref["path"].replace("/drive/root:", f"/drives/{drv.drive['id']}/root:", 1)
            out["parentReference"] = ref
        return out

    return finish


def _item(drv: Drive, iid: str) -> Item:
    if iid.lower() == "root":
        return drv.items[drv.root_id]
    found = drv.items.get(iid)
    if found is None:
        raise _not_found()
    return found


def _by_path(drv: Drive, path: str) -> Item:
    found = drv.by_path(path)
    if found is None:
        raise _not_found()
    return found


def _context(owner: Owner, suffix: str) -> str:
    return f"{owner.base}/{suffix}"


@owner_route("GET", r"drive")
def get_drive(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/drive."""
    drv = _drive(ctx, owner)
    return json_result({"@odata.context": ctx.meta(_context(owner, "drive/$entity")), **drv.drive})


@owner_route("GET", r"drive/(?:root|items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):?)")
def get_item(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/drive/root, /me/drive/items/{id}, /me/drive/root:/{path}:."""
    drv = _drive(ctx, owner)
    item = _by_path(drv, g["path"]) if "path" in g else _item(drv, g.get("iid", "root"))
    suffix = "drive/root/$entity" if item["id"] == drv.root_id else "drive/items/$entity"
    return entity_result(
        ctx, item, specs.DRIVE_CHILDREN, ctx.meta(_context(owner, suffix)), finish=_finish(ctx, owner, drv)
    )


@owner_route("GET", r"drive/(?:root|items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)/children")
def list_children(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET .../children: folders first then files, by name (OneDrive's default order)."""
    drv = _drive(ctx, owner)
    folder = _by_path(drv, g["path"]) if "path" in g else _item(drv, g.get("iid", "root"))
    if "folder" not in folder:
        return list_result(
            ctx,
            [],
            specs.DRIVE_CHILDREN,
            ctx.meta(_context(owner, "drive/items/children")),
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
        ctx.meta(_context(owner, where)),
        finish=_finish(ctx, owner, drv),
        token_paging="drive",
        strip=("$expand",),
    )


@owner_route("GET", r"drive/(?:items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)/content")
def get_content(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET .../content: 302 to the pre-authenticated download URL."""
    drv = _drive(ctx, owner)
    item = _by_path(drv, g["path"]) if "path" in g else _item(drv, g["iid"])
    if "file" not in item:
        raise GraphError(400, "invalidRequest", "The item is a folder; only files have content.")  # [U]
    return Result(status=302, headers={"Location": download_url(ctx, owner.id, drv, item)})


# -- simple upload -------------------------------------------------------------------------------------------
def _kind_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    return ext if ext in ("txt", "md", "csv", "json", "png", "pdf", "docx") else "bin"


@owner_route(
    "PUT",
    r"drive/(?:items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):|items/(?P<pid>[^/:]+):/(?P<name>[^:/]+):)/content",
)
def put_content(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PUT .../content: 201 with a new driveItem, 200 when it replaced one."""
    drv = _drive(ctx, owner, write=True)
    limit = int(ctx.state.config.extra.get("drive_upload_limit", DEFAULT_UPLOAD_LIMIT))
    if len(ctx.body) > limit:
        raise GraphError(
            413, "requestTooLarge", "The request is too large for a simple upload; use an upload session."
        )  # [U] code
    existing: Item | None
    if "iid" in g:
        existing = _item(drv, g["iid"])
        parent = drv.items[existing["parentReference"]["id"]]
        name = existing["name"]
    else:
        path = g["path"] if "path" in g else f"{drv.path_of(_item(drv, g['pid'])['id'])}/{g['name']}"
        parent_path, _, name = path.strip("/").rpartition("/")
        parent = _by_path(drv, parent_path)
        if "folder" not in parent:
            raise GraphError(400, "invalidRequest", "The parent is not a folder.")  # [U]
        existing = drv.by_path(path)
    return store_file(ctx, owner, drv, existing, parent, name, bytes(ctx.body))


def resolve_target(drv: Drive, path: str) -> tuple[Item | None, Item, str]:
    """(existing item or None, parent folder, name) for a path below the root; 404/400 when impossible."""
    parent_path, _, name = path.strip("/").rpartition("/")
    parent = _by_path(drv, parent_path)
    if "folder" not in parent:
        raise GraphError(400, "invalidRequest", "The parent is not a folder.")  # [U]
    return drv.by_path(path), parent, name


def store_file(
    ctx: Ctx, owner: Owner, drv: Drive, existing: Item | None, parent: Item, name: str, data: bytes
) -> Result:
    """Write a file (new: 201; replaced: 200) and answer with the driveItem (simple upload or session end)."""
    now = dt.datetime.now(dt.UTC)
    user = owner.user
    who = {"user": {"email": user["mail"], "id": user["id"], "displayName": user["displayName"]}}
    if existing is not None:
        if "folder" in existing:
            raise GraphError(409, "nameAlreadyExists", "A folder with the same name already exists.")  # [U]
        version = int(existing["eTag"].rsplit(",", 1)[1].rstrip('"')) + 1
        guid = existing["eTag"].split("{")[1].split("}")[0]
        existing.update(
            {
                "size": len(data),
                "lastModifiedDateTime": fmt_ms(now),
                "lastModifiedBy": who,
                "eTag": f'"{{{guid}}},{version}"',
                "cTag": f'"c:{{{guid}}},{version}"',
            }
        )
        existing["file"] = {"mimeType": existing["file"]["mimeType"], "hashes": {"quickXorHash": None}}
        existing["fileSystemInfo"] = {**existing["fileSystemInfo"], "lastModifiedDateTime": fmt_s(now)}
        drv.content[existing["id"]] = data
        item, status = existing, 200
    else:
        ppath = drv.path_of(parent["id"])
        iid = drive_item_id(ctx.store.seed, drv.drive["id"], f"{ppath}/{name}".lstrip("/"), "upload")
        guid = str(uuid.UUID(bytes=hashlib.sha256(iid.encode()).digest()[:16])).upper()
        kind = _kind_of(name)
        from .gen_drive import MIME

        item = {
            "createdDateTime": fmt_ms(now),
            "eTag": f'"{{{guid}}},1"',
            "id": iid,
            "lastModifiedDateTime": fmt_ms(now),
            "name": name,
            "webUrl": f"{drv.drive['webUrl']}/{ppath + '/' if ppath else ''}{name}",
            "cTag": f'"c:{{{guid}}},1"',
            "size": len(data),
            "createdBy": who,
            "lastModifiedBy": who,
            "parentReference": {
                "driveType": "business",
                "driveId": drv.drive["id"],
                "id": parent["id"],
                "name": parent["name"] if parent["id"] != drv.root_id else "Documents",
                "path": "/drive/root:" + ("/" + ppath if ppath else ""),
            },
            "fileSystemInfo": {"createdDateTime": fmt_s(now), "lastModifiedDateTime": fmt_s(now)},
            "file": {
                "mimeType": MIME.get(kind, "application/octet-stream"),
                "hashes": {"quickXorHash": None},
            },
            "_kind": kind,
        }
        drv.items[iid] = item
        drv.children.setdefault(parent["id"], []).append(iid)
        parent["folder"]["childCount"] += 1
        drv.content[iid] = data
        status = 201
    shaped = _finish(ctx, owner, drv)(item, {k: item[k] for k in specs.DRIVE_ITEM_DEFAULT if k in item})
    return json_result(
        {"@odata.context": ctx.meta(_context(owner, "drive/items/$entity")), **shaped}, status=status
    )


@owner_route("POST", r"drive/(?:root|items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)/children")
def create_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST .../children with a folder facet: 201; conflictBehavior fail (default), rename or replace."""
    drv = _drive(ctx, owner, write=True)
    parent = _by_path(drv, g["path"]) if "path" in g else _item(drv, g.get("iid", "root"))
    if "folder" not in parent:
        raise GraphError(400, "invalidRequest", "The parent is not a folder.")  # [U]
    data = ctx.json_body()
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or any(ch in name for ch in '"*:<>?/\\|'):
        raise GraphError(
            400, "invalidRequest", "Invalid request: the name is missing or has invalid characters."
        )
    if "folder" not in data:
        raise GraphError(
            400, "invalidRequest", "Only folders can be created here; upload files with PUT."
        )  # [U]
    behavior = str(data.get("@microsoft.graph.conflictBehavior", "fail")).lower()
    siblings = {drv.items[c]["name"].lower(): c for c in drv.children.get(parent["id"], [])}
    if name.lower() in siblings:
        if behavior == "rename":
            n = 1
            while f"{name} {n}".lower() in siblings:
                n += 1
            name = f"{name} {n}"
        elif behavior == "replace":
            _remove(drv, siblings[name.lower()])
        else:
            raise GraphError(
                409, "nameAlreadyExists", "The specified item name already exists."
            )  # [U] message
    now = dt.datetime.now(dt.UTC)
    ppath = drv.path_of(parent["id"])
    iid = drive_item_id(
        ctx.store.seed, drv.drive["id"], f"{ppath}/{name}".lstrip("/"), "folder", now.timestamp()
    )
    guid = str(uuid.UUID(bytes=hashlib.sha256(iid.encode()).digest()[:16])).upper()
    user = owner.user
    who = {"user": {"email": user["mail"], "id": user["id"], "displayName": user["displayName"]}}
    item: Item = {
        "createdDateTime": fmt_ms(now),
        "eTag": f'"{{{guid}}},1"',
        "id": iid,
        "lastModifiedDateTime": fmt_ms(now),
        "name": name,
        "webUrl": f"{drv.drive['webUrl']}/{ppath + '/' if ppath else ''}{name}",
        "cTag": f'"c:{{{guid}}},0"',
        "size": 0,
        "createdBy": who,
        "lastModifiedBy": who,
        "parentReference": {
            "driveType": "business",
            "driveId": drv.drive["id"],
            "id": parent["id"],
            "name": parent["name"] if parent["id"] != drv.root_id else "Documents",
            "path": "/drive/root:" + ("/" + ppath if ppath else ""),
        },
        "fileSystemInfo": {"createdDateTime": fmt_s(now), "lastModifiedDateTime": fmt_s(now)},
        "folder": {"childCount": 0},
    }
    drv.items[iid] = item
    drv.children[iid] = []
    drv.children.setdefault(parent["id"], []).append(iid)
    parent["folder"]["childCount"] += 1
    shaped = _finish(ctx, owner, drv)(item, dict(item))
    return json_result(
        {"@odata.context": ctx.meta(_context(owner, "drive/items/$entity")), **shaped}, status=201
    )


def _remove(drv: Drive, iid: str) -> None:
    item = drv.items[iid]
    for child in list(drv.children.get(iid, [])):
        _remove(drv, child)
    drv.children.pop(iid, None)
    drv.content.pop(iid, None)
    parent_id = item["parentReference"]["id"]
    drv.children[parent_id].remove(iid)
    drv.items[parent_id]["folder"]["childCount"] -= 1
    del drv.items[iid]


@owner_route("DELETE", r"drive/(?:items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)")
def delete_item(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/drive/items/{id}: 204 (folders with their contents)."""
    drv = _drive(ctx, owner, write=True)
    item = _by_path(drv, g["path"]) if "path" in g else _item(drv, g["iid"])
    if item["id"] == drv.root_id:
        raise GraphError(403, "accessDenied", "The root folder cannot be deleted.")  # [U]
    _remove(drv, item["id"])
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
