"""Resource specs, validation of Graph query options (`prepare_query`) and their evaluation."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .ast import And, BoolProp, Compare, Func, In, Lambda, Literal, Node, Not, Or, Prop
from .errors import ODataError
from .evaluate import evaluate, is_datetime_path, resolve, sort_key
from .parser import parse_filter, parse_orderby
from .search import SearchExpr, match_search, parse_search

__all__ = ["PropertyRule", "Query", "ResourceSpec", "prepare_query", "project", "run_query", "unset_shown"]

UNSUPPORTED_QUERY = ("Request_UnsupportedQuery", "Unsupported Query.")
INEFFICIENT_FILTER = ("InefficientFilter", "The restriction or sort order is too complex for this operation.")
SEARCH_NEEDS_HEADER = (
    "Request with $search query parameter only works through MSGraph with a special request header: "
    "'ConsistencyLevel: eventual'"
)
DIRECTORY_OR_LIMIT = 15
SEARCH_LIMIT = 1000  # Outlook $search returns at most 1,000 results (search-query-parameter.md)

# Query options Graph accepts that other layers handle (paging tokens, $expand): validated elsewhere.
PASSTHROUGH_OPTIONS = frozenset({"$expand", "$skiptoken", "$deltatoken", "$format"})
HANDLED_OPTIONS = frozenset({"$filter", "$select", "$orderby", "$top", "$skip", "$count", "$search"})


@dataclass(frozen=True)
class PropertyRule:
    """What `$filter`/`$orderby` may do with one property path.

    ops: subset of eq ne gt ge lt le in startswith endswith contains any all not.
    advanced_ops: ops allowed on directory resources only with `ConsistencyLevel: eventual` + `$count=true`.
    edm: optional OData type ("Edm.String", "Edm.Boolean", "Edm.Int32", "Edm.Int64", "Edm.Double",
    "Edm.DateTimeOffset", "Edm.Date", "Edm.Guid"); when set, literals of another type give Graph's 400.
    null: directory only, how `eq null`/`ne null` is served: "advanced" (needs advanced queries), "default",
    or "none" (refused) -- the "null value" column of aad-advanced-queries.md's per-property tables.
    """

    ops: frozenset[str] = frozenset()
    orderable: bool = False
    advanced_ops: frozenset[str] = frozenset()
    edm: str | None = None
    null: str = "advanced"


@dataclass(frozen=True)
class ResourceSpec:
    """Graph's query rules for one collection (messages, users, events, driveItems, ...)."""

    name: str
    properties: Mapping[str, PropertyRule]
    default_select: tuple[str, ...] | None
    selectable: frozenset[str] | None
    default_top: int
    max_top: int
    top_error: tuple[str, str] = (
        "ErrorInvalidUrlQuery",
        "The value '{top}' is not valid for $top. It must be between 1 and {max_top} inclusive.",
    )
    supports_skip: bool = True
    search: str | None = None
    directory: bool = False
    inefficient_filter_rule: bool = False
    filter_code: str = "ErrorInvalidUrlQuery"
    search_fields: tuple[str, ...] = ()
    entity_type: str | None = None  # "message"; default: name without its plural "s"
    not_implemented_select: frozenset[str] = frozenset()  # directory: $select of these gives 501
    # Properties an item may not store (Exchange keeps a message's flag only once it is flagged): shown with
    # this value when absent, while $filter sees the absence (null). [U] what Graph's filter does with an
    # unset property is undocumented; treating it as null is the strictest reading, and the driver must
    # not trust Graph there.
    unset_defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        """The entity type name used in error messages (`message`, `user`, `driveItem`)."""
        if self.entity_type:
            return self.entity_type
        plural = self.name.endswith("s") and not self.name.endswith("ss")
        return self.name[:-1] if plural else self.name


@dataclass
class Query:
    """Validated query options for one request."""

    filter: Node | None = None
    orderby: list[tuple[str, bool]] = field(default_factory=list)
    select: list[str] | None = None
    top: int = 10
    skip: int = 0
    count: bool = False
    search: str | None = None
    top_given: bool = False  # $top was sent (else top = spec.default_top)
    advanced: bool = False  # directory advanced query (ConsistencyLevel: eventual + $count=true)
    consistency_eventual: bool = False  # the ConsistencyLevel: eventual header was sent
    search_expr: SearchExpr | None = None
    select_all: bool = False  # $select=*: every property, not just the default set
    extra: dict[str, str] = field(default_factory=dict)  # $expand, $skiptoken, ... as sent


# -- validation ---------------------------------------------------------------------------------------------


_EDM_OF_LITERAL = {
    "string": "Edm.String",
    "boolean": "Edm.Boolean",
    "int": "Edm.Int32",
    "decimal": "Edm.Decimal",
    "datetime": "Edm.DateTimeOffset",
    "date": "Edm.Date",
    "guid": "Edm.Guid",
}
_COMPATIBLE = {
    "Edm.String": {"string"},
    "Edm.Boolean": {"boolean"},
    "Edm.Int32": {"int"},
    "Edm.Int64": {"int"},
    "Edm.Double": {"int", "decimal"},
    "Edm.Decimal": {"int", "decimal"},
    "Edm.DateTimeOffset": {"datetime"},
    "Edm.Date": {"date"},
    "Edm.Guid": {"guid"},
}
_OP_KIND = {
    "eq": "Equal",
    "ne": "NotEqual",
    "gt": "GreaterThan",
    "ge": "GreaterThanOrEqual",
    "lt": "LessThan",
    "le": "LessThanOrEqual",
    "in": "In",
}


class _Binder:
    """Checks a parsed filter against a ResourceSpec and rewrites paths to the spec's spelling."""

    def __init__(self, spec: ResourceSpec) -> None:
        self.spec = spec
        self.lower = {k.lower(): k for k in spec.properties}
        self.keys: list[str] = []  # filter properties in textual order (InefficientFilter rule)
        self.advanced: list[str] = []  # why the query needs advanced-query mode

    def fail(self, message: str) -> ODataError:
        return ODataError(400, self.spec.filter_code, message)

    def prop(self, p: Prop, op: str) -> tuple[Prop, PropertyRule]:
        canon = self.lower.get(p.key.lower())
        if canon is None:
            lowered = p.key.lower()
            top_level = {
                n.lower() for n in (*(self.spec.selectable or ()), *(self.spec.default_select or ()))
            }
            nested = any(k.lower().startswith(lowered + "/") for k in self.spec.properties)
            if nested or lowered.split("/")[0] in top_level:
                # A real property Graph cannot filter on (or a complex one whose leaves it can).
                if self.spec.directory and not nested:
                    raise self.fail("The request uses a filter property that is not indexed")
                raise self.fail(self.unsupported_message(p.key, op))
            raise self.fail(_unknown_property(self.spec, p.key))
        parts = tuple(canon.split("/"))
        segments = parts[len(parts) - len(p.segments) :] if p.segments else ()
        if canon not in self.keys:
            self.keys.append(canon)
        return Prop(canon, p.var, segments), self.spec.properties[canon]

    def unsupported_message(self, key: str, op: str) -> str:
        if self.spec.directory:
            resource = self.spec.type_name[:1].upper() + self.spec.type_name[1:]
            return (
                f"Unsupported or invalid query filter clause specified for property '{key}' "
                f"of resource '{resource}'."
            )
        return f"The property '{key}' does not support the '{op}' operator in $filter."

    def need(self, rule: PropertyRule, key: str, op: str) -> None:
        if op in rule.ops:
            return
        if op in rule.advanced_ops:
            self.advanced.append(f"{op} on {key}")
            return
        raise self.fail(self.unsupported_message(key, op))

    def check_type(self, rule: PropertyRule, key: str, op: str, lit: Literal) -> None:
        if rule.edm is None or lit.kind == "null" or rule.edm not in _COMPATIBLE:
            return
        if lit.kind not in _COMPATIBLE[rule.edm]:
            raise self.fail(
                "A binary operator with incompatible types was detected. Found operand types "
                f"'{rule.edm}' and '{_EDM_OF_LITERAL[lit.kind]}' for operator kind '{_OP_KIND.get(op, op)}'."
            )

    def bind(self, node: Node) -> Node:
        if isinstance(node, Compare):
            p, rule = self.prop(node.prop, node.op)
            self.need(rule, p.key, node.op)
            self.check_type(rule, p.key, node.op, node.value)
            if self.spec.directory and node.value.kind == "null":
                # Directory: filtering on null values is an advanced query, or not supported at all, per
                # property (aad-advanced-queries.md, "null value" column).
                if rule.null == "none":
                    raise self.fail(self.unsupported_message(p.key, node.op))
                if rule.null == "advanced":
                    self.advanced.append(f"{node.op} null on {p.key}")
            return Compare(node.op, p, node.value)
        if isinstance(node, In):
            p, rule = self.prop(node.prop, "in")
            self.need(rule, p.key, "in")
            for lit in node.values:
                self.check_type(rule, p.key, "in", lit)
            return In(p, node.values)
        if isinstance(node, Func):
            p, rule = self.prop(node.prop, node.name)
            self.need(rule, p.key, node.name)
            self.check_type(rule, p.key, node.name, node.value)
            return Func(node.name, p, node.value)
        if isinstance(node, BoolProp):
            p, rule = self.prop(node.prop, "eq")
            self.need(rule, p.key, "eq")
            return BoolProp(p)
        if isinstance(node, Lambda):
            p, rule = self.prop(node.prop, node.kind)
            self.need(rule, p.key, node.kind)
            body = self.bind(node.body) if node.body is not None else None
            return Lambda(node.kind, p, node.var, body)
        if isinstance(node, Not):
            child = self.bind(node.child)
            for key in _direct_keys(child):
                self.need(self.spec.properties[key], key, "not")
            return Not(child)
        if isinstance(node, And):
            return And(self.bind(node.left), self.bind(node.right))
        if isinstance(node, Or):
            return Or(self.bind(node.left), self.bind(node.right))
        raise TypeError(f"not a filter node: {node!r}")


def _unknown_property(spec: ResourceSpec, name: str) -> str:
    if spec.directory:
        return f"Property '{name}' does not exist as a declared property or extension property."
    return f"Could not find a property named '{name}' on type 'microsoft.graph.{spec.type_name}'."


def _direct_keys(node: Node) -> list[str]:
    """Property keys a `not` applies to (lambda bodies excluded: the collection counts)."""
    if isinstance(node, Compare | In | Func | BoolProp | Lambda):
        return [node.prop.key]
    if isinstance(node, Not):
        return _direct_keys(node.child)
    return _direct_keys(node.left) + _direct_keys(node.right)


def _or_width(node: Node) -> int:
    """Terms in the `or`/`in` disjunction rooted at node (1 for anything else)."""
    if isinstance(node, Or):
        return _or_width(node.left) + _or_width(node.right)
    if isinstance(node, In):
        return len(node.values)
    return 1


def _max_or_width(node: Node) -> int:
    """The widest `or`/`in` disjunction anywhere in the filter."""
    if isinstance(node, Or | In):
        width = _or_width(node)
        children: list[Node] = []
        stack: list[Node] = [node]
        while stack:  # the disjunction's non-`or` members may hold their own disjunctions
            current = stack.pop()
            if isinstance(current, Or):
                stack += [current.left, current.right]
            elif not isinstance(current, In):
                children.append(current)
        return max([width, *(_max_or_width(c) for c in children)])
    if isinstance(node, And):
        return max(_max_or_width(node.left), _max_or_width(node.right))
    if isinstance(node, Not):
        return _max_or_width(node.child)
    if isinstance(node, Lambda) and node.body is not None:
        return _max_or_width(node.body)
    return 1


def _int_option(name: str, raw: str, code: str) -> int:
    if not re.fullmatch(r"\d{1,18}", raw.strip()):
        raise ODataError(
            400,
            code,
            f"Invalid value '{raw}' for {name} query option found. "
            f"The {name} query option requires a non-negative integer value.",
        )
    return int(raw.strip())


def _select(raw: str, spec: ResourceSpec) -> list[str] | None:
    names = [n.strip() for n in raw.split(",")]
    if any(n == "*" for n in names):
        return ["*"]
    known: dict[str, str] = {}
    for name in (
        *(spec.selectable or ()),
        *(spec.default_select or ()),
        *(k.split("/")[0] for k in spec.properties),
    ):
        known.setdefault(name.lower(), name)
    out: list[str] = []
    for name in names:
        if not re.fullmatch(r"[A-Za-z_@][\w.@]*", name):
            raise ODataError(400, spec.filter_code, f"Invalid $select clause: '{raw}'.")
        allowed = spec.selectable is None or name.lower() in {s.lower() for s in spec.selectable}
        if not allowed:
            raise ODataError(400, spec.filter_code, _unknown_property(spec, name))
        canon = known.get(name.lower(), name)
        if canon in spec.not_implemented_select:
            raise ODataError(501, "NotImplemented", "This operation target is not yet supported.")
        if canon not in out:
            out.append(canon)
    return out


def prepare_query(params: Mapping[str, str], headers: Mapping[str, str], spec: ResourceSpec) -> Query:
    """Validate the request's query options with Graph's rules for `spec`; raise ODataError like Graph."""
    code = spec.filter_code
    lowered_headers = {k.lower(): v for k, v in headers.items()}
    eventual = lowered_headers.get("consistencylevel", "").strip().lower() == "eventual"
    options: dict[str, str] = {}
    query = Query(top=spec.default_top, consistency_eventual=eventual)
    for key, value in params.items():
        if not key.startswith("$"):
            continue  # ordinary parameters (startDateTime, includeHiddenFolders, ...) belong to the route
        name = key.lower()
        if name in options or name in query.extra:
            raise ODataError(
                400,
                code,
                f"Query option '{key}' was specified more than once, but it must be specified at most once.",
            )
        if name in HANDLED_OPTIONS:
            options[name] = value
        elif name in PASSTHROUGH_OPTIONS:
            query.extra[name] = value
        else:
            raise ODataError(400, code, f"The query parameter '{key}' is not supported.")

    if "$count" in options:
        raw = options["$count"].strip().lower()
        if raw not in ("true", "false"):
            raise ODataError(400, code, f"Invalid value '{options['$count']}' for $count query option found.")
        # Directory: $count=true without ConsistencyLevel: eventual is silently ignored.
        query.count = raw == "true" and (eventual or not spec.directory)
        query.advanced = spec.directory and eventual and raw == "true"

    if "$top" in options:
        raw = options["$top"]
        top_code, top_message = spec.top_error
        if re.fullmatch(r"-?\d+", raw.strip()):
            top = int(raw.strip())
            if top < 1 or top > spec.max_top:
                text = top_message.replace("{top}", raw.strip()).replace("{max_top}", str(spec.max_top))
                raise ODataError(400, top_code, text)
        else:
            top = _int_option("$top", raw, top_code)
        query.top, query.top_given = top, True

    if "$skip" in options:
        if not spec.supports_skip:
            skip_code = "Request_BadRequest" if spec.directory else code
            raise ODataError(400, skip_code, "'$skip' is not supported by the service.")
        query.skip = _int_option("$skip", options["$skip"], code)

    if "$search" in options:
        if spec.search is None:
            raise ODataError(400, code, f"$search is not supported on the '{spec.name}' resource.")
        if spec.directory and not eventual:
            raise ODataError(400, "Request_UnsupportedQuery", SEARCH_NEEDS_HEADER)
        if spec.search == "kql":
            # [U] the exact Outlook error for these combinations is undocumented; ErrorInvalidUrlQuery naming
            # the offending option is what Outlook answers for other invalid option mixes.
            for other, label in (("$filter", "Filter"), ("$orderby", "OrderBy")):
                if other in options:
                    message = f"The query parameter '{label}' is invalid."
                    raise ODataError(400, "ErrorInvalidUrlQuery", message)
        query.search = options["$search"]
        query.search_expr = parse_search(query.search, spec.search, spec.search_fields, code)

    advanced_reasons: list[str] = []
    binder = _Binder(spec)
    if "$filter" in options:
        query.filter = binder.bind(parse_filter(options["$filter"], code=code))
        advanced_reasons.extend(binder.advanced)
        if spec.directory and not query.advanced:
            # Without advanced queries the directory caps `or`/`in` at 15 terms (filter-query-parameter.md:
            # "limited by default to 15 expressions"); with them only the 2,048-character URL limit applies.
            # [U] the message is the one seen for long `or` chains; the driver must split larger IN lists.
            width = _max_or_width(query.filter)
            if width > DIRECTORY_OR_LIMIT:
                raise ODataError(
                    400,
                    "Request_UnsupportedQuery",
                    "Too many child clauses specified in search filter expression containing 'OR' operators: "
                    f"{width}. Max allowed: {DIRECTORY_OR_LIMIT}.",
                )

    if "$orderby" in options:
        orderby: list[tuple[str, bool]] = []
        lower = {k.lower(): k for k in spec.properties}
        for path, descending in parse_orderby(options["$orderby"], code=code):
            canon = lower.get(path.lower())
            if canon is None or not spec.properties[canon].orderable:
                if spec.directory:
                    message = f"Sorting by property '{path}' is not supported."
                    raise ODataError(400, "Request_UnsupportedQuery", message)
                raise ODataError(400, code, f"The property '{path}' cannot be used in $orderby.")
            orderby.append((canon, descending))
        query.orderby = orderby
        if spec.directory and query.filter is not None:
            advanced_reasons.append("$orderby with $filter")
        if spec.inefficient_filter_rule and query.filter is not None:
            # Messages: $orderby properties must lead the $filter, in the same order (user-list-messages.md).
            wanted: list[str] = []
            for path, _ in orderby:
                if path not in wanted:
                    wanted.append(path)
            if binder.keys[: len(wanted)] != wanted:
                raise ODataError(400, *INEFFICIENT_FILTER)

    if advanced_reasons and not query.advanced:
        raise ODataError(400, *UNSUPPORTED_QUERY)

    if "$select" in options:
        selected = _select(options["$select"], spec)
        if selected == ["*"]:
            query.select_all = True
        else:
            query.select = selected
    return query


# -- evaluation ---------------------------------------------------------------------------------------------


def _key_function(path: str) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    prop = Prop(path, None, tuple(path.split("/")))
    datetime_like = is_datetime_path(path)

    def key(item: Mapping[str, Any]) -> tuple[Any, ...]:
        return sort_key(resolve(prop, item), datetime_like)

    return key


def _sort(items: list[dict[str, Any]], orderby: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    # Stable multi-key sort: last key first. reverse=True keeps ties in input order, and puts nulls last
    # (OData: null is the smallest value, so first ascending and last descending).
    for path, descending in reversed(orderby):
        items.sort(key=_key_function(path), reverse=descending)
    return items


def run_query(items: Iterable[dict[str, Any]], query: Query, spec: ResourceSpec) -> list[dict[str, Any]]:
    """Filter, search and order the items (not paged: the caller slices [skip:skip+top])."""
    result = [item for item in items if query.filter is None or evaluate(query.filter, item)]
    if query.search_expr is not None:
        expr = query.search_expr
        result = [item for item in result if match_search(expr, item, spec.search_fields)]
        if spec.search == "kql":
            # Outlook $search sorts by sent date, newest first, and returns at most 1,000 results.
            result = _sort(result, [("sentDateTime", True)])[:SEARCH_LIMIT]
    if query.orderby:
        result = _sort(result, query.orderby)
    return result


def project(item: dict[str, Any], query: Query, spec: ResourceSpec) -> dict[str, Any]:
    """The item as returned: selected (or default) properties plus `id` and `@` annotations, in item order."""
    names = query.select if query.select is not None else spec.default_select
    if names is None or query.select_all:
        return dict(item)
    # Outlook and OneDrive always return `id`; the directory returns only what `$select` names
    # (user-list.md, example "$select=displayName,userPrincipalName,signInActivity": no id in the answer).
    keep = {n.lower() for n in names} | (set() if spec.directory and query.select is not None else {"id"})
    out = {k: v for k, v in item.items() if k.startswith("@") or k.lower() in keep}
    return {**out, **unset_shown(item, keep, spec)}


def unset_shown(item: Mapping[str, Any], keep: set[str] | None, spec: ResourceSpec) -> dict[str, Any]:
    """The spec's shown-when-unset defaults for the properties `item` lacks (`keep`: lower-cased names
    projected, None for all)."""
    return {
        k: copy.deepcopy(v)
        for k, v in spec.unset_defaults.items()
        if k not in item and (keep is None or k.lower() in keep)
    }
