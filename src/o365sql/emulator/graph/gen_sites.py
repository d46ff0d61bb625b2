"""The demo tenant's SharePoint: a root site, one team site per Microsoft 365 group, subsites, document
libraries (drives with folders and files), lists with typed columns and items, and followed sites.

Built once per emulator run from the seed and the directory (users, groups), so ids are stable across runs.
A group's team site is what `/groups/{id}/sites/root` answers; its default library is the group's drive.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from .gen_groups import is_unified
from .model import DemoBasis, Drive
from .util import drive_item_id, fmt_ms, fmt_s, identity_of

__all__ = ["HOST", "SharePoint", "build_sharepoint"]

Item = dict[str, Any]
HOST = "contosodemo.sharepoint.com"

# (folder path) and (file path, size) of every library; libraries differ by seed, not by shape
_LIB_TREE = ("General", "General/2024", "General/2024/Q1", "Templates", "Archive")
_LIB_FILES = (
    ("General/Charter.docx", 18_000),
    ("General/2024/Plan.md", 4_200),
    ("General/2024/Q1/Numbers.csv", 6_100),
    ("Templates/Report template.docx", 12_000),
    ("Archive/Old notes.txt", 1_900),
    ("Readme.txt", 800),
)

# The typed columns of the generic "Projects" list (columnDefinition type facets).
_PROJECT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    # (name, facet, indexed)
    ("Title", "text", False),
    ("Budget", "number", False),
    ("DueDate", "dateTime", False),
    ("Active", "boolean", False),
    ("Status", "choice", True),
    ("Owner", "personOrGroup", False),
)
_STATUSES = ("Not started", "In progress", "Done")
_PROJECTS = ("Falcon", "Orion", "Lynx", "Heron", "Vega", "Atlas", "Nova")


@dataclass
class SharePoint:
    """Every site, library, list, column and list item of the demo tenant (internal maps link them)."""

    sites: dict[str, Item] = field(default_factory=dict)  # by id, root first
    parent: dict[str, str] = field(default_factory=dict)  # subsite id -> parent site id
    group_site: dict[str, str] = field(default_factory=dict)  # group id -> team site id
    libraries: dict[str, Drive] = field(default_factory=dict)  # drive id -> document library
    library_site: dict[str, str] = field(default_factory=dict)  # drive id -> site id
    site_drives: dict[str, list[str]] = field(default_factory=dict)  # site id -> drive ids, default first
    library_owner: dict[str, str] = field(default_factory=dict)  # drive id -> the user who writes it
    lists: dict[str, list[Item]] = field(default_factory=dict)  # site id -> lists
    columns: dict[str, list[Item]] = field(default_factory=dict)  # list id -> columnDefinitions
    items: dict[str, list[Item]] = field(default_factory=dict)  # list id -> listItems
    followed: dict[str, list[str]] = field(default_factory=dict)  # user id -> followed site ids

    def site_of_group(self, group_id: str) -> str | None:
        """The team site of a Microsoft 365 group, if it has one."""
        return self.group_site.get(group_id.lower())


def _guid(*parts: object) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:16]))


def _drive_id(seed: int, site_id: str, name: str) -> str:
    digest = hashlib.sha256(f"{seed}/library/{site_id}/{name}".encode()).digest()
    digest += hashlib.sha256(digest).digest()[:16]
    return "b!" + base64.urlsafe_b64encode(digest).decode()[:64]


def build_sharepoint(
    basis: DemoBasis, groups: list[Item], members: dict[str, list[str]], owners: dict[str, list[str]]
) -> SharePoint:
    """The tenant's sites, built from the seed and the directory."""
    sp = SharePoint()
    rng = random.Random(f"{basis.seed}/sharepoint")
    users = {u["id"]: u for u in basis.users}
    admin = basis.users[0]
    created = basis.anchor - dt.timedelta(days=700)
    collection_root = _guid(basis.seed, "sitecollection", "root")

    def site(
        sid_parts: tuple[str, str], name: str, display: str, url: str, description: str, when: dt.datetime
    ) -> Item:
        sid = f"{HOST},{sid_parts[0]},{sid_parts[1]}"
        item: Item = {
            "id": sid,
            "name": name,
            "displayName": display,
            "description": description,
            "webUrl": url,
            "createdDateTime": fmt_s(when),
            "lastModifiedDateTime": fmt_s(basis.anchor - dt.timedelta(hours=rng.randrange(1, 400))),
            "siteCollection": {"hostname": HOST},
            "isPersonalSite": False,
            "sharepointIds": {"siteId": sid_parts[0], "webId": sid_parts[1], "siteUrl": url},
        }
        sp.sites[sid] = item
        return item

    root = site(
        (collection_root, _guid(basis.seed, "web", "root")),
        "root",
        "Contoso Demo",
        f"https://{HOST}",
        "The organisation's home site.",
        created,
    )
    root["root"] = {}
    root["siteCollection"] = {"hostname": HOST, "root": {}}
    policies = site(
        (collection_root, _guid(basis.seed, "web", "policies")),
        "policies",
        "Policies",
        f"https://{HOST}/policies",
        "Company policies and handbooks.",
        created + dt.timedelta(days=30),
    )
    sp.parent[policies["id"]] = root["id"]
    _library(basis, sp, root["id"], "Documents", admin, rng)
    _library(basis, sp, root["id"], "Brand Assets", admin, rng)
    _library(basis, sp, policies["id"], "Documents", admin, rng)
    _lists(basis, sp, root["id"], [admin], rng)

    for group in groups:
        if not is_unified(group):
            continue
        gmembers = [users[u] for u in members.get(group["id"], []) if u in users]
        gowner = next((users[u] for u in owners.get(group["id"], []) if u in users), admin)
        nick = group["mailNickname"]
        collection = _guid(basis.seed, "sitecollection", group["id"])
        team = site(
            (collection, _guid(basis.seed, "web", group["id"])),
            nick,
            group["displayName"],
            f"https://{HOST}/sites/{nick}",
            group.get("description") or "",
            created + dt.timedelta(days=rng.randrange(40, 300)),
        )
        sp.group_site[group["id"].lower()] = team["id"]
        _library(basis, sp, team["id"], "Documents", gowner, rng)
        _lists(basis, sp, team["id"], gmembers or [gowner], rng)
        if len(sp.group_site) == 1:  # the first team site has a subsite
            sub = site(
                (collection, _guid(basis.seed, "web", group["id"], "archive")),
                "archive",
                "Archive",
                f"https://{HOST}/sites/{nick}/archive",
                "Finished work.",
                created + dt.timedelta(days=320),
            )
            sp.parent[sub["id"]] = team["id"]
            _library(basis, sp, sub["id"], "Documents", gowner, rng)
    # every user follows the root site; the demo user also follows the first two team sites
    teams = list(sp.group_site.values())
    for user in basis.users:
        sp.followed[user["id"]] = [root["id"]]
    sp.followed[basis.directory.demo_user.id] = [root["id"], *teams[:2]]
    return sp


def _library(
    basis: DemoBasis, sp: SharePoint, site_id: str, name: str, who_user: Item, rng: random.Random
) -> None:
    """A document library: a drive of the site with a few folders and files, and its list."""
    site = sp.sites[site_id]
    drive_id = _drive_id(basis.seed, site_id, name)
    slug = "Shared%20Documents" if name == "Documents" else name.replace(" ", "%20")
    who = identity_of(who_user)
    when = basis.anchor - dt.timedelta(days=rng.randrange(100, 600))
    drive_obj: Item = {
        "id": drive_id,
        "name": name,
        "description": "",
        "driveType": "documentLibrary",
        "webUrl": f"{site['webUrl']}/{slug}",
        "createdDateTime": fmt_s(when),
        "lastModifiedDateTime": fmt_s(basis.anchor - dt.timedelta(hours=rng.randrange(1, 200))),
        "createdBy": {"user": {"displayName": "System Account"}},
        "lastModifiedBy": who,
        "owner": {"group": {"displayName": site["displayName"]}},
        "quota": {"deleted": 0, "remaining": 0, "state": "normal", "total": 27_487_790_694_400, "used": 0},
    }
    root_id = drive_item_id(basis.seed, drive_id, "root")
    drv = Drive(drive=drive_obj, root_id=root_id)

    def add(path: str, parent: Item | None, size: int = 0, kind: str | None = None) -> Item:
        moment = basis.anchor - dt.timedelta(days=rng.randrange(1, 300), seconds=rng.randrange(86400))
        stamp = fmt_ms(moment)
        return drv.add_item(
            root_id if parent is None else drive_item_id(basis.seed, drive_id, path),
            path.rsplit("/", 1)[-1],
            parent,
            who=who,
            created=stamp,
            modified=stamp,
            fs_created=fmt_s(moment),
            fs_modified=fmt_s(moment),
            version=rng.randrange(1, 5),
            kind=kind,
            size=size,
        )

    folders = {"": add("root", None)}
    if not basis.empty:
        for path in _LIB_TREE:
            folders[path] = add(path, folders[path.rpartition("/")[0]])
        for path, size in _LIB_FILES:
            add(path, folders[path.rpartition("/")[0]], size, path.rsplit(".", 1)[1])
    used = 0
    for item in drv.items.values():
        used += int(item["size"]) if "file" in item else 0
    drive_obj["quota"] = {**drive_obj["quota"], "used": used, "remaining": 27_487_790_694_400 - used}
    sp.libraries[drive_id] = drv
    sp.library_site[drive_id] = site_id
    sp.library_owner[drive_id] = who_user["id"]
    sp.site_drives.setdefault(site_id, []).append(drive_id)
    list_id = _guid(basis.seed, "list", drive_id)
    drive_obj["sharePointIds"] = {"listId": list_id, "siteId": site["sharepointIds"]["siteId"]}
    sp.lists.setdefault(site_id, []).append(
        _list(site, list_id, name, drive_obj["webUrl"], "documentLibrary", drive_obj["createdDateTime"])
    )
    sp.columns[list_id] = [
        _column(list_id, "Title", "text", False),
        _column(list_id, "Created", "dateTime", False),
    ]
    sp.items[list_id] = []


def _list(
    site: Item, list_id: str, name: str, url: str, template: str, created: str, hidden: bool = False
) -> Item:
    return {
        "id": list_id,
        "name": name.replace(" ", ""),
        "displayName": name,
        "description": "",
        "webUrl": url,
        "createdDateTime": created,
        "lastModifiedDateTime": site["lastModifiedDateTime"],
        "list": {"contentTypesEnabled": False, "hidden": hidden, "template": template},
        "parentReference": {"siteId": site["id"]},
    }


def _column(list_id: str, name: str, facet: str, indexed: bool) -> Item:
    out: Item = {
        "id": _guid("column", list_id, name),
        "name": name,
        "displayName": name,
        "description": "",
        "columnGroup": "Custom Columns" if name not in ("Title", "Created", "Modified") else "Base Columns",
        "enforceUniqueValues": False,
        "hidden": False,
        "indexed": indexed,
        "readOnly": name in ("Created", "Modified"),
        "required": name == "Title",
    }
    out[facet] = {"choices": list(_STATUSES), "displayAs": "dropDownMenu"} if facet == "choice" else {}
    return out


def _lists(basis: DemoBasis, sp: SharePoint, site_id: str, people: list[Item], rng: random.Random) -> None:
    """A genericList "Projects" with typed columns and items, and a hidden system list."""
    site = sp.sites[site_id]
    when = site["createdDateTime"]
    list_id = _guid(basis.seed, "list", site_id, "projects")
    sp.lists.setdefault(site_id, []).append(
        _list(site, list_id, "Projects", f"{site['webUrl']}/Lists/Projects", "genericList", when)
    )
    sp.columns[list_id] = [_column(list_id, n, f, ix) for n, f, ix in _PROJECT_COLUMNS]
    items: list[Item] = []
    count = 0 if basis.empty else (4 + rng.randrange(3)) * basis.scale  # --scale grows the lists
    for n in range(count):
        person = rng.choice(people)
        moment = basis.anchor - dt.timedelta(days=rng.randrange(2, 200), minutes=rng.randrange(1440))
        iid = str(n + 1)
        created, modified = fmt_s(moment), fmt_s(moment + dt.timedelta(days=rng.randrange(0, 20)))
        etag = f'"{_guid(list_id, iid)},{1 + n % 3}"'
        items.append(
            {
                "@odata.etag": etag,
                "id": iid,
                "eTag": etag,
                "createdDateTime": created,
                "lastModifiedDateTime": modified,
                "webUrl": f"{site['webUrl']}/Lists/Projects/DispForm.aspx?ID={iid}",
                "createdBy": identity_of(person),
                "lastModifiedBy": identity_of(person),
                "contentType": {"id": "0x0100" + list_id.replace("-", "").upper()[:16], "name": "Item"},
                "parentReference": {"id": list_id, "siteId": site_id},
                "fields": {
                    "@odata.etag": etag,
                    "id": iid,
                    "Title": f"{_PROJECTS[n % len(_PROJECTS)]} {n + 1}",
                    "Budget": float(rng.randrange(5, 500) * 1000),
                    "DueDate": fmt_s(basis.anchor + dt.timedelta(days=rng.randrange(-60, 180))),
                    "Active": n % 3 != 2,
                    "Status": _STATUSES[n % 3],
                    "OwnerLookupId": str(10 + basis.index_of(person["id"])),
                    "Created": created,
                    "Modified": modified,
                },
            }
        )
    sp.items[list_id] = items
    system_id = _guid(basis.seed, "list", site_id, "userinfo")
    system = _list(
        site,
        system_id,
        "User Information List",
        f"{site['webUrl']}/_catalogs/users",
        "userInformation",
        when,
        True,
    )
    system["system"] = {}
    sp.lists[site_id].append(system)
    sp.columns[system_id] = [_column(system_id, "Title", "text", False)]
    sp.items[system_id] = []
