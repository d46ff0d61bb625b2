"""Writes to group content: Planner (Plans, Buckets, PlannerTasks) and conversations (Conversations,
Threads, Posts): their request bodies, Planner's etag rule, and the delegated-only conversation writes.

plannertask-update.md (and the plan and bucket pages): PATCH and DELETE need `If-Match` with the item's last
known `@odata.etag`, and Graph answers 412 Precondition Failed when someone changed the item since. The
etag sent is the one of the row the UPDATE or DELETE read (RowIdentity.etag); a 412 becomes a ConflictError
that says so, and nothing is retried over the other change.

group-post-conversations.md, group-post-threads.md: a conversation or thread is created with its first post
(Content, NewParticipants). conversationthread-reply.md: a reply (INSERT INTO Posts) answers 202 with no
body, so no id: the row's id stays NULL in RETURNING and cursor.inserted_ids has no entry for it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import ConflictError, DataError, OperationalError, ProgrammingError
from ..graph import path_segment
from ..schema import TableSpec
from .convert import SQLValue
from .dml import RowIdentity, Writer
from .dml_lists import ListItemWriter, ListWriter
from .write_values import address_list, build_body, recipients

if TYPE_CHECKING:
    from ._context import EngineContext, WriteLog

__all__ = ["ConversationWriter", "PlannerWriter", "writer_for"]

# table -> (collection POSTed to, item path below /planner, what one item is called in messages)
_PLANNER = {
    "Plans": ("/planner/plans", "/planner/plans/{id}", "plan"),
    "Buckets": ("/planner/buckets", "/planner/buckets/{id}", "bucket"),
    "PlannerTasks": ("/planner/tasks", "/planner/tasks/{id}", "task"),
}
# plannerassignments.md: each assignee maps to a plannerAssignment; " !" orders it first
_ASSIGNMENT = {"@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": " !"}


def writer_for(spec: TableSpec, ctx: EngineContext) -> Writer:
    """The Writer for a table: Planner's, conversations' and list items' own, else the generic one."""
    if spec.name in _PLANNER:
        return PlannerWriter(spec, ctx)
    if spec.name in ("Conversations", "Threads", "Posts"):
        return ConversationWriter(spec, ctx)
    if any(c.expand == "fields" for c in spec.columns):
        return ListItemWriter(spec, ctx)  # ListItems and the typed table of one list
    if spec.name == "Lists":
        return ListWriter(spec, ctx)
    return Writer(spec, ctx)


def _assignments(spec: TableSpec, value: Any) -> dict[str, Any]:
    """A JSON array of user ids, or Graph's object (user id -> assignment or null), as Graph's object."""
    where = f"{spec.name}.assignments"
    if isinstance(value, list):
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise DataError(f"{where} takes a JSON array of user ids, not {json.dumps(value)}")
        return {v.strip(): dict(_ASSIGNMENT) for v in value}
    if not isinstance(value, dict):
        raise DataError(
            f"{where} takes a JSON array of user ids (['id1', 'id2']) or an object of user id -> "
            "assignment (null removes an assignee)"
        )
    out: dict[str, Any] = {}
    for user, assignment in value.items():
        if assignment is None:
            out[user] = None
        elif isinstance(assignment, dict):
            out[user] = {**_ASSIGNMENT, **assignment}
        else:
            raise DataError(f"{where}: the assignment of {user!r} must be an object or null")
    return out


class PlannerWriter(Writer):
    """Plans, Buckets, PlannerTasks: Planner's bodies, and If-Match on every PATCH and DELETE."""

    def _body(self, values: dict[str, SQLValue]) -> dict[str, Any]:
        body = build_body(self.spec, values)
        if body.get("assignments") is not None:
            body["assignments"] = _assignments(self.spec, body["assignments"])
        return body

    def _insert_generic(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        spec = self.spec
        body = self._body(values)
        if spec.name == "Plans":
            # planner-post-plans.md: the container is the group (its Graph URL); `owner` is deprecated
            group = str(routes["GroupId"]).strip()
            body["container"] = {"url": f"https://graph.microsoft.com/v1.0/groups/{group}"}
        else:
            body["planId"] = str(routes["PlanId"]).strip()
        return self._request("POST", _PLANNER[spec.name][0], body)

    def _item(self, who: RowIdentity) -> str:
        return _PLANNER[self.spec.name][1].replace("{id}", path_segment(who.key("id")))

    def _if_match(self, who: RowIdentity) -> dict[str, str]:
        if who.etag is None:
            raise OperationalError(
                f"{self.spec.name}: Graph gave the row {who.key('id')} no @odata.etag, which Planner needs "
                "to change it; run the statement again"
            )
        return {"If-Match": who.etag}

    def _conditional(self, method: str, who: RowIdentity, body: Any = None) -> None:
        try:
            self._request(method, self._item(who), body, headers=self._if_match(who))
        except ConflictError as exc:
            if exc.status != 412:
                raise
            kind = _PLANNER[self.spec.name][2]
            raise ConflictError(
                f"{self.spec.name}: the {kind} {who.key('id')} was changed by someone else after this "
                "statement read it (Graph answered 412 Precondition Failed to the etag it read), so it was "
                "not changed; run the statement again to apply it to the current version",
                code=exc.code,
                status=exc.status,
                request_id=exc.request_id,
            ) from None

    def _patch(self, who: RowIdentity, changed: dict[str, SQLValue]) -> dict[str, Any]:
        self._conditional("PATCH", who, self._body(changed))
        return {}

    def delete(self, who: RowIdentity, log: WriteLog) -> None:
        """DELETE one Planner item, sending the etag its row was read with."""
        self._accepts("DELETE")
        self._conditional("DELETE", who)
        log.rows += 1
        log.done.append(who.key("id"))


def _participants(spec: TableSpec, name: str, value: SQLValue) -> list[dict[str, Any]]:
    """Recipients from 'a@x.com; Name <b@y.com>' or a JSON array (addresses or recipient objects)."""
    column = spec.column(name)
    if not isinstance(value, str):
        raise DataError(
            f"{spec.name}.{column.name} takes 'a@x.com; Name <b@y.com>' or a JSON array, not {value!r}"
        )
    if value.lstrip().startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            raise DataError(f"{spec.name}.{column.name}: {value[:60]!r} is not valid JSON") from None
        return recipients(spec, column, parsed)
    return address_list(spec, column, value)


class ConversationWriter(Writer):
    """Conversations, Threads (each with a first post) and Posts (a reply): delegated writes only."""

    def _insert_generic(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        spec = self.spec
        if self.ctx.app_only:
            raise ProgrammingError(
                f"INSERT INTO {spec.name}: Graph takes new conversations, threads and replies only from a "
                "signed-in user (delegated Group.ReadWrite.All; no application permission allows it), and "
                "this connection is app-only; connect with a user's sign-in"
            )
        group = path_segment(str(routes["GroupId"]).strip())
        people_name = "newParticipants" if spec.name == "Posts" else "NewParticipants"
        raw_people = values.pop(people_name, None)
        people = _participants(spec, people_name, raw_people) if raw_people is not None else []
        if spec.name == "Posts":
            body = build_body(spec, values)
            post = {"body": {"contentType": "html", **body.get("body", {})}, "newParticipants": people}
            thread = path_segment(str(routes["ThreadId"]).strip())
            self._request("POST", f"/groups/{group}/threads/{thread}/reply", {"post": post})
            return {}  # 202 Accepted without a body: Graph gives no id for the reply
        content = values.pop("Content")
        if not isinstance(content, str) or not content.strip():
            raise DataError(
                f"{spec.name}.Content takes the first post's body (text or HTML), not {content!r}"
            )
        first = {"body": {"contentType": "html", "content": content}, "newParticipants": people}
        body = build_body(spec, values)
        if spec.name == "Conversations":
            body["threads"] = [{"posts": [first]}]
            return self._request("POST", f"/groups/{group}/conversations", body)
        body["posts"] = [first]
        return self._request("POST", self._collection_for(scope, routes), body)
