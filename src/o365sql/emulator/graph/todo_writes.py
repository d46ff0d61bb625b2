"""To Do writes: task lists and tasks (create 201, update 200, delete 204).

todotasklist-post-lists.md / todotasklist-update.md / todotasklist-delete.md and todotasklist-post-tasks.md /
todotask-update.md / todotask-delete.md: Tasks.ReadWrite (delegated), Tasks.ReadWrite.All (application).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import specs_content
from .auth import Perm, require_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError, unknown_property
from .gen_tasks import TodoLists, todo_id
from .query import entity_result
from .tasks import TODO, get_todo_list
from .util import fmt_s

__all__ = [
    "create_list",
    "create_task",
    "delete_list",
    "delete_task",
    "get_task",
    "update_list",
    "update_task",
]

Item = dict[str, Any]
TODO_WRITE = Perm({"Tasks.ReadWrite"}, set(), {"Tasks.ReadWrite.All"})
_NOT_FOUND = "The specified object was not found in the store."
# todotasklist-post-tasks.md: the properties a client sets, none marked required (the rest are Graph's: id,
# createdDateTime, hasAttachments, ...); recurrence and linkedResources are kept as given.
_TASK_WRITABLE = frozenset(
    {
        "title", "status", "importance", "isReminderOn", "body", "categories", "dueDateTime",
        "reminderDateTime", "startDateTime", "completedDateTime", "recurrence", "linkedResources",
    }
)  # fmt: skip
_STATUS = ("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred")
_IMPORTANCE = ("low", "normal", "high")
_DTZ = frozenset({"dueDateTime", "reminderDateTime", "startDateTime", "completedDateTime"})


def _bad(code: str, message: str) -> GraphError:
    return GraphError(400, code, message)


def _todo(ctx: Ctx, owner: Owner) -> TodoLists:
    require_mailbox(ctx, owner.id, TODO_WRITE)
    return ctx.store.todo(owner.id)


def _list(todo: TodoLists, lid: str) -> Item:
    for found in todo.lists:
        if found["id"] == lid:
            return found
    raise GraphError(404, "ErrorItemNotFound", _NOT_FOUND)


def _display_name(data: Item) -> str:
    for key in data:
        if not key.startswith("@") and key != "displayName":
            raise unknown_property(key, "todoTaskList")
    name = data.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise _bad("invalidRequest", "The displayName of a list cannot be empty.")  # [U] code and wording
    return name


def _created(result: Result) -> Result:
    return dataclasses.replace(result, status=201)


def create_list(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/todo/lists: 201 with the list."""
    todo = _todo(ctx, owner)
    name = _display_name(ctx.json_body())
    lid = todo_id(ctx.store.seed, "todolist", owner.id, "created", len(todo.lists), ctx.state.clock.now())
    todo.lists.append(
        {
            "@odata.etag": f'W/"{lid[-12:]}"',
            "displayName": name,
            "isOwner": True,
            "isShared": False,
            "wellknownListName": "none",
            "id": lid,
        }
    )
    todo.tasks[lid] = []
    return _created(get_todo_list(ctx, owner, {"lid": lid}))


def update_list(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/todo/lists/{id}: 200 with the list (displayName is its only writable property)."""
    todo = _todo(ctx, owner)
    found = _list(todo, g["lid"])
    name = _display_name(ctx.json_body())
    if found["wellknownListName"] != "none":
        # wellknowntasklist.md (beta): "A built-in task list that can't be renamed or deleted" [U: the error]
        raise _bad("invalidRequest", "A well-known list cannot be renamed.")
    found["displayName"] = name
    return get_todo_list(ctx, owner, {"lid": found["id"]})


def delete_list(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/todo/lists/{id}: 204; the well-known lists (defaultList, flaggedEmails) are refused."""
    todo = _todo(ctx, owner)
    found = _list(todo, g["lid"])
    if found["wellknownListName"] != "none":
        # wellknowntasklist.md (beta): "A built-in task list that can't be renamed or deleted" [U: the error]
        raise _bad("invalidRequest", "A well-known list (defaultList, flaggedEmails) cannot be deleted.")
    todo.lists.remove(found)
    del todo.tasks[found["id"]]
    return Result(status=204)


# -- tasks -----------------------------------------------------------------------------------------------
def _task_fields(data: Item) -> Item:
    out: Item = {}
    for key, value in data.items():
        if key.startswith("@"):
            continue
        if key not in _TASK_WRITABLE:
            raise unknown_property(key, "todoTask")
        if key == "title" and not isinstance(value, str):
            raise _bad("RequestBodyRead", "The property 'title' takes a string.")
        if key in ("status", "importance"):
            allowed = _STATUS if key == "status" else _IMPORTANCE
            if value not in allowed:
                raise _bad("RequestBodyRead", f"Requested value '{value}' was not found.")
        if key == "isReminderOn" and not isinstance(value, bool):
            raise _bad("RequestBodyRead", "The property 'isReminderOn' takes a Boolean.")
        if key == "categories" and (
            not isinstance(value, list) or not all(isinstance(c, str) for c in value)
        ):
            raise _bad("RequestBodyRead", "The property 'categories' takes an array of strings.")
        if key == "body" and (not isinstance(value, dict) or set(value) - {"content", "contentType"}):
            raise _bad("RequestBodyRead", "The property 'body' takes an itemBody (content, contentType).")
        if (
            key in _DTZ
            and value is not None
            and (
                not isinstance(value, dict)
                or not isinstance(value.get("dateTime"), str)
                or not isinstance(value.get("timeZone"), str)
            )
        ):
            raise _bad("invalidRequest", f"The property '{key}' needs dateTime and timeZone.")  # [U]
        out[key] = value
    return out


def _task(todo: TodoLists, lid: str, tid: str) -> Item:
    for task in todo.tasks[lid]:
        if task["id"] == tid:
            return task
    raise GraphError(404, "ErrorItemNotFound", _NOT_FOUND)


def _task_result(ctx: Ctx, owner: Owner, lid: str, task: Item, status: int) -> Result:
    context = ctx.meta(f"{owner.base}/todo/lists('{lid}')/tasks/$entity")
    result = entity_result(ctx, task, specs_content.TODO_TASKS, context)
    return dataclasses.replace(result, status=status)


def _apply(task: Item, fields: Item, now: str) -> None:
    for key, value in fields.items():
        if key == "body":
            task["body"] = {**task.get("body", {}), **value}
            task["bodyLastModifiedDateTime"] = now
        elif value is None and key in _DTZ:
            task.pop(key, None)
        else:
            task[key] = value
    # todotask.md: completedDateTime is when the task was finished; To Do stamps it on completion [U]
    if fields.get("status") == "completed" and "completedDateTime" not in task:
        task["completedDateTime"] = {"dateTime": now.rstrip("Z") + ".0000000", "timeZone": "UTC"}
    task["lastModifiedDateTime"] = now


def create_task(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/todo/lists/{id}/tasks: 201 with the task."""
    todo = _todo(ctx, owner)
    found = _list(todo, g["lid"])
    fields = _task_fields(ctx.json_body())
    now = fmt_s(ctx.state.clock.now())
    tasks = todo.tasks[found["id"]]
    tid = todo_id(ctx.store.seed, "todotask", owner.id, found["id"], "created", len(tasks), now)
    task: Item = {
        "@odata.etag": f'W/"{tid[-12:]}"',
        "importance": "normal",
        "isReminderOn": False,
        "status": "notStarted",
        "title": "",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "hasAttachments": False,
        "categories": [],
        "id": tid,
        "body": {"content": "", "contentType": "text"},
        "bodyLastModifiedDateTime": now,
    }
    _apply(task, fields, now)
    tasks.append(task)
    return _task_result(ctx, owner, found["id"], task, 201)


def get_task(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/todo/lists/{id}/tasks/{id} (todotask-get.md): what UPDATE ... WHERE id reads."""
    require_mailbox(ctx, owner.id, TODO)
    todo = ctx.store.todo(owner.id)
    found = _list(todo, g["lid"])
    return _task_result(ctx, owner, found["id"], _task(todo, found["id"], g["tid"]), 200)


def update_task(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/todo/lists/{id}/tasks/{id}: 200 with the task."""
    todo = _todo(ctx, owner)
    found = _list(todo, g["lid"])
    task = _task(todo, found["id"], g["tid"])
    _apply(task, _task_fields(ctx.json_body()), fmt_s(ctx.state.clock.now()))
    return _task_result(ctx, owner, found["id"], task, 200)


def delete_task(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/todo/lists/{id}/tasks/{id}: 204."""
    todo = _todo(ctx, owner)
    found = _list(todo, g["lid"])
    todo.tasks[found["id"]].remove(_task(todo, found["id"], g["tid"]))
    return Result(status=204)
