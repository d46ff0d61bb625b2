"""Dispatch of one Graph request (HTTP or a $batch item) to its handler, with Graph's error envelope."""

from __future__ import annotations

import re
from urllib.parse import unquote

from .auth import authenticate
from .batch import run_batch
from .envelope import Ctx, Owner, Result
from .errors import GraphError, error_json
from .route_table import OWNER_ROUTES, TOP_ROUTES, H, Route
from .sites import drive_writer, library_owner

__all__ = ["dispatch", "resolve"]

_OWNER_RE = re.compile(r"^(?:(me)|users/([^/]+))(?:/(.*))?$", re.IGNORECASE)


_DRIVES_RE = re.compile(r"^drives/([^/]+)(?:/(.*))?$", re.IGNORECASE)


_OUTLOOK_AREAS = (
    "messages",
    "mailfolders",
    "sendmail",
    "calendar",
    "calendars",
    "events",
    "calendarview",
    "contacts",
    "contactfolders",
)


def _match(
    routes: tuple[Route[H], ...], method: str, path: str
) -> tuple[Route[H] | None, dict[str, str], bool]:
    """(route, groups, path matched some route with another method)."""
    seen = False
    for route in routes:
        match = route.pattern.match(path)
        if match:
            if method in route.methods:
                return route, {k: unquote(v) for k, v in match.groupdict().items() if v is not None}, False
            seen = True
    return None, {}, seen


def routing_path(ctx: Ctx) -> str:
    """The path routes match: decoded, except that an encoded `/` or `%` stays encoded inside its segment.

    So `users/a%2Fb/messages` addresses user `a/b`, not `users/a/b/messages`; route groups are decoded
    once matched.
    """
    if not ctx.raw_path:
        return ctx.path.replace("%", "%25")
    return "/".join(_routing_segment(unquote(seg)) for seg in ctx.raw_path.split("/"))


def _routing_segment(segment: str) -> str:
    """One decoded segment as routes see it.

    A segment holding `:` is OneDrive's path-based addressing (`items/root:/a/b.txt:` as the SDKs encode it,
    `root%3A%2Fa%2Fb.txt%3A`): its slashes are the item path's separators, so they stay slashes there.
    """
    segment = segment.replace("%", "%25")
    return segment if ":" in segment else segment.replace("/", "%2F")


def _unknown_segment(path: str) -> GraphError:
    segment = path.split("/")[-1] or path
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def _not_allowed(method: str) -> GraphError:
    return GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.")


_DELTA_CALL = re.compile(r"(?<![^/])delta\(\)(?=/|$)", re.IGNORECASE)


def resolve(ctx: Ctx) -> Result:
    """Authenticate and run the request's handler (raises GraphError)."""
    # OData function calls may carry empty parentheses (`/me/mailFolders/inbox/messages/delta()`,
    # `/users/delta()`), as the official SDKs build them: the same function as the bare segment.
    path = _DELTA_CALL.sub("delta", routing_path(ctx).strip("/"))
    method = ctx.method.upper()
    if path.lower() == "$batch":
        if ctx.in_batch:
            raise GraphError(400, "BadRequest", "Nested batch requests are not supported.")  # [U]
        authenticate(ctx)
        return run_batch(ctx, dispatch)
    grant = authenticate(ctx)
    match = _OWNER_RE.match(path)
    if match and match.group(2) and match.group(2).lower() in ("$count", "delta"):
        match = None  # /users/$count and /users/delta are collection paths
    if match:
        via_me = match.group(1) is not None
        rest = match.group(3) or ""
        if via_me:
            if grant.app_only:
                raise GraphError(
                    400, "BadRequest", "/me request is only valid with delegated authentication flow."
                )
            user = ctx.store.users_by_id.get(grant.user_id or "")
            key = "me"
        else:
            key = unquote(match.group(2))
            user = ctx.store.find_user(key)
        if user is None:
            area = rest.split("/")[0].lower()
            if area in _OUTLOOK_AREAS:
                raise GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")  # [O]
            if area == "drive":
                raise GraphError(404, "itemNotFound", "The resource could not be found.")
            raise GraphError(
                404,
                "Request_ResourceNotFound",
                f"Resource '{key}' does not exist or one of its queried reference-property objects are not "
                "present.",
            )
        owner = Owner(user=user, key=key, via_me=via_me)
        route, groups, seen = _match(OWNER_ROUTES, method, rest.rstrip("/"))
        if route is None:
            raise _not_allowed(method) if seen else _unknown_segment(rest or path)
        result: Result = route.handler(ctx, owner, groups)
        return result
    library = library_owner(ctx, path)
    if library is not None:
        lib_owner, rest = library
        route, groups, seen = _match(OWNER_ROUTES, method, rest.rstrip("/"))
        if route is None:
            raise _not_allowed(method) if seen else _unknown_segment(path)
        result = route.handler(ctx, lib_owner, groups)
        return result
    dmatch = _DRIVES_RE.match(path)
    if dmatch:
        drv = ctx.store.drive_by_id(unquote(dmatch.group(1)))
        if drv is None:
            raise GraphError(404, "itemNotFound", "The resource could not be found.")
        owner = drive_writer(ctx.store, ctx.store.drive_owner.get(drv.drive["id"]) or drv.drive["id"])
        rest = "drive/" + (dmatch.group(2) or "") if dmatch.group(2) else "drive"
        route, groups, seen = _match(OWNER_ROUTES, method, rest.rstrip("/"))
        if route is None:
            raise _not_allowed(method) if seen else _unknown_segment(path)
        groups["_drives"] = unquote(dmatch.group(1))
        result = route.handler(ctx, owner, groups)
        return result
    top, groups, seen = _match(TOP_ROUTES, method, path)
    if top is None:
        raise _not_allowed(method) if seen else _unknown_segment(path)
    result = top.handler(ctx, groups)
    return result


def dispatch(ctx: Ctx) -> Result:
    """Run one request to a Result, turning GraphError into Graph's error body; adds the id headers."""
    try:
        result = resolve(ctx)
    except GraphError as exc:
        result = Result(
            status=exc.status,
            body=error_json(
                exc.code,
                exc.message,
                ctx.request_id,
                ctx.client_request_id,
                ctx.state.clock.now(),
                exc.inner,
            ),
            headers=dict(exc.headers),
        )
    result.headers.setdefault("request-id", ctx.request_id)
    result.headers.setdefault("client-request-id", ctx.client_request_id)
    if ctx.applied:
        result.headers["Preference-Applied"] = ",".join(ctx.applied)
    return result
