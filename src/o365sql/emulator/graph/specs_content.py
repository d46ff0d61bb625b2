"""Query rules of group content (conversations, threads, posts), To Do and Planner collections.

Sources: conversation.md / conversationthread.md (hasAttachments supports $filter eq, ne),
group-list-conversations.md ($select and $filter), todotasklist-list-tasks.md and todo-list-lists.md
("some of the OData query parameters"), plannerplan-list-tasks.md / plannerplan-list-buckets.md /
plannergroup-list-plans.md (no optional query parameters: Planner pages nothing and filters nothing).
Where the documentation is silent the emulator accepts what the resource's service demonstrably supports
and marks it [U].
"""

from __future__ import annotations

from typing import Any

from ..odata import ResourceSpec
from .specs import CMP, DT, EQ, TEXT, _rule, _typed

__all__ = [
    "BUCKETS",
    "CONVERSATIONS",
    "PLANNER_TASKS",
    "PLANS",
    "POSTS",
    "THREADS",
    "TODO_LISTS",
    "TODO_TASKS",
]

# Group mailboxes are Exchange mailboxes: Outlook's paging [U: the documented page size is not stated].
_OUTLOOK_PAGING: dict[str, Any] = {
    "default_top": 10,
    "max_top": 1000,
    "top_error": ("ErrorInvalidUrlQuery", "The value of the $top parameter must be between 1 and 1000."),
    "filter_code": "ErrorInvalidUrlQuery",
}

CONVERSATION_DEFAULT = ("id", "topic", "hasAttachments", "lastDeliveredDateTime", "uniqueSenders", "preview")
CONVERSATIONS = ResourceSpec(
    name="conversation",
    properties=_typed({"id": _rule(EQ), "hasAttachments": _rule(EQ)}),
    default_select=CONVERSATION_DEFAULT,
    selectable=frozenset(CONVERSATION_DEFAULT),
    supports_skip=True,
    **_OUTLOOK_PAGING,
)

THREAD_DEFAULT = (
    "id",
    "toRecipients",
    "topic",
    "hasAttachments",
    "lastDeliveredDateTime",
    "uniqueSenders",
    "ccRecipients",
    "preview",
    "isLocked",
)
THREADS = ResourceSpec(
    name="conversationThread",
    properties=_typed({"id": _rule(EQ), "hasAttachments": _rule(EQ)}),
    default_select=THREAD_DEFAULT,
    selectable=frozenset(THREAD_DEFAULT),
    supports_skip=True,
    **_OUTLOOK_PAGING,
)

POST_DEFAULT = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "receivedDateTime",
    "hasAttachments",
    "body",
    "from",
    "sender",
    "conversationThreadId",
    "conversationId",
    "newParticipants",
)
POSTS = ResourceSpec(
    name="post",
    # [U] posts are Outlook items: the emulator takes hasAttachments and the Outlook timestamps.
    properties=_typed(
        {
            "id": _rule(EQ),
            "hasAttachments": _rule(EQ),
            "receivedDateTime": _rule(DT, True),
            "createdDateTime": _rule(DT, True),
            "lastModifiedDateTime": _rule(DT, True),
        }
    ),
    default_select=POST_DEFAULT,
    selectable=frozenset(POST_DEFAULT),
    supports_skip=True,
    **_OUTLOOK_PAGING,
)

TODO_LIST_DEFAULT = ("id", "displayName", "isOwner", "isShared", "wellknownListName")
TODO_LISTS = ResourceSpec(
    name="todoTaskList",
    # [U] the lists page names no property; displayName and wellknownListName filters work in practice.
    properties=_typed(
        {
            "id": _rule(EQ),
            "displayName": _rule(TEXT, True),
            "wellknownListName": _rule(EQ),
            "isOwner": _rule(EQ),
        }
    ),
    default_select=TODO_LIST_DEFAULT,
    selectable=frozenset(TODO_LIST_DEFAULT),
    supports_skip=True,
    **_OUTLOOK_PAGING,
)

TODO_TASK_DEFAULT = (
    "id",
    "importance",
    "isReminderOn",
    "status",
    "title",
    "createdDateTime",
    "lastModifiedDateTime",
    "hasAttachments",
    "categories",
    "body",
    "bodyLastModifiedDateTime",
    "completedDateTime",
    "dueDateTime",
)
TODO_TASKS = ResourceSpec(
    name="todoTask",
    properties=_typed(
        {
            "id": _rule(EQ),
            "title": _rule(TEXT, True),
            "status": _rule(EQ, True),
            "importance": _rule(EQ, True),
            "isReminderOn": _rule(EQ),
            "hasAttachments": _rule(EQ),
            "createdDateTime": _rule(DT, True),
            "lastModifiedDateTime": _rule(DT, True),
            "categories": _rule(frozenset({"any"})),
            "dueDateTime/dateTime": _rule(CMP, True),
        }
    ),
    default_select=TODO_TASK_DEFAULT,
    selectable=frozenset(TODO_TASK_DEFAULT),
    supports_skip=True,
    **_OUTLOOK_PAGING,
)

# Planner: $select only (the list pages document no query parameters; [U] $select is what SDKs send).
_PLANNER: dict[str, Any] = {
    "properties": {},
    "default_top": 10_000,
    "max_top": 0,
    "top_error": ("BadRequest", "The query specified in the URI is not valid."),
    "supports_skip": False,
    "filter_code": "BadRequest",
}
PLAN_DEFAULT = ("id", "title", "owner", "createdDateTime", "createdBy", "container")
PLANS = ResourceSpec(
    name="plannerPlan", default_select=PLAN_DEFAULT, selectable=frozenset(PLAN_DEFAULT), **_PLANNER
)
BUCKET_DEFAULT = ("id", "name", "planId", "orderHint")
BUCKETS = ResourceSpec(
    name="plannerBucket", default_select=BUCKET_DEFAULT, selectable=frozenset(BUCKET_DEFAULT), **_PLANNER
)
PLANNER_TASK_DEFAULT = (
    "id",
    "planId",
    "bucketId",
    "title",
    "orderHint",
    "assigneePriority",
    "percentComplete",
    "startDateTime",
    "createdDateTime",
    "dueDateTime",
    "hasDescription",
    "previewType",
    "completedDateTime",
    "completedBy",
    "referenceCount",
    "checklistItemCount",
    "activeChecklistItemCount",
    "conversationThreadId",
    "priority",
    "createdBy",
    "appliedCategories",
    "assignments",
)
PLANNER_TASKS = ResourceSpec(
    name="plannerTask",
    default_select=PLANNER_TASK_DEFAULT,
    selectable=frozenset(PLANNER_TASK_DEFAULT),
    **_PLANNER,
)
