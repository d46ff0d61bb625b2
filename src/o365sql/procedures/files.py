"""OneDrive and document library procedures: DownloadFile, UploadFile (DriveId, SiteId or GroupId too)."""

from __future__ import annotations

import base64
from pathlib import Path

from ..errors import OperationalError, ProgrammingError
from ..graph import path_segment
from ..schema._types import drive_base
from ..schema.files import LIBRARIES
from ._common import (
    OUTPUT_FOLDER,
    OVERWRITE,
    Args,
    Row,
    content,
    json_of,
    need,
    output_dir,
    post,
    procedure,
    safe_name,
    scope_path,
    text,
    write_out,
)
from ._registry import Procedure, ProcedureContext, ProcParam

__all__ = ["PROCEDURES"]

# A simple PUT is documented up to 4 MB in older docs (250 MB today): 4 MB is the safe threshold (C10).
MAX_SIMPLE_UPLOAD = 4 * 1024 * 1024
# The largest file OneDrive takes through an upload session (driveitem-createuploadsession: 250 GB).
MAX_DRIVE_FILE = 250 * 1024**3


def _drive(ctx: ProcedureContext, args: Args, proc: str) -> str:
    """The drive acted on: the library DriveId, SiteId or GroupId names (as in Files), else the user's."""
    given = [name for name in LIBRARIES if text(args, name).strip()]
    if not given:
        return drive_base(scope_path(ctx, args, proc))
    others = [*(["UserId"] if text(args, "UserId").strip() else []), *given[1:]]
    if others:
        raise ProgrammingError(f"{proc} acts on one drive: give {given[0]} or {others[0]}, not both")
    name = given[0]
    return drive_base(LIBRARIES[name].path.replace("{" + name + "}", path_segment(text(args, name).strip())))


_LIBRARY_PARAMS = (
    ProcParam(
        "DriveId",
        description="A drive (a document library: SELECT id FROM Drives) instead of the user's OneDrive.",
    ),
    ProcParam("SiteId", description="A SharePoint site, whose default document library is used instead."),
    ProcParam("GroupId", description="A Microsoft 365 group, whose document library is used instead."),
)


def _download_file(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "DownloadFile"
    drive = _drive(ctx, args, proc)
    fid = need(args, proc, "FileId")
    folder = output_dir(args, proc)
    item = ctx.graph.get_json(f"{drive}/items/{path_segment(fid)}", {"$select": "id,name,size,folder"})
    if "folder" in item and item["folder"] is not None:
        raise ProgrammingError(f"{proc}: {fid!r} is a folder; only files have content")
    data: bytes = ctx.graph.get_bytes(f"{drive}/items/{path_segment(fid)}/content")
    name = str(item.get("name") or fid)
    file_data = file_path = None
    if folder is not None:
        file_path = write_out(folder, safe_name(name, fid), data, bool(args.get("Overwrite")), proc)
    else:
        file_data = base64.b64encode(data).decode("ascii")
    return [(item.get("id", fid), name, len(data), file_data, file_path)]


def _upload_file(ctx: ProcedureContext, args: Args) -> list[Row]:
    proc = "UploadFile"
    drive = _drive(ctx, args, proc)
    local = text(args, "LocalFile").strip()
    name = text(args, "FileName").strip() or (Path(local).name if local else "")
    if not name:
        raise ProgrammingError(f"{proc} needs FileName")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ProgrammingError(
            f"{proc} parameter FileName: {name!r} must be a plain name; use ParentId for the folder"
        )
    data = content(args, proc, "Content", limit=MAX_DRIVE_FILE)
    parent = text(args, "ParentId").strip() or "root"
    conflict = (text(args, "ConflictBehavior").strip() or "replace").lower()
    if conflict not in ("replace", "rename", "fail"):
        raise ProgrammingError(
            f"{proc} parameter ConflictBehavior must be replace, rename or fail, not {conflict!r}"
        )
    target = f"{drive}/items/{path_segment(parent)}:/{path_segment(name)}:"
    if len(data) <= MAX_SIMPLE_UPLOAD:
        response = ctx.graph.request(
            "PUT",
            f"{target}/content",
            params={"@microsoft.graph.conflictBehavior": conflict},
            content=data,
            headers={"Content-Type": "application/octet-stream"},
            permissions=ctx.permissions,
            # a PUT repeats harmlessly only when it replaces: repeated, 'rename' makes a second file
            # ('name 1.txt') and 'fail' answers 409 to an upload that had worked
            idempotent=conflict == "replace",
        )
        made = json_of(response)
    else:
        session = json_of(
            post(
                ctx,
                f"{target}/createUploadSession",
                {"item": {"@microsoft.graph.conflictBehavior": conflict}},
            )
        )
        url = session.get("uploadUrl")
        if not isinstance(url, str) or not url:
            raise OperationalError("Graph's createUploadSession answer has no uploadUrl")
        made = json_of(ctx.graph.upload(url, data))
    return [(made.get("id"), made.get("name", name), made.get("size", len(data)))]


def _procedures() -> tuple[Procedure, ...]:
    p = ProcParam
    return (
        procedure(
            "DownloadFile",
            "A OneDrive file's content: base64 (FileData) or written to OutputFolder (FilePath).",
            (
                p("FileId", required=True, description="The driveItem id."),
                OUTPUT_FOLDER,
                OVERWRITE,
                *_LIBRARY_PARAMS,
            ),
            (
                ("Id", "TEXT"),
                ("FileName", "TEXT"),
                ("Size", "INTEGER"),
                ("FileData", "TEXT"),
                ("FilePath", "TEXT"),
            ),
            _download_file,
        ),
        procedure(
            "UploadFile",
            "Upload a file to OneDrive (a simple PUT up to 4 MB, an upload session beyond).",
            (
                p("FileName", description="The file's name (default: LocalFile's name)."),
                p("ParentId", description="The folder's driveItem id (default: the drive root)."),
                p("Content", description="The content, base64."),
                p("LocalFile", description="A local file to upload instead of Content."),
                p(
                    "ConflictBehavior",
                    description="replace (default), rename or fail when the name exists.",
                    default="replace",
                ),
                *_LIBRARY_PARAMS,
            ),
            (("Id", "TEXT"), ("Name", "TEXT"), ("Size", "INTEGER")),
            _upload_file,
            (("Files.ReadWrite",), ("Files.ReadWrite.All",)),
        ),
    )


PROCEDURES = _procedures()
