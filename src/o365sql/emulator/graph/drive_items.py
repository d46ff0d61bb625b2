"""OneDrive items as answers: content on first read, download URLs, shaping, and writing a file."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from . import specs
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError
from .model import Drive
from .query import Finish
from .store import GraphStore
from .util import content_kind, drive_item_id, fmt_ms, fmt_s, identity_of, make_content, quick_xor_hash

__all__ = ["content_of", "download_url", "drive_finish", "new_item", "store_file"]

Item = dict[str, Any]
_FACETS = ("file", "folder", "root")


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
    user = ctx.store.users_by_id.get(owner_id)
    # a document library (owner_id is its drive id) has no personal site: its download path names the drive
    site = user["userPrincipalName"].replace("@", "_").replace(".", "_") if user else owner_id
    return (
        f"{ctx.state.base_url}/personal/{site}/_layouts/15/download.aspx"
        f"?UniqueId={quote(item['id'])}&tempauth={quote(token)}"
    )


def drive_finish(ctx: Ctx, owner: Owner, drv: Drive) -> Finish:
    """Post-projection shaping of driveItems: the download URL, facets where they apply, /drives paths."""
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


def new_item(
    ctx: Ctx,
    owner: Owner,
    drv: Drive,
    parent: Item,
    name: str,
    now: dt.datetime,
    id_parts: tuple[object, ...],
    *,
    kind: str | None = None,
    size: int = 0,
    ctag_version: int | None = None,
) -> Item:
    """A driveItem the owner creates at `now` under `parent`: a file of `kind`, or a folder."""
    path = f"{drv.path_of(parent['id'])}/{name}".lstrip("/")
    iid = drive_item_id(ctx.store.seed, drv.drive["id"], path, *id_parts)
    stamp, fs_stamp = fmt_ms(now), fmt_s(now)
    who = identity_of(owner.user)
    return drv.add_item(
        iid,
        name,
        parent,
        who=who,
        created=stamp,
        modified=stamp,
        fs_created=fs_stamp,
        fs_modified=fs_stamp,
        kind=kind,
        size=size,
        ctag_version=ctag_version,
    )


def store_file(
    ctx: Ctx, owner: Owner, drv: Drive, existing: Item | None, parent: Item, name: str, data: bytes
) -> Result:
    """Write a file (new: 201; replaced: 200) and answer with the driveItem (simple upload or session end)."""
    now = ctx.state.clock.now()
    who = identity_of(owner.user)
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
        item = new_item(
            ctx, owner, drv, parent, name, now, ("upload",), kind=content_kind(name), size=len(data)
        )
        drv.content[item["id"]] = data
        status = 201
    shaped = drive_finish(ctx, owner, drv)(item, {k: item[k] for k in specs.DRIVE_ITEM_DEFAULT if k in item})
    return json_result(
        {"@odata.context": ctx.meta(f"{owner.base}/drive/items/$entity"), **shaped}, status=status
    )
