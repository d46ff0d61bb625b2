"""Task tables: Microsoft To Do (TaskLists, Tasks per user) and Planner (Plans, Buckets, PlannerTasks)."""

from __future__ import annotations

from ._types import TableSpec, col
from .mail import USER_ID

__all__ = ["BUCKETS", "PLANNER_TASKS", "PLANS", "TASKS", "TASK_LISTS"]

# todotasklist-list-tasks.md: Tasks.Read (delegated, one's own lists only), Tasks.Read.All (application).
_TODO = (("Tasks.Read",), ("Tasks.Read.All",))
# todotasklist-post-lists.md, todotasklist-post-tasks.md: Tasks.ReadWrite, Tasks.ReadWrite.All (application).
_TODO_WRITE = (("Tasks.ReadWrite",), ("Tasks.ReadWrite.All",))
# plannerplan-list-tasks.md: Tasks.Read or Group.Read.All (delegated), Tasks.Read.All (application).
_PLANNER = (("Tasks.Read", "Group.Read.All"), ("Tasks.Read.All",))
# planner-post-tasks.md, plannertask-update.md: Tasks.ReadWrite or Group.ReadWrite.All (delegated),
# Tasks.ReadWrite.All (application); the same for plans and buckets.
_PLANNER_WRITE = (("Tasks.ReadWrite", "Group.ReadWrite.All"), ("Tasks.ReadWrite.All",))
_ALL = frozenset({"INSERT", "UPDATE", "DELETE"})

TASK_LISTS = TableSpec(
    name="TaskLists",
    permissions=_TODO,
    typical_rows=5,
    description="Microsoft To Do lists of a user (GET /me/todo/lists).",
    collection="{scope}/todo/lists",
    item="{scope}/todo/lists/{id}",
    per_user=True,
    max_page=1000,
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("displayName",),
    write_permissions=_TODO_WRITE,
    columns=(
        col("id", read_only=True, not_null=True, desc="List id (the key)"),
        col("displayName", ops="eq", desc="Name"),
        col("wellknownListName", ops="eq", read_only=True, desc="defaultList, flaggedEmails or none"),
        col("isOwner", "BOOLEAN", ops="bool", read_only=True, desc="The user owns the list"),
        col("isShared", "BOOLEAN", read_only=True, desc="Shared with others"),
        USER_ID,
    ),
)

TASKS = TableSpec(
    name="Tasks",
    permissions=_TODO,
    typical_rows=20,
    parent_table="TaskLists",
    description="Microsoft To Do tasks (GET /me/todo/lists/{id}/tasks). Give TaskListId, or the table lists "
    "every list of the user first.",
    collection="{scope}/todo/lists/{TaskListId}/tasks",
    item="{scope}/todo/lists/{TaskListId}/tasks/{id}",
    key=("TaskListId", "id"),
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("TaskListId",),  # todotasklist-post-tasks.md marks no property required
    insert_only=("TaskListId",),  # the list the task is created in; a task cannot move between lists
    write_permissions=_TODO_WRITE,
    per_user=True,
    parent_key="TaskListId",
    fanout_collection="{scope}/todo/lists",
    max_page=1000,
    supports_skip=True,
    columns=(
        col("TaskListId", kind="param", not_null=True, desc="The list the task is in"),
        col("id", read_only=True, not_null=True, desc="Task id"),
        col("title", ops="eq", desc="Title"),
        col("status", ops="eq", desc="notStarted, inProgress, completed, waitingOnOthers or deferred"),
        col("importance", ops="eq", desc="low, normal or high"),
        col("isReminderOn", "BOOLEAN", ops="bool", desc="Reminder set"),
        col("body_content", desc="Notes"),
        col("body_contentType", desc="text or html"),
        col("categories", "JSON", desc="Categories (JSON)"),
        col("dueDateTime_dateTime", "DATETIME", dtz=True, desc="Due (UTC)"),
        col("completedDateTime_dateTime", "DATETIME", dtz=True, read_only=True, desc="Completed (UTC)"),
        col(
            "createdDateTime",
            "DATETIME",
            ops="range",
            read_only=True,
            not_null=True,
            desc="Created",
        ),
        col(
            "lastModifiedDateTime",
            "DATETIME",
            ops="range",
            read_only=True,
            not_null=True,
            desc="Last change",
        ),
        col("hasAttachments", "BOOLEAN", read_only=True, desc="Has attachments"),
        USER_ID,
    ),
)

# Planner takes no $filter, $orderby or $top on these lists: only the parent key chooses rows.
PLANS = TableSpec(
    name="Plans",
    permissions=_PLANNER,
    typical_rows=2,
    parent_table="Groups",
    description="Planner plans of Microsoft 365 groups (GET /groups/{id}/planner/plans). Give GroupId, or "
    "the table lists every group first.",
    collection="/groups/{GroupId}/planner/plans",
    key=("GroupId", "id"),
    parent_key="GroupId",
    fanout_collection="/groups",
    max_page=None,
    writes=_ALL,
    insert_required=("GroupId", "title"),
    write_permissions=_PLANNER_WRITE,
    columns=(
        col("GroupId", kind="param", not_null=True, desc="The group that owns the plan"),
        col("id", read_only=True, not_null=True, desc="Plan id"),
        col("title", desc="Title"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("createdBy_user_id", read_only=True, desc="Created by (user id)"),
        col("container_containerId", read_only=True, desc="Id of the container (the group)"),
        col("container_type", read_only=True, desc="Container type (group)"),
        col("container_url", read_only=True, desc="Container's Graph URL"),
    ),
)

BUCKETS = TableSpec(
    name="Buckets",
    permissions=_PLANNER,
    typical_rows=5,
    parent_table="Plans",
    description="Buckets of Planner plans (GET /planner/plans/{id}/buckets). Give PlanId (or join from "
    "Plans); without it the signed-in user's plans are listed first.",
    collection="/planner/plans/{PlanId}/buckets",
    key=("PlanId", "id"),
    parent_key="PlanId",
    fanout_collection="/me/planner/plans",
    max_page=None,
    writes=_ALL,
    insert_required=("PlanId", "name"),
    write_permissions=_PLANNER_WRITE,
    columns=(
        col("PlanId", kind="param", not_null=True, desc="The plan"),
        col("id", read_only=True, not_null=True, desc="Bucket id"),
        col("name", desc="Name"),
        col("orderHint", desc="Sort hint"),
    ),
)

PLANNER_TASKS = TableSpec(
    name="PlannerTasks",
    permissions=_PLANNER,
    typical_rows=30,
    parent_table="Plans",
    description="Tasks of Planner plans (GET /planner/plans/{id}/tasks). Give PlanId (or join from Plans); "
    "without it the signed-in user's plans are listed first.",
    collection="/planner/plans/{PlanId}/tasks",
    key=("PlanId", "id"),
    parent_key="PlanId",
    fanout_collection="/me/planner/plans",
    max_page=None,
    writes=_ALL,
    insert_required=("PlanId", "title"),
    write_permissions=_PLANNER_WRITE,
    columns=(
        col("PlanId", kind="param", not_null=True, desc="The plan"),
        col("id", read_only=True, not_null=True, desc="Task id"),
        col("bucketId", desc="The bucket"),
        col("title", desc="Title"),
        col("percentComplete", "INTEGER", desc="0, 50 (in progress) or 100"),
        col("priority", "INTEGER", desc="0-10: 1 urgent, 3 important, 5 medium, 9 low"),
        col("startDateTime", "DATETIME", desc="Start"),
        col("dueDateTime", "DATETIME", desc="Due"),
        col("completedDateTime", "DATETIME", read_only=True, desc="Completed"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("createdBy_user_id", read_only=True, desc="Created by (user id)"),
        col(
            "assignments",
            "JSON",
            desc="Assignees: user id -> assignment (JSON); a write also takes a JSON array of user ids",
        ),
        col("appliedCategories", "JSON", desc="Labels (JSON)"),
        col("orderHint", desc="Sort hint"),
        col("hasDescription", "BOOLEAN", read_only=True, desc="Has a description"),
        col("checklistItemCount", "INTEGER", read_only=True, desc="Checklist items"),
        col("referenceCount", "INTEGER", read_only=True, desc="References"),
        col("conversationThreadId", read_only=True, desc="Thread of the task's conversation"),
    ),
)
