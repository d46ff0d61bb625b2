"""Mail folder writes: create, rename and delete."""

from __future__ import annotations

from typing import Any

from . import specs
from .auth import MAIL, open_mailbox
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError
from .extended import take_extended
from .model import Mailbox
from .util import K_FOLDER, outlook_id

__all__ = ["create_folder", "delete_folder", "rename_folder"]

Item = dict[str, Any]


def _name(data: dict[str, Any]) -> str:
    name = data.get("displayName")
    if not isinstance(name, str) or not name.strip():
        # [U] the code and message
        raise GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'DisplayName' is empty.")
    return name.strip()


def _check_unique(box: Mailbox, parent_id: str, name: str, skip: str | None = None) -> None:
    for folder in box.folders.values():
        same = folder["parentFolderId"] == parent_id and folder["displayName"].lower() == name.lower()
        if same and folder["id"] != skip:
            raise GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")


def _entity(ctx: Ctx, owner: Owner, box: Mailbox, folder: Item, status: int) -> Result:
    shaped = {k: v for k, v in box.with_counts([folder])[0].items() if k in specs.MAIL_FOLDER_DEFAULT}
    return json_result(
        {"@odata.context": ctx.meta(f"{owner.base}/mailFolders/$entity"), **shaped}, status=status
    )


def create_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/mailFolders and /me/mailFolders/{id}/childFolders: 201 with the folder."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    parent = box.mail_folder(g.get("pid", "msgfolderroot"))
    data = ctx.json_body()
    name = _name(data)
    _check_unique(box, parent["id"], name)
    fid = outlook_id(box.key, K_FOLDER, box.next_number())
    folder = {
        "id": fid,
        "displayName": name,
        "parentFolderId": parent["id"],
        "childFolderCount": 0,
        "unreadItemCount": 0,
        "totalItemCount": 0,
        "sizeInBytes": 0,
        "isHidden": bool(data.get("isHidden", False)),
    }
    for key, value in data.items():
        take_extended(folder, key, value, "mailFolder")
    box.folders[fid] = folder
    parent["childFolderCount"] += 1
    return _entity(ctx, owner, box, folder, 201)


def rename_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/mailFolders/{id}: rename (200)."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    folder = box.mail_folder(g["fid"])
    if folder["id"] in box.wellknown.values():
        # [U] the code and message
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    name = _name(ctx.json_body())
    _check_unique(box, folder["parentFolderId"], name, skip=folder["id"])
    folder["displayName"] = name
    return _entity(ctx, owner, box, folder, 200)


def delete_folder(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/mailFolders/{id}: 204; the folder, its subfolders and their messages go."""
    box = open_mailbox(ctx, owner, MAIL, write=True)
    folder = box.mail_folder(g["fid"])
    if folder["id"] in box.wellknown.values():
        raise GraphError(403, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.")
    doomed = {folder["id"]}
    grew = True
    while grew:
        more = {f["id"] for f in box.folders.values() if f["parentFolderId"] in doomed} - doomed
        grew = bool(more)
        doomed |= more
    for fid in doomed:
        del box.folders[fid]
    for mid in [m["id"] for m in box.messages.values() if m["parentFolderId"] in doomed]:
        del box.messages[mid]
        box.attachments.pop(mid, None)
    parent = box.folders.get(folder["parentFolderId"])
    if parent is not None:
        parent["childFolderCount"] -= 1
    box.touch()
    return Result(status=204)
