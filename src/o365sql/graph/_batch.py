"""JSON batching: up to 20 requests per ``POST /$batch``, throttled items retried, answers in input order."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import GraphError, OperationalError, ProgrammingError, error_from_graph_response
from ._errors import Permissions
from ._retry import IDEMPOTENT_METHODS, RETRY_STATUSES

if TYPE_CHECKING:
    from ._client import GraphClient

__all__ = ["MAX_BATCH", "BatchRequest", "BatchResponse", "run_batch"]

#: Graph's limit of requests per batch (graph-protocol.md C7).
MAX_BATCH = 20


@dataclass(frozen=True)
class BatchRequest:
    """One request of a batch: ``url`` relative to GraphURL (``/users/{id}``) or absolute under it.

    ``body`` is JSON (a dict/list) or bytes (sent base64-encoded with the Content-Type from ``headers``).
    """

    id: str
    method: str
    url: str
    headers: Mapping[str, str] | None = None
    body: Any = None
    depends_on: tuple[str, ...] = ()


@dataclass
class BatchResponse:
    """One answer of a batch: status, headers and body (JSON, or base64 text for binary content)."""

    id: str
    status: int
    headers: dict[str, str]
    body: Any
    request: BatchRequest | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        """A response header, case-insensitively."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def error(
        self, *, permissions: Permissions | None = None, app_only: bool | None = None
    ) -> GraphError | None:
        """The exception this answer stands for (None when it succeeded)."""
        if self.ok:
            return None
        delegated, application = permissions or ((), ())
        where = f"{self.request.method.upper()} {self.request.url} (in $batch)" if self.request else None
        return error_from_graph_response(
            self.status,
            self.body,
            self.headers,
            request=where,
            delegated_permissions=delegated,
            application_permissions=application,
            app_only=app_only,
        )

    def raise_for_status(
        self, *, permissions: Permissions | None = None, app_only: bool | None = None
    ) -> None:
        """Raise the mapped exception when the item failed."""
        err = self.error(permissions=permissions, app_only=app_only)
        if err is not None:
            raise err


def _item_json(client: GraphClient, req: BatchRequest) -> dict[str, Any]:
    item: dict[str, Any] = {"id": req.id, "method": req.method.upper(), "url": client.relative(req.url)}
    headers = dict(req.headers or {})
    if req.body is not None:
        if isinstance(req.body, bytes | bytearray):
            item["body"] = base64.b64encode(bytes(req.body)).decode("ascii")
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/octet-stream"
        else:
            item["body"] = req.body
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
    if headers:
        item["headers"] = headers
    if req.depends_on:
        item["dependsOn"] = list(req.depends_on)
    return item


def _chunks(requests: list[BatchRequest]) -> list[list[BatchRequest]]:
    chunks = [requests[i : i + MAX_BATCH] for i in range(0, len(requests), MAX_BATCH)]
    for chunk in chunks:
        ids = {r.id for r in chunk}
        for r in chunk:
            missing = [d for d in r.depends_on if d not in ids]
            if missing:
                raise ProgrammingError(
                    f"$batch request {r.id!r} depends on {missing[0]!r}, which is not in the same chunk of "
                    f"{MAX_BATCH}; keep dependent requests together"
                )
    return chunks


def _retryable(resp: BatchResponse, req: BatchRequest) -> bool:
    if resp.status == 429:
        return True
    # a 503/504 item may have been applied unless it is idempotent
    return resp.status in RETRY_STATUSES and req.method.upper() in IDEMPOTENT_METHODS


def run_batch(client: GraphClient, requests: list[BatchRequest]) -> list[BatchResponse]:
    """Send ``requests`` through $batch and return one BatchResponse per request, in the same order."""
    if not requests:
        return []
    seen: set[str] = set()
    for r in requests:
        if not r.id or r.id in seen:
            raise ProgrammingError(f"$batch request ids must be unique and non-empty; {r.id!r} is not")
        seen.add(r.id)
    results: dict[str, BatchResponse] = {}
    policy = client.retry
    for chunk in _chunks(requests):
        pending = chunk
        attempt = 0
        while pending:
            answers = _send_chunk(client, pending)
            results.update(answers)
            retry_ids = {r.id for r in pending if _retryable(answers[r.id], r)}
            # an item that failed only because its dependency was throttled goes again with it
            retry_ids |= {
                r.id
                for r in pending
                if answers[r.id].status == 424 and any(d in retry_ids for d in r.depends_on)
            }
            if not retry_ids or attempt >= policy.max_retries:
                break
            delays = [policy.delay(attempt, answers[i].header("Retry-After")) for i in retry_ids]
            if any(d is None for d in delays):
                break  # Graph asked for a longer wait than we do: return the 429s as they are
            delay = max(d for d in delays if d is not None)
            client.log.info(
                "$batch: %d of %d items throttled; retrying them in %.2f s (retry %d of %d)",
                len(retry_ids),
                len(pending),
                delay,
                attempt + 1,
                policy.max_retries,
            )
            client.counters.retry()
            policy.sleep(delay)
            attempt += 1
            pending = [r for r in pending if r.id in retry_ids]
    return [results[r.id] for r in requests]


def _send_chunk(client: GraphClient, chunk: list[BatchRequest]) -> dict[str, BatchResponse]:
    payload = {"requests": [_item_json(client, r) for r in chunk]}
    idempotent = all(r.method.upper() in IDEMPOTENT_METHODS for r in chunk)
    data = client.request_json("POST", "/$batch", json=payload, idempotent=idempotent)
    items = data.get("responses")
    if not isinstance(items, list):
        raise OperationalError("POST /$batch: Graph's answer has no 'responses' list")
    by_id = {r.id: r for r in chunk}
    answers: dict[str, BatchResponse] = {}
    for item in items:
        if not isinstance(item, Mapping) or str(item.get("id")) not in by_id:
            continue
        rid = str(item["id"])
        headers = item.get("headers") or {}
        answers[rid] = BatchResponse(
            id=rid,
            status=int(item.get("status", 0)),
            headers={str(k): str(v) for k, v in headers.items()} if isinstance(headers, Mapping) else {},
            body=item.get("body"),
            request=by_id[rid],
        )
    missing = [r.id for r in chunk if r.id not in answers]
    if missing:
        raise OperationalError(
            f"POST /$batch: Graph's answer lacks the responses for {', '.join(missing[:5])}",
        )
    return answers
