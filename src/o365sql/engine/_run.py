"""Running an Execution lazily: page by page, as SQLite asks for rows."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from ..errors import NotFoundError, OperationalError
from ..graph import BatchRequest, path_segment
from ..scale.drive import drive_items
from ..scale.scheduler import OwnerJob, fan_out_page, is_owner_failure, run_owners
from ..schema import get_table
from ._offline import cached_rows
from ._terms import fill
from .convert import SQLValue
from .dml import ROW_SCOPE
from .request import ME, Execution, Row

__all__ = ["collection_of", "in_worker", "item_url", "run"]

EXPAND_PAGE = 50
# Graph's codes for "this user, or their mailbox, does not exist" (not "this item does not exist")
_OWNER_MISSING = frozenset({"ErrorInvalidUser", "MailboxNotEnabledForRESTAPI", "Request_ResourceNotFound"})


def _check_owner(
    ex: Execution, exc: NotFoundError, user: SQLValue, below_owner: bool, owner_level: bool = False
) -> None:
    """Raise when a 404 means the owner (the mailbox/drive UserId names, or the drive or group another
    owner column names) does not exist; return when it means no rows.

    SQL would call that "no rows", but a misspelled UserId then looks like an empty mailbox: a wrong answer
    nobody sees. In a multi-owner read (``owner_level``) the error goes as it is to the scheduler, which
    names the owner and raises or skips it (OwnerErrors).
    """
    route = ex.route_column
    if route and ex.spec.routes[route].startswith("/users/{") and exc.code in _OWNER_MISSING:
        # the user a routing column names (Drives.UserId, Sites.FollowedBy) does not exist: not "no rows"
        raise _missing(
            exc,
            f"{ex.spec.name}: no user for {route}: {exc.message}. Give a user's id or userPrincipalName "
            "(SELECT id, userPrincipalName FROM Users), for yourself your own ('me' names no user here)",
        ) from None
    owner = ex.owner
    if owner is not None and exc.code in owner.empty:
        return  # the owner exists without the resource (a security group has no calendar): no rows
    if owner_level and (exc.code in _OWNER_MISSING or not below_owner):
        raise exc
    if not ex.spec.per_user or ex.scopes is None:
        return
    if exc.code not in _OWNER_MISSING and below_owner:
        return  # a folder, message or drive item of an existing owner: no rows
    if owner is not None:
        column = ex.scope_column
        raise _missing(
            exc,
            f"{ex.spec.name}: {owner.unknown.format(column=column, value=user)}: {exc.message}. Check the "
            f"id ({owner.find})",
        ) from None
    who = "the signed-in user (/me)" if user in (ME, None) else f"UserId {user!r}"
    raise _missing(
        exc,
        f"{ex.spec.name}: no mailbox or drive for {who}: {exc.message}. Check the user's id or "
        "userPrincipalName (SELECT id, userPrincipalName FROM Users)",
    ) from None


def _missing(exc: NotFoundError, message: str) -> NotFoundError:
    """Graph's 404 restated as the owner the query named not existing, keeping Graph's code and request id."""
    return NotFoundError(message, code=exc.code, status=exc.status, request_id=exc.request_id)


def collection_of(ex: Execution, route: dict[str, str]) -> str:
    if route and ex.route_column:
        return ex.spec.routes[ex.route_column]
    if ex.owner is not None and ex.owner.entity:
        return ex.owner.entity
    return ex.spec.collection


def _user_value(ex: Execution, value: SQLValue) -> SQLValue:
    if value == ME:
        return ex.ctx.me_id() if _uses(ex, "UserId") else None
    return value


def _uses(ex: Execution, name: str) -> bool:
    try:
        return ex.spec.index_of(name) in ex.plan.columns
    except KeyError:
        return False


def _iter_scopes(ex: Execution) -> Iterator[tuple[str, SQLValue]]:
    if ex.scopes is not None:
        yield from ex.scopes
        return
    params = {"$select": "id"}
    if ex.plan.pushdown:
        params["$top"] = "999"
    for user in ex.ctx.graph.iter_items("/users", params):
        uid = user.get("id")
        if isinstance(uid, str) and uid:
            yield "/users/" + path_segment(uid), uid


def _iter_parents(
    ex: Execution, scope: str, user: SQLValue, owner_level: bool, route: dict[str, str]
) -> Iterator[str]:
    if ex.parents is not None:
        yield from ex.parents
        return
    assert ex.spec.fanout_collection is not None
    params = {"$select": "id"}
    # the parents' own page limit (Planner takes no $top at all)
    top = get_table(ex.spec.parent_table).max_page if ex.spec.parent_table else 999
    if ex.plan.pushdown and top:
        params["$top"] = str(top)
    # the parents' collection may sit below a routing value (Posts: the threads of /groups/{GroupId})
    path = fill(ex.spec.fanout_collection, {"scope": scope, **route})
    try:
        for parent in ex.ctx.graph.iter_items(path, params):
            pid = parent.get("id")
            if isinstance(pid, str) and pid:
                yield pid
    except NotFoundError as exc:
        if route:
            return  # a routing value (Posts' GroupId) naming nothing: no rows
        _check_owner(ex, exc, user, False, owner_level)
        if ex.scopes is None or ex.scope_column:
            return  # a user without a mailbox/drive during a fan-out, an owner without the resource
        raise


Unit = tuple[str, dict[str, str], dict[str, SQLValue], SQLValue, bool]


def _units(ex: Execution, scope: str, user: SQLValue, owner_level: bool) -> Iterator[Unit]:
    """(path template, its values, extra column values, owner, below the owner) for one scope's reads.

    "Below the owner" means the path also names a folder, parent or other routing value, whose 404 means no
    rows (the query asked for something that does not exist), not a missing mailbox.
    """
    for route in ex.routes:
        for parent in _iter_parents(ex, scope, user, owner_level, route):
            values: dict[str, str] = {"scope": scope, **route}
            extra: dict[str, SQLValue] = dict(ex.param_values)
            extra[ROW_SCOPE] = scope
            if ex.scope_column:
                extra[ex.scope_column] = user
                extra["UserId"] = None
            elif ex.spec.per_user:
                extra["UserId"] = _user_value(ex, user)
            if ex.spec.parent_key:
                # "": a route without a parent (request.build), its rows' parent key NULL
                if parent:
                    values[ex.spec.parent_key] = parent
                extra[ex.spec.parent_key] = parent or None
            for name, v in route.items():
                if ex.spec.column(name).kind == "param":
                    extra[name] = v
            below_owner = bool(route) or bool(ex.spec.parent_key)
            yield collection_of(ex, route), values, extra, user, below_owner


def run(ex: Execution) -> Iterator[Row]:
    """Rows (item, extra column values), lazily: each page is fetched only when the caller gets there."""
    if ex.empty:
        return
    rows = cached_rows(ex) if ex.plan.offline else _items(ex)
    if not ex.checks and not ex.dedupe and not ex.local_skip and ex.limit is None:
        # the usual scan: every row passes as it is, with no per-row test
        yield from rows
        return
    produced = 0
    skipped = 0
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        item = row[0]
        if ex.checks and not all(check(item) for check in ex.checks):
            continue
        if ex.dedupe:
            key = (tuple(sorted((k, str(v)) for k, v in row[1].items())), item.get("id"))
            if key in seen:
                continue
            seen.add(key)
        if skipped < ex.local_skip:
            skipped += 1
            continue
        yield row
        produced += 1
        if ex.limit is not None and produced >= ex.limit:
            return


def _expanded_items(ex: Execution, scope: str, user: SQLValue, owner_level: bool) -> Iterator[Row]:
    """Children of every parent through `$expand` on the parent collection (MessageAttachments' fan-out)."""
    spec = ex.spec
    assert spec.fanout_collection is not None and spec.fanout_expand and spec.parent_key
    params = {"$select": "id", "$expand": spec.fanout_expand}
    if ex.plan.pushdown:
        # expanded children travel whole (attachments with their content): keep pages small
        params["$top"] = str(min(EXPAND_PAGE, ex.ctx.page_size))
    try:
        for parent in ex.ctx.graph.iter_items(fill(spec.fanout_collection, {"scope": scope}), params):
            children = parent.get(spec.fanout_expand)
            if not isinstance(children, list):
                continue
            extra: dict[str, SQLValue] = dict(ex.param_values)
            extra[ROW_SCOPE] = scope
            extra[spec.parent_key] = parent.get("id")
            if spec.per_user:
                extra["UserId"] = _user_value(ex, user)
            for child in children:
                if isinstance(child, dict):
                    yield child, extra
    except NotFoundError as exc:
        _check_owner(ex, exc, user, False, owner_level)
        if ex.scopes is None or ex.scope_column:
            return
        raise


def _multi_owner(ex: Execution) -> bool:
    return ex.spec.per_user and (ex.scopes is None or len(ex.scopes) > 1)


def in_worker(ex: Execution) -> Execution:
    """The same reads for a worker of a multi-owner read or a join's readahead: no prefetch thread of its
    own, and pages sized so that all workers together hold about what one scan does (fan_out_page)."""
    top = ex.params.get("$top")
    params = ex.params
    if top is not None:
        selected = len(ex.params.get("$select", "").split(","))
        page = fan_out_page(int(top), ex.ctx.max_concurrency, selected)
        params = {**ex.params, "$top": str(page)}
    return dataclasses.replace(ex, params=params, prefetch=False)


def _items(ex: Execution) -> Iterator[Row]:
    if ex.parent_scan is not None:
        yield from _parent_scan_items(ex)
        return
    if not _multi_owner(ex):
        for scope, user in _iter_scopes(ex):
            yield from _scope_items(ex, scope, user, owner_level=False, prefetch=ex.prefetch)
        return
    ctx = ex.ctx
    ex = in_worker(ex)

    def jobs() -> Iterator[OwnerJob[Row]]:
        for scope, user in _iter_scopes(ex):
            yield OwnerJob(str(user), functools.partial(_owner_items, ex, scope, user))

    yield from run_owners(
        jobs(),
        workers=ctx.max_concurrency,
        on_owner_error=ctx.owner_errors,
        is_owner_error=is_owner_failure,
        on_skip=ctx.report_skip,
        table=ex.spec.name,
    )


def _parent_scan_items(ex: Execution) -> Iterator[Row]:
    """Every parent row's children, side by side: the parent table's scan (itself a fan-out) gives the
    routing values and the parent key of each read (ChannelMessages: Channels' TeamId and id)."""
    assert ex.parent_scan is not None
    parents, mapping = ex.parent_scan
    # with a LIMIT Graph got, or on a worker already: one parent at a time, as few requests as it takes
    one_at_a_time = ex.limit is not None or not ex.prefetch
    ex = in_worker(ex)
    # at most 4 reads of one team (or group) at once, as of one mailbox
    owner_column = ex.spec.required_routes[0]

    if one_at_a_time:
        parents = dataclasses.replace(parents, prefetch=False)  # nor the parents side by side

    def jobs() -> Iterator[OwnerJob[Row]]:
        for item, extra in run(parents):
            values: dict[str, str] = {}
            for key, ours in mapping.items():
                value = item.get("id") if key == "id" else extra.get(key)
                values[ours] = str(value)
            yield OwnerJob(values[owner_column], functools.partial(_parent_items, ex, values))

    if one_at_a_time:
        for job in jobs():
            yield from job.rows()
        return
    yield from run_owners(
        jobs(),
        workers=ex.ctx.max_concurrency,
        on_owner_error="raise",
        is_owner_error=lambda _exc: False,  # not a mailbox: every error is the query's
        on_skip=ex.ctx.report_skip,
        table=ex.spec.name,
    )


def _parent_items(ex: Execution, values: dict[str, str]) -> Iterator[Row]:
    """One parent's children (on a scheduler worker); a parent gone since it was listed has none."""
    extra: dict[str, SQLValue] = dict(ex.param_values)
    extra[ROW_SCOPE] = ""
    extra.update(values)
    path = fill(ex.spec.collection, {"scope": "", **values})
    for flt in ex.filters:
        params = dict(ex.params)
        if flt:
            params["$filter"] = flt
        try:
            for it in ex.ctx.graph.iter_items(path, params, ex.headers or None):
                yield it, extra
        except NotFoundError:
            return


def _owner_items(ex: Execution, scope: str, user: SQLValue) -> Iterator[Row]:
    """One owner's rows in a multi-owner read (run on a scheduler thread: no prefetch thread of its own)."""
    return _scope_items(ex, scope, user, owner_level=True, prefetch=False)


def _scope_items(
    ex: Execution, scope: str, user: SQLValue, *, owner_level: bool, prefetch: bool
) -> Iterator[Row]:
    """Every row of one scope (mailbox or drive owner): its parents, routes and filters in turn."""
    if ex.parents is None and ex.spec.fanout_expand:
        yield from _expanded_items(ex, scope, user, owner_level)
        return
    units = _units(ex, scope, user, owner_level)
    if ex.parents is None and not ex.spec.per_user and prefetch and ex.limit is None:
        # every group's members, every team's channels: the parents side by side (not already on a worker;
        # with a LIMIT Graph got, the first parent's page is likely all it needs: read one at a time)
        yield from _parallel_units(ex, units, user)
        return
    for unit in units:
        yield from _unit_items(ex, unit, user, owner_level=owner_level, prefetch=prefetch)


def _parallel_units(ex: Execution, units: Iterator[Unit], user: SQLValue) -> Iterator[Row]:
    """The units of a parent fan-out on the scheduler: the parents are listed as the workers go."""
    wex = in_worker(ex)
    key = ex.spec.parent_key or ""

    def jobs() -> Iterator[OwnerJob[Row]]:
        for unit in units:
            read = functools.partial(_unit_items, wex, unit, user, owner_level=False, prefetch=False)
            yield OwnerJob(unit[1].get(key, ""), read)

    yield from run_owners(
        jobs(),
        workers=ex.ctx.max_concurrency,
        on_owner_error="raise",
        is_owner_error=lambda _exc: False,  # a parent is no mailbox: every error is the query's
        on_skip=ex.ctx.report_skip,
        table=ex.spec.name,
    )


def _unit_items(
    ex: Execution, unit: Unit, user: SQLValue, *, owner_level: bool, prefetch: bool
) -> Iterator[Row]:
    """The rows of one unit (a path with its values): every $filter alternative, or the ids, or a walk."""
    template, values, extra, _owner, below_owner = unit
    if ex.ids is not None:  # by id: _get_ids reads a 404 itself
        yield from ((it, extra) for it in _get_ids(ex, values, user))
        return
    try:
        if ex.walk:
            yield from ((it, extra) for it in _walk(ex, values))
        else:
            path = fill(template, values)
            for flt in ex.filters:
                params = dict(ex.params)
                if flt:
                    params["$filter"] = flt
                # Prefetch only when no LIMIT went to Graph: then the first page is all that's needed.
                pages = ex.ctx.graph.iter_items(
                    path, params, ex.headers or None, prefetch=prefetch and ex.limit is None
                )
                for it in pages:
                    yield it, extra
    except NotFoundError as exc:
        _check_owner(ex, exc, user, below_owner, owner_level)
        if below_owner or ex.scopes is None or ex.scope_column:
            return
        raise


def item_url(ex: Execution, values: dict[str, str], item_id: str) -> str:
    assert ex.spec.item is not None
    return fill(ex.spec.item, {**values, "id": item_id})


def _keep_item(ex: Execution, item: dict[str, Any]) -> bool:
    if ex.spec.recursive != "drive":
        return True
    # A by-id GET answers for any item; the scan lists neither the root nor anything below the depth limit.
    if "root" in item and item.get("root") is not None:
        return False
    depth_limit = ex.ctx.directory_depth
    ref = item.get("parentReference")
    path = ref.get("path") if isinstance(ref, dict) else None
    if depth_limit >= 0 and isinstance(path, str) and ":" in path:
        rel = path.split(":", 1)[1].strip("/")
        depth = len(rel.split("/")) if rel else 0
        return depth <= depth_limit
    return True


def _get_ids(ex: Execution, values: dict[str, str], user: SQLValue) -> Iterator[dict[str, Any]]:
    assert ex.ids is not None
    params = {k: v for k, v in ex.params.items() if k in ("$select", "$expand")}
    graph = ex.ctx.graph
    if len(ex.ids) == 1:
        try:
            item = graph.get_json(item_url(ex, values, ex.ids[0]), params)
        except NotFoundError as exc:
            _check_owner(ex, exc, user, below_owner=True)
            return
        if _keep_item(ex, item):
            yield item
        return
    query = urlencode(params, quote_via=quote, safe=",")
    requests = [
        BatchRequest(str(n), "GET", item_url(ex, values, i) + "?" + query) for n, i in enumerate(ex.ids)
    ]
    answers = {response.id: response for response in graph.batch(requests)}
    for request in requests:
        response = answers[request.id]
        if response.ok and isinstance(response.body, dict):
            if _keep_item(ex, response.body):
                yield response.body
            continue
        error = response.error()
        if isinstance(error, NotFoundError):
            _check_owner(ex, error, user, below_owner=True)
            continue
        assert error is not None
        raise error


def _children(ex: Execution, path: str, params: dict[str, str], depth: int) -> Iterator[dict[str, Any]]:
    """One folder's items in a walk; a folder the walk found that then cannot be read fails the scan."""
    try:
        yield from ex.ctx.graph.iter_items(path, params)
    except NotFoundError as exc:
        if depth == 0:
            raise  # the root's 404 is the owner's own answer (no mailbox/drive): the caller decides
        raise OperationalError(
            f"{ex.spec.name}: a folder found during the walk could no longer be read (HTTP 404); the result "
            "would be incomplete, so none is given: run the query again",
            code=exc.code,
        ) from exc


def _walk(ex: Execution, values: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Every item of a folder tree.

    Drives: one paged delta stream, kept to DirectoryRetrievalDepth levels below the root (scale.drive).
    Mail folders: depth first in Graph's order, the top level, then the children of folders with a
    childFolderCount, to any depth (64 levels at most).
    """
    spec, scope = ex.spec, values["scope"]
    params = {k: v for k, v in ex.params.items() if k in ("$select", "$top")}
    if spec.recursive == "drive":
        # the whole drive in one delta stream (200 items a page) rather than a request per folder
        yield from drive_items(ex.ctx.graph, scope, params, ex.ctx.directory_depth)
        return
    # the routing column whose path lists one folder's children (the same path a WHERE on it reads)
    route = "parentFolderId"
    top = fill(spec.collection, {"scope": scope})
    max_depth = 64

    def children(item: dict[str, Any]) -> str | None:
        count = item.get("childFolderCount")
        folder = isinstance(count, int) and count > 0
        return fill(spec.routes[route], {"scope": scope, route: str(item["id"])}) if folder else None

    stack: list[tuple[str, int]] = [(top, 0)]
    while stack:
        path, depth = stack.pop()
        pending: list[tuple[str, int]] = []
        for item in _children(ex, path, params, depth):
            yield item
            below = children(item)
            if below is not None and (max_depth < 0 or depth < max_depth):
                pending.append((below, depth + 1))
        stack.extend(reversed(pending))
