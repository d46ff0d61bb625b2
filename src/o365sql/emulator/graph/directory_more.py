"""Directory routes beyond users and groups: subscribedSkus, orgContacts, devices, directoryRoles (and their
members), a user's directReports and manager.

Sources: subscribedsku-list.md (no query parameters but $select), orgcontact-list.md and device-list.md
(aad-advanced-queries.md's operator tables), directoryrole-list.md (no query parameters but $select),
user-list-directreports.md / user-list-manager.md.
"""

from __future__ import annotations

from typing import Any

from ..odata import ResourceSpec
from . import specs
from .auth import USERS, Perm, require_directory
from .envelope import Ctx, Owner, Result
from .errors import directory_not_found
from .query import entity_result, list_result
from .specs import _rule, _typed

__all__ = [
    "CONTACTS",
    "DEVICES",
    "DIRECTORY_ROLES",
    "SKUS",
    "direct_reports",
    "list_devices",
    "list_directory_roles",
    "list_org_contacts",
    "list_skus",
    "manager",
    "role_members",
]

Item = dict[str, Any]
_DIR_ALL = {"Directory.Read.All", "Directory.ReadWrite.All"}
LICENSES = Perm(
    {"LicenseAssignment.Read.All", "Organization.Read.All", *_DIR_ALL},
    set(),
    {"LicenseAssignment.Read.All", "Organization.Read.All", *_DIR_ALL},
)
ORG_CONTACTS = Perm({"OrgContact.Read.All", *_DIR_ALL}, set(), {"OrgContact.Read.All", *_DIR_ALL})
DEVICES_PERM = Perm({"Device.Read.All", *_DIR_ALL}, set(), {"Device.Read.All", *_DIR_ALL})
ROLES = Perm(
    {"RoleManagement.Read.Directory", *_DIR_ALL}, set(), {"RoleManagement.Read.Directory", *_DIR_ALL}
)

_DIR_TEXT = frozenset({"eq", "in", "startswith"})
_DIR_ADV = frozenset({"ne", "not", "endswith"})
_DIRECTORY: dict[str, Any] = {
    "default_top": 100,
    "max_top": 999,
    "top_error": (
        "Request_UnsupportedQuery",
        "Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
    ),
    "supports_skip": False,
    "directory": True,
    "filter_code": "Request_UnsupportedQuery",
}
# Lists that take $select only: every item on one page, $top refused.
_SELECT_ONLY: dict[str, Any] = {
    "properties": {},
    "default_top": 10_000,
    "max_top": 0,
    "top_error": ("Request_UnsupportedQuery", "The query specified in the URI is not valid."),
    "supports_skip": False,
    "directory": True,
    "filter_code": "Request_UnsupportedQuery",
}
_SKU_KEYS = (
    "accountName",
    "accountId",
    "appliesTo",
    "capabilityStatus",
    "consumedUnits",
    "id",
    "prepaidUnits",
    "servicePlans",
    "skuId",
    "skuPartNumber",
    "subscriptionIds",
)
SKUS = ResourceSpec(
    name="subscribedSku", default_select=_SKU_KEYS, selectable=frozenset(_SKU_KEYS), **_SELECT_ONLY
)
_CONTACT_KEYS = (
    "id",
    "companyName",
    "department",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mailNickname",
    "surname",
    "addresses",
    "phones",
    "proxyAddresses",
    "onPremisesSyncEnabled",
    "onPremisesLastSyncDateTime",
)
CONTACTS = ResourceSpec(
    name="orgContact",
    properties=_typed(
        {
            "id": _rule(frozenset({"eq", "in"}), False, frozenset({"ne", "not"})),
            "displayName": _rule(_DIR_TEXT, True, _DIR_ADV),
            "givenName": _rule(_DIR_TEXT, False, _DIR_ADV),
            "surname": _rule(_DIR_TEXT, False, _DIR_ADV),
            "mail": _rule(_DIR_TEXT, False, _DIR_ADV),
            "mailNickname": _rule(_DIR_TEXT, False, _DIR_ADV),
            "jobTitle": _rule(_DIR_TEXT, False, _DIR_ADV),
            "companyName": _rule(_DIR_TEXT, False, _DIR_ADV),
            "proxyAddresses": _rule(
                frozenset({"any", "eq", "startswith"}), False, frozenset({"not", "endswith"})
            ),
        }
    ),
    default_select=_CONTACT_KEYS,
    selectable=frozenset(_CONTACT_KEYS),
    **_DIRECTORY,
)
_DEVICE_KEYS = (
    "id",
    "deletedDateTime",
    "accountEnabled",
    "approximateLastSignInDateTime",
    "deviceId",
    "displayName",
    "isCompliant",
    "isManaged",
    "operatingSystem",
    "operatingSystemVersion",
    "registrationDateTime",
    "trustType",
    "manufacturer",
    "model",
)
DEVICES = ResourceSpec(
    name="device",
    properties=_typed(
        {
            "id": _rule(frozenset({"eq", "in"}), False, frozenset({"ne", "not"})),
            "displayName": _rule(_DIR_TEXT, True, _DIR_ADV),
            "deviceId": _rule(frozenset({"eq"}), False, frozenset({"ne", "not"})),
            "operatingSystem": _rule(_DIR_TEXT, False, _DIR_ADV),
            "operatingSystemVersion": _rule(_DIR_TEXT, False, _DIR_ADV),
            "trustType": _rule(frozenset({"eq", "in"}), False, _DIR_ADV),
            "accountEnabled": _rule(frozenset({"eq"}), False, frozenset({"ne", "not"})),
            "isCompliant": _rule(frozenset({"eq"}), False, frozenset({"ne", "not"})),
            "isManaged": _rule(frozenset({"eq"}), False, frozenset({"ne", "not"})),
            "approximateLastSignInDateTime": _rule(
                frozenset({"ge", "le"}), True, frozenset({"eq", "ne", "not"})
            ),
        }
    ),
    default_select=_DEVICE_KEYS,
    selectable=frozenset(_DEVICE_KEYS),
    **_DIRECTORY,
)
_ROLE_KEYS = ("id", "deletedDateTime", "description", "displayName", "roleTemplateId")
DIRECTORY_ROLES = ResourceSpec(
    name="directoryRole", default_select=_ROLE_KEYS, selectable=frozenset(_ROLE_KEYS), **_SELECT_ONLY
)


def _as(kind: str) -> Any:
    def finish(item: Item, shaped: Item) -> Item:
        return {"@odata.type": f"#microsoft.graph.{kind}", **shaped}

    return finish


def list_skus(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /subscribedSkus."""
    require_directory(ctx, LICENSES)
    return list_result(ctx, ctx.store.directory_extra.skus, SKUS, ctx.meta("subscribedSkus"))


def list_org_contacts(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /contacts: organisational contacts."""
    require_directory(ctx, ORG_CONTACTS)
    return list_result(
        ctx, ctx.store.directory_extra.contacts, CONTACTS, ctx.meta("contacts"), token_paging="directory"
    )


def list_devices(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /devices."""
    require_directory(ctx, DEVICES_PERM)
    return list_result(
        ctx, ctx.store.directory_extra.devices, DEVICES, ctx.meta("devices"), token_paging="directory"
    )


def list_directory_roles(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /directoryRoles: the activated roles."""
    require_directory(ctx, ROLES)
    return list_result(ctx, ctx.store.directory_extra.roles, DIRECTORY_ROLES, ctx.meta("directoryRoles"))


def role_members(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /directoryRoles/{id}/members."""
    require_directory(ctx, ROLES)
    extra = ctx.store.directory_extra
    if g["rid"].lower() not in extra.role_members:
        raise directory_not_found(g["rid"])
    users = [ctx.store.users_by_id[u] for u in extra.role_members[g["rid"].lower()]]
    return list_result(
        ctx, users, specs.MEMBERS, ctx.meta("directoryObjects"), finish=_as("user"), token_paging="directory"
    )


def direct_reports(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /users/{id}/directReports (users here)."""
    require_directory(ctx, USERS)
    managers = ctx.store.directory_extra.managers
    users = [u for u in ctx.store.users if managers.get(u["id"]) == owner.id]
    return list_result(
        ctx, users, specs.MEMBERS, ctx.meta("directoryObjects"), finish=_as("user"), token_paging="directory"
    )


def manager(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /users/{id}/manager: 404 for the one user without a manager."""
    require_directory(ctx, USERS)
    boss = ctx.store.directory_extra.managers.get(owner.id)
    if boss is None:
        raise directory_not_found("manager")
    user = ctx.store.users_by_id[boss]
    return entity_result(
        ctx, user, specs.USER_ENTITY, ctx.meta("directoryObjects/$entity"), finish=_as("user")
    )
