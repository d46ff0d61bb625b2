"""Graph's errors: the exception handlers raise, and the error body Graph answers with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["GraphError", "error_json", "unknown_property"]


class GraphError(Exception):
    """A Graph error response: HTTP status, service code and message (plus extra headers/innerError keys)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        inner: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.inner = dict(inner or {})


def error_json(
    code: str,
    message: str,
    request_id: str,
    client_request_id: str,
    now: dt.datetime,
    inner: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Graph's error body: innerError.date has no fraction and no Z (as real payloads show)."""
    inner_error: dict[str, str] = dict(inner or {})
    inner_error.update(
        {
            "date": now.strftime("%Y-%m-%dT%H:%M:%S"),
            "request-id": request_id,
            "client-request-id": client_request_id,
        }
    )
    return {"error": {"code": code, "message": message, "innerError": inner_error}}


def unknown_property(key: str, kind: str) -> GraphError:
    """400 RequestBodyRead for a request body naming a property the entity type does not have."""
    return GraphError(
        400,
        "RequestBodyRead",
        f"The property '{key}' does not exist on type 'microsoft.graph.{kind}'. Make sure to only use "
        "property names that are defined by the type or mark the type as open type.",
    )


def directory_not_found(key: str) -> GraphError:
    """The directory's 404 for an object (user, group, role, manager) that does not exist."""
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.",
    )
