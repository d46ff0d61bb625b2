"""DB-API type objects and constructors, and value conversion both ways driven by declared column types.

Declared types (``TEXT``, ``JSON``, ``INTEGER``, ``REAL``, ``BOOLEAN``, ``DATETIME``) decide what a fetched
value becomes: DATETIME text -> timezone-aware ``datetime`` in UTC, BOOLEAN 0/1 -> ``bool``; everything else
passes through. Going in, parameters become what the engine stores: ``datetime`` -> ISO-8601 UTC text (a naive
datetime is taken to be UTC already), ``date`` -> ``YYYY-MM-DD``, ``bool`` -> 0/1.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .errors import DataError, ProgrammingError

__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "DBAPITypeObject",
    "Date",
    "DateFromTicks",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "adapt_parameter",
    "adapt_parameters",
    "base_type",
    "check_text",
    "converter_for",
    "format_datetime",
    "parse_bool",
    "parse_datetime",
    "type_code_for",
]

Converter = Callable[[Any], Any]


def base_type(declared: str | None) -> str:
    """The upper-case first word of a declared type, without a size: ``varchar(20)`` -> ``VARCHAR``."""
    if not declared:
        return ""
    word = declared.strip().split("(", 1)[0].split()
    return word[0].upper() if word else ""


class DBAPITypeObject:
    """A PEP 249 type object: compares equal to every declared column type of its family."""

    __slots__ = ("name", "values")

    def __init__(self, name: str, *values: str) -> None:
        self.name = name
        self.values = frozenset(values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return other is self
        if isinstance(other, str):
            return base_type(other) in self.values
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("DBAPITypeObject", self.name))

    def __repr__(self) -> str:
        return f"o365sql.{self.name}"


STRING = DBAPITypeObject("STRING", "TEXT", "JSON", "VARCHAR", "NVARCHAR", "CHAR", "NCHAR", "CLOB", "STRING")
BINARY = DBAPITypeObject("BINARY", "BLOB", "BINARY", "VARBINARY", "BYTES")
NUMBER = DBAPITypeObject(
    "NUMBER",
    "INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT", "REAL", "FLOAT", "DOUBLE", "NUMERIC", "DECIMAL",
    "BOOLEAN", "BOOL",
)  # fmt: skip
DATETIME = DBAPITypeObject("DATETIME", "DATETIME", "TIMESTAMP", "DATE", "TIME")
ROWID = DBAPITypeObject("ROWID", "ROWID")

_TYPE_OBJECTS = (STRING, NUMBER, DATETIME, BINARY, ROWID)


def type_code_for(declared: str | None) -> DBAPITypeObject | None:
    """The type object for a declared column type; None for expressions (no declared type), unknown types."""
    name = base_type(declared)
    if not name:
        return None
    for obj in _TYPE_OBJECTS:
        if name in obj.values:
            return obj
    return None


# ------------------------------------------------------------------------------------------------------------
# Constructors (PEP 249). The *FromTicks variants read ticks in UTC, like everything else in this driver.
# ------------------------------------------------------------------------------------------------------------

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> _dt.date:
    """The UTC date of a POSIX timestamp."""
    return _dt.datetime.fromtimestamp(ticks, _dt.UTC).date()


def TimeFromTicks(ticks: float) -> _dt.time:
    """The UTC time of day of a POSIX timestamp."""
    return _dt.datetime.fromtimestamp(ticks, _dt.UTC).timetz()


def TimestampFromTicks(ticks: float) -> _dt.datetime:
    """A timezone-aware UTC datetime for a POSIX timestamp."""
    return _dt.datetime.fromtimestamp(ticks, _dt.UTC)


# ------------------------------------------------------------------------------------------------------------
# Fetch side
# ------------------------------------------------------------------------------------------------------------


def format_datetime(value: _dt.datetime) -> str:
    """ISO-8601 UTC text exactly as the engine stores DATETIME columns: ``YYYY-MM-DDTHH:MM:SSZ``.

    A naive datetime is taken to be UTC already: Graph reports times in UTC and so does this driver. Stored
    values have whole seconds, so fractions of a second are dropped: a fraction would make the text compare
    wrongly ('.' sorts before 'Z') against what the columns hold.
    """
    if value.tzinfo is not None and value.utcoffset() is not None:
        try:
            value = value.astimezone(_dt.UTC)
        except OverflowError:
            raise DataError(f"{value.isoformat()} is outside the years 1 to 9999 once taken to UTC") from None
    # the year always with four digits (strftime's %Y drops the zeros of years before 1000 on glibc)
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}Z"


def parse_datetime(value: Any) -> Any:
    """Stored DATETIME text -> aware UTC ``datetime``; values that are not ISO-8601 text pass through as is.

    Graph writes up to seven fractional digits (``.1234567Z``); Python keeps six, so the seventh is dropped.
    """
    if not isinstance(value, str) or not value:
        return value
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    tz = parsed.tzinfo
    if tz is _dt.UTC:  # the stored form (...Z): nothing to convert
        return parsed
    if tz is None:
        return parsed.replace(tzinfo=_dt.UTC)
    return parsed.astimezone(_dt.UTC)


def _parse_date(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return value


def _parse_time(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        return _dt.time.fromisoformat(value)
    except ValueError:
        return value


_TRUE_TEXT = frozenset({"true", "1", "yes", "on"})
_FALSE_TEXT = frozenset({"false", "0", "no", "off"})


def parse_bool(text: str) -> bool | None:
    """True for true, yes, 1 or on; False for false, no, 0 or off (any case); None for anything else."""
    low = text.strip().lower()
    return True if low in _TRUE_TEXT else False if low in _FALSE_TEXT else None


def _to_bool(value: Any) -> Any:
    if value.__class__ is int:  # the stored 0/1, checked first: one per BOOLEAN value of every row
        return value != 0
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        parsed = parse_bool(value)
        return value if parsed is None else parsed
    return value


_CONVERTERS: dict[str, Converter] = {
    "DATETIME": parse_datetime,
    "TIMESTAMP": parse_datetime,
    "DATE": _parse_date,
    "TIME": _parse_time,
    "BOOLEAN": _to_bool,
    "BOOL": _to_bool,
}


def converter_for(declared: str | None) -> Converter | None:
    """The function that turns a stored value of this declared type into its Python value; None = as is."""
    return _CONVERTERS.get(base_type(declared))


# ------------------------------------------------------------------------------------------------------------
# Parameter side
# ------------------------------------------------------------------------------------------------------------


_INT64 = (-(2**63), 2**63 - 1)


def _check_int(value: int, where: str) -> int:
    if not _INT64[0] <= value <= _INT64[1]:
        raise DataError(
            f"{where}: {value} does not fit SQLite's 64-bit integers (up to 2**63-1); pass a float or text"
        )
    return value


def check_text(text: str, where: str) -> str:
    """``text`` itself; DataError when it holds a lone surrogate (not Unicode text: nothing can encode it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DataError(
            f"{where}: character {exc.start + 1} is a lone surrogate ({text[exc.start]!a}), which is not "
            "Unicode text; decode the source with errors='replace' or fix it"
        ) from None
    return text


def adapt_parameter(value: Any, where: str = "parameter") -> Any:
    """Turn one Python parameter value into what SQLite stores (see the module docstring)."""
    if isinstance(value, str):
        return check_text(value, where)
    if value is None or isinstance(value, bytes | float):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return _check_int(value, where)
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat()
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ProgrammingError(f"{where}: {value} is not a number SQLite can store")
        if value == value.to_integral_value() and abs(value) < 2**63:
            return _check_int(int(value), where)
        number = float(value)
        if number in (float("inf"), float("-inf")):
            raise DataError(f"{where}: {value} is too large for SQLite (a 64-bit float)")
        return number
    if isinstance(value, uuid.UUID):
        return str(value)
    raise ProgrammingError(
        f"{where}: values of type {type(value).__name__} are not supported; pass str, int, float, bool, "
        "bytes, None, datetime, date or time"
    )


def adapt_parameters(params: Any) -> Sequence[Any] | dict[str, Any]:
    """Adapt a whole parameter set: a mapping (``:name``) or a sequence (``?``); None means no parameters."""
    if params is None:
        return ()
    if isinstance(params, Mapping):
        return {str(k): adapt_parameter(v, f"parameter :{k}") for k, v in params.items()}
    if isinstance(params, str | bytes | bytearray) or not isinstance(params, Sequence | tuple | list):
        raise ProgrammingError(
            f"parameters must be a sequence (for ?) or a mapping (for :name), not {type(params).__name__}"
        )
    return tuple(adapt_parameter(v, f"parameter {i + 1}") for i, v in enumerate(params))
