"""The SQL engine: apsw virtual tables over Microsoft Graph, the planner, EXEC parsing, procedures, sys
tables."""

from __future__ import annotations

from ._context import EngineContext, GraphLike, PlannedRequest
from .convert import format_datetime, parse_datetime, to_sql_datetime
from .explain import explain
from .vtable import MODULE_NAME, context_of, install

__all__ = [
    "MODULE_NAME",
    "EngineContext",
    "GraphLike",
    "PlannedRequest",
    "context_of",
    "explain",
    "format_datetime",
    "install",
    "parse_datetime",
    "to_sql_datetime",
]
