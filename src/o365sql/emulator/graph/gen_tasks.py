"""The demo tenant's tasks: To Do lists and tasks per user; Planner plans, buckets and tasks per group.

Built on first use (per user, per group) from (seed, id, day), like mailboxes and drives.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from .gen_groups import is_unified
from .gen_mail import THINGS
from .model import DemoBasis
from .util import fmt_s

__all__ = ["Planner", "TodoLists", "build_planner", "build_todo", "planner_id", "todo_id"]

Item = dict[str, Any]

_VERBS = ("Draft", "Review", "Send", "Book", "Update", "Check", "Plan", "Sign off")
_BUCKETS = ("To do", "In progress", "Done")


def todo_id(*parts: object) -> str:
    """A To Do id in Exchange's style (URL-safe base64 of a long binary id)."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return base64.urlsafe_b64encode(b"\x00\x00\x00\x00" + digest + b"\x00\x00").decode()


def planner_id(*parts: object) -> str:
    """A Planner id: 28 URL-safe characters."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:28]


def _etag(*parts: object) -> str:
    digest = hashlib.sha1("/".join(str(p) for p in parts).encode()).digest()
    return 'W/"' + base64.b64encode(b"1-" + digest[:18]).decode() + '"'


def _dtz(moment: dt.datetime) -> Item:
    # To Do's dateTimeTimeZone values carry 7 fractional digits, in UTC unless a Prefer header says otherwise.
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


@dataclass
class TodoLists:
    """One user's To Do: lists and the tasks of each list."""

    lists: list[Item] = field(default_factory=list)
    tasks: dict[str, list[Item]] = field(default_factory=dict)  # list id -> tasks


def build_todo(basis: DemoBasis, user: Item) -> TodoLists:
    """The default "Tasks" list, "Flagged Emails" and one list of the user's own, a few tasks in each."""
    todo = TodoLists()
    rng = random.Random(f"{basis.seed}/todo/{user['id']}")
    specs = (("Tasks", "defaultList"), ("Flagged Emails", "flaggedEmails"), ("Errands", "none"))
    for n, (name, wellknown) in enumerate(specs):
        lid = todo_id(basis.seed, "todolist", user["id"], n)
        todo.lists.append(
            {
                "@odata.etag": _etag(lid),
                "displayName": name,
                "isOwner": True,
                "isShared": False,
                "wellknownListName": wellknown,
                "id": lid,
            }
        )
        tasks: list[Item] = []
        count = 0 if basis.empty else (4, 1, 2)[n]
        for t in range(count):
            tid = todo_id(basis.seed, "todotask", user["id"], n, t)
            created = basis.anchor - dt.timedelta(days=rng.randrange(1, 40), seconds=rng.randrange(86400))
            modified = created + dt.timedelta(hours=rng.randrange(0, 48))
            status = rng.choice(("notStarted", "notStarted", "inProgress", "completed"))
            task: Item = {
                "@odata.etag": _etag(tid),
                "importance": rng.choice(("low", "normal", "normal", "high")),
                "isReminderOn": rng.random() < 0.3,
                "status": status,
                "title": f"{rng.choice(_VERBS)} the {rng.choice(THINGS)}",
                "createdDateTime": fmt_s(created),
                "lastModifiedDateTime": fmt_s(modified),
                "hasAttachments": False,
                "categories": [],
                "id": tid,
                "body": {"content": "", "contentType": "text"},
                "bodyLastModifiedDateTime": fmt_s(created),
            }
            if status == "completed":
                task["completedDateTime"] = _dtz(modified)
            if rng.random() < 0.6:
                task["dueDateTime"] = _dtz(
                    (basis.anchor + dt.timedelta(days=rng.randrange(-5, 20))).replace(tzinfo=None)
                )
            tasks.append(task)
        todo.tasks[lid] = tasks
    return todo


@dataclass
class Planner:
    """One group's Planner content: plans, the buckets and tasks of each plan."""

    plans: list[Item] = field(default_factory=list)
    buckets: dict[str, list[Item]] = field(default_factory=dict)  # plan id -> buckets
    tasks: dict[str, list[Item]] = field(default_factory=dict)  # plan id -> tasks


def build_planner(basis: DemoBasis, group: Item, members: list[Item]) -> Planner:
    """One plan per Microsoft 365 group (none for other groups): three buckets, two or three tasks each."""
    planner = Planner()
    if basis.empty or not is_unified(group) or not members:
        return planner
    gid = group["id"]
    rng = random.Random(f"{basis.seed}/planner/{gid}")
    creator = members[0]
    created = basis.anchor - dt.timedelta(days=rng.randrange(30, 200), seconds=rng.randrange(86400))
    pid = planner_id(basis.seed, "plan", gid)
    planner.plans.append(
        {
            "@odata.etag": _etag(pid),
            "createdDateTime": fmt_s(created),
            "owner": gid,
            "title": f"{group['displayName']} plan",
            "id": pid,
            "createdBy": {"user": {"displayName": None, "id": creator["id"]}},
            "container": {
                "containerId": gid,
                "type": "group",
                "url": f"https://graph.microsoft.com/v1.0/groups/{gid}",
            },
        }
    )
    buckets: list[Item] = []
    tasks: list[Item] = []
    for b, name in enumerate(_BUCKETS):
        bid = planner_id(basis.seed, "bucket", gid, b)
        buckets.append(
            {"@odata.etag": _etag(bid), "name": name, "planId": pid, "orderHint": f"858{b}", "id": bid}
        )
        for t in range(2 + (b == 0)):
            tid = planner_id(basis.seed, "plannertask", gid, b, t)
            start = created + dt.timedelta(days=rng.randrange(1, 30))
            assignee = rng.choice(members)
            done = name == "Done"
            task: Item = {
                "@odata.etag": _etag(tid),
                "planId": pid,
                "bucketId": bid,
                "title": f"{rng.choice(_VERBS)} the {rng.choice(THINGS)}",
                "orderHint": f"8585{b}{t}",
                "assigneePriority": "",
                "percentComplete": 100 if done else (50 if name == "In progress" else 0),
                "startDateTime": fmt_s(start),
                "createdDateTime": fmt_s(start - dt.timedelta(hours=3)),
                "dueDateTime": fmt_s(start + dt.timedelta(days=rng.randrange(3, 20))) if t else None,
                "hasDescription": False,
                "previewType": "automatic",
                "completedDateTime": fmt_s(start + dt.timedelta(days=2)) if done else None,
                "completedBy": {"user": {"displayName": None, "id": assignee["id"]}} if done else None,
                "referenceCount": 0,
                "checklistItemCount": 0,
                "activeChecklistItemCount": 0,
                "conversationThreadId": None,
                "priority": rng.choice((1, 3, 5, 9)),
                "id": tid,
                "createdBy": {"user": {"displayName": None, "id": creator["id"]}},
                "appliedCategories": {},
                "assignments": {
                    assignee["id"]: {
                        "@odata.type": "#microsoft.graph.plannerAssignment",
                        "assignedDateTime": fmt_s(start),
                        "orderHint": '" !',
                        "assignedBy": {"user": {"displayName": None, "id": creator["id"]}},
                    }
                },
            }
            tasks.append(task)
    planner.buckets[pid] = buckets
    planner.tasks[pid] = tasks
    return planner
