"""What a scan would request, without requesting it: the planned requests explain() shows."""

from __future__ import annotations

from ..graph import path_segment
from ..schema import TableSpec
from ..schema._types import drive_base
from ._context import EngineContext, PlannedRequest
from ._offline import CACHE_SCHEMA
from ._run import collection_of, item_url
from ._terms import fill
from .planner import Plan
from .request import Execution

__all__ = ["describe", "describe_plan"]


def describe(ex: Execution) -> list[PlannedRequest]:
    """The requests this execution would make, without making them (fan-outs shown as templates)."""
    spec, plan = ex.spec, ex.plan
    checks = tuple(plan.checks) + tuple(
        f"{spec.columns[c.column].name} {c.op} (checked by the engine)" for c in ex.checks
    )
    if ex.empty:
        return [PlannedRequest(spec.name, "-", "", {}, checks, (), "no request: no row can match")]
    if ex.plan.offline:
        return [_from_cache(spec, ex.ctx, checks)]
    out: list[PlannedRequest] = []
    if ex.parent_scan is not None:
        parent_ex, mapping = ex.parent_scan
        out.extend(describe(parent_ex))
        path = spec.collection.replace("{scope}", "")
        names = " and ".join(mapping.values())
        note = (
            f"fan-out: for every row above ({names}), {ex.ctx.max_concurrency} requests at a time "
            f"(at most 4 per {spec.required_routes[0]})"
        )
        params = dict(ex.params)
        for flt in ex.filters:
            if flt:
                params["$filter"] = flt
            out.append(PlannedRequest(spec.name, "GET", path, params, checks, tuple(ex.pushed), note))
        return out
    scopes = ex.scopes
    if scopes is None:
        out.append(
            PlannedRequest(
                spec.name,
                "GET",
                "/users",
                {"$select": "id"},
                (),
                (),
                f"fan-out: every user, {ex.ctx.max_concurrency} requests at a time (at most 4 per mailbox)",
            )
        )
        scopes = [("/users/{UserId}", None)]
    for scope, _user in scopes:
        parents = ex.parents
        if parents is None:
            # the parents are listed first: with their children expanded, that one listing is the scan
            assert spec.fanout_collection is not None
            expand = {"$expand": spec.fanout_expand} if spec.fanout_expand else {}
            note = "with its children expanded" if expand else "fan-out: then each one's children"
            if not expand and not spec.per_user:
                note += f", {ex.ctx.max_concurrency} requests at a time"
            # a routing value the parents' path names (Posts' GroupId) is filled in when there is one
            route = ex.routes[0] if len(ex.routes) == 1 else {}
            out.append(
                PlannedRequest(
                    spec.name,
                    "GET",
                    fill(spec.fanout_collection, {"scope": scope, **route}),
                    {"$select": "id", **expand},
                    checks if expand else (),
                    (),
                    f"every {spec.parent_key} {note}",
                )
            )
            if expand:
                continue
            parents = ["{" + (spec.parent_key or "parent") + "}"]
        for parent in parents:
            for route in ex.routes:
                values = {"scope": scope, **route}
                if spec.parent_key and parent:
                    values[spec.parent_key] = parent
                if ex.ids is not None:
                    note = "one GET" if len(ex.ids) == 1 else f"{len(ex.ids)} GETs in JSON batches of 20"
                    for i in ex.ids:
                        out.append(
                            PlannedRequest(
                                spec.name,
                                "GET",
                                item_url(ex, values, i).replace("%7B", "{").replace("%7D", "}"),
                                {"$select": ex.params["$select"]},
                                checks,
                                (f"id = {i!r}",),
                                note,
                            )
                        )
                    continue
                path = fill(collection_of(ex, route), values).replace("%7B", "{").replace("%7D", "}")
                if ex.walk:
                    params = {k: v for k, v in ex.params.items() if k in ("$select", "$top")}
                    note = "then the children of every folder"
                    if spec.recursive == "drive":
                        path = fill("{drive}/root/delta", values).replace("%7B", "{").replace("%7D", "}")
                        depth = ex.ctx.directory_depth
                        note = f"every item of the drive in one delta stream, kept to {depth} levels"
                    out.append(PlannedRequest(spec.name, "GET", path, params, checks, (), note))
                    continue
                for flt in ex.filters:
                    params = dict(ex.params)
                    if flt:
                        params["$filter"] = flt
                    out.append(PlannedRequest(spec.name, "GET", path, params, checks, tuple(ex.pushed)))
    return out


def _from_cache(spec: TableSpec, ctx: EngineContext, checks: tuple[str, ...]) -> PlannedRequest:
    source = "Offline=true" if ctx.offline else f"{CACHE_SCHEMA}.{spec.name}"
    return PlannedRequest(spec.name, "-", "", {}, checks, (), f"no request: {source} reads the cache")


def describe_plan(spec: TableSpec, plan: Plan, ctx: EngineContext, note: str) -> PlannedRequest:
    """A scan whose values are not known yet, from its plan alone: the path, what Graph and SQLite check."""
    if plan.offline:
        return _from_cache(spec, ctx, tuple(plan.checks))
    routed = {spec.columns[t.column].name for t in plan.terms if t.role == "route"}
    template = next((spec.routes[name] for name in spec.routes if name in routed), spec.collection)
    if spec.item and any(t.role == "id" for t in plan.terms):
        template = spec.item
    owner = next((name for name in spec.owners if name in routed), None)
    if owner is not None:
        scope = spec.owners[owner].path
        if spec.owners[owner].entity and template == spec.collection:
            template = spec.owners[owner].entity or template
    elif "UserId" in routed or (ctx.app_only and not ctx.default_user):
        scope = "/users/{UserId}"
    elif ctx.default_user:
        scope = "/users/" + path_segment(ctx.default_user)
    else:
        scope = "/me"
    return PlannedRequest(
        table=spec.name,
        method="GET",
        path=template.replace("{drive}", drive_base(scope)).replace("{scope}", scope),
        params={},
        sqlite_checks=tuple(plan.checks),
        pushed=tuple(t.describe(spec) for t in plan.terms),
        note=note,
    )
