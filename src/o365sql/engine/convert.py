"""Graph JSON -> SQLite values per declared column type (DATETIME as ISO-8601 UTC text, BOOLEAN as 0/1)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .._types import format_datetime, parse_bool
from ..schema import ColumnSpec

__all__ = [
    "SQLValue",
    "column_reader",
    "parse_datetime",
]

SQLValue = int | float | str | bytes | None

# Graph's usual spellings, already UTC: `...:SSZ` (Outlook) and `...:SS.fffZ` / 7 digits (drive, events).
_UTC_FAST = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$")
_FRACTION = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# One encoder for every row: json.dumps (and JSONEncoder.encode) build a new C encoder on every call, which
# costs more than encoding a short list of recipients; this one is built once (no circular-reference check:
# Graph's JSON has none).
_C_ENCODER = json.encoder.c_make_encoder  # type: ignore[attr-defined]
_ENCODER = (
    _C_ENCODER(
        None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if _C_ENCODER is not None
    else None
)
_FALLBACK = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _encode_json(value: Any) -> str:
    if _ENCODER is None:
        return _FALLBACK(value)
    return "".join(_ENCODER(value, 0))


def parse_datetime(text: str) -> datetime | None:
    """Graph's date-time spellings (Z, offsets, 0-7 fractional digits, date only) as an aware UTC value."""
    text = text.strip()
    m = _FRACTION.match(text)
    if m is None:
        if _DATE.match(text):
            try:
                return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                return None
        return None
    base, frac, zone = m.groups()
    base = base.replace(" ", "T")
    try:
        # fromisoformat is many times faster than strptime (Graph's dateTimeTimeZone values come here on
        # every row); strptime still decides what fromisoformat refuses (digits other than ASCII)
        dt = datetime.fromisoformat(base)
    except ValueError:
        try:
            dt = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return None
    if frac:
        dt = dt + timedelta(microseconds=int((frac[1:] + "000000")[:6]))
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return (dt - sign * offset).replace(tzinfo=UTC)
    return dt.replace(tzinfo=UTC)


def _to_datetime(value: Any) -> SQLValue:
    if value is None:
        return None
    if isinstance(value, str):
        # The per-row hot path: UTC text needs only its fraction cut (format_datetime keeps whole seconds).
        if _UTC_FAST.match(value):
            return value if len(value) == 20 else value[:19] + "Z"
        dt = parse_datetime(value)
        # Graph's text kept as-is when it is not a date-time we know (never seen in v1.0 payloads).
        return format_datetime(dt) if dt is not None else value
    return _to_text(value)


def _to_bool(value: Any) -> SQLValue:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return 1 if value else 0
    if isinstance(value, str):
        parsed = parse_bool(value)
        if parsed is not None:
            return int(parsed)
    return _to_text(value)


def _to_int(value: Any) -> SQLValue:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return _to_text(value)


def _to_real(value: Any) -> SQLValue:
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return _to_text(value)


def _to_text(value: Any) -> SQLValue:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _encode_json(value)


def _to_json(value: Any) -> SQLValue:
    if value is None:
        return None
    return _encode_json(value)


_CONVERTERS: dict[str, Callable[[Any], SQLValue]] = {
    "TEXT": _to_text,
    "INTEGER": _to_int,
    "REAL": _to_real,
    "BOOLEAN": _to_bool,
    "DATETIME": _to_datetime,
    "JSON": _to_json,
}


def _odata_type_name(item: dict[str, Any]) -> SQLValue:
    t = item.get("@odata.type")
    if not isinstance(t, str):
        return None
    return t.rsplit(".", 1)[-1].lstrip("#")


def _reader_for(key: str, column_type: str) -> Callable[[dict[str, Any]], SQLValue]:
    """item -> value of one top-level key: the common values of each type return without a second call."""
    if column_type == "TEXT":
        # most text values are already str (or null)
        def read_text(item: dict[str, Any]) -> SQLValue:
            value = item.get(key)
            return value if value is None or value.__class__ is str else _to_text(value)

        return read_text
    if column_type == "BOOLEAN":

        def read_bool(item: dict[str, Any]) -> SQLValue:
            value = item.get(key)
            return 1 if value is True else 0 if value is False else _to_bool(value)

        return read_bool
    if column_type == "DATETIME":
        fast = _UTC_FAST.match

        def read_datetime(item: dict[str, Any]) -> SQLValue:
            value = item.get(key)
            # Outlook's `...:SSZ` (20 characters) is already the stored form
            if value.__class__ is str and len(value) == 20 and fast(value):
                return value
            return _to_datetime(value)

        return read_datetime
    if column_type == "JSON":

        def read_json(item: dict[str, Any]) -> SQLValue:
            value = item.get(key)
            if value is None:
                return None
            # an empty list (no cc, bcc, replyTo, categories) is most collections' usual value
            return "[]" if value.__class__ is list and not value else _encode_json(value)

        return read_json
    convert = _CONVERTERS[column_type]

    def read_one(item: dict[str, Any]) -> SQLValue:
        return convert(item.get(key))

    return read_one


def _nested_reader(path: tuple[str, ...], column_type: str) -> Callable[[dict[str, Any]], SQLValue]:
    """item -> value at a path of two or more keys (None when a step is missing or not an object)."""
    convert = _CONVERTERS[column_type]
    text = column_type == "TEXT"
    if len(path) == 2:
        # the usual depth (body.content, flag.flagStatus): no loop
        outer, inner = path

        def read_two(item: dict[str, Any]) -> SQLValue:
            parent = item.get(outer)
            if not isinstance(parent, dict):
                return None
            value = parent.get(inner)
            if value is None or (text and value.__class__ is str):
                return value
            return convert(value)

        return read_two
    if len(path) == 3:
        # from/emailAddress/address, flag/dueDateTime/dateTime: no loop either
        first, second, third = path

        def read_three(item: dict[str, Any]) -> SQLValue:
            parent = item.get(first)
            if not isinstance(parent, dict):
                return None
            parent = parent.get(second)
            if not isinstance(parent, dict):
                return None
            value = parent.get(third)
            if value is None or (text and value.__class__ is str):
                return value
            return convert(value)

        return read_three
    head, last = path[:-1], path[-1]

    def read(item: dict[str, Any]) -> SQLValue:
        value: Any = item
        for key in head:
            value = value.get(key)
            if not isinstance(value, dict):
                return None
        value = value.get(last)
        if value is None or (text and value.__class__ is str):
            return value
        return convert(value)

    return read


def column_reader(column: ColumnSpec) -> Callable[[dict[str, Any]], SQLValue]:
    """A function item -> value for a Graph-backed column (scope/param columns are filled by the cursor)."""
    if column.kind == "odata_type":
        return _odata_type_name
    path = column.path
    if len(path) == 1:
        return _reader_for(path[0], column.type)
    return _nested_reader(path, column.type)
