"""Directory routes: /users, /users/{id}, /me, /users/$count, /groups, /groups/{id}, members and owners."""

from __future__ import annotations

from typing import Any

from ..odata import ODataError, ResourceSpec, prepare_query, run_query
from . import specs
from .auth import GROUPS, MAILBOX_SETTINGS, USERS, require_directory, require_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .mailbox_settings import settings_of
from .query import entity_result, list_result, odata_error
from .user_expand import user_extras

__all__ = [
    "count_groups",
    "count_users",
    "get_group",
    "get_user",
    "group_members",
    "list_groups",
    "list_users",
    "member_of",
]

Item = dict[str, Any]


def _select_suffix(ctx: Ctx) -> str:
    select = next((v for k, v in ctx.params.items() if k.lower() == "$select"), "")
    return f"({select})" if select else ""


def _count(ctx: Ctx, items: list[Item], spec: ResourceSpec) -> Result:
    """GET /users/$count: text/plain, and only with ConsistencyLevel: eventual (aad-advanced-queries.md)."""
    if ctx.headers.get("consistencylevel", "").lower() != "eventual":
        raise GraphError(400, "Request_BadRequest", "$count is not currently supported.")
    params = {
        k: v for k, v in ctx.params.items() if k.startswith("$") and k.lower() in ("$filter", "$search")
    }
    params["$count"] = "true"
    try:
        rows = run_query(items, prepare_query(params, ctx.headers, spec), spec)
    except ODataError as exc:
        raise odata_error(exc) from None
    return Result(body=str(len(rows)), content_type="text/plain;charset=utf-8")


def list_users(ctx: Ctx, groups: dict[str, str]) -> Result:
    """GET /users."""
    require_directory(ctx, USERS)
    return list_result(
        ctx,
        ctx.store.users,
        specs.USERS,
        ctx.meta("users" + _select_suffix(ctx)),
        finish=user_extras(ctx, single=False),
        token_paging="directory",
    )


def count_users(ctx: Ctx, groups: dict[str, str]) -> Result:
    """GET /users/$count."""
    require_directory(ctx, USERS)
    return _count(ctx, ctx.store.users, specs.USERS)


def get_user(ctx: Ctx, owner: Owner, groups: dict[str, str]) -> Result:
    """GET /me and /users/{id|upn}."""
    require_directory(ctx, USERS, self_id=owner.id)
    suffix = _select_suffix(ctx)
    extras = user_extras(ctx, single=True)
    if "mailboxsettings" not in ctx.select_list():
        return entity_result(
            ctx, owner.user, specs.USER_ENTITY, ctx.meta(f"users{suffix}/$entity"), finish=extras
        )
    require_mailbox(ctx, owner.id, MAILBOX_SETTINGS)
    settings = settings_of(ctx, owner)
    user = {**owner.user, "mailboxSettings": settings}
    return entity_result(ctx, user, specs.USER_ENTITY, ctx.meta(f"users{suffix}/$entity"), finish=extras)


def list_groups(ctx: Ctx, groups: dict[str, str]) -> Result:
    """GET /groups."""
    require_directory(ctx, GROUPS)
    return list_result(
        ctx,
        ctx.store.groups,
        specs.GROUPS,
        ctx.meta("groups" + _select_suffix(ctx)),
        token_paging="directory",
    )


def count_groups(ctx: Ctx, groups: dict[str, str]) -> Result:
    """GET /groups/$count."""
    require_directory(ctx, GROUPS)
    return _count(ctx, ctx.store.groups, specs.GROUPS)


def get_group(ctx: Ctx, groups: dict[str, str]) -> Result:
    """GET /groups/{id}."""
    require_directory(ctx, GROUPS)
    group = ctx.store.group(groups["gid"])
    return entity_result(ctx, group, specs.GROUPS, ctx.meta(f"groups{_select_suffix(ctx)}/$entity"))


def _as_user(item: Item, shaped: Item) -> Item:
    return {"@odata.type": "#microsoft.graph.user", **shaped}


def group_members(ctx: Ctx, groups: dict[str, str]) -> Result:
    """GET /groups/{id}/members and /owners: directoryObjects (users here)."""
    require_directory(ctx, GROUPS)
    group = ctx.store.group(groups["gid"])
    table = ctx.store.members if groups["rel"].lower() == "members" else ctx.store.owners
    users = [ctx.store.users_by_id[uid] for uid in table.get(group["id"], [])]
    return list_result(
        ctx, users, specs.MEMBERS, ctx.meta("directoryObjects"), finish=_as_user, token_paging="directory"
    )


def member_of(ctx: Ctx, owner: Owner, groups: dict[str, str]) -> Result:
    """GET /me/memberOf: the groups the user belongs to."""
    require_directory(ctx, USERS, self_id=owner.id)
    found = [g for g in ctx.store.groups if owner.id in ctx.store.members.get(g["id"], [])]

    def as_group(item: Item, shaped: Item) -> Item:
        return {"@odata.type": "#microsoft.graph.group", **shaped}

    return list_result(
        ctx, found, specs.GROUPS, ctx.meta("directoryObjects"), finish=as_group, token_paging="directory"
    )
