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
            results[req["id"]] = _as_item(req["id"], _run_one(ctx, req, dispatch))
        if not progressed:
            raise _bad("The dependsOn of the batch requests form a cycle.")  # [U]
    ordered = [results[r["id"]] for r in requests]
    if ctx.state.faults.config.batch_reorder:
        # Responses may come back in any order (json-batching.md).
        random.Random(ctx.request_id).shuffle(ordered)
    return json_result({"responses": ordered})
