"""What /users and /users/{id} add on request: `$expand=manager` and the signInActivity property.

user-list-manager.md: `GET /users?$expand=manager` gives each user's manager (one level: `$levels` only on a
single user, with ConsistencyLevel: eventual); `$select` inside the expansion picks the manager's
properties. aad-advanced-queries.md: $expand is not served in an advanced query. user-list.md: reading
signInActivity needs AuditLog.Read.All (and a Microsoft Entra ID P1/P2 tenant, which the demo tenant is).
"""

from __future__ import annotations

import re
from typing import Any

from . import specs
from .auth import Perm, require_directory
from .envelope import Ctx
from .errors import GraphError
from .query import Finish

__all__ = ["SIGN_IN", "user_extras"]

Item = dict[str, Any]

SIGN_IN = Perm({"AuditLog.Read.All"}, {"AuditLog.Read.All"}, {"AuditLog.Read.All"})
_MANAGER = re.compile(r"^manager(?:\((?P<options>[^()]*)\))?$", re.IGNORECASE)


def _bad(message: str) -> GraphError:
    return GraphError(400, "Request_BadRequest", message)  # [U] the code for a refused expansion


def _manager_select(options: str, single: bool) -> list[str] | None:
    """The properties `manager(...)` selects (None: the default set)."""
    select: list[str] | None = None
    for option in filter(None, (o.strip() for o in options.split(";"))):
        name, _, value = option.partition("=")
        if name.lower() == "$select":
            select = [v.strip() for v in value.split(",") if v.strip()]
        elif name.lower() == "$levels" and single:
            continue  # one level is all the demo directory needs to show; deeper chains are the same rule
        else:
            raise _bad(f"Query option '{name}' is not supported in $expand=manager here.")
    return select


def user_extras(ctx: Ctx, single: bool) -> Finish | None:
    """403 for signInActivity without AuditLog.Read.All; the finish step adding `manager` for $expand."""
    if "signinactivity" in ctx.select_list():
        require_directory(ctx, SIGN_IN)
    expand = next((v for k, v in ctx.params.items() if k.lower() == "$expand"), "")
    if not expand:
        return None
    found = _MANAGER.match(expand.strip())
    if found is None:
        name = expand.split("(")[0]
        raise _bad(f"Could not find a property named '{name}' on type 'microsoft.graph.user'.")
    if ctx.headers.get("consistencylevel", "").lower() == "eventual" and not single:
        raise GraphError(400, "Request_UnsupportedQuery", "$expand is not supported in advanced queries.")
    select = _manager_select(found.group("options") or "", single)
    keep = {n.lower() for n in (select or specs.USER_DEFAULT)}
    managers = ctx.store.directory_extra.managers
    users = ctx.store.users_by_id

    def finish(item: Item, shaped: Item) -> Item:
        boss = users.get(managers.get(str(item.get("id")), ""))
        if boss is None:
            return shaped  # [U] a user without a manager shows no `manager` property
        picked = {k: v for k, v in boss.items() if k.lower() in keep}
        return {**shaped, "manager": {"@odata.type": "#microsoft.graph.user", **picked}}

    return finish
