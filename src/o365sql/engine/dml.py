"""INSERT, UPDATE and DELETE on the Graph tables: apsw's xUpdate calls turned into POST, PATCH and DELETE.

Writable tables are declared as rowid virtual tables (SQLite allows no composite PRIMARY KEY on a writable
WITHOUT ROWID virtual table, and GroupMembers/MessageAttachments need one). The rowid SQLite hands to
xUpdate is a number the cursor gave the row it read; it stands for that row's RowIdentity (owner, id, parent
key), so UPDATE and DELETE address exactly the item the WHERE clause chose, in its own mailbox.

Every statement takes effect when it runs (Graph has no transactions). Only the columns an UPDATE sets go
into the PATCH body (SQLite reports the others as unchanged through xColumnNoChange).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ..errors import (
    DataError,
    Error,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    owner_permission_hint,
)
from ..graph import attach_file, path_segment
from ..schema import TableSpec
from ..schema._types import OwnerScope, drive_base
from ._terms import fill
from .convert import SQLValue
from .dml_mailbox import shape_body
from .write_values import build_body, content_bytes

if TYPE_CHECKING:
    from ._context import EngineContext, WriteLog

__all__ = [
    "ROW_SCOPE",
    "RowIdentity",
    "Writer",
    "partial_failure",
]

# the extra-column key under which a row carries the scope path it was read from ("/me", "/users/x", "")
ROW_SCOPE = "\x00scope"


@dataclass(frozen=True)
class RowIdentity:
    """Which Graph item a row read by a cursor is: its owner's scope path and its key values."""

    scope: str
    keys: tuple[tuple[str, str], ...]
    etag: str | None = None  # the item's @odata.etag as read (Planner's PATCH and DELETE send it back)

    def key(self, name: str) -> str:
        """The value of key column `name`."""
        return dict(self.keys)[name]


class Writer:
    """The Graph requests behind xUpdate for one table of one connection."""

    def __init__(self, spec: TableSpec, ctx: EngineContext) -> None:
        self.spec = spec
        self.ctx = ctx

    # -- checks -------------------------------------------------------------------------------------------

    def _accepts(self, statement: str) -> None:
        spec = self.spec
        if statement in spec.writes:
            return
        if not spec.writes:
            raise NotSupportedError(f"{spec.name} is read-only: it accepts no INSERT, UPDATE or DELETE")
        accepted = ", ".join(s for s in ("INSERT", "UPDATE", "DELETE") if s in spec.writes)
        raise NotSupportedError(f"{spec.name} does not accept {statement}; it accepts {accepted}")

    def _permissions(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.spec.write_permissions

    def _scope(self, user: SQLValue) -> str:
        spec = self.spec
        if not spec.per_user:
            return ""
        if user is not None:
            if not isinstance(user, str) or not user.strip():
                raise DataError(f"{spec.name}.UserId takes a user id or userPrincipalName, not {user!r}")
            return "/users/" + path_segment(user.strip())
        if self.ctx.default_user:
            return "/users/" + path_segment(self.ctx.default_user)
        if self.ctx.app_only:
            raise ProgrammingError(
                f"INSERT INTO {spec.name} needs UserId: an app-only connection has no signed-in user; give "
                "UserId in the INSERT or set the UserId connection property"
            )
        return "/me"

    def _owner_writable(self, owner: OwnerScope) -> None:
        """Refuse, before any request, a write Graph takes from no one, or from no app, below this owner."""
        spec = self.spec
        delegated, application = owner.write_permissions or spec.write_permissions
        if not delegated and not application:
            raise NotSupportedError(f"{spec.name}: Graph takes no writes to a {owner.owner}'s {spec.name}")
        if self.ctx.app_only and not application:
            hint = owner_permission_hint(spec.name, owner.owner, (delegated, application), True)
            raise ProgrammingError(f"{spec.name}: {hint}")

    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        idempotent: bool | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        permissions = self._permissions()
        below = self.spec.owner_of(path)
        if below is not None and below[1].write_permissions:
            permissions = below[1].write_permissions
        try:
            response = self.ctx.graph.request(
                method, path, json=body, idempotent=idempotent, permissions=permissions, headers=headers
            )
        except OperationalError as exc:
            raise _unknown_outcome(exc) from None
        except Error as exc:
            # a static OAuthAccessToken may be app-only without the connection knowing: Graph refuses /me
            if path.startswith("/me/") and "/me request is only valid" in exc.message:
                raise ProgrammingError(
                    f"{self.spec.name}: the access token is app-only (no signed-in user), so there is no "
                    "/me; give UserId (the mailbox's id or userPrincipalName) or set the UserId connection "
                    "property"
                ) from None
            raise
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            return {}
        return cast(dict[str, Any], data) if isinstance(data, dict) else {}

    # -- INSERT -------------------------------------------------------------------------------------------

    def insert(self, values: dict[str, SQLValue], log: WriteLog) -> None:
        """POST one new item from the non-NULL column values of an INSERT row."""
        spec = self.spec
        self._accepts("INSERT")
        for name in values:
            column = spec.column(name)
            chooses = (spec.parent_key, *spec.routes, *spec.insert_only, *spec.owners)
            if column.kind == "param" and name not in chooses:
                raise NotSupportedError(
                    f"{spec.name}.{column.name} is a query parameter, not a value to insert"
                )
            if column.read_only:
                raise NotSupportedError(
                    f"{spec.name}.{column.name} is read-only: Graph sets it; leave it out of the INSERT"
                )
        for name in spec.insert_required:
            if values.get(name) is None:
                raise ProgrammingError(
                    f"INSERT INTO {spec.name} needs {name}: Graph requires it to create "
                    f"{'a' if spec.name[0] not in 'AEIOU' else 'an'} {spec.name.rstrip('s')} item"
                )
        given = {k: values.pop(k) for k in spec.owners if k in values}
        given = {k: v for k, v in given.items() if v is not None}
        owner_column = next(iter(given), None)
        if owner_column is not None:
            owner = spec.owners[owner_column]
            others = [n for n in given if n != owner_column]
            for other in ["UserId", *others] if values.get("UserId") is not None else others:
                raise ProgrammingError(
                    f"INSERT INTO {spec.name} writes to one {owner.reads}: give {owner_column} or {other}, "
                    "not both"
                )
            where = given[owner_column]
            if not isinstance(where, str) or not where.strip():
                raise DataError(f"{spec.name}.{owner_column} takes an id (text), not {where!r}")
            self._owner_writable(owner)
            values.pop("UserId", None)
            scope = fill(owner.path, {owner_column: where.strip()})
        else:
            scope = self._scope(values.pop("UserId", None)) if spec.per_user else ""
        routes = {k: v for k, v in values.items() if k in spec.routes or k == spec.parent_key}
        if owner_column is not None:
            for other, why in spec.owners[owner_column].without.items():
                if other in routes:
                    raise ProgrammingError(
                        f"INSERT INTO {spec.name}: {why}; leave {other} out when {owner_column} is given"
                    )
        for name, v in routes.items():
            if not isinstance(v, str) or not v.strip():
                raise DataError(f"{spec.name}.{name} takes an id (text), not {v!r}")
        body_values = {k: v for k, v in values.items() if k not in routes}
        handler = {
            "Events": self._insert_event,
            "Users": self._insert_user,
            "Files": self._insert_folder,
            "GroupMembers": self._insert_member,
            "MessageAttachments": self._insert_attachment,
            "EventAttachments": self._insert_attachment,
        }.get(spec.name, self._insert_generic)
        item = handler(scope, routes, body_values)
        extra: dict[str, SQLValue] = {k: v for k, v in routes.items()}
        if owner_column is not None:
            extra[owner_column] = given[owner_column]
            extra["UserId"] = None
        elif spec.per_user:
            extra["UserId"] = (
                None if scope in ("", "/me") else values.get("UserId") or scope.rsplit("/", 1)[-1]
            )
        log.created.append((spec.name, item, extra))
        log.rows += 1
        log.done.append(str(item.get("id", "")))
        self.ctx.last_insert_id = str(item.get("id", "")) or self.ctx.last_insert_id

    def _collection_for(self, scope: str, routes: dict[str, SQLValue]) -> str:
        spec = self.spec
        template = spec.collection
        values: dict[str, str] = {"scope": scope}
        for name, v in routes.items():
            if name in spec.routes:
                template = spec.routes[name]
            values[name] = str(v)
        return fill(template, values)

    def _insert_generic(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        body = shape_body(self.spec, build_body(self.spec, values))
        return self._request("POST", self._collection_for(scope, routes), body)

    def _insert_event(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        body = build_body(self.spec, values)
        # transactionId makes the create safe to repeat: Graph answers a retry with the event it made first
        body["transactionId"] = str(uuid.uuid4())
        return self._request("POST", self._collection_for(scope, routes), body, idempotent=True)

    def _insert_user(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        body = build_body(self.spec, values)
        profile = body.setdefault("passwordProfile", {})
        profile.setdefault("forceChangePasswordNextSignIn", True)
        return self._request("POST", "/users", body)

    def _insert_folder(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        parent = routes.get("parentReference_id") or routes.get("ParentId")
        body = build_body(self.spec, {k: v for k, v in values.items() if k == "name"})
        extra = set(values) - {"name"}
        if extra:
            raise NotSupportedError(
                f"INSERT INTO Files creates a folder from name and parentReference_id only; "
                f"{', '.join(sorted(extra))} cannot be set (upload file content with EXEC UploadFile)"
            )
        body["folder"] = {}
        body["@microsoft.graph.conflictBehavior"] = "fail"
        where = (
            f"{drive_base(scope)}/items/{path_segment(str(parent))}/children"
            if parent
            else f"{drive_base(scope)}/root/children"
        )
        return self._request("POST", where, body)

    def _insert_member(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        member = values.get("id")
        if not isinstance(member, str) or not member.strip():
            raise DataError(f"GroupMembers.id takes the member's object id (text), not {member!r}")
        group = str(routes["GroupId"])
        ref = {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + member.strip()}
        self._request("POST", f"/groups/{path_segment(group)}/members/$ref", ref)
        return {"id": member.strip()}

    def _insert_attachment(
        self, scope: str, routes: dict[str, SQLValue], values: dict[str, SQLValue]
    ) -> dict[str, Any]:
        spec = self.spec
        data = content_bytes(spec, spec.column("contentBytes"), values.pop("contentBytes"))
        body = build_body(spec, values)
        item = self._collection_for(scope, routes).rsplit("/attachments", 1)[0]
        inline = body.get("isInline")
        try:
            return attach_file(
                self.ctx.graph,
                item,
                str(body["name"]),
                data,
                body.get("contentType"),
                is_inline=inline if isinstance(inline, bool) else None,
                permissions=self._permissions(),
            )
        except OperationalError as exc:
            raise _unknown_outcome(exc) from None

    # -- UPDATE -------------------------------------------------------------------------------------------

    def _item_path(self, who: RowIdentity) -> str:
        assert self.spec.item is not None
        return fill(self.spec.item, {"scope": who.scope, **dict(who.keys)})

    def update(self, who: RowIdentity, changed: dict[str, SQLValue], log: WriteLog) -> None:
        """PATCH the changed columns of one row (a move for parentFolderId on Messages)."""
        spec = self.spec
        self._accepts("UPDATE")
        for name in changed:
            column = spec.column(name)
            if column.read_only:
                raise NotSupportedError(f"{spec.name}.{column.name} is read-only: it cannot be updated")
            if column.kind != "graph" or name in spec.insert_only or name in spec.key:
                raise NotSupportedError(
                    f"{spec.name}.{column.name} chooses where the item lives and is set only by INSERT; "
                    "it cannot be updated"
                )
        if not changed:
            return
        below = spec.owner_of(who.scope)
        if below is not None:
            self._owner_writable(below[1])
        if spec.name == "Messages":
            self._update_message(who, changed, log)
        elif spec.name == "Users":
            self._update_user(who, changed)
        else:
            self._patch(who, changed)
        log.rows += 1
        log.done.append(who.key("id"))

    def _patch(self, who: RowIdentity, changed: dict[str, SQLValue]) -> dict[str, Any]:
        spec = self.spec
        for name in changed:
            column = spec.column(name)
            partner = column.name[: -len("_timeZone")] + "_dateTime"
            # the zone of a dateTimeTimeZone (not a plain time-zone property: MailboxSettings' timeZone)
            dtz_zone = column.name.endswith("_timeZone") and any(c.name == partner for c in spec.columns)
            if dtz_zone and partner not in changed:
                raise ProgrammingError(
                    f"UPDATE {spec.name}: set {partner} together with {column.name} (Graph replaces the "
                    "whole date-time and zone)"
                )
        body = shape_body(spec, build_body(spec, changed))
        return self._request("PATCH", self._item_path(who), body)

    def _update_message(self, who: RowIdentity, changed: dict[str, SQLValue], log: WriteLog) -> None:
        moving = "parentFolderId" in changed
        target = changed.pop("parentFolderId", None)
        if moving and (not isinstance(target, str) or not target.strip()):
            raise DataError(f"Messages.parentFolderId takes a folder id or well-known name, not {target!r}")
        if changed:
            self._patch(who, changed)
        if isinstance(target, str):
            if not target.strip():
                raise DataError(
                    f"Messages.parentFolderId takes a folder id or well-known name, not {target!r}"
                )
            moved = self._request("POST", self._item_path(who) + "/move", {"destinationId": target.strip()})
            new_id = moved.get("id")
            if isinstance(new_id, str):
                log.moved[who.key("id")] = new_id

    def _update_user(self, who: RowIdentity, changed: dict[str, SQLValue]) -> None:
        if "passwordProfile_password" in changed and changed["passwordProfile_password"] is None:
            raise ProgrammingError("UPDATE Users: passwordProfile_password cannot be set to NULL")
        self._patch(who, changed)

    # -- DELETE -------------------------------------------------------------------------------------------

    def delete(self, who: RowIdentity, log: WriteLog) -> None:
        """DELETE one item (GroupMembers: remove the membership reference)."""
        self._accepts("DELETE")
        below = self.spec.owner_of(who.scope)
        if below is not None:
            self._owner_writable(below[1])
        if self.spec.name == "GroupMembers":
            path = f"/groups/{path_segment(who.key('GroupId'))}/members/{path_segment(who.key('id'))}/$ref"
        else:
            path = self._item_path(who)
        self._request("DELETE", path)
        log.rows += 1
        log.done.append(who.key("id"))


UNKNOWN = "may or may not have been applied"


def _unknown_outcome(exc: OperationalError) -> OperationalError:
    """A write that ended without Graph's answer (a broken connection, a 5xx after retries): say so."""
    if UNKNOWN in exc.message or (exc.status is not None and exc.status < 500):
        return exc
    out = type(exc)(
        f"{exc.message}; the outcome is unknown: the write {UNKNOWN}. Check before running it again",
        code=exc.code,
        status=exc.status,
        request_id=exc.request_id,
    )
    return out


def partial_failure(exc: Error, spec: TableSpec, statement: str, log: WriteLog) -> Error:
    """The same error, saying how many rows of the statement were already written (they stay written)."""
    if log.rows == 0 or getattr(exc, "rows_written", None) is not None:
        setattr(exc, "rows_written", log.rows)  # noqa: B010
        return exc
    shown = ", ".join(log.done[:5]) + (", ..." if len(log.done) > 5 else "")
    this_row = (
        "that row's outcome is unknown and the rows after it were not sent"
        if UNKNOWN in exc.message
        else "that row and any after it were not"
    )
    message = (
        f"{exc.message}. {statement} on {spec.name} stopped at row {log.rows + 1}: the {log.rows} row(s) "
        f"before it were written and stay written (Graph has no transactions; ids {shown}); {this_row}"
    )
    out = type(exc)(message, code=exc.code, status=exc.status, request_id=exc.request_id)
    setattr(out, "rows_written", log.rows)  # noqa: B010
    setattr(out, "written_ids", list(log.done))  # noqa: B010
    return out
