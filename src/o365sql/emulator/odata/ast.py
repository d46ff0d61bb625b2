"""Syntax tree of a parsed `$filter` expression (immutable dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    "Or",
    "Prop",
]


@dataclass(frozen=True)
class Literal:
    """A literal value. kind: string, boolean, null, int, decimal, datetime, date, guid."""

    kind: str
    value: Any  # str | bool | None | int | float | datetime | date (guid: lower-case str)
    text: str  # the literal as written


@dataclass(frozen=True)
class Prop:
    """A property path: `segments` walk from the item (var None) or from a lambda variable's element.

    `key` is the resource-spec key: the full path from the item, with lambda collections spliced in
    (`toRecipients/emailAddress/address` for `r/emailAddress/address` inside `toRecipients/any(r: ...)`).
    """

    key: str
    var: str | None
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Compare:
    """`prop op literal` with op in eq ne gt ge lt le (a literal on the left is flipped at parse time)."""

    op: str
    prop: Prop
    value: Literal


@dataclass(frozen=True)
class In:
    """`prop in (literal, ...)`."""

    prop: Prop
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Func:
    """`startswith|endswith|contains(prop, 'text')` (name normalised to lower case)."""

    name: str
    prop: Prop
    value: Literal


@dataclass(frozen=True)
class Lambda:
    """`collection/any(v: body)`, `collection/all(v: body)` or `collection/any()` (body None)."""

    kind: str
    prop: Prop
    var: str | None
    body: Node | None


@dataclass(frozen=True)
class Not:
    """`not child`."""

    child: Node


@dataclass(frozen=True)
class And:
    """`left and right`."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    """`left or right`."""

    left: Node
    right: Node


@dataclass(frozen=True)
class BoolProp:
    """A bare boolean property used as a condition (`$filter=isRead`), same as `isRead eq true`."""

    prop: Prop


Node = Compare | In | Func | Lambda | Not | And | Or | BoolProp
