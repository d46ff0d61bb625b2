"""Directory writes: create/update/delete users and groups, add and remove group members ($ref).

Graph's documented answers: POST /users and POST /groups give 201 with the object; PATCH and DELETE give 204;
POST /groups/{id}/members/$ref and DELETE .../members/{id}/$ref give 204 (user-create.md, user-update.md,
group-post-groups.md, group-post-members.md, group-delete-members.md).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

from . import specs
from .auth import GROUPS_WRITE, MEMBERS_WRITE, USERS_WRITE, require_directory
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .query import entity_result
from .util import fmt_s

__all__: list[str] = []

Item = dict[str, Any]

_USER_REQUIRED = ("accountEnabled", "displayName", "mailNickname", "passwordProfile", "userPrincipalName")
_GROUP_REQUIRED = ("displayName", "mailEnabled", "mailNickname", "securityEnabled")
_USER_WRITABLE = frozenset(
    {
        *_USER_REQUIRED,
        "givenName",
        "surname",
        "jobTitle",
        "department",
        "companyName",
        "officeLocation",
        "city",
        "country",
        "usageLocation",
        "preferredLanguage",
        "mobilePhone",
        "businessPhones",
        "userType",
        "employeeId",
        "mail",
    }
)
_GROUP_WRITABLE = frozenset({*_GROUP_REQUIRED, "description", "groupTypes", "visibility", "classification"})
_UPN = re.compile(r"^[^@\s]+@[^@\s]+$")
_REF = re.compile(r"/(?:directoryObjects|users|groups)/([^/?#]+)$", re.IGNORECASE)


def _bad(message: str) -> GraphError:
    return GraphError(400, "Request_BadRequest", message)


def _not_found(key: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.",
    )


def _check_properties(data: Item, writable: frozenset[str], kind: str) -> None:
    for key in data:
        if key.startswith("@"):
            continue
        if key not in writable:
            raise _bad(f"Property '{key}' is read-only or does not exist on type '{kind}'.")  # [U] wording


def _require(data: Item, required: tuple[str, ...], resource: str) -> None:
    for key in required:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            # user-create.md: these properties are required; Graph names the first one missing
            raise _bad(f"Invalid value specified for property '{key}' of resource '{resource}'.")


def _check_user_values(ctx: Ctx, data: Item, user_id: str | None) -> None:
    if "passwordProfile" in data:
        profile = data["passwordProfile"]
        password = profile.get("password") if isinstance(profile, dict) else None
        if not isinstance(password, str) or len(password) < 8:
            raise _bad("The specified password does not comply with password complexity requirements.")
    upn = data.get("userPrincipalName")
    if upn is not None:
        if not isinstance(upn, str) or not _UPN.match(upn):
            raise _bad("Invalid value specified for property 'userPrincipalName' of resource 'User'.")
        tenant = ctx.state.directory.tenant
        domains = {tenant.domain.lower(), *(d.lower() for d in tenant.domains)}
        if upn.split("@", 1)[1].lower() not in domains:
            raise _bad(
                "The domain portion of the userPrincipalName property is invalid. You must use one of the "
                "verified domain names in your organization."
            )
        for other in ctx.store.users:
            if other["id"] != user_id and other["userPrincipalName"].lower() == upn.lower():
                raise _bad(
                    "Another object with the same value for property userPrincipalName already exists."
                )
    if "accountEnabled" in data and not isinstance(data["accountEnabled"], bool):
        raise _bad("Invalid value specified for property 'accountEnabled' of resource 'User'.")


def create_user(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /users: 201 with the user."""
    require_directory(ctx, USERS_WRITE)
    data = ctx.json_body()
    _check_properties(data, _USER_WRITABLE, "microsoft.graph.user")
    _require(data, _USER_REQUIRED, "User")
    _check_user_values(ctx, data, None)
    store = ctx.store
    with store.lock:
        uid = str(uuid.uuid4())
        user: Item = {k: None for k in specs.USER_SELECTABLE}
        user.update(
            {
                "id": uid,
                "businessPhones": [],
                "createdDateTime": fmt_s(ctx.state.clock.now()),
                "imAddresses": [],
                "otherMails": [],
                "proxyAddresses": [],
                "userType": "Member",
            }
        )
        user.update({k: v for k, v in data.items() if k != "passwordProfile" and not k.startswith("@")})
        user["passwordProfile"] = None  # never returned
        store.users.append(user)
        if store.basis.users is not store.users:
            store.basis.users.append(user)  # the generators seed a mailbox from the user's position there
        store.users_by_id[uid] = user
    return _created(entity_result(ctx, user, specs.USER_ENTITY, ctx.meta("users/$entity")))


def update_user(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /users/{id}: 204."""
    require_directory(ctx, USERS_WRITE)
    user = owner.user
    data = ctx.json_body()
    _check_properties(data, _USER_WRITABLE, "microsoft.graph.user")
    for key in ("displayName", "mailNickname", "userPrincipalName", "accountEnabled"):
        if key in data and data[key] is None:
            raise _bad(f"Invalid value specified for property '{key}' of resource 'User'.")
    _check_user_values(ctx, data, user["id"])
    with ctx.store.lock:
        user.update({k: v for k, v in data.items() if k != "passwordProfile" and not k.startswith("@")})
    return Result(status=204)


def delete_user(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /users/{id}: 204 (the user leaves every group too)."""
    require_directory(ctx, USERS_WRITE)
    store = ctx.store
    user = owner.user
    with store.lock:
        # a new list: the generators' list keeps the user, so later users' generated content stays the same
        store.users = [u for u in store.users if u["id"] != user["id"]]
        del store.users_by_id[user["id"]]
        for table in (store.members, store.owners):
            for ids in table.values():
                if user["id"] in ids:
                    ids.remove(user["id"])
    return Result(status=204)


def _group(ctx: Ctx, gid: str) -> Item:
    group = ctx.store.groups_by_id.get(gid.lower())
    if group is None:
        raise _not_found(gid)
    return group


def _check_group_values(data: Item) -> None:
    for key in ("mailEnabled", "securityEnabled"):
        if key in data and not isinstance(data[key], bool):
            raise _bad(f"Invalid value specified for property '{key}' of resource 'Group'.")
    types = data.get("groupTypes")
    if types is not None and (
        not isinstance(types, list) or any(t not in ("Unified", "DynamicMembership") for t in types)
    ):
        raise _bad("Invalid value specified for property 'groupTypes' of resource 'Group'.")
    nick = data.get("mailNickname")
    if nick is not None and (not isinstance(nick, str) or not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", nick)):
        raise _bad("Invalid value specified for property 'mailNickname' of resource 'Group'.")


def create_group(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /groups: 201 with the group (a Microsoft 365 group gets a mail address)."""
    require_directory(ctx, GROUPS_WRITE)
    data = ctx.json_body()
    _check_properties(data, _GROUP_WRITABLE, "microsoft.graph.group")
    _require(data, _GROUP_REQUIRED, "Group")
    _check_group_values(data)
    store = ctx.store
    with store.lock:
        gid = str(uuid.uuid4())
        now = fmt_s(ctx.state.clock.now())
        domain = ctx.state.directory.tenant.domain
        mail = f"{data['mailNickname']}@{domain}" if data["mailEnabled"] else None
        group: Item = {k: None for k in specs.GROUP_DEFAULT}
        group.update(
            {
                "id": gid,
                "createdDateTime": now,
                "renewedDateTime": now,
                "creationOptions": [],
                "groupTypes": [],
                "proxyAddresses": [f"SMTP:{mail}"] if mail else [],
                "resourceBehaviorOptions": [],
                "resourceProvisioningOptions": [],
                "onPremisesProvisioningErrors": [],
                "mail": mail,
            }
        )
        group.update({k: v for k, v in data.items() if not k.startswith("@")})
        store.groups.append(group)
        store.groups_by_id[gid] = group
        store.members[gid] = []
        store.owners[gid] = []
    return _created(entity_result(ctx, group, specs.GROUPS, ctx.meta("groups/$entity")))


def update_group(ctx: Ctx, g: dict[str, str]) -> Result:
    """PATCH /groups/{id}: 204."""
    require_directory(ctx, GROUPS_WRITE)
    group = _group(ctx, g["gid"])
    data = ctx.json_body()
    _check_properties(data, _GROUP_WRITABLE, "microsoft.graph.group")
    _check_group_values(data)
    with ctx.store.lock:
        group.update({k: v for k, v in data.items() if not k.startswith("@")})
    return Result(status=204)


def delete_group(ctx: Ctx, g: dict[str, str]) -> Result:
    """DELETE /groups/{id}: 204."""
    require_directory(ctx, GROUPS_WRITE)
    store = ctx.store
    group = _group(ctx, g["gid"])
    with store.lock:
        store.groups.remove(group)
        del store.groups_by_id[group["id"]]
        store.members.pop(group["id"], None)
        store.owners.pop(group["id"], None)
    return Result(status=204)


def add_member(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /groups/{id}/members/$ref {"@odata.id": ".../directoryObjects/{id}"}: 204."""
    require_directory(ctx, MEMBERS_WRITE)
    group = _group(ctx, g["gid"])
    data = ctx.json_body()
    ref = data.get("@odata.id")
    match = _REF.search(ref) if isinstance(ref, str) else None
    if match is None:
        raise _bad("Invalid URL format specified in @odata.bind for members")  # [U] wording
    member = ctx.store.find_user(match.group(1))
    if member is None:
        raise _not_found(match.group(1))
    with ctx.store.lock:
        members = ctx.store.members.setdefault(group["id"], [])
        if member["id"] in members:
            raise _bad(
                "One or more added object references already exist for the following modified properties: "
                "'members'."
            )
        members.append(member["id"])
    return Result(status=204)


def remove_member(ctx: Ctx, g: dict[str, str]) -> Result:
    """DELETE /groups/{id}/members/{memberId}/$ref: 204; 404 when it is no member."""
    require_directory(ctx, MEMBERS_WRITE)
    group = _group(ctx, g["gid"])
    with ctx.store.lock:
        members = ctx.store.members.get(group["id"], [])
        if g["mid"] not in members:
            raise _not_found(g["mid"])
        members.remove(g["mid"])
    return Result(status=204)


def _created(result: Result) -> Result:
    return dataclasses.replace(result, status=201)
