"""SharePoint: Sites, Drives (document libraries), Lists, ListItems and ListColumns."""

from __future__ import annotations

from ._types import TableSpec, col

__all__ = ["DRIVES", "LISTS", "LIST_COLUMNS", "LIST_ITEMS", "SITES"]

# listitem-list.md, list-list.md, site-search.md, columndefinition-list.md: Sites.Read.All is the least
# privileged permission, delegated and application.
_SITES_READ = (("Sites.Read.All",), ("Sites.Read.All",))
# Every site the caller can reach: `search=*` works for users and applications alike (a bare GET /sites is
# application-only, site-list.md). Lists and ListColumns fan out over it.
_EVERY_SITE = "/sites?search=*"

# site-search.md: no $filter; only createdDateTime sorts; the search is free text over several properties,
# so SearchTerms chooses rows the way a routing value does. No documented $top: none is sent.
SITES = TableSpec(
    name="Sites",
    permissions=_SITES_READ,
    typical_rows=50,
    description="SharePoint sites the caller can reach (GET /sites?search=*). SearchTerms = 'words' searches "
    "(GET /sites?search=), ParentSiteId lists a site's subsites, GroupId reads a Microsoft 365 group's team "
    "site, FollowedBy = '<user id or UPN>' the sites that user follows (the signed-in user's own only).",
    collection=_EVERY_SITE,
    item="/sites/{id}",
    routes={
        "SearchTerms": "/sites?search={SearchTerms}",
        "ParentSiteId": "/sites/{ParentSiteId}/sites",
        "GroupId": "/groups/{GroupId}/sites/root",
        "FollowedBy": "/users/{FollowedBy}/followedSites",
    },
    max_page=None,
    columns=(
        col("id", read_only=True, not_null=True, desc="Site id (hostname,site collection id,web id)"),
        col("name", read_only=True, desc="Name (the URL segment)"),
        col("displayName", read_only=True, desc="Title"),
        col("description", read_only=True, desc="Description"),
        col("webUrl", read_only=True, desc="Address of the site"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
        col("siteCollection_hostname", read_only=True, desc="Host of the site collection"),
        col("root", "JSON", read_only=True, desc="{} on the tenant's root site, else NULL"),
        col("isPersonalSite", "BOOLEAN", read_only=True, desc="A OneDrive's site"),
        col("sharepointIds_siteId", read_only=True, desc="Site collection id"),
        col("sharepointIds_webId", read_only=True, desc="Web id"),
        col("SearchTerms", kind="param", desc="Search text (GET /sites?search=...)"),
        col("ParentSiteId", kind="param", desc="List the subsites of this site"),
        col("GroupId", kind="param", desc="Read this Microsoft 365 group's team site"),
        col("FollowedBy", kind="param", desc="List the sites this user (the signed-in one) follows"),
    ),
)

# drive-list.md: $select, $top and $skipToken; no $filter. Every row carries its site, so an unconstrained
# scan (every reachable site's libraries) holds every row a SiteId-constrained one does, whichever side of
# a join SQLite reads first.
DRIVES = TableSpec(
    name="Drives",
    permissions=(("Files.Read.All", "Sites.Read.All"), ("Files.Read.All", "Sites.Read.All")),
    typical_rows=3,
    parent_table="Sites",
    description="Document libraries of SharePoint sites (GET /sites/{id}/drives). Give SiteId, or the table "
    "searches every site first. GroupId = x lists a Microsoft 365 group's libraries, UserId = x a user's "
    "OneDrive (SiteId NULL on those rows; your own: UserId = your UPN). Read a drive's files with SELECT * "
    "FROM Files WHERE DriveId = x.",
    collection="/sites/{SiteId}/drives",
    parent_key="SiteId",
    fanout_collection=_EVERY_SITE,
    # drives that belong to no site the scan lists: their rows have SiteId NULL
    routes={"GroupId": "/groups/{GroupId}/drives", "UserId": "/users/{UserId}/drives"},
    max_page=None,
    columns=(
        col("SiteId", kind="param", desc="The site (NULL on the rows GroupId or UserId read)"),
        col("id", read_only=True, not_null=True, desc="Drive id (the key; Files.DriveId)"),
        col("name", read_only=True, desc="Name (the library's title)"),
        col("description", read_only=True, desc="Description"),
        col("driveType", read_only=True, desc="documentLibrary, or business for a OneDrive"),
        col("webUrl", read_only=True, desc="Address of the library"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
        col("owner_user_displayName", read_only=True, desc="Owner (a user's OneDrive)"),
        col("owner_group_displayName", read_only=True, desc="Owner (a library)"),
        col("quota_total", "INTEGER", read_only=True, desc="Bytes allowed"),
        col("quota_used", "INTEGER", read_only=True, desc="Bytes used"),
        col("quota_remaining", "INTEGER", read_only=True, desc="Bytes left"),
        col("quota_state", read_only=True, desc="normal, nearing, critical or exceeded"),
        col("sharePointIds_listId", read_only=True, desc="The library's list id (Lists.id)"),
        col("GroupId", kind="param", desc="A Microsoft 365 group's libraries (GET /groups/{id}/drives)"),
        col("UserId", kind="param", desc="A user's drives, their OneDrive (GET /users/{id}/drives)"),
    ),
)

# list-create.md: Sites.Manage.All (delegated); Sites.Manage.All or Sites.ReadWrite.All (application).
LISTS_WRITE: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("Sites.Manage.All",),
    ("Sites.Manage.All", "Sites.ReadWrite.All"),
)

# list-list.md: lists with the `system` facet are returned only when $select names `system`; it always does
# here, so the rows do not depend on the columns a query reads (WHERE system IS NULL hides them).
LISTS = TableSpec(
    name="Lists",
    permissions=_SITES_READ,
    typical_rows=10,
    parent_table="Sites",
    description="Lists and document libraries of SharePoint sites (GET /sites/{id}/lists), system lists "
    "included (system is not NULL). Give SiteId, or the table searches every site first.",
    collection="/sites/{SiteId}/lists",
    key=("SiteId", "id"),
    parent_key="SiteId",
    fanout_collection=_EVERY_SITE,
    max_page=None,
    select_always=("system",),
    writes=frozenset({"INSERT"}),
    insert_required=("SiteId", "displayName"),
    insert_only=("Columns",),
    write_permissions=LISTS_WRITE,
    columns=(
        col("SiteId", kind="param", not_null=True, desc="The site"),
        col("id", read_only=True, not_null=True, desc="List id"),
        col("name", read_only=True, desc="Name (the URL segment)"),
        col("displayName", desc="Title"),
        col("description", desc="Description"),
        col("webUrl", read_only=True, desc="Address of the list"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
        col("list_template", desc="genericList, documentLibrary, ..."),
        col("list_hidden", "BOOLEAN", read_only=True, desc="Hidden from the site's navigation"),
        col("list_contentTypesEnabled", "BOOLEAN", read_only=True, desc="Content types enabled"),
        col("system", "JSON", read_only=True, desc="{} on a list SharePoint keeps for itself, else NULL"),
        col(
            "Columns",
            kind="param",
            hidden=True,
            desc="INSERT only: the new list's columns, a JSON array of column definitions such as "
            '[{"name": "Author", "text": {}}]; reads as NULL',
        ),
    ),
)

# listitem-create.md, listitem-update.md, listitem-delete.md: Sites.ReadWrite.All, delegated and application.
SITES_WRITE: tuple[tuple[str, ...], tuple[str, ...]] = (("Sites.ReadWrite.All",), ("Sites.ReadWrite.All",))

# listitem-list.md: items with $expand=fields (the list's columns, as JSON here). Filtering on fields needs
# an indexed column (or a header accepting a scan); fields are JSON here, so nothing is filtered at Graph.
LIST_ITEMS = TableSpec(
    name="ListItems",
    permissions=_SITES_READ,
    typical_rows=100,
    parent_table="Lists",
    description="Items of SharePoint lists (GET /sites/{id}/lists/{id}/items?$expand=fields), the list's "
    "columns as the JSON object fields (json_extract(fields, '$.Title')). Without ListId the site's lists "
    "are listed first; without SiteId every site's lists, side by side.",
    collection="/sites/{SiteId}/lists/{ListId}/items",
    key=("SiteId", "ListId", "id"),
    parent_key="ListId",
    fanout_collection="/sites/{SiteId}/lists",
    routes={"SiteId": "/sites/{SiteId}/lists/{ListId}/items"},
    max_page=None,
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("SiteId", "ListId", "fields"),
    write_permissions=SITES_WRITE,
    columns=(
        col("SiteId", kind="param", not_null=True, desc="The site"),
        col("ListId", kind="param", not_null=True, desc="The list"),
        col("id", read_only=True, not_null=True, desc="Item id (a number, as text)"),
        col("fields", "JSON", expand="fields", desc="The item's column values (JSON object)"),
        col("webUrl", read_only=True, desc="Address of the item"),
        col("eTag", read_only=True, desc="Entity tag"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
        col("createdBy_user_displayName", read_only=True, desc="Created by"),
        col("lastModifiedBy_user_displayName", read_only=True, desc="Last changed by"),
        col("contentType_name", read_only=True, desc="Content type"),
    ),
)

# columndefinition-list.md (list columns): $select; no $filter.
LIST_COLUMNS = TableSpec(
    name="ListColumns",
    permissions=_SITES_READ,
    typical_rows=20,
    parent_table="Lists",
    description="Columns of SharePoint lists (GET /sites/{id}/lists/{id}/columns): the names "
    "ListItems.fields uses, their types and whether they are indexed. Without ListId the site's lists are "
    "listed first; without SiteId every site's lists, side by side.",
    collection="/sites/{SiteId}/lists/{ListId}/columns",
    key=("SiteId", "ListId", "id"),
    parent_key="ListId",
    fanout_collection="/sites/{SiteId}/lists",
    routes={"SiteId": "/sites/{SiteId}/lists/{ListId}/columns"},
    max_page=None,
    columns=(
        col("SiteId", kind="param", not_null=True, desc="The site"),
        col("ListId", kind="param", not_null=True, desc="The list"),
        col("id", read_only=True, not_null=True, desc="Column id"),
        col("name", read_only=True, desc="Internal name (the key in ListItems.fields)"),
        col("displayName", read_only=True, desc="Title"),
        col("description", read_only=True, desc="Description"),
        col("columnGroup", read_only=True, desc="Group of the column"),
        col("hidden", "BOOLEAN", read_only=True, desc="Hidden"),
        col("indexed", "BOOLEAN", read_only=True, desc="Indexed (Graph filters on it without a scan)"),
        col("readOnly", "BOOLEAN", read_only=True, desc="Read-only"),
        col("required", "BOOLEAN", read_only=True, desc="A value is required"),
        col("enforceUniqueValues", "BOOLEAN", read_only=True, desc="Values must be unique"),
        col("text", "JSON", read_only=True, desc="Text facet (a text column)"),
        col("number", "JSON", read_only=True, desc="Number facet"),
        col("dateTime", "JSON", read_only=True, desc="Date and time facet"),
        col("boolean", "JSON", read_only=True, desc="Yes/no facet"),
        col("choice", "JSON", read_only=True, desc="Choice facet (its choices)"),
        col("personOrGroup", "JSON", read_only=True, desc="Person or group facet"),
        col("lookup", "JSON", read_only=True, desc="Lookup facet"),
    ),
)
