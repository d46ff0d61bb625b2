"""OneDrive: Files (driveItems of a user's drive, walked from the root)."""

from __future__ import annotations

from ._types import OwnerScope, TableSpec, col
from .mail import USER_ID

__all__ = ["FILES", "LIBRARIES"]


def _library(path: str, owner: str) -> OwnerScope:
    # a library or another user's drive: delegated, the ".All" permission an application needs too
    # (Files.Read covers only the user's own OneDrive)
    return OwnerScope(
        path=path,
        owner=owner,
        reads="drive",
        unknown="no drive for {column} {value!r}",
        find="SELECT SiteId, id, name FROM Drives lists the document libraries",
        permissions=(("Files.Read.All",), ("Files.Read.All",)),
    )


# another drive than the user's OneDrive: a document library by its id, a site's default library, or a
# Microsoft 365 group's (its team site's default library); UploadFile and DownloadFile take the same columns
LIBRARIES = {
    "DriveId": _library("/drives/{DriveId}", "drive"),
    "SiteId": _library("/sites/{SiteId}", "site"),
    "GroupId": _library("/groups/{GroupId}", "group"),
}

# The unconstrained scan walks folders from the root down to DirectoryRetrievalDepth (0 = the root's children
# only; default 5). parentReference_id = x (or its alias ParentId) lists one folder; id = x is one GET;
# with parentReference_driveId = d (or DriveId) too, that folder of drive d (/drives/{d}/items/{x}/children).
FILES = TableSpec(
    name="Files",
    permissions=(("Files.Read",), ("Files.Read.All",)),
    typical_rows=1000,
    description="Files and folders of a OneDrive or a document library (driveItems), listed recursively from "
    "the root up to DirectoryRetrievalDepth levels. DriveId, SiteId or GroupId reads that drive instead of "
    "the user's OneDrive.",
    collection="{drive}/root/children",
    item="{drive}/items/{id}",
    per_user=True,
    routes={
        "parentReference_id": "{drive}/items/{parentReference_id}/children",
        "ParentId": "{drive}/items/{ParentId}/children",
    },
    # parentReference_driveId = x reads drive x as DriveId does (the commercial connector's "driveId + parent
    # id for one folder"): every item of a drive carries that drive's id, so the rows are the same
    owners={
        **LIBRARIES,
        "parentReference_driveId": _library("/drives/{parentReference_driveId}", "drive"),
    },
    # driveItem children default to 200 items a page; a larger $top is undocumented, so stay at 200.
    max_page=200,
    recursive="drive",
    select_always=("folder", "parentReference", "root"),
    # INSERT creates a folder (file content goes through UploadFile); UPDATE renames or moves
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("name",),
    write_permissions=(("Files.ReadWrite",), ("Files.ReadWrite.All",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Item id (the key)"),
        col("name", desc="File or folder name"),
        col("size", "INTEGER", read_only=True, desc="Size in bytes (folders: total of their content)"),
        col("webUrl", read_only=True, desc="Browser link"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
        col("eTag", read_only=True, desc="Entity tag"),
        col("cTag", read_only=True, desc="Content tag"),
        col("file_mimeType", read_only=True, desc="MIME type (files only)"),
        col("file_hashes_quickXorHash", read_only=True, desc="QuickXorHash (files only)"),
        col("folder_childCount", "INTEGER", read_only=True, desc="Children (folders only)"),
        col("parentReference_id", desc="Parent folder id (UPDATE moves the item; INSERT creates there)"),
        col("parentReference_path", read_only=True, desc="Parent path (/drive/root:/...)"),
        col("parentReference_driveId", read_only=True, desc="Drive id"),
        col("createdBy_user_displayName", read_only=True, desc="Created by"),
        col("lastModifiedBy_user_displayName", read_only=True, desc="Last changed by"),
        col(
            "ParentId",
            path="parentReference/id",
            hidden=True,
            desc="Alias of parentReference_id",
        ),
        col(
            "downloadUrl",
            path="@microsoft.graph.downloadUrl",
            read_only=True,
            hidden=True,
            desc="Short-lived pre-authenticated download URL (files only)",
        ),
        USER_ID,
        col(
            "DriveId",
            kind="param",
            desc="Read this drive (a document library: SELECT id FROM Drives) instead",
        ),
        col("SiteId", kind="param", desc="Read this SharePoint site's default document library instead"),
        col("GroupId", kind="param", desc="Read this Microsoft 365 group's document library instead"),
    ),
)
