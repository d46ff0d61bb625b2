"""Evaluate a `$filter` tree against a JSON item (a dict) with Graph's comparison rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from .ast import And, BoolProp, Compare, Func, In, Lambda, Literal, Node, Not, Or, Prop
from .lexer import parse_datetime_text

__all__ = ["evaluate", "fold", "is_datetime_path", "resolve", "sort_key"]


def fold(text: str) -> str:
    """Case-folding used for string comparisons.

    Graph compares strings case-insensitively on Outlook (Exchange collation) and directory resources:
    `subject eq 'hello'` matches "Hello", and startswith/endswith/contains ignore case. We fold with
    `str.lower()` (close to .NET's invariant ignore-case). SQL pushdown must therefore leave such terms for
    SQLite to re-check (design.md: "sent but not omitted").
    """
    return text.lower()


def resolve(prop: Prop, item: Mapping[str, Any], env: Mapping[str, Any] | None = None) -> Any:
    """The value at a property path (None when any step is missing or not an object)."""
    current: Any = item if prop.var is None else (env or {}).get(prop.var)
    for seg in prop.segments:
        if not isinstance(current, Mapping):
            return None
        current = current.get(seg)
    return current


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _order(op: str, c: int) -> bool:
    if op == "eq":
        return c == 0
    if op == "ne":
        return c != 0
    if op == "gt":
        return c > 0
    if op == "ge":
        return c >= 0
    if op == "lt":
        return c < 0
    return c <= 0  # le


def _cmp(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


def _as_instant(value: str) -> datetime | None:
    dt = parse_datetime_text(value)
    if dt is not None:
        return dt
    if len(value) == 10:
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return None
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    return None


def is_datetime_path(key: str) -> bool:
    """Graph names its date-time properties `...DateTime` (receivedDateTime, start/dateTime)."""
    return key.rsplit("/", 1)[-1].lower().endswith("datetime")


def _three_way(value: Any, lit: Literal, key: str) -> int | None:
    """Compare a non-null JSON value with a non-null literal: -1/0/1, or None if the types don't compare."""
    kind = lit.kind
    if kind == "boolean":
        return _cmp(value, lit.value) if isinstance(value, bool) else None
    if kind in ("int", "decimal"):
        return _cmp(value, lit.value) if _is_number(value) else None
    if not isinstance(value, str):
        return None
    if kind == "datetime":
        dt = _as_instant(value)
        return None if dt is None else _cmp(dt, lit.value)
    if kind == "date":
        d: date = lit.value
        if len(value) == 10:
            try:
                return _cmp(date.fromisoformat(value), d)
            except ValueError:
                return None
        dt = parse_datetime_text(value)
        return None if dt is None else _cmp(dt, datetime(d.year, d.month, d.day, tzinfo=UTC))
    text = str(lit.value)
    # On date-time properties, a datetime-shaped string literal (`start/dateTime ge '2024-01-01T08:00'`)
    # compares as an instant, so differing fraction lengths or offsets don't change the answer.
    if is_datetime_path(key):
        a, b = parse_datetime_text(value), parse_datetime_text(text)
        if a is not None and b is not None:
            return _cmp(a, b)
    return _cmp(fold(value), fold(text))


def _compare(value: Any, op: str, lit: Literal, key: str) -> bool:
    if lit.kind == "null" or value is None:
        # OData: null eq null is true, null ne x is true, and every ordering comparison with null is false.
        same = value is None and lit.kind == "null"
        return same if op == "eq" else (not same) if op == "ne" else False
    c = _three_way(value, lit, key)
    if c is None:
        return op == "ne"
    return _order(op, c)


def _func(name: str, value: Any, needle: str) -> bool:
    if not isinstance(value, str):
        return False
    hay, pin = fold(value), fold(needle)
    if name == "startswith":
        return hay.startswith(pin)
    if name == "endswith":
        return hay.endswith(pin)
    return pin in hay


def _eval(node: Node, item: Mapping[str, Any], env: dict[str, Any]) -> bool:
    if isinstance(node, Compare):
        return _compare(resolve(node.prop, item, env), node.op, node.value, node.prop.key)
    if isinstance(node, And):
        return _eval(node.left, item, env) and _eval(node.right, item, env)
    if isinstance(node, Or):
        return _eval(node.left, item, env) or _eval(node.right, item, env)
    if isinstance(node, Not):
        return not _eval(node.child, item, env)
    if isinstance(node, In):
        value = resolve(node.prop, item, env)
        return any(_compare(value, "eq", lit, node.prop.key) for lit in node.values)
    if isinstance(node, Func):
        return _func(node.name, resolve(node.prop, item, env), str(node.value.value))
    if isinstance(node, BoolProp):
        return resolve(node.prop, item, env) is True
    if isinstance(node, Lambda):
        coll = resolve(node.prop, item, env)
        elements: list[Any] = coll if isinstance(coll, list) else []
        if node.body is None or node.var is None:
            return bool(elements)
        var, body = node.var, node.body

        def test(element: Any) -> bool:
            return _eval(body, item, {**env, var: element})

        return any(map(test, elements)) if node.kind == "any" else all(map(test, elements))
    raise TypeError(f"not a filter node: {node!r}")


def evaluate(node: Node, item: Mapping[str, Any]) -> bool:
    """True when the item satisfies the filter (a missing property is null)."""
    return _eval(node, item, {})


def sort_key(value: Any, datetime_like: bool = False) -> tuple[Any, ...]:
    """A total-order key for one `$orderby` value.

    Nulls sort first, then values by type; strings case-insensitively, and date-time strings as instants
    when `datetime_like`.
    """
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, 0, int(value))
    if _is_number(value):
        return (1, 1, value)
    if isinstance(value, str):
        dt = parse_datetime_text(value) if datetime_like else None
        if dt is not None:
            return (1, 2, dt)
        return (1, 3, fold(value))
    return (1, 4, repr(value))
