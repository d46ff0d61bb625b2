"""Late-bound links to sibling packages (graph client helpers, error classes) with faithful fallbacks."""

from __future__ import annotations

import contextlib
import importlib
from types import ModuleType
from typing import Any

__all__ = [
    "batch_request",
    "is_not_found",
    "odata_string",
    "operational_error",
]


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def odata_string(value: str) -> str:
    """An OData string literal: quoted, with every `'` doubled (so no value can change a $filter's
    meaning)."""
    graph = _module("o365sql.graph")
    fn = getattr(graph, "odata_string", None) if graph is not None else None
    if fn is not None:
        out = fn(value)
        if isinstance(out, str):
            return out
    return "'" + value.replace("'", "''") + "'"


def batch_request(req_id: str, url: str) -> Any:
    """A GET for GraphClient.batch (o365sql.graph.BatchRequest when available)."""
    graph = _module("o365sql.graph")
    cls = getattr(graph, "BatchRequest", None) if graph is not None else None
    if cls is not None:
        return cls(id=req_id, method="GET", url=url)
    from types import SimpleNamespace

    return SimpleNamespace(id=req_id, method="GET", url=url, headers=None, body=None)


_NOT_FOUND_CODES = frozenset(
    {
        "ErrorItemNotFound",
        "Request_ResourceNotFound",
        "itemNotFound",
        "ErrorInvalidIdMalformed",
        "ResourceNotFound",
        "MailboxNotEnabledForRESTAPI",
    }
)


def is_not_found(exc: BaseException) -> bool:
    """True for a Graph error meaning 'no such item/collection' (404, or a malformed id that can't exist)."""
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    if status == 404:
        return True
    return status == 400 and code in _NOT_FOUND_CODES


def operational_error(message: str, **attrs: Any) -> Exception:
    """A DB-API DatabaseError (o365sql.errors.GraphError when available) carrying Graph's code and status."""
    errors = _module("o365sql.errors")
    cls: Any = None
    if errors is not None:
        cls = getattr(errors, "GraphError", None) or getattr(errors, "DatabaseError", None)
    if cls is None:
        cls = RuntimeError
    try:
        exc = cls(message, **attrs)
    except TypeError:
        exc = cls(message)
        for k, v in attrs.items():
            with contextlib.suppress(AttributeError):
                setattr(exc, k, v)
    assert isinstance(exc, Exception)
    return exc
