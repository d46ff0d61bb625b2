"""SharePoint routes: sites (search, root, by id, subsites, followed, a group's team site), the drives of a
site, group or user, lists, list items and list columns; and the owner of a library's drive routes.

Sources: site-search.md (`GET /sites?search=`: free text over several properties; only createdDateTime
sorts), site-list.md and site-getallsites.md (listing every site is application-only), site-get.md,
site-list-subsites.md, sites-list-followed.md (delegated only), drive-list.md, list-list.md (lists with the
`system` facet are hidden unless `$select` names `system`), listitem-list.md (`$filter` eq, ne, lt, gt, le, ge
and startswith on fields; a field that is not indexed needs `Prefer: HonorNonIndexedQueriesWarningMayFail
Randomly`), columndefinition-list.md. Least privileged permission: Sites.Read.All, delegated and application.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from ..odata import PropertyRule, ResourceSpec
from .auth import FILES, Perm, require_any, require_drive
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .gen_sites import SharePoint
from .query import entity_result, list_result
from .specs import DT, EQ, _rule, _typed
from .store import GraphStore

__all__ = [
    "drive_writer",
    "followed_sites",
    "get_list",
    "get_site",
    "group_drives",
    "group_site",
    "library_owner",
    "list_columns",
    "list_items",
    "list_lists",
    "root_site",
    "search_sites",
    "site_drives",
    "subsites",
    "user_drives",
]

Item = dict[str, Any]
_SITES_READ = {"Sites.Read.All", "Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All"}
SITES = Perm(_SITES_READ, set(), _SITES_READ)
# drive-list.md: a site's or group's libraries need Files.Read.All or Sites.Read.All
LIBRARIES = Perm(set(FILES[0].shared), set(), set(FILES[0].app))

_PAGED: dict[str, Any] = {
    "default_top": 200,  # [U] SharePoint's default page of sites, lists and items
    "max_top": 5000,  # [U]
    "top_error": ("invalidRequest", "Invalid page size specified: '{top}'."),  # [U]
    "supports_skip": False,
    "filter_code": "invalidRequest",
}
SITE_SPEC = ResourceSpec(
    name="site",
    properties=_typed({"createdDateTime": _rule(frozenset(), True)}),  # site-search.md: sorting only
    default_select=None,
    selectable=None,
    **_PAGED,
)
DRIVE_SPEC = ResourceSpec(name="drive", properties={}, default_select=None, selectable=None, **_PAGED)
LIST_SPEC = ResourceSpec(name="list", properties={}, default_select=None, selectable=None, **_PAGED)
COLUMN_SPEC = ResourceSpec(
    name="columnDefinition", properties={}, default_select=None, selectable=None, **_PAGED
)
_FIELD_OPS = DT | frozenset({"startswith"})  # listitem-list.md
_FIELD_REF = re.compile(r"\bfields/(\w+)")
_PREFER_NON_INDEXED = "honornonindexedquerieswarningmayfailrandomly"


def _sp(ctx: Ctx) -> SharePoint:
    require_any(ctx, SITES, "accessDenied")
    return ctx.store.sharepoint


def _reachable(ctx: Ctx, sp: SharePoint) -> list[Item]:
    """The sites the caller can reach: all for an application; for a user, the sites outside any group, and
    the team sites (with their subsites) of public groups and of the groups the user belongs to."""
    assert ctx.grant is not None
    if ctx.grant.app_only:
        return list(sp.sites.values())
    user = ctx.grant.user_id or ""
    allowed: set[str] = set()
    for gid, sid in sp.group_site.items():
        group = ctx.store.groups_by_id.get(gid)
        if group and (group.get("visibility") == "Public" or user in ctx.store.members.get(group["id"], [])):
            allowed.add(sid)
    group_sites = set(sp.group_site.values())

    def top(sid: str) -> str:
        while sid in sp.parent:
            sid = sp.parent[sid]
        return sid

    return [s for s in sp.sites.values() if top(s["id"]) in allowed or top(s["id"]) not in group_sites]


def _site(ctx: Ctx, sp: SharePoint, sid: str) -> Item:
    """A site by id (or `root`) the caller can reach; 404 otherwise. [U] Graph may answer 403 for a
    private group's site to a non-member."""
    key = unquote(sid)
    if key.lower() == "root":
        return next(iter(sp.sites.values()))
    for site in _reachable(ctx, sp):
        if site["id"].lower() == key.lower():
            return site
    raise GraphError(404, "itemNotFound", "Requested site could not be found")


def search_sites(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites?search= (site-search.md); GET /sites without it lists every site, for applications only."""
    sp = _sp(ctx)
    assert ctx.grant is not None
    query = next((v for k, v in ctx.params.items() if k.lower() == "search"), None)
    if query is None:
        if not ctx.grant.app_only:
            # site-list.md: listing every site is not supported for delegated tokens. [U] the answer's code
            raise GraphError(
                400, "invalidRequest", "Listing all sites requires an application token; use ?search=."
            )
        sites = list(sp.sites.values())
    else:
        words = [w for w in query.lower().split() if w != "*"]

        def hit(site: Item) -> bool:
            text = " ".join(str(site.get(k) or "") for k in ("name", "displayName", "description", "webUrl"))
            return all(w in text.lower() for w in words)

        sites = [s for s in _reachable(ctx, sp) if hit(s)]
    return list_result(ctx, sites, SITE_SPEC, ctx.meta("sites"), token_paging="drive")


def root_site(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/root."""
    sp = _sp(ctx)
    return entity_result(ctx, next(iter(sp.sites.values())), SITE_SPEC, ctx.meta("sites/$entity"))


def get_site(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}."""
    sp = _sp(ctx)
    return entity_result(ctx, _site(ctx, sp, g["sid"]), SITE_SPEC, ctx.meta("sites/$entity"))


def subsites(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/sites (site-list-subsites.md)."""
    sp = _sp(ctx)
    parent = _site(ctx, sp, g["sid"])
    children = [sp.sites[s] for s, p in sp.parent.items() if p == parent["id"]]
    return list_result(
        ctx, children, SITE_SPEC, ctx.meta(f"sites('{parent['id']}')/sites"), token_paging="drive"
    )


def group_site(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/sites/root: the group's team site (404 for a group without one)."""
    sp = _sp(ctx)
    group = ctx.store.group(g["gid"])
    sid = sp.site_of_group(group["id"])
    if sid is None:
        raise GraphError(404, "itemNotFound", "Requested site could not be found")  # [U]
    return entity_result(ctx, _site(ctx, sp, sid), SITE_SPEC, ctx.meta("sites/$entity"))


def followed_sites(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/followedSites (sites-list-followed.md: delegated only)."""
    sp = _sp(ctx)
    assert ctx.grant is not None
    if ctx.grant.app_only:
        raise GraphError(
            403, "accessDenied", "Followed sites are not supported for application tokens."
        )  # [U]
    if owner.id != ctx.grant.user_id:
        raise GraphError(403, "accessDenied", "Access denied")  # [U] another user's followed sites
    sites = [sp.sites[s] for s in sp.followed.get(owner.id, [])]
    return list_result(ctx, sites, SITE_SPEC, ctx.meta(f"{owner.base}/followedSites"), token_paging="drive")


def _drives_of(ctx: Ctx, sp: SharePoint, site_id: str, context: str) -> Result:
    require_any(ctx, LIBRARIES, "accessDenied")
    drives = [sp.libraries[d].drive for d in sp.site_drives.get(site_id, [])]
    return list_result(ctx, drives, DRIVE_SPEC, ctx.meta(context), token_paging="drive")


def site_drives(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/drives: the site's document libraries."""
    sp = ctx.store.sharepoint
    require_any(ctx, LIBRARIES, "accessDenied")
    site = _site(ctx, sp, g["sid"])
    return _drives_of(ctx, sp, site["id"], f"sites('{site['id']}')/drives")


def group_drives(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/drives: the libraries of the group's team site."""
    sp = ctx.store.sharepoint
    require_any(ctx, LIBRARIES, "accessDenied")
    group = ctx.store.group(g["gid"])
    sid = sp.site_of_group(group["id"])
    if sid is None:
        raise GraphError(404, "itemNotFound", "The resource could not be found.")  # [U]
    return _drives_of(ctx, sp, _site(ctx, sp, sid)["id"], f"groups('{group['id']}')/drives")


def user_drives(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/drives, /users/{id}/drives: the user's OneDrive."""
    require_drive(ctx, owner.id, FILES[0])
    drv = ctx.store.drive(owner.id)
    return list_result(ctx, [drv.drive], DRIVE_SPEC, ctx.meta(f"{owner.base}/drives"), token_paging="drive")


def list_lists(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/lists: lists with the `system` facet only when $select names `system`."""
    sp = _sp(ctx)
    site = _site(ctx, sp, g["sid"])
    lists = sp.lists.get(site["id"], [])
    if "system" not in ctx.select_list():
        lists = [x for x in lists if "system" not in x]
    return list_result(ctx, lists, LIST_SPEC, ctx.meta(f"sites('{site['id']}')/lists"), token_paging="drive")


def _list(ctx: Ctx, sp: SharePoint, g: dict[str, str]) -> tuple[Item, Item]:
    site = _site(ctx, sp, g["sid"])
    key = unquote(g["lid"]).lower()
    for lst in sp.lists.get(site["id"], []):
        if lst["id"].lower() == key or lst["displayName"].lower() == key:
            return site, lst
    raise GraphError(404, "itemNotFound", "List not found")  # [U] the message


def get_list(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/lists/{list-id or title}."""
    sp = _sp(ctx)
    site, lst = _list(ctx, sp, g)
    return entity_result(ctx, lst, LIST_SPEC, ctx.meta(f"sites('{site['id']}')/lists/$entity"))


def list_columns(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/lists/{id}/columns."""
    sp = _sp(ctx)
    site, lst = _list(ctx, sp, g)
    context = ctx.meta(f"sites('{site['id']}')/lists('{lst['id']}')/columns")
    return list_result(ctx, sp.columns.get(lst["id"], []), COLUMN_SPEC, context, token_paging="drive")


def _field_rule(column: Item) -> PropertyRule:
    """A field's filter rule, typed by its column's facet ([U] date fields compare as ISO text)."""
    edm = "Edm.Double" if "number" in column else "Edm.Boolean" if "boolean" in column else "Edm.String"
    return PropertyRule(_FIELD_OPS, True, edm=edm)


def list_items(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /sites/{id}/lists/{id}/items[?$expand=fields]: $filter on fields/X (indexed, or with the Prefer
    header that accepts a scan of a non-indexed one)."""
    sp = _sp(ctx)
    site, lst = _list(ctx, sp, g)
    columns = sp.columns.get(lst["id"], [])
    raw_filter = next((v for k, v in ctx.params.items() if k.lower() == "$filter"), "")
    prefer = ctx.headers.get("prefer", "").lower()
    indexed = {c["name"].lower() for c in columns if c.get("indexed")}
    for name in _FIELD_REF.findall(raw_filter):
        if name.lower() not in indexed and _PREFER_NON_INDEXED not in prefer:
            raise GraphError(
                400,
                "invalidRequest",
                f"Field '{name}' cannot be referenced in filter or orderby as it is not indexed. Provide the "
                "'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this, but be warned "
                "that such queries may fail on large lists.",
            )
    spec = ResourceSpec(
        name="listItem",
        properties={f"fields/{c['name']}": _field_rule(c) for c in columns} | _typed({"id": _rule(EQ)}),
        default_select=None,
        selectable=None,
        **_PAGED,
    )
    expand = next((v for k, v in ctx.params.items() if k.lower() == "$expand"), "")
    items = sp.items.get(lst["id"], [])
    if "fields" not in expand.lower():
        items = [{k: v for k, v in it.items() if k != "fields"} for it in items]
    context = ctx.meta(f"sites('{site['id']}')/lists('{lst['id']}')/items")

    def expanded(item: Item, shaped: Item) -> Item:
        # an expanded navigation property comes back whatever $select names ($select=id&$expand=fields)
        return {**shaped, "fields": item["fields"]} if "fields" in item else shaped

    return list_result(ctx, items, spec, context, finish=expanded, token_paging="drive", strip=("$expand",))


def drive_writer(store: GraphStore, key: str) -> Owner:
    """The Owner writing drive `key`: a user id, or a library's drive id (written as its site's owner)."""
    if key in store.users_by_id:
        return Owner(user=store.users_by_id[key], key=key, via_me=False)
    writer = store.users_by_id[store.sharepoint.library_owner[key]]
    return Owner(user=writer, key=writer["id"], via_me=False, library=key)


# -- the libraries behind /sites/{id}/drive and /groups/{id}/drive -----------------------------------------
_SITE_DRIVE = re.compile(r"^sites/([^/]+)/drive(?:/(.*))?$", re.IGNORECASE)
_GROUP_DRIVE = re.compile(r"^groups/([^/$][^/]*)/drive(?:/(.*))?$", re.IGNORECASE)


def library_owner(ctx: Ctx, path: str) -> tuple[Owner, str] | None:
    """(the Owner serving a library, the rest as an owner route `drive/...`) for a site's or group's default
    library; None when the path is not one."""
    site = _SITE_DRIVE.match(path)
    group = _GROUP_DRIVE.match(path) if site is None else None
    if site is None and group is None:
        return None
    sp = ctx.store.sharepoint
    if site is not None:
        found = _site(ctx, sp, site.group(1))
        rest = site.group(2)
        sid: str | None = found["id"]
    else:
        assert group is not None
        sid = sp.site_of_group(ctx.store.group(unquote(group.group(1)))["id"])
        rest = group.group(2)
        if sid is None:
            raise GraphError(404, "itemNotFound", "The resource could not be found.")  # [U]
        sid = _site(ctx, sp, sid)["id"]  # a private group's site only for its members
    assert sid is not None
    drive_id = sp.site_drives[sid][0]
    return drive_writer(ctx.store, drive_id), "drive" + ("/" + rest if rest else "")
