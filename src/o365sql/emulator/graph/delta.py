"""Delta queries: messages per folder, calendarView, contacts, users and groups, the drive.

A round snapshots the collection (id -> version); the deltaLink names that snapshot, and the next round
reports what differs: new or changed items in full, and removal markers for those gone (Outlook and directory:
`@removed`; drive: the `deleted` facet). Query options live in the tokens, which are opaque and server-side;
an unknown or expired token (older than the `delta_token_ttl` fault setting, or expired through
`POST /_emulator/delta/expire`) gets 410 Gone with a Location to start over (delta-query-overview.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..odata import ODataError, ResourceSpec, prepare_query
from . import specs
from .auth import CALENDARS, CONTACTS, GROUPS, MAIL, USERS, open_drive, open_mailbox, require_directory
from .contacts import contact_finish
from .drive_items import drive_finish
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError
from .event_views import event_finish, time_window
from .message_items import message_finish
from .query import Finish, odata_error, projector
from .recurrence import expand
from .util import parse_time

__all__ = [
    "contact_delta",
    "drive_delta",
    "event_delta",
    "expire_all",
    "groups_delta",
    "message_delta",
    "users_delta",
]

Item = dict[str, Any]
_FILTER = re.compile(r"^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$", re.IGNORECASE)
_ID_FILTER = re.compile(r"^\s*id\s+eq\s+'([^']+)'\s*((?:or\s+id\s+eq\s+'[^']+'\s*)*)$", re.IGNORECASE)
OUTLOOK_PAGE = 10  # [U] the default page of Outlook delta; Prefer: odata.maxpagesize sets it
DIRECTORY_PAGE = 100  # [U]
DRIVE_PAGE = 200  # [U]


@dataclass
class _Round:
    """One round being paged: the entries still to send and the snapshot token it ends with."""

    entries: list[Item]
    delta_token: str
    page: int
    options: dict[str, str]
    created: float  # on the emulator's clock, for delta_token_ttl


@dataclass
class _Snapshot:
    owner: str
    scope: str
    versions: dict[str, str]
    options: dict[str, str]  # $select, $filter, window...: query options live in the token
    created: float  # on the emulator's clock, for delta_token_ttl


@dataclass
class _DeltaState:
    rounds: dict[str, _Round] = field(default_factory=dict)
    snapshots: dict[str, _Snapshot] = field(default_factory=dict)


def expire_all(store: Any) -> int:
    """Forget every delta and skip token (the next use of one gets 410); returns how many there were."""
    state: _DeltaState | None = store.delta_state
    if state is None:
        return 0
    count = len(state.rounds) + len(state.snapshots)
    state.rounds.clear()
    state.snapshots.clear()
    return count


def _expired(ctx: Ctx, created: float) -> bool:
    ttl = ctx.state.faults.config.delta_token_ttl
    return ttl > 0 and ctx.state.clock.monotonic() - created > ttl


def _state(ctx: Ctx) -> _DeltaState:
    if ctx.store.delta_state is None:
        ctx.store.delta_state = _DeltaState()
    found: _DeltaState = ctx.store.delta_state
    return found


def _lower_params(ctx: Ctx) -> dict[str, str]:
    return {k.lower(): v for k, v in ctx.params.items()}


def _maxpagesize(ctx: Ctx, default: int) -> int:
    wanted = ctx.prefer.get("odata.maxpagesize", "")
    if wanted.isdigit() and int(wanted) > 0:
        ctx.applied.append(f"odata.maxpagesize={int(wanted)}")
        return int(wanted)
    return default


@dataclass
class _Delta:
    """What differs between resources: how to list, version, mark removed and shape the items."""

    owner: str
    scope: str
    base: str  # path below /v1.0 of the delta function, for next/delta links and 410 Location
    context: str
    items: Callable[[dict[str, str]], list[Item]]
    version: Callable[[Item], str]
    removed: Callable[[str], Item]
    shape: Callable[[dict[str, str]], Callable[[Item], Item]]
    skip_param: str = "$skiptoken"
    delta_param: str = "$deltatoken"
    gone_code: str = "SyncStateNotFound"


def _run(
    ctx: Ctx, d: _Delta, options: dict[str, str], page: int, skip: str | None, token: str | None
) -> Result:
    state = _state(ctx)
    if skip:
        current = state.rounds.pop(skip, None)
        if current is None or _expired(ctx, current.created):
            raise _gone(ctx, d)
    else:
        previous: dict[str, str] | None = None
        if token and token != "latest":
            known = state.snapshots.get(token)
            if known is None or known.owner != d.owner or known.scope != d.scope:
                raise _gone(ctx, d)
            if _expired(ctx, known.created):
                raise _gone(ctx, d)
            previous, options = known.versions, known.options
        items = d.items(options)
        versions = {item["id"]: d.version(item) for item in items}
        if token == "latest":
            entries: list[Item] = []
        else:
            before = previous or {}
            entries = [i for i in items if before.get(i["id"]) != versions[i["id"]]]
            entries += [d.removed(iid) for iid in before if iid not in versions]
        new_token = secrets.token_urlsafe(24)
        now = ctx.state.clock.monotonic()
        state.snapshots[new_token] = _Snapshot(d.owner, d.scope, versions, options, now)
        current = _Round(entries, new_token, page, options, now)
    head, rest = current.entries[: current.page], current.entries[current.page :]
    shape = d.shape(current.options)
    value = [e if ("@removed" in e or "deleted" in e) else shape(e) for e in head]
    body: Item = {"@odata.context": d.context, "value": value}
    if rest:
        next_token = secrets.token_urlsafe(24)
        state.rounds[next_token] = _Round(
            rest, current.delta_token, current.page, current.options, current.created
        )
        body["@odata.nextLink"] = f"{ctx.url(d.base)}?{d.skip_param}={next_token}"
    else:
        body["@odata.deltaLink"] = f"{ctx.url(d.base)}?{d.delta_param}={current.delta_token}"
    return json_result(body)


def _gone(ctx: Ctx, d: _Delta) -> GraphError:
    """410 with a Location to restart the enumeration (delta-query-overview.md)."""
    return GraphError(
        410,
        d.gone_code,
        "The sync state is not found or has expired; start a new enumeration.",
        headers={"Location": ctx.url(d.base)},
    )


def _select_query(ctx: Ctx, select: str, spec: ResourceSpec) -> Any:
    try:
        return prepare_query({"$select": select} if select else {}, ctx.headers, spec)
    except ODataError as exc:
        raise odata_error(exc) from None


def _only(ctx: Ctx, allowed: tuple[str, ...], code: str) -> None:
    for key in _lower_params(ctx):
        if key.startswith("$") and key not in allowed:
            raise GraphError(400, code, f"The query parameter '{key}' is not supported with change tracking.")


def _shaper(
    ctx: Ctx, spec: ResourceSpec, finish: Finish | None
) -> Callable[[dict[str, str]], Callable[[Item], Item]]:
    def make(options: dict[str, str]) -> Callable[[Item], Item]:
        selected = projector(_select_query(ctx, options.get("$select", ""), spec), spec)

        def project(item: Item) -> Item:
            # Delta answers always carry the id, even where a plain $select would not (user-delta.md:
            # "The id property is always returned").
            shaped = selected(item)
            return shaped if "id" in shaped else {**shaped, "id": item["id"]}

        return (lambda item: finish(item, project(item))) if finish else project

    return make


def _version(item: Item) -> str:
    return hashlib.sha1(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()


# -- messages --------------------------------------------------------------------------------------------
def _matches(message: Item, flt: str) -> bool:
    match = _FILTER.match(flt) if flt else None
    if match is None:
        return True
    bound = parse_time(match.group(2))
    received = parse_time(message["receivedDateTime"])
    return received >= bound if match.group(1).lower() == "ge" else received > bound


def message_delta(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/{id}/messages/delta: per folder; $filter receivedDateTime ge|gt only."""
    box = open_mailbox(ctx, owner, MAIL)
    folder = box.mail_folder(g["fid"])
    params = _lower_params(ctx)
    skip, token = params.get("$skiptoken"), params.get("$deltatoken")
    if not skip and not token:
        allowed = ("$select", "$top", "$filter", "$orderby", "$expand", "$skiptoken", "$deltatoken")
        _only(ctx, allowed, "ErrorInvalidUrlQuery")
        flt = params.get("$filter", "")
        if flt and not _FILTER.match(flt):
            # [U] the code and message
            raise GraphError(
                400,
                "ErrorInvalidUrlQuery",
                "Only receivedDateTime ge|gt is supported in $filter with change tracking.",
            )
        order = params.get("$orderby", "")
        if order and order.strip().lower() != "receiveddatetime desc":
            # [U] the code and message
            raise GraphError(
                400,
                "ErrorInvalidUrlQuery",
                "Only receivedDateTime desc is supported in $orderby with change tracking.",
            )
    top = params.get("$top", "")
    page = _maxpagesize(ctx, int(top) if top.isdigit() and int(top) > 0 else OUTLOOK_PAGE)
    options = {"$select": params.get("$select", ""), "$filter": params.get("$filter", "")}
    fid = folder["id"]
    delta = _Delta(
        owner=owner.id,
        scope=f"messages/{fid}",
        base=f"{owner.prefix}/mailFolders/{g['fid']}/messages/delta",
        context=ctx.meta("Collection(message)"),
        items=lambda o: [
            m for m in box.sorted_messages() if m["parentFolderId"] == fid and _matches(m, o["$filter"])
        ],
        version=lambda m: str(m["changeKey"]),
        removed=lambda iid: {
            "@odata.type": "#microsoft.graph.message",
            "id": iid,
            "@removed": {"reason": "deleted"},
        },
        shape=_shaper(ctx, specs.MESSAGES, message_finish(ctx, box)),
    )
    result = _run(ctx, delta, options, page, skip, token)
    change = params.get("changetype", "").lower()
    if change in ("created", "updated", "deleted") and isinstance(result.body, dict):
        # changeType narrows a round to one kind of change (message-delta.md).
        keep_removed = change == "deleted"
        result.body["value"] = [e for e in result.body["value"] if ("@removed" in e) == keep_removed]
    return result


# -- events (calendarView/delta on the default calendar) --------------------------------------------------
def event_delta(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendarView/delta?startDateTime=..&endDateTime=..; $top and other options refused."""
    box = open_mailbox(ctx, owner, CALENDARS)
    cal = box.calendar(None)
    params = _lower_params(ctx)
    skip, token = params.get("$skiptoken"), params.get("$deltatoken")
    if "$top" in params:
        raise GraphError(
            400,
            "ErrorInvalidUrlQuery",
            "The '$top' parameter is not supported with change tracking "
            "over the 'CalendarView' resource as page size cannot be guaranteed. Express page size "
            "preferences using the Prefer: odata.maxpagesize= header instead.",
        )
    _only(ctx, ("$skiptoken", "$deltatoken"), "ErrorInvalidUrlQuery")
    options: dict[str, str] = {}
    if not skip and not token:
        lo, hi = time_window(ctx)
        options = {"start": lo.isoformat(), "end": hi.isoformat()}

    def items(o: dict[str, str]) -> list[Item]:
        lo, hi = dt.datetime.fromisoformat(o["start"]), dt.datetime.fromisoformat(o["end"])
        return expand([e for e in box.events.values() if e["_calendar"] == cal["id"]], lo, hi, box.events)

    delta = _Delta(
        owner=owner.id,
        scope="calendarView",
        base=f"{owner.prefix}/calendarView/delta",
        context=ctx.meta("Collection(event)"),
        items=items,
        version=lambda e: f"{e['changeKey']}/{e['start']['dateTime']}/{e['end']['dateTime']}",
        removed=lambda iid: {
            "@odata.type": "#microsoft.graph.event",
            "id": iid,
            "@removed": {"reason": "deleted"},
        },
        shape=_shaper(ctx, specs.EVENTS, event_finish(ctx)),
    )
    return _run(ctx, delta, options, _maxpagesize(ctx, OUTLOOK_PAGE), skip, token)


# -- contacts ---------------------------------------------------------------------------------------------
def contact_delta(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/contactFolders/{id}/contacts/delta (and /me/contacts/delta: the default folder [U])."""
    box = open_mailbox(ctx, owner, CONTACTS)
    folder = box.contact_folder(g.get("fid") or box.default_contact_folder)
    params = _lower_params(ctx)
    _only(ctx, ("$select", "$skiptoken", "$deltatoken"), "ErrorInvalidUrlQuery")
    fid = folder["id"]
    base = f"{owner.prefix}/" + (f"contactFolders/{g['fid']}/" if g.get("fid") else "") + "contacts/delta"
    delta = _Delta(
        owner=owner.id,
        scope=f"contacts/{fid}",
        base=base,
        context=ctx.meta("Collection(contact)"),
        items=lambda o: [c for c in box.contacts.values() if c["parentFolderId"] == fid],
        version=lambda c: str(c["changeKey"]),
        removed=lambda iid: {
            "@odata.type": "#microsoft.graph.contact",
            "id": iid,
            "@removed": {"reason": "deleted"},
        },
        shape=_shaper(ctx, specs.CONTACTS, contact_finish),
    )
    options = {"$select": params.get("$select", "")}
    page = _maxpagesize(ctx, OUTLOOK_PAGE)
    return _run(ctx, delta, options, page, params.get("$skiptoken"), params.get("$deltatoken"))


# -- users and groups -------------------------------------------------------------------------------------
def _directory_delta(ctx: Ctx, kind: str) -> Result:
    users = kind == "users"
    require_directory(ctx, USERS if users else GROUPS)
    params = _lower_params(ctx)
    for key in ("$top", "$orderby", "$expand"):
        if key in params:
            # [U] the message
            raise GraphError(
                400,
                "Request_UnsupportedQuery",
                f"The query option '{key}' is not supported with delta queries.",
            )
    _only(ctx, ("$select", "$filter", "$skiptoken", "$deltatoken"), "Request_UnsupportedQuery")
    flt = params.get("$filter", "")
    wanted: set[str] | None = None
    if flt:
        match = _ID_FILTER.match(flt)
        if not match:
            raise GraphError(400, "Request_UnsupportedQuery", "Unsupported Query.")
        wanted = set(re.findall(r"'([^']+)'", flt))
    spec = specs.USERS if users else specs.GROUPS
    source = ctx.store.users if users else ctx.store.groups
    delta = _Delta(
        owner=ctx.grant.user_id or ctx.grant.client_id if ctx.grant else "",
        scope=kind,
        base=f"{kind}/delta",
        context=ctx.meta(kind),
        items=lambda o: [i for i in source if wanted is None or i["id"] in wanted],
        version=_version,
        removed=lambda iid: {"id": iid, "@removed": {"reason": "deleted"}},
        shape=_shaper(ctx, spec, None),
    )
    options = {"$select": params.get("$select", "")}
    return _run(ctx, delta, options, DIRECTORY_PAGE, params.get("$skiptoken"), params.get("$deltatoken"))


def users_delta(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /users/delta (and $deltatoken=latest)."""
    return _directory_delta(ctx, "users")


def groups_delta(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/delta (and $deltatoken=latest)."""
    return _directory_delta(ctx, "groups")


# -- drive ------------------------------------------------------------------------------------------------
def drive_delta(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/drive/root/delta[?token=..]: deletions carry the `deleted` facet; token=latest: no history."""
    drv = open_drive(ctx, owner)
    params = _lower_params(ctx)
    _only(ctx, ("$select", "$top", "$expand", "$skiptoken"), "invalidRequest")
    token = g.get("token") or params.get("token")
    top = params.get("$top", "")
    page = int(top) if top.isdigit() and int(top) > 0 else DRIVE_PAGE
    finish = drive_finish(ctx, owner, drv)
    delta = _Delta(
        owner=owner.id,
        scope="drive",
        base=f"{owner.drive_path}/root/delta",
        context=ctx.meta("Collection(driveItem)"),
        items=lambda o: list(drv.items.values()),
        version=lambda i: f"{i['eTag']}/{i['cTag']}",
        removed=lambda iid: {"id": iid, "deleted": {"state": "deleted"}},
        shape=_shaper(ctx, specs.DRIVE_CHILDREN, finish),
        delta_param="token",
        gone_code="resyncRequired",
    )
    return _run(ctx, delta, {"$select": params.get("$select", "")}, page, params.get("$skiptoken"), token)
