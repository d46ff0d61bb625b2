"""OData literals and query strings: every value escaped so it cannot change a $filter's meaning."""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import quote

from ..errors import ProgrammingError

__all__ = ["encode_query", "odata_datetime", "odata_literal", "odata_string", "path_segment"]

# Characters left readable in query values: OData punctuation that is legal in a query component. Everything
# else, notably '&', '#', '+', '%' and '=', is percent-encoded, so a value can never end its parameter early;
# '+' in particular would be read as a space by form decoders.
_SAFE_VALUE = "$'(),:/@!*"


def odata_string(value: str) -> str:
    """An OData string literal: single quotes around the value, each ``'`` inside doubled."""
    return "'" + value.replace("'", "''") + "'"


def odata_datetime(value: dt.datetime, *, timezone_string: bool = False) -> str:
    """A date-time in a $filter, in UTC (naive values are taken as UTC, as the driver stores DATETIME).

    An Edm.DateTimeOffset is unquoted (``2024-05-01T09:30:00Z``); the dateTime of a dateTimeTimeZone
    (``timezone_string``) is a string with seven fractional digits (``'2024-05-01T09:30:00.0000000'``), the
    form Graph compares it in when no ``Prefer: outlook.timezone`` is sent.
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    value = value.replace(tzinfo=None)
    if timezone_string:
        return odata_string(value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0")
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text + "Z"


def odata_literal(value: object) -> str:
    """The OData v4 literal for a value: str, bool, int, float, Decimal, datetime, date, UUID, bytes, None.

    datetimes become UTC with a ``Z`` (naive ones are taken as UTC), dates ``YYYY-MM-DD``, UUIDs an unquoted
    Edm.Guid (pass ``str(u)`` for Graph's string ids), bytes ``binary'...'`` (base64url).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ProgrammingError(f"Cannot send the number {value} to Graph")
        return format(value, "f")
    if isinstance(value, str):
        return odata_string(value)
    if isinstance(value, dt.datetime):
        return odata_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "binary'" + base64.urlsafe_b64encode(bytes(value)).decode("ascii") + "'"
    raise ProgrammingError(f"Cannot use a {type(value).__name__} value in a Graph filter")


def encode_query(params: Mapping[str, str]) -> str:
    """A query string for Graph: ``$`` and OData punctuation kept readable, the rest percent-encoded."""
    return "&".join(f"{quote(str(k), safe='$')}={quote(str(v), safe=_SAFE_VALUE)}" for k, v in params.items())


def path_segment(value: str, *, keep_slashes: bool = False) -> str:
    """A value (an id, a UPN, a drive path with ``keep_slashes``) made safe to put in a Graph URL path.

    ``/``, ``?``, ``#``, ``%``, spaces and other reserved characters are percent-encoded, so a value cannot
    reach another resource; ``@``, ``'`` and ``=`` (common in ids and UPNs) stay readable. (Graph wants a UPN
    that starts with ``$`` as ``/users('$x')``, without the slash: callers building user paths handle that.)
    """
    parts = value.split("/") if keep_slashes else [value]
    if not value or any(part in (".", "..") for part in parts):
        raise ProgrammingError(f"{value!r} cannot be used as a Graph id or path segment")
    return quote(value, safe="@'=!$()*,;:+" + ("/" if keep_slashes else ""))
