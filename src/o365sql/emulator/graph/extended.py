"""MAPI extended properties on Outlook items (extended-properties-overview.md).

Messages, events, contacts, mail folders (and calendars, contact folders) take `singleValueExtendedProperties`
and `multiValueExtendedProperties` in a create or update body (singlevaluelegacyextendedproperty-post-
singlevalueextendedproperties.md); they are not returned by default, only through
`$expand=singleValueExtendedProperties($filter=id eq '{id}')` (singlevaluelegacyextendedproperty-get.md:
"This is currently the only way to get" one). The item keeps them under internal keys.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .envelope import Ctx
from .errors import GraphError

__all__ = ["EXTENDED_KEYS", "expand_extended", "expand_options", "take_extended"]

Item = dict[str, Any]
SINGLE = "singleValueExtendedProperties"
MULTI = "multiValueExtendedProperties"
EXTENDED_KEYS = frozenset({SINGLE, MULTI})
_STORE = {SINGLE: "_svep", MULTI: "_mvep"}
_GUID = re.compile(r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?")
_EXPAND = re.compile(
    r"^\s*(singleValueExtendedProperties|multiValueExtendedProperties)"
    r"\s*\(\s*\$filter\s*=\s*id\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$",
    re.IGNORECASE,
)


def _key(prop_id: str) -> str:
    """The id as compared: the GUID without regard to case; the rest (the Name) as written, since
    singlevaluelegacyextendedproperty-get.md says filtering on the Name is case-sensitive."""
    return _GUID.sub(lambda m: m.group(0).lower(), " ".join(prop_id.split()))


def _text(value: Any) -> str:
    # The property's value is an Edm.String; clients also send JSON booleans and numbers (python-o365 sends
    # `"value": false` for DoNotForward). [U] Outlook's spelling of a coerced value; JSON's is used.
    return value if isinstance(value, str) else json.dumps(value)


def take_extended(item: Item, key: str, value: Any, type_name: str) -> bool:
    """Store one extended-property collection from a request body; False when `key` is not one."""
    name = next((k for k in EXTENDED_KEYS if k.lower() == key.lower()), None)
    if name is None:
        return False
    if not isinstance(value, list):
        raise GraphError(
            400, "RequestBodyRead", f"Cannot read the value of property '{key}' on '{type_name}'."
        )  # [U]
    stored: dict[str, Item] = item.setdefault(_STORE[name], {})
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or "value" not in entry:
            raise GraphError(400, "ErrorInvalidExtendedProperty", "The extended property is invalid.")  # [U]
        if name == SINGLE:
            shaped: Item = {"id": entry["id"], "value": _text(entry["value"])}
        else:
            if not isinstance(entry["value"], list):
                raise GraphError(400, "ErrorInvalidExtendedProperty", "The extended property is invalid.")
            shaped = {"id": entry["id"], "value": [_text(v) for v in entry["value"]]}
        stored[_key(entry["id"])] = shaped
    return True


def expand_options(ctx: Ctx) -> tuple[list[str], list[tuple[str, str]]]:
    """The request's `$expand` split into plain navigation names and (collection, property id) pairs."""
    raw = next((v for k, v in ctx.params.items() if k.lower() == "$expand"), "")
    plain: list[str] = []
    extended: list[tuple[str, str]] = []
    for part in _split_top_level(raw):
        match = _EXPAND.match(part)
        if match:
            name = SINGLE if match.group(1).lower() == SINGLE.lower() else MULTI
            extended.append((name, match.group(2).replace("''", "'")))
        elif part.strip():
            plain.append(part.strip())
    return plain, extended


def _split_top_level(raw: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in raw:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def expand_extended(item: Item, shaped: Item, wanted: list[tuple[str, str]]) -> Item:
    """`shaped` with the requested extended properties; an item without them gets none (not an empty list),
    as singlevaluelegacyextendedproperty-get.md's examples show."""
    for name, prop_id in wanted:
        found = item.get(_STORE[name], {}).get(_key(prop_id))
        if found is not None:
            shaped.setdefault(name, []).append(dict(found))
    return shaped
