"""Result sets as text: one set of formats (csv, tsv, json, jsonl, markdown) for query, export and the shell.

Every writer takes a `Result` (column names, declared types, an iterator of DB-API rows) and streams it:
a row is written as soon as it is fetched. Values are spelled the same way everywhere: dates in ISO 8601 UTC
(``2026-11-30T09:15:00Z``), booleans ``true``/``false``, and in json/jsonl a JSON column is nested as JSON
rather than escaped into a string. NULL never looks like an empty string: csv writes NULL as an empty field
and '' as ``""``; tsv writes NULL as ``\\N``; json writes ``null``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..cursor import Cursor

__all__ = [
    "FILE_FORMATS",
    "FORMATS",
    "TERMINAL_FORMATS",
    "Result",
    "Sink",
    "iso",
    "json_value",
    "text_value",
    "write",
]

#: Formats for machines; the terminal ones (table, line) are drawn by `render`.
FILE_FORMATS = ("csv", "tsv", "json", "jsonl", "markdown")
TERMINAL_FORMATS = ("table", "line")
FORMATS = TERMINAL_FORMATS + FILE_FORMATS


class Sink(Protocol):
    """Anything text can be written to: a file, standard output, the pager."""

    def write(self, text: str, /) -> int: ...


@dataclass
class Result:
    """A result set being read: column names, declared types (``JSON``, ``DATETIME``...) and the rows."""

    names: list[str]
    types: list[str | None]
    rows: Iterator[Sequence[Any]]

    @classmethod
    def of(cls, cursor: Cursor) -> Result:
        """The result set of a cursor that has run a statement returning rows."""
        names = [d[0] for d in cursor.description or ()]
        types = list(cursor.declared_types or [None] * len(names))
        return cls(names, types, iter(cursor))

    def is_json(self, index: int) -> bool:
        """True when the column is declared JSON (its text holds a JSON document)."""
        return (self.types[index] or "").upper() == "JSON"


def iso(value: dt.datetime | dt.date | dt.time) -> str:
    """ISO 8601 text; aware datetimes in UTC with a ``Z``; fractions of a second only when there are some."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def text_value(value: Any) -> str:
    """A non-NULL value as text, spelled the same in every format."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return iso(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def json_value(value: Any, is_json: bool) -> Any:
    """A value for json/jsonl output: JSON columns nested (when their text parses), other values as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if is_json and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return text_value(value)


# -- writers ------------------------------------------------------------------------------------------------


def _csv_field(value: Any) -> str:
    # NULL is an empty field, '' is "" (as Python 3.12's csv.QUOTE_NOTNULL does): both survive a round trip
    if value is None:
        return ""
    text = text_value(value)
    if text == "" or any(c in text for c in ',"\r\n') or text != text.strip(" "):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(value: Any) -> str:
    # PostgreSQL's text format: NULL is \N; backslash, tab and line breaks are escaped
    if value is None:
        return "\\N"
    text = text_value(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _markdown_field(value: Any) -> str:
    if value is None:
        return "*NULL*"
    text = text_value(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _write_rows(result: Result, out: Sink, line: Callable[[Sequence[Any]], str]) -> int:
    """Write ``line(row)`` for each row as it comes (rows stream); the number of rows."""
    count = 0
    for row in result.rows:
        out.write(line(row))
        count += 1
    return count


def _delimited(sep: str, field: Callable[[Any], str], end: str) -> Callable[[Result, Sink], int]:
    """A writer of a header line and one line a row, fields quoted by ``field`` (CSV, TSV)."""

    def write_delimited(result: Result, out: Sink) -> int:
        out.write(sep.join(field(n) for n in result.names) + end)
        return _write_rows(result, out, lambda row: sep.join(field(v) for v in row) + end)

    return write_delimited


_write_csv = _delimited(",", _csv_field, "\r\n")
_write_tsv = _delimited("\t", _tsv_field, "\n")


def _json_object(result: Result, row: Sequence[Any]) -> str:
    obj = {
        name: json_value(v, result.is_json(i))
        for i, (name, v) in enumerate(zip(result.names, row, strict=True))
    }
    return json.dumps(obj, ensure_ascii=False)


def _write_jsonl(result: Result, out: Sink) -> int:
    return _write_rows(result, out, lambda row: _json_object(result, row) + "\n")


def _write_json(result: Result, out: Sink) -> int:
    # an array written element by element, so rows still stream
    count = 0
    out.write("[")
    for row in result.rows:
        out.write(("," if count else "") + "\n" + _json_object(result, row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_markdown(result: Result, out: Sink) -> int:
    out.write("| " + " | ".join(_markdown_field(n) for n in result.names) + " |\n")
    out.write("|" + "|".join(" --- " for _ in result.names) + "|\n")
    return _write_rows(result, out, lambda row: "| " + " | ".join(_markdown_field(v) for v in row) + " |\n")


_WRITERS = {
    "csv": _write_csv,
    "tsv": _write_tsv,
    "json": _write_json,
    "jsonl": _write_jsonl,
    "markdown": _write_markdown,
}


def write(fmt: str, result: Result, out: Sink) -> int:
    """Write a result set in one of FILE_FORMATS to `out`, row by row; returns the number of rows."""
    return _WRITERS[fmt](result, out)
