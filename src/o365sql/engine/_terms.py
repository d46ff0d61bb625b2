"""Values and terms: SQLite's affinity and comparison rules, and one SQL constraint as Graph `$filter` text.

Values are first given the column's SQLite affinity (as SQLite does before comparing), then translated:
text `=` -> `eq`, LIKE/GLOB 'abc%' -> `startswith` (both re-checked by SQLite: Graph ignores case); booleans
-> `eq true|false`; DATETIME `x > v` -> `x ge v+1s`, `x <= v` -> `x lt v+1s`, `x = v` -> `x ge v and x lt
v+1s` (SQLite sees values truncated to whole seconds, so these are exact whatever precision Graph keeps; on a
column with instant slack, all-day event start/end, the range is widened by the slack and re-checked); IN
lists -> or-ed eq terms, at most IN_CHUNK a request. A date-time Graph can't take exactly (`'2024-05-01'`,
`'2024-05-01 10:00'`) is left to `Check`, which applies SQLite's comparison rules in Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from ..graph import odata_datetime, odata_string, path_segment
from ..schema import ColumnSpec
from ..schema._types import drive_base
from ._values import DATE_PREFIX, compare, numeric_affinity, sqlite_affinity
from .convert import SQLValue, parse_datetime
from .planner import PlanTerm

__all__ = [
    "CANONICAL",
    "EMPTY",
    "FLOOR",
    "IN_CHUNK",
    "Check",
    "datetime_superset",
    "dt_literal",
    "fill",
    "filter_alternatives",
    "group",
    "holds_when_unset",
    "translate",
]

IN_CHUNK = 15
EMPTY = "<empty>"
CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
FLOOR = datetime(1900, 1, 1)


@dataclass
class Check:
    """A constraint SQLite was told to omit that this scan must check itself."""

    column: int
    op: str
    values: tuple[SQLValue, ...]
    reader: Callable[[dict[str, Any]], SQLValue]

    def __call__(self, item: dict[str, Any]) -> bool:
        v = self.reader(item)
        return any(compare(self.op, v, b) for b in self.values)


def holds_when_unset(column: ColumnSpec, op: str, values: list[SQLValue]) -> bool:
    """True when the column's shown-when-unset value satisfies `column op value` for some value: Graph may
    not return the items that leave it unset, so such a term is left to SQLite alone."""
    if column.unset_shows is None:
        return False
    if op in ("like", "glob"):
        return True  # a pattern may match the default; never sent
    shown = sqlite_affinity(column.unset_shows, numeric_affinity(column))
    return any(compare(op, shown, v) for v in values)


def dt_literal(column: ColumnSpec, dt: datetime) -> str:
    """The $filter literal of a date-time for this column (DateTimeOffset, or a dateTimeTimeZone's string)."""
    return odata_datetime(dt, timezone_string=column.datetime_style == "dtz")


def like_prefix(pattern: str, op: str) -> str:
    stops = "%_" if op == "like" else "*?["
    out = []
    for ch in pattern:
        if ch in stops:
            break
        out.append(ch)
    return "".join(out)


def translate(column: ColumnSpec, op: str, v: SQLValue) -> list[str] | str | None:
    """Graph terms (AND-ed) for `column op v`; EMPTY when no row can match; None when Graph can't say."""
    path = column.graph_path
    if v is None:
        return EMPTY if op != "ne" else None
    if op in ("like", "glob"):
        if not isinstance(v, str):
            return None
        prefix = like_prefix(v, op)
        return [f"startswith({path},{odata_string(prefix)})"] if prefix else None
    if column.type in ("TEXT", "JSON"):
        if op == "eq" and isinstance(v, str):
            return [f"{path} eq {odata_string(v)}"]
        return None
    if column.type == "BOOLEAN":
        if isinstance(v, int | float) and v in (0, 1):
            return [f"{path} {op} {'true' if v == 1 else 'false'}"]
        return EMPTY if op == "eq" else None
    if column.type in ("INTEGER", "REAL"):
        return translate_number(column, op, v)
    if column.type == "DATETIME":
        if not (isinstance(v, str) and CANONICAL.match(v)):
            return EMPTY if op == "eq" and not isinstance(v, str) else None
        dt = parse_datetime(v)
        if dt is None:
            return None
        dt = dt.replace(tzinfo=None)
        slack = timedelta(hours=column.instant_slack_hours)
        if dt >= datetime.max - timedelta(seconds=1) - slack or dt - datetime.min < slack:
            return None  # no literal past the range datetime has: SQLite checks the term itself
        if column.instant_slack_hours:
            return _widened(column, op, dt)
        lo, hi = dt_literal(column, dt), dt_literal(column, dt + timedelta(seconds=1))
        return {
            "eq": [f"{path} ge {lo}", f"{path} lt {hi}"],
            "ne": [f"{path} ne {lo}"],
            "gt": [f"{path} ge {hi}"],
            "ge": [f"{path} ge {lo}"],
            "lt": [f"{path} lt {lo}"],
            "le": [f"{path} lt {hi}"],
        }.get(op)
    return None


def _widened(column: ColumnSpec, op: str, dt: datetime) -> list[str] | None:
    """Range terms widened by the column's slack: Graph may hold an instant up to that far from the value it
    shows (all-day events), so the terms keep every row SQLite would, and SQLite re-checks them."""
    path, slack = column.graph_path, timedelta(hours=column.instant_slack_hours)
    lo = dt_literal(column, dt - slack)
    hi = dt_literal(column, dt + timedelta(seconds=1) + slack)
    return {
        "eq": [f"{path} ge {lo}", f"{path} lt {hi}"],
        "gt": [f"{path} ge {lo}"],
        "ge": [f"{path} ge {lo}"],
        "lt": [f"{path} lt {hi}"],
        "le": [f"{path} lt {hi}"],
    }.get(op)


def translate_number(column: ColumnSpec, op: str, v: SQLValue) -> list[str] | str | None:
    path = column.graph_path
    if not isinstance(v, int | float):
        # numbers sort before text and blobs: eq/gt/ge never hold; lt/le hold for every non-null value
        return EMPTY if op in ("eq", "gt", "ge") else None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if column.type == "INTEGER" and isinstance(v, float) and not v.is_integer():
        if op == "eq":
            return EMPTY
        if op == "ne":
            return None
        op, v = {"gt": ("ge", math.ceil(v)), "ge": ("ge", math.ceil(v)), "lt": ("le", math.floor(v))}.get(
            op, ("le", math.floor(v))
        )
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        v = int(v)
    return [f"{path} {op} {v!r}"]


def datetime_superset(column: ColumnSpec, term: PlanTerm, values: list[SQLValue]) -> list[str] | None:
    """A day-wide range for a DATETIME value Graph can't take exactly ('2024-05-01', '2024-05-01 10:00').

    It holds every row SQLite's text comparison keeps (canonical x >= v implies x's date >= v's date), and is
    sent to narrow the scan while the exact check stays local.
    """
    if column.type != "DATETIME" or term.is_in or column.kind != "graph" or len(values) != 1:
        return None
    v = values[0]
    m = DATE_PREFIX.match(v) if isinstance(v, str) else None
    if m is None or term.op not in ("eq", "lt", "le", "gt", "ge"):
        return None
    try:
        day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    path = column.graph_path
    slack = timedelta(hours=column.instant_slack_hours)
    terms = []
    if term.op in ("eq", "gt", "ge") and day - datetime.min >= slack:  # none before year 1
        terms.append(f"{path} ge {dt_literal(column, day - slack)}")
    if term.op in ("eq", "lt", "le") and day < datetime.max - timedelta(days=1) - slack:
        terms.append(f"{path} lt {dt_literal(column, day + timedelta(days=1) + slack)}")  # none past 9999
    return [" and ".join(terms)] if terms else None


def group(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " and ".join(terms) + ")"


def filter_alternatives(column: ColumnSpec, term: PlanTerm, values: list[SQLValue]) -> list[str] | str | None:
    """One term as a list of $filter chunks (IN lists: or-ed, at most IN_CHUNK values a chunk)."""
    if not term.is_in:
        t = translate(column, term.op, values[0])
        if t == EMPTY or t is None:
            return t
        assert isinstance(t, list)
        return [" and ".join(t)]
    groups: list[str] = []
    for v in values:
        t = translate(column, "eq", v)
        if t == EMPTY:
            continue
        if t is None:
            return None
        assert isinstance(t, list)
        g = group(t)
        if g not in groups:
            groups.append(g)
    if not groups:
        return EMPTY
    chunks = [groups[i : i + IN_CHUNK] for i in range(0, len(groups), IN_CHUNK)]
    return [c[0] if len(c) == 1 else "(" + " or ".join(c) + ")" for c in chunks]


def fill(template: str, values: dict[str, str]) -> str:
    """A path template with its values: `{scope}` as it is, `{drive}` the scope's drive, `{x}` a path segment,
    or, after the `?` (Sites: `/sites?search={SearchTerms}`), a query value whose `+` and `&` stay text."""
    out = template
    if "{drive}" in out and "scope" in values:
        out = out.replace("{drive}", drive_base(values["scope"]))
    for k, v in values.items():
        token = "{" + k + "}"
        if token not in out:
            continue
        in_query = "?" in out and out.index(token) > out.index("?")
        out = out.replace(token, v if k == "scope" else quote(v, safe="") if in_query else path_segment(v))
    return out
