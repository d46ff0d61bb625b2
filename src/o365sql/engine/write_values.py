"""SQL values of an INSERT or UPDATE as Graph JSON: types checked, addresses parsed, bodies nested."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from .._addresses import is_address, parse_address_list
from ..errors import DataError
from ..schema import ColumnSpec, TableSpec
from .convert import SQLValue, parse_datetime

__all__ = ["address_list", "build_body", "content_bytes", "graph_value", "recipients"]

_RECIPIENT_COLUMNS = frozenset({"toRecipients", "ccRecipients", "bccRecipients", "replyTo"})
_ATTENDEE_TYPES = frozenset({"required", "optional", "resource"})
_LOCAL_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")


def _where(spec: TableSpec, column: ColumnSpec) -> str:
    return f"{spec.name}.{column.name}"


def _type_error(spec: TableSpec, column: ColumnSpec, value: object, wanted: str) -> DataError:
    if "password" in column.name.lower():
        shown = f"a value of type {type(value).__name__}"  # a secret never reaches an error message
    else:
        shown = repr(value) if not isinstance(value, bytes) else f"a BLOB of {len(value)} bytes"
    return DataError(f"{_where(spec, column)} takes {wanted}, not {shown}")


def address_list(spec: TableSpec, column: ColumnSpec, text: str) -> list[dict[str, Any]]:
    """`a@x.com; Name <b@y.com>` as [{"emailAddress": {...}}] (the form SendMail also takes)."""
    try:
        parsed = parse_address_list(text)
    except ValueError as exc:
        raise DataError(
            f"{_where(spec, column)}: {exc.args[0]!r} is not an email address (name@domain)"
        ) from None
    return [{"emailAddress": _email(spec, column, address, name)} for name, address in parsed]


def _email(spec: TableSpec, column: ColumnSpec, address: object, name: object = None) -> dict[str, Any]:
    if not isinstance(address, str) or not is_address(address):
        raise DataError(f"{_where(spec, column)}: {address!r} is not an email address (name@domain)")
    out: dict[str, Any] = {"address": address.strip()}
    if name is not None:
        if not isinstance(name, str):
            raise DataError(f"{_where(spec, column)}: a display name must be text, not {name!r}")
        out["name"] = name
    return out


def recipients(spec: TableSpec, column: ColumnSpec, parsed: Any) -> list[dict[str, Any]]:
    """A JSON array of recipients (objects with emailAddress, or plain address strings), validated."""
    if not isinstance(parsed, list):
        raise DataError(f"{_where(spec, column)} takes a JSON array of recipients or 'a@x.com; b@y.com'")
    out: list[dict[str, Any]] = []
    for entry in parsed:
        if isinstance(entry, str):
            out.append({"emailAddress": _email(spec, column, entry)})
            continue
        ea = entry.get("emailAddress") if isinstance(entry, dict) else None
        if not isinstance(ea, dict):
            raise DataError(
                f"{_where(spec, column)}: each recipient is an address or "
                '{"emailAddress": {"address": "a@x.com", "name": "..."}}, '
                f"not {json.dumps(entry)}"
            )
        recipient: dict[str, Any] = {"emailAddress": _email(spec, column, ea.get("address"), ea.get("name"))}
        if column.name == "attendees":
            kind = entry.get("type", "required")
            if kind not in _ATTENDEE_TYPES:
                raise DataError(
                    f"{_where(spec, column)}: attendee type {kind!r} is not one of required, optional, "
                    "resource"
                )
            recipient["type"] = kind
        out.append(recipient)
    return out


def _json_column(spec: TableSpec, column: ColumnSpec, value: SQLValue) -> Any:
    if not isinstance(value, str):
        raise _type_error(spec, column, value, "JSON text")
    try:
        parsed = json.loads(value)
    except ValueError:
        if column.name in _RECIPIENT_COLUMNS or column.name == "attendees":
            people = address_list(spec, column, value)
            return [{**r, "type": "required"} for r in people] if column.name == "attendees" else people
        raise DataError(f"{_where(spec, column)} takes JSON, and {value[:60]!r} is not valid JSON") from None
    if column.name in _RECIPIENT_COLUMNS or column.name == "attendees":
        return recipients(spec, column, parsed)
    if column.name == "emailAddresses":
        if not isinstance(parsed, list):
            raise DataError(f"{_where(spec, column)} takes a JSON array of addresses")
        return [
            _email(spec, column, e) if isinstance(e, str)
            else _email(spec, column, e.get("address"), e.get("name")) if isinstance(e, dict)
            else _email(spec, column, e)
            for e in parsed
        ]  # fmt: skip
    return parsed


def _datetime_text(spec: TableSpec, column: ColumnSpec, value: SQLValue) -> tuple[str, bool]:
    """(text to send, it named its own offset); DataError if it is no date-time."""
    if not isinstance(value, str):
        raise _type_error(spec, column, value, "a date-time (ISO 8601 text such as 2026-01-31T09:00:00Z)")
    text = value.strip()
    if _LOCAL_DATETIME.match(text):
        dt = parse_datetime(text)
        if dt is None:
            raise DataError(f"{_where(spec, column)}: {value!r} is not a valid date-time")
        return text.replace(" ", "T"), False
    dt = parse_datetime(text)
    if dt is None:
        raise DataError(
            f"{_where(spec, column)}: {value!r} is not a date-time; use ISO 8601 such as "
            "2026-01-31T09:00:00Z (UTC), 2026-01-31T09:00:00+01:00, or a local time with the time zone column"
        )
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ"), True


def graph_value(spec: TableSpec, column: ColumnSpec, value: SQLValue) -> Any:
    """The JSON value Graph takes for an SQL value written to `column` (DataError naming it if wrong)."""
    if value is None:
        return None
    kind = column.type
    if kind == "BOOLEAN":
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise _type_error(spec, column, value, "a boolean (1/0, true/false)")
    if kind == "INTEGER":
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _type_error(spec, column, value, "an integer")
    if kind == "REAL":
        if isinstance(value, int | float):
            return float(value)
        raise _type_error(spec, column, value, "a number")
    if kind == "JSON":
        return _json_column(spec, column, value)
    if kind == "DATETIME":
        text, own_offset = _datetime_text(spec, column, value)
        if own_offset:
            return text
        # a DateTimeOffset property: a time without an offset is taken as UTC, as datetime parameters are
        local = parse_datetime(text)
        assert local is not None
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not isinstance(value, str):
        raise _type_error(spec, column, value, "text")
    return value


def _set_path(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = body
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[path[-1]] = value


def build_body(spec: TableSpec, values: Mapping[str, SQLValue]) -> dict[str, Any]:
    """The Graph JSON for the given Graph-backed columns, nested along their paths.

    A dateTimeTimeZone (start, end, flag dates) gets its timeZone: the table's time-zone column when given
    (then the value is a local time in that zone), else UTC (a value with an offset is converted to UTC).
    """
    body: dict[str, Any] = {}
    zones: dict[tuple[str, ...], str] = {}
    for name, value in values.items():
        column = spec.column(name)
        if column.kind != "graph" or column.graph_path.startswith("@"):
            continue
        if column.type == "DATETIME" and column.datetime_style == "dtz":
            continue
        converted = graph_value(spec, column, value)
        if column.name.endswith("_timeZone") and converted is not None:
            zones[column.path[:-1]] = converted
        _set_path(body, column.path, converted)
    for name, value in values.items():
        column = spec.column(name)
        if column.kind != "graph" or column.type != "DATETIME" or column.datetime_style != "dtz":
            continue
        parent = column.path[:-1]
        if value is None:
            _set_path(body, parent, None)
            continue
        text, own_offset = _datetime_text(spec, column, value)
        zone = zones.get(parent)
        if own_offset and zone is not None and zone.upper() != "UTC":
            raise DataError(
                f"{_where(spec, column)}: {value!r} carries its own UTC offset, and the time zone column "
                f"says {zone!r}; give a local time (no offset) with the time zone, or a UTC time alone"
            )
        _set_path(body, parent, {"dateTime": text.rstrip("Z"), "timeZone": zone or "UTC"})
    return body


def content_bytes(spec: TableSpec, column: ColumnSpec, value: SQLValue) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise DataError(
                f"{_where(spec, column)} takes a BLOB or base64 text; {value[:40]!r} is not base64"
            ) from None
    raise _type_error(spec, column, value, "a BLOB or base64 text")
