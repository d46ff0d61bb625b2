"""The SQL engine: apsw virtual tables over Microsoft Graph, the planner, explain() and the system tables."""

from __future__ import annotations

from ._context import EngineContext, GraphLike, PlannedRequest
from .convert import format_datetime, parse_datetime, to_sql_datetime
from .explain import explain
from .vtable import MODULE_NAME, context_of, install, is_empty_in_failure, one_value_at_a_time

__all__ = [
    "MODULE_NAME",
    "EngineContext",
    "GraphLike",
    "PlannedRequest",
    "context_of",
    "explain",
    "format_datetime",
    "install",
    "is_empty_in_failure",
    "one_value_at_a_time",
    "parse_datetime",
    "to_sql_datetime",
]
