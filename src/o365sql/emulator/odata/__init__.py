"""The emulator's OData query engine: $filter, $select, $orderby, $top, $skip, $count and $search."""

from __future__ import annotations

from .ast import And, BoolProp, Compare, Func, In, Lambda, Literal, Node, Not, Or, Prop
from .errors import ODataError
from .evaluate import evaluate
from .parser import parse_filter, parse_orderby
from .query import PropertyRule, Query, ResourceSpec, prepare_query, project, run_query, unset_shown
from .search import SearchExpr, SearchTerm, match_search, parse_search

__all__ = [
    "And",
    "BoolProp",
    "Compare",
    "Func",
    "In",
    "Lambda",
    "Literal",
    "Node",
    "Not",
    "ODataError",
    "Or",
    "Prop",
    "PropertyRule",
    "Query",
    "ResourceSpec",
    "SearchExpr",
    "SearchTerm",
    "evaluate",
    "match_search",
    "parse_filter",
    "parse_orderby",
    "parse_search",
    "prepare_query",
    "project",
    "run_query",
    "unset_shown",
]
