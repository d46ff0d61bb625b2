"""Collection responses: OData options through the odata engine, then Graph's paging and envelope."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from typing import Any

from ..odata import ODataError, Query, ResourceSpec, prepare_query, project, run_query, unset_shown
from .envelope import Ctx, Result, json_result, next_link
from .errors import GraphError

__all__ = ["Finish", "entity_result", "list_result", "odata_error", "projector", "select_one"]

Item = dict[str, Any]
Finish = Callable[[Item, Item], Item]  # (stored item, projected item) -> item to send

_DIR_TOKEN = b"DSpt\x02\x00"
_DRIVE_TOKEN = b"Paged=TRUE&p_ID="


def odata_error(exc: ODataError) -> GraphError:
    """The Graph error for an OData engine error."""
    return GraphError(exc.status, exc.code, exc.message)


def _encode_token(offset: int, drive: bool) -> str:
    if drive:
        return base64.b64encode(_DRIVE_TOKEN + str(offset).encode()).decode()
    return base64.urlsafe_b64encode(_DIR_TOKEN + offset.to_bytes(4, "big")).decode().rstrip("=")


def _decode_token(token: str, drive: bool) -> int:
    try:
        raw = (
            base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            if not drive
            else base64.b64decode(token)
        )
    except (binascii.Error, ValueError):
        raw = b""
    if drive and raw.startswith(_DRIVE_TOKEN) and raw[len(_DRIVE_TOKEN) :].isdigit():
        return int(raw[len(_DRIVE_TOKEN) :])
    if not drive and raw.startswith(_DIR_TOKEN) and len(raw) == len(_DIR_TOKEN) + 4:
        return int.from_bytes(raw[len(_DIR_TOKEN) :], "big")
    if drive:
        raise GraphError(400, "invalidRequest", "Invalid skip token.")
    # [U] the exact code for a forged token
    raise GraphError(400, "Request_BadRequest", "Invalid skip token.")


def _odata_params(ctx: Ctx, strip: Iterable[str]) -> dict[str, str]:
    skip = {s.lower() for s in strip}
    return {k: v for k, v in ctx.params.items() if k.startswith("$") and k.lower() not in skip}


def projector(query: Query, spec: ResourceSpec) -> Callable[[Item], Item]:
    """`odata.project` for a whole page, deciding once per key which keys to keep.

    The keep/drop decision depends only on the key, so it is made once per key instead of once per key per
    item (a 1,000-message page spends most of its time here otherwise). Internal keys (leading `_`) never
    leave the emulator.
    """
    if query.select is None and (spec.default_select is None or query.select_all):
        return lambda item: {
            **{k: v for k, v in item.items() if not k.startswith("_")},
            **unset_shown(item, None, spec),
        }
    sample: dict[str, bool] = {}
    kept: list[str] = []  # the keys kept so far, in the order first seen
    shown = {k.lower() for k in spec.unset_defaults if k in project({k: None}, query, spec)}

    def shape(item: Item) -> Item:
        if sample.keys() >= item.keys():  # nothing new: copy the kept keys (a 40-key message, 3 kept)
            fast = {k: item[k] for k in kept if k in item}
            if shown:
                fast.update(unset_shown(item, shown, spec))
            return fast
        out: Item = {}
        for key, value in item.items():
            keep = sample.get(key)
            if keep is None:
                keep = sample[key] = not key.startswith("_") and key in project({key: None}, query, spec)
                if keep:
                    kept.append(key)
            if keep:
                out[key] = value
        if shown:
            out.update(unset_shown(item, shown, spec))
        return out

    return shape


def list_result(
    ctx: Ctx,
    items: list[Item],
    spec: ResourceSpec,
    context: str,
    *,
    finish: Finish | None = None,
    token_paging: str | None = None,  # None: $skip paging; "directory" or "drive": $skiptoken paging
    strip: Iterable[str] = (),
    cap: int | None = None,
) -> Result:
    """A page of a collection: filter/search/order through the odata engine, page, project, envelope."""
    params = ctx.params
    token = None
    if token_paging:
        token = next((v for k, v in params.items() if k.lower() == "$skiptoken"), None)
    try:
        query = prepare_query(_odata_params(ctx, ["$skiptoken", *strip]), ctx.headers, spec)
        rows = run_query(items, query, spec)
    except ODataError as exc:
        raise odata_error(exc) from None
    if cap is not None and getattr(query, "search", None):
        rows = rows[:cap]  # Outlook's $search returns at most 1,000 results
    top = int(getattr(query, "top", None) or spec.default_top)
    offset = (
        _decode_token(token, token_paging == "drive") if token else int(getattr(query, "skip", None) or 0)
    )
    page = rows[offset : offset + top]
    value = []
    shape = projector(query, spec)
    for item in page:
        shaped = shape(item)
        value.append(finish(item, shaped) if finish else shaped)
    body: Item = {"@odata.context": context}
    if getattr(query, "count", False) and not token:
        body["@odata.count"] = len(rows)
    more = offset + top < len(rows)
    if more and token_paging:
        body["@odata.nextLink"] = next_link(
            ctx, {"$skiptoken": _encode_token(offset + top, token_paging == "drive")}, drop=("$skiptoken",)
        )
    body["value"] = value
    if more and not token_paging:
        # Outlook pages with $skip (which may exceed the page size); the client must not compute with it.
        body["@odata.nextLink"] = next_link(ctx, {"$skip": str(offset + top)}, drop=("$skip", "%24skip"))
    return json_result(body)


def select_one(ctx: Ctx, item: Item, spec: ResourceSpec, strip: Iterable[str] = ()) -> Item:
    """One entity shaped by $select (only $select/$expand apply to a single entity)."""
    params = {k: v for k, v in _odata_params(ctx, strip).items() if k.lower() in ("$select",)}
    try:
        query = prepare_query(params, ctx.headers, spec)
        shaped = project(item, query, spec)
    except ODataError as exc:
        raise odata_error(exc) from None
    return {k: v for k, v in shaped.items() if not k.startswith("_")}


def entity_result(
    ctx: Ctx,
    item: Item,
    spec: ResourceSpec,
    context: str,
    finish: Finish | None = None,
    strip: Iterable[str] = (),
) -> Result:
    """A single entity with its @odata.context."""
    shaped = select_one(ctx, item, spec, strip)
    if finish:
        shaped = finish(item, shaped)
    return json_result({"@odata.context": context, **shaped})
