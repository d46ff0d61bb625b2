"""JSON batching: POST /v1.0/$batch runs up to 20 requests in-process through the same handlers."""

from __future__ import annotations

import base64
import binascii
import json
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from starlette.datastructures import Headers

from .envelope import Ctx, Result, json_result, parse_prefer
from .errors import GraphError, error_json
from .faults import inner_fault

__all__ = ["MAX_REQUESTS", "Dispatch", "run_batch"]

MAX_REQUESTS = 20
Item = dict[str, Any]
Dispatch = Callable[[Ctx], Result]  # runs one request to its answer (the router's dispatch)


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _validate(requests: Any) -> list[Item]:
    if not isinstance(requests, list) or not requests:
        raise _bad("Invalid batch payload format.")  # [U]
    if len(requests) > MAX_REQUESTS:
        # [U] the documented limit is 20; the exact message is not documented.
        raise _bad(f"The number of batch requests ({len(requests)}) exceeds the limit of {MAX_REQUESTS}.")
    seen: set[str] = set()
    for req in requests:
        if not isinstance(req, dict):
            raise _bad("Invalid batch payload format.")
        rid = req.get("id")
        if not isinstance(rid, str) or not rid:
            raise _bad("Batch request id is missing or not a string.")  # [U]
        if rid in seen:
            raise _bad(f"Batch request contains duplicate id '{rid}'.")  # [U]
        seen.add(rid)
        if not isinstance(req.get("method"), str) or not isinstance(req.get("url"), str):
            raise _bad(f"Request id : {rid} is missing the method or url.")  # [U]
        url = req["url"]
        if url.lower().startswith(("http://", "https://")):
            raise _bad(f"Request id : {rid} has an absolute url; batch urls must be relative.")  # [U]
        headers = req.get("headers") or {}
        if not isinstance(headers, dict):
            raise _bad(f"Request id : {rid} has invalid headers.")
        has_body = "body" in req and req["body"] is not None
        if has_body and not any(k.lower() == "content-type" for k in headers):
            raise _bad(f"Write request id : {rid} does not contain Content-Type header or body.")
        depends = req.get("dependsOn") or []
        if not isinstance(depends, list):
            raise _bad(f"Request id : {rid} has an invalid dependsOn.")
    ids = {r["id"] for r in requests}
    for req in requests:
        for dep in req.get("dependsOn") or []:
            if dep not in ids or dep == req["id"]:
                raise _bad(f"Request id : {req['id']} depends on an unknown request id '{dep}'.")  # [U]
    return requests


def _inner_body(req: Item, headers: dict[str, str]) -> bytes:
    body = req.get("body")
    if body is None:
        return b""
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
    if "json" in ctype or not isinstance(body, str):
        return json.dumps(body).encode()
    try:
        return base64.b64decode(body, validate=True)  # non-JSON bodies travel base64-encoded
    except (binascii.Error, ValueError):
        return body.encode()


def _as_item(rid: str, result: Result) -> Item:
    data, ctype = result.encode()
    headers = {
        k: v for k, v in result.headers.items() if k.lower() not in ("request-id", "client-request-id")
    }
    if ctype:
        headers["Content-Type"] = ctype
    item: Item = {"id": rid, "status": result.status, "headers": headers}
    if result.body is None:
        return item
    if isinstance(result.body, dict | str):
        item["body"] = result.body
    else:
        item["body"] = base64.b64encode(data).decode()
    return item


def _run_one(ctx: Ctx, req: Item, dispatch: Dispatch) -> Result:
    headers = dict(req.get("headers") or {})
    url = req["url"].lstrip("/")
    if url.lower().startswith("v1.0/"):
        url = url[5:]
    path, _, query = url.partition("?")
    merged = {
        k.lower(): v for k, v in ctx.headers.items() if k.lower() in ("authorization", "client-request-id")
    }
    merged.update({k.lower(): str(v) for k, v in headers.items()})
    inner = Ctx(
        state=ctx.state,
        store=ctx.store,
        method=str(req["method"]).upper(),
        path=unquote(path),
        raw_path=path,
        raw_query=query,
        headers=Headers(merged),
        body=_inner_body(req, headers),
        in_batch=True,
    )
    inner.prefer = parse_prefer([merged["prefer"]] if "prefer" in merged else [])
    injected = inner_fault(ctx.state, inner)
    if injected is not None:
        return injected
    return dispatch(inner)


def run_batch(ctx: Ctx, dispatch: Dispatch) -> Result:
    """Validate and run a batch through `dispatch`; the outer status is 200 even when inner requests fail."""
    if ctx.method.upper() != "POST":
        raise GraphError(
            405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri."
        )
    requests = _validate(ctx.json_body().get("requests"))
    over = _over_concurrency(ctx, requests)
    results: dict[str, Item] = {}
    pending = list(requests)
    while pending:
        progressed = False
        for req in list(pending):
            deps = req.get("dependsOn") or []
            if any(d not in results for d in deps):
                continue
            pending.remove(req)
            progressed = True
            if any(results[d]["status"] >= 400 for d in deps):
                body = error_json(
                    "FailedDependency",
                    "Failed dependency.",
                    ctx.request_id,
                    ctx.client_request_id,
                    ctx.state.clock.now(),
                )
                results[req["id"]] = {
                    "id": req["id"],
                    "status": 424,
                    "headers": {"Content-Type": "application/json"},
                    "body": body,
                }
                continue
            if req["id"] in over:
                results[req["id"]] = _as_item(req["id"], _concurrency_429(ctx))
                continue
            results[req["id"]] = _as_item(req["id"], _run_one(ctx, req, dispatch))
        if not progressed:
            raise _bad("The dependsOn of the batch requests form a cycle.")  # [U]
    ordered = [results[r["id"]] for r in requests]
    if ctx.state.faults.config.batch_reorder:
        # Responses may come back in any order (json-batching.md).
        random.Random(ctx.request_id).shuffle(ordered)
    return json_result({"responses": ordered})


def _mailbox_of(ctx: Ctx, url: str) -> str | None:
    """The mailbox an inner request addresses (its owner's id), or None for other resources."""
    parts = url.lstrip("/").split("?", 1)[0].split("/")
    if parts and parts[0].lower() == "v1.0":
        parts = parts[1:]
    if not parts:
        return None
    if parts[0].lower() == "me":
        return ctx.grant.user_id if ctx.grant is not None else "me"
    if parts[0].lower() == "users" and len(parts) > 2:
        user = ctx.store.find_user(unquote(parts[1]))
        return str(user["id"]) if user else unquote(parts[1]).lower()
    return None


def _over_concurrency(ctx: Ctx, requests: list[Item]) -> set[str]:
    """Ids of the independent items beyond the per-mailbox concurrency limit.

    Graph runs the items of a batch that do not depend on each other in parallel, and each counts against
    its mailbox's limit of 4 concurrent requests (throttling-limits.md, Outlook service limits), so a
    batch of more than 4 independent requests to one mailbox gets 429s for the rest.
    """
    limit = ctx.state.faults.config.concurrency
    if limit <= 0:
        return set()
    counts: dict[str, int] = {}
    over: set[str] = set()
    for req in requests:
        if req.get("dependsOn"):
            continue
        mailbox = _mailbox_of(ctx, str(req.get("url", "")))
        if mailbox is None:
            continue
        counts[mailbox] = counts.get(mailbox, 0) + 1
        if counts[mailbox] > limit:
            over.add(str(req["id"]))
    return over


def _concurrency_429(ctx: Ctx) -> Result:
    from .faults import retry_after_header

    body = error_json(
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        ctx.request_id,
        ctx.client_request_id,
        ctx.state.clock.now(),
    )
    return Result(status=429, body=body, headers=retry_after_header(ctx.state.faults.config))
