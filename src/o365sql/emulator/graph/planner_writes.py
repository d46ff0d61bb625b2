"""Planner writes: create, update and delete plans, buckets and tasks, with Planner's etag rule.

planner-post-plans.md, planner-post-buckets.md, planner-post-tasks.md: POST answers 201 with the item.
plannertask-update.md, plannerplan-update.md, plannerbucket-update.md: PATCH needs `If-Match` with the
item's last known etag and answers 204 (200 with the item under `Prefer: return=representation`);
plannertask-delete.md and the other deletes: DELETE needs `If-Match` too and answers 204. An etag that is no
longer current answers 412 Precondition Failed. Every write gives the item a new etag.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Iterator
from typing import Any

from . import specs_content
from .auth import Perm, require_any
from .envelope import Ctx, Result
from .errors import GraphError
from .gen_groups import is_unified
from .gen_tasks import Planner, planner_id
from .query import entity_result
from .tasks import PLANNER
from .util import fmt_s

__all__ = [
    "PLANNER_WRITE",
    "create_bucket",
    "create_plan",
    "create_task",
    "delete_bucket",
    "delete_plan",
    "delete_task",
    "get_bucket",
    "get_task",
    "update_bucket",
    "update_plan",
    "update_task",
]

Item = dict[str, Any]

# planner-post-tasks.md, plannertask-update.md: Tasks.ReadWrite or Group.ReadWrite.All (delegated),
# Tasks.ReadWrite.All (application).
PLANNER_WRITE = Perm({"Tasks.ReadWrite", "Group.ReadWrite.All"}, set(), {"Tasks.ReadWrite.All"})
_NOT_FOUND = "The requested item is not found."
_PLAN_WRITABLE = frozenset({"title"})
_BUCKET_WRITABLE = frozenset({"name", "orderHint"})
_TASK_WRITABLE = frozenset(
    {
        "title",
        "bucketId",
        "percentComplete",
        "priority",
        "startDateTime",
        "dueDateTime",
        "assignments",
        "appliedCategories",
        "orderHint",
        "assigneePriority",
    }
)


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _planners(ctx: Ctx) -> Iterator[tuple[str, Planner]]:
    store = ctx.store
    for group in store.groups:
        yield group["id"], store.planner(group["id"])


def _find_plan(ctx: Ctx, pid: str) -> tuple[Planner, Item]:
    for _gid, planner in _planners(ctx):
        for plan in planner.plans:
            if plan["id"] == pid:
                return planner, plan
    raise GraphError(404, "NotFound", _NOT_FOUND)


def _find_in(ctx: Ctx, kind: str, item_id: str) -> tuple[list[Item], Item]:
    """The list holding a bucket or task (kind "buckets"/"tasks") and the item itself, or 404."""
    for _gid, planner in _planners(ctx):
        for items in getattr(planner, kind).values():
            for item in items:
                if item["id"] == item_id:
                    return items, item
    raise GraphError(404, "NotFound", _NOT_FOUND)


def _new_etag(item: Item) -> None:
    """A fresh etag after a write (opaque, as Planner's are)."""
    digest = hashlib.sha1(f"{item['id']}/{item.get('@odata.etag')}".encode()).digest()
    item["@odata.etag"] = 'W/"' + base64.b64encode(b"2-" + digest[:18]).decode() + '"'


def _check_etag(ctx: Ctx, item: Item) -> None:
    """plannertask-update.md: If-Match is required; a stale one answers 412."""
    sent = ctx.headers.get("if-match")
    if not sent:
        # [U] the wording of Planner's answer to a missing If-Match
        raise _bad("The If-Match header must be specified for this kind of request.")
    if sent.strip() != item.get("@odata.etag"):
        # [U] Planner's 412 body; the status is documented
        raise GraphError(412, "PreconditionFailed", "The If-Match header contains an invalid value.")


def _updated(ctx: Ctx, item: Item, spec: Any, context: str) -> Result:
    """204, or 200 with the item when the client asked for `Prefer: return=representation`."""
    if ctx.prefer.get("return") == "representation":
        ctx.applied.append("return=representation")
        return entity_result(ctx, item, spec, ctx.meta(context))
    return Result(status=204)


def _check_keys(data: Item, writable: frozenset[str], kind: str) -> None:
    for key in data:
        if not key.startswith("@") and key not in writable:
            raise _bad(f"The property '{key}' cannot be set on a {kind} here.")  # [U] wording


def _text(data: Item, key: str, required: bool = False) -> None:
    value = data.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"The value of '{key}' must be a non-empty string.")  # [U] wording


def _creator(ctx: Ctx) -> Item:
    assert ctx.grant is not None
    return {"user": {"displayName": None, "id": ctx.grant.user_id}}


def _created(ctx: Ctx, item: Item, spec: Any, context: str) -> Result:
    return dataclasses.replace(entity_result(ctx, item, spec, ctx.meta(context)), status=201)


def _fresh_id(ctx: Ctx, kind: str) -> str:
    return planner_id(ctx.store.seed, kind, "new", ctx.request_id)


# -- plans -----------------------------------------------------------------------------------------------
def _container_group(ctx: Ctx, data: Item) -> Item:
    """planner-post-plans.md: the container (url of a group) owns the plan; `owner` is the older form."""
    container = data.get("container")
    gid: object = data.get("owner")
    if isinstance(container, dict):
        url = container.get("url")
        gid = url.rstrip("/").rsplit("/", 1)[-1] if isinstance(url, str) else container.get("containerId")
    if not isinstance(gid, str) or not gid:
        raise _bad("The plan's container (the url of the group that owns it) is required.")
    group = ctx.store.groups_by_id.get(gid.lower())
    if group is None:
        raise GraphError(404, "NotFound", _NOT_FOUND)
    if not is_unified(group):
        raise _bad("Plans can only be created in Microsoft 365 groups.")  # [U] wording
    return group


def create_plan(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /planner/plans: 201 with the plan."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    data = ctx.json_body()
    _check_keys(data, frozenset({"title", "container", "owner"}), "plan")
    _text(data, "title", required=True)
    group = _container_group(ctx, data)
    gid = group["id"]
    plan: Item = {
        "@odata.etag": None,
        "createdDateTime": fmt_s(ctx.state.clock.now()),
        "owner": gid,
        "title": data["title"],
        "id": _fresh_id(ctx, "plan"),
        "createdBy": _creator(ctx),
        "container": {
            "containerId": gid,
            "type": "group",
            "url": f"https://graph.microsoft.com/v1.0/groups/{gid}",
        },
    }
    _new_etag(plan)
    planner = ctx.store.planner(gid)
    with ctx.store.lock:
        planner.plans.append(plan)
        planner.buckets[plan["id"]] = []
        planner.tasks[plan["id"]] = []
    return _created(ctx, plan, specs_content.PLANS, "planner/plans/$entity")


def update_plan(ctx: Ctx, g: dict[str, str]) -> Result:
    """PATCH /planner/plans/{id}: title only."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    _planner, plan = _find_plan(ctx, g["pid"])
    data = ctx.json_body()
    _check_keys(data, _PLAN_WRITABLE, "plan")
    _text(data, "title")
    with ctx.store.lock:
        _check_etag(ctx, plan)
        plan.update({k: v for k, v in data.items() if not k.startswith("@")})
        _new_etag(plan)
    return _updated(ctx, plan, specs_content.PLANS, "planner/plans/$entity")


def delete_plan(ctx: Ctx, g: dict[str, str]) -> Result:
    """DELETE /planner/plans/{id}: the plan with its buckets and tasks."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    planner, plan = _find_plan(ctx, g["pid"])
    with ctx.store.lock:
        _check_etag(ctx, plan)
        planner.plans.remove(plan)
        planner.buckets.pop(plan["id"], None)
        planner.tasks.pop(plan["id"], None)
    return Result(status=204)


# -- buckets ---------------------------------------------------------------------------------------------
def get_bucket(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /planner/buckets/{id}."""
    require_any(ctx, PLANNER, "Forbidden")
    _items, bucket = _find_in(ctx, "buckets", g["bid"])
    return entity_result(ctx, bucket, specs_content.BUCKETS, ctx.meta("planner/buckets/$entity"))


def create_bucket(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /planner/buckets: name and planId required."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    data = ctx.json_body()
    _check_keys(data, _BUCKET_WRITABLE | {"planId"}, "bucket")
    _text(data, "name", required=True)
    _text(data, "planId", required=True)
    planner, plan = _find_plan(ctx, data["planId"])
    bucket: Item = {
        "@odata.etag": None,
        "name": data["name"],
        "planId": plan["id"],
        "orderHint": data.get("orderHint") or f"8585{len(planner.buckets[plan['id']])}",
        "id": _fresh_id(ctx, "bucket"),
    }
    _new_etag(bucket)
    with ctx.store.lock:
        planner.buckets[plan["id"]].append(bucket)
    return _created(ctx, bucket, specs_content.BUCKETS, "planner/buckets/$entity")


def update_bucket(ctx: Ctx, g: dict[str, str]) -> Result:
    """PATCH /planner/buckets/{id}: name, orderHint."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    _items, bucket = _find_in(ctx, "buckets", g["bid"])
    data = ctx.json_body()
    _check_keys(data, _BUCKET_WRITABLE, "bucket")
    _text(data, "name")
    with ctx.store.lock:
        _check_etag(ctx, bucket)
        bucket.update({k: v for k, v in data.items() if not k.startswith("@")})
        _new_etag(bucket)
    return _updated(ctx, bucket, specs_content.BUCKETS, "planner/buckets/$entity")


def delete_bucket(ctx: Ctx, g: dict[str, str]) -> Result:
    """DELETE /planner/buckets/{id}: the bucket and [U] the tasks in it."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    items, bucket = _find_in(ctx, "buckets", g["bid"])
    planner, _plan = _find_plan(ctx, bucket["planId"])
    with ctx.store.lock:
        _check_etag(ctx, bucket)
        items.remove(bucket)
        tasks = planner.tasks.get(bucket["planId"], [])
        tasks[:] = [t for t in tasks if t.get("bucketId") != bucket["id"]]
    return Result(status=204)


# -- tasks -----------------------------------------------------------------------------------------------
def _check_task_values(ctx: Ctx, data: Item, plan_id: str, planner: Planner) -> None:
    _text(data, "title", required="title" in data)
    for key, low, high in (("percentComplete", 0, 100), ("priority", 0, 10)):
        value = data.get(key)
        if key in data and (type(value) is not int or not low <= value <= high):
            # plannertask.md: percentComplete 0-100, priority 0-10 [U] wording
            raise _bad(f"The value of '{key}' must be an integer from {low} to {high}.")
    bucket = data.get("bucketId")
    if bucket is not None and not any(b["id"] == bucket for b in planner.buckets.get(plan_id, [])):
        raise _bad(f"The bucket '{bucket}' is not in the plan of the task.")  # [U] wording
    assignments = data.get("assignments")
    if "assignments" in data and not isinstance(assignments, dict):
        raise _bad("The value of 'assignments' must be an object keyed by user id.")
    for user_id, value in (assignments or {}).items():
        if user_id not in ctx.store.users_by_id:
            raise _bad(f"The assignee '{user_id}' is not a user of the tenant.")  # [U] wording
        if value is not None and (
            not isinstance(value, dict) or value.get("@odata.type") != "#microsoft.graph.plannerAssignment"
        ):
            # plannerassignments.md: each value is a plannerAssignment with its @odata.type and orderHint
            raise _bad("Each assignment must be a microsoft.graph.plannerAssignment (or null to remove).")


def _assign(ctx: Ctx, task: Item, assignments: Item) -> None:
    """plannerassignments.md: an open type; null removes an assignee, an object adds one."""
    now = fmt_s(ctx.state.clock.now())
    current = dict(task.get("assignments") or {})
    for user_id, value in assignments.items():
        if value is None:
            current.pop(user_id, None)
        else:
            current[user_id] = {**value, "assignedDateTime": now, "assignedBy": _creator(ctx)}
    task["assignments"] = current


def get_task(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /planner/tasks/{id}."""
    require_any(ctx, PLANNER, "Forbidden")
    _items, task = _find_in(ctx, "tasks", g["tid"])
    return entity_result(ctx, task, specs_content.PLANNER_TASKS, ctx.meta("planner/tasks/$entity"))


def create_task(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /planner/tasks: planId and title required (planner-post-tasks.md)."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    data = ctx.json_body()
    _check_keys(data, _TASK_WRITABLE | {"planId"}, "task")
    _text(data, "planId", required=True)
    _text(data, "title", required=True)
    planner, plan = _find_plan(ctx, data["planId"])
    _check_task_values(ctx, data, plan["id"], planner)
    now = fmt_s(ctx.state.clock.now())
    percent = data.get("percentComplete", 0)
    task: Item = {
        "@odata.etag": None,
        "planId": plan["id"],
        "bucketId": None,
        "title": data["title"],
        "orderHint": "8585",
        "assigneePriority": "",
        "percentComplete": 0,
        "startDateTime": None,
        "createdDateTime": now,
        "dueDateTime": None,
        "hasDescription": False,
        "previewType": "automatic",
        "completedDateTime": now if percent == 100 else None,
        "completedBy": _creator(ctx) if percent == 100 else None,
        "referenceCount": 0,
        "checklistItemCount": 0,
        "activeChecklistItemCount": 0,
        "conversationThreadId": None,
        "priority": 5,
        "id": _fresh_id(ctx, "plannertask"),
        "createdBy": _creator(ctx),
        "appliedCategories": {},
        "assignments": {},
    }
    task.update({k: v for k, v in data.items() if k != "assignments" and not k.startswith("@")})
    _assign(ctx, task, data.get("assignments") or {})
    _new_etag(task)
    with ctx.store.lock:
        planner.tasks[plan["id"]].append(task)
    return _created(ctx, task, specs_content.PLANNER_TASKS, "planner/tasks/$entity")


def update_task(ctx: Ctx, g: dict[str, str]) -> Result:
    """PATCH /planner/tasks/{id} (plannertask-update.md)."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    _items, task = _find_in(ctx, "tasks", g["tid"])
    planner, _plan = _find_plan(ctx, task["planId"])
    data = ctx.json_body()
    _check_keys(data, _TASK_WRITABLE, "task")
    _check_task_values(ctx, data, task["planId"], planner)
    with ctx.store.lock:
        _check_etag(ctx, task)
        task.update({k: v for k, v in data.items() if k != "assignments" and not k.startswith("@")})
        if "assignments" in data:
            _assign(ctx, task, data["assignments"])
        if data.get("percentComplete") == 100 and not task.get("completedDateTime"):
            task["completedDateTime"] = fmt_s(ctx.state.clock.now())
        elif "percentComplete" in data and data["percentComplete"] != 100:
            task["completedDateTime"] = None
        _new_etag(task)
    return _updated(ctx, task, specs_content.PLANNER_TASKS, "planner/tasks/$entity")


def delete_task(ctx: Ctx, g: dict[str, str]) -> Result:
    """DELETE /planner/tasks/{id}."""
    require_any(ctx, PLANNER_WRITE, "Forbidden")
    items, task = _find_in(ctx, "tasks", g["tid"])
    with ctx.store.lock:
        _check_etag(ctx, task)
        items.remove(task)
    return Result(status=204)
