"""To Do routes (/me/todo/lists and their tasks); Planner routes (plans, buckets, tasks)."""

from __future__ import annotations

from typing import Any

from . import specs_content
from .auth import Perm, require_any, require_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .gen_tasks import Planner, TodoLists
from .query import entity_result, list_result

__all__ = [
    "PLANNER",
    "TODO",
    "get_plan",
    "get_todo_list",
    "group_plans",
    "list_todo_lists",
    "my_planner_tasks",
    "my_plans",
    "plan_buckets",
    "plan_tasks",
    "todo_tasks",
]

Item = dict[str, Any]

# todotasklist-list-tasks.md: Tasks.Read delegated (own data only), Tasks.Read.All application.
TODO = Perm({"Tasks.Read", "Tasks.ReadWrite"}, set(), {"Tasks.Read.All", "Tasks.ReadWrite.All"})
# plannerplan-list-tasks.md: Tasks.Read, or Group.Read.All; application Tasks.Read.All.
PLANNER = Perm(
    {"Tasks.Read", "Tasks.ReadWrite", "Group.Read.All", "Group.ReadWrite.All"},
    set(),
    {"Tasks.Read.All", "Tasks.ReadWrite.All"},
)
_NOT_FOUND = "The requested item is not found."


# -- To Do ---------------------------------------------------------------------------------------------------
def _todo(ctx: Ctx, owner: Owner) -> TodoLists:
    require_mailbox(ctx, owner.id, TODO)
    return ctx.store.todo(owner.id)


def _todo_list(todo: TodoLists, lid: str) -> Item:
    for found in todo.lists:
        if found["id"] == lid:
            return found
    raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def list_todo_lists(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/todo/lists."""
    todo = _todo(ctx, owner)
    return list_result(ctx, todo.lists, specs_content.TODO_LISTS, ctx.meta(f"{owner.base}/todo/lists"))


def get_todo_list(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/todo/lists/{id}."""
    todo = _todo(ctx, owner)
    found = _todo_list(todo, g["lid"])
    return entity_result(ctx, found, specs_content.TODO_LISTS, ctx.meta(f"{owner.base}/todo/lists/$entity"))


def todo_tasks(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/todo/lists/{id}/tasks."""
    todo = _todo(ctx, owner)
    found = _todo_list(todo, g["lid"])
    context = ctx.meta(f"{owner.base}/todo/lists('{found['id']}')/tasks")
    return list_result(ctx, todo.tasks[found["id"]], specs_content.TODO_TASKS, context)


# -- Planner -------------------------------------------------------------------------------------------------
def _planners(ctx: Ctx, user_id: str | None = None) -> list[Planner]:
    """Planner content of every group (of the user's groups when user_id is given)."""
    store = ctx.store
    return [
        store.planner(group["id"])
        for group in store.groups
        if user_id is None or user_id in store.members.get(group["id"], [])
    ]


def _plan(ctx: Ctx, pid: str) -> tuple[Planner, Item]:
    require_any(ctx, PLANNER, "Forbidden")
    for planner in _planners(ctx):
        for plan in planner.plans:
            if plan["id"] == pid:
                return planner, plan
    raise GraphError(404, "NotFound", _NOT_FOUND)


def group_plans(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/planner/plans."""
    require_any(ctx, PLANNER, "Forbidden")
    group = ctx.store.groups_by_id.get(g["gid"].lower())
    if group is None:
        raise GraphError(404, "NotFound", _NOT_FOUND)
    plans = ctx.store.planner(group["id"]).plans
    return list_result(ctx, plans, specs_content.PLANS, ctx.meta("Collection(microsoft.graph.plannerPlan)"))


def my_plans(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/planner/plans: the plans of the user's groups."""
    require_any(ctx, PLANNER, "Forbidden")
    plans = [p for planner in _planners(ctx, owner.id) for p in planner.plans]
    return list_result(ctx, plans, specs_content.PLANS, ctx.meta("Collection(microsoft.graph.plannerPlan)"))


def my_planner_tasks(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/planner/tasks: the tasks assigned to the user."""
    require_any(ctx, PLANNER, "Forbidden")
    tasks = [
        t
        for planner in _planners(ctx)
        for plan_tasks_ in planner.tasks.values()
        for t in plan_tasks_
        if owner.id in t["assignments"]
    ]
    context = ctx.meta("Collection(microsoft.graph.plannerTask)")
    return list_result(ctx, tasks, specs_content.PLANNER_TASKS, context)


def get_plan(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /planner/plans/{id}."""
    _planner, plan = _plan(ctx, g["pid"])
    return entity_result(ctx, plan, specs_content.PLANS, ctx.meta("planner/plans/$entity"))


def plan_buckets(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /planner/plans/{id}/buckets."""
    planner, plan = _plan(ctx, g["pid"])
    context = ctx.meta(f"planner/plans('{plan['id']}')/buckets")
    return list_result(ctx, planner.buckets[plan["id"]], specs_content.BUCKETS, context)


def plan_tasks(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /planner/plans/{id}/tasks."""
    planner, plan = _plan(ctx, g["pid"])
    context = ctx.meta(f"planner/plans('{plan['id']}')/tasks")
    return list_result(ctx, planner.tasks[plan["id"]], specs_content.PLANNER_TASKS, context)
