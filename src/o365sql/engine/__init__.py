"""The SQL engine: apsw virtual tables over Microsoft Graph, the planner, explain() and the system tables."""

from __future__ import annotations

from ._context import EngineContext, GraphLike, PlannedRequest, WriteLog
from .explain import explain
from .returning import returning
from .vtable import MODULE_NAME, context_of, install, is_empty_in_failure, one_value_at_a_time

__all__ = [
    "MODULE_NAME",
    "EngineContext",
    "GraphLike",
    "PlannedRequest",
    "WriteLog",
    "context_of",
    "explain",
    "install",
    "is_empty_in_failure",
    "one_value_at_a_time",
    "returning",
]
