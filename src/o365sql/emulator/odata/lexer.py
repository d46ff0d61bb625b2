"""Tokenizer for OData `$filter` text as Graph accepts it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .errors import ODataError

__all__ = ["Token", "parse_datetime_text", "syntax_error", "tokenize"]

# Graph answers every malformed $filter with 400; the route-independent code is BadRequest and
# prepare_query re-labels it with the service's own code.
DEFAULT_CODE = "BadRequest"


@dataclass(frozen=True)
class Token:
    """One token. kind: ident, string, int, decimal, datetime, date, guid, ( ) , : / eof."""

    kind: str
    value: Any
    pos: int
    text: str


def syntax_error(text: str, pos: int, code: str = DEFAULT_CODE, detail: str = "") -> ODataError:
    """The 400 Graph gives for an unparsable `$filter` (ODataUriParser wording)."""
    extra = f" {detail}" if detail else ""
    return ODataError(400, code, f"Invalid filter clause: Syntax error at position {pos} in '{text}'.{extra}")


_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w-])")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|z|[+-]\d{2}:\d{2})?(?![\w.:+-])"
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\w.:+-])")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w.])")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A qualified enum literal, `microsoft.graph.importance'high'`: the same as the string 'high'.
_ENUM_PREFIX = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?=')")
_WS = " \t\r\n"
_PUNCT = "(),:/"


def _make_datetime(m: re.Match[str]) -> datetime | None:
    """A timezone-aware datetime from a _DATETIME match (naive text is taken as UTC), or None if invalid."""
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    frac = m.group(7) or ""
    # Graph carries up to 7 fractional digits; Python keeps 6, so the 7th is truncated.
    micro = int((frac + "000000")[:6]) if frac else 0
    zone = m.group(8)
    try:
        if zone is None or zone in "Zz":
            tz: timezone = UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            hh, mm = int(zone[1:3]), int(zone[4:6])
            if hh > 23 or mm > 59:
                return None
            tz = timezone(sign * timedelta(hours=hh, minutes=mm))
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


_DT_FULL = re.compile(_DATETIME.pattern.replace(r"(?![\w.:+-])", "") + r"\Z")


def parse_datetime_text(text: str) -> datetime | None:
    """A JSON datetime string (`2024-01-01T00:00:00Z`, fractions, offsets, or naive = UTC) as aware UTC."""
    m = _DT_FULL.match(text)
    return _make_datetime(m) if m else None


def tokenize(text: str, code: str = DEFAULT_CODE) -> list[Token]:
    """Split `$filter` text into tokens, raising ODataError(400) on anything unrecognisable."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _WS:
            i += 1
            continue
        if c in _PUNCT:
            tokens.append(Token(c, c, i, c))
            i += 1
            continue
        enum = _ENUM_PREFIX.match(text, i)
        if enum:
            i = enum.end()
        if text[i] == "'":
            start = enum.start() if enum else i
            j = i + 1
            parts: list[str] = []
            while True:
                k = text.find("'", j)
                if k < 0:
                    raise syntax_error(text, start, code, "Unterminated string literal.")
                parts.append(text[j:k])
                if k + 1 < n and text[k + 1] == "'":
                    parts.append("'")
                    j = k + 2
                    continue
                j = k + 1
                break
            tokens.append(Token("string", "".join(parts), start, text[start:j]))
            i = j
            continue
        m = _GUID.match(text, i)
        if m:
            tokens.append(Token("guid", m.group(0).lower(), i, m.group(0)))
            i = m.end()
            continue
        if c.isdigit() or (c == "-" and i + 1 < n and text[i + 1].isdigit()):
            m = _DATETIME.match(text, i)
            if m:
                dt = _make_datetime(m)
                if dt is None:
                    raise syntax_error(text, i, code, f"Invalid datetime literal '{m.group(0)}'.")
                tokens.append(Token("datetime", dt, i, m.group(0)))
                i = m.end()
                continue
            m = _DATE.match(text, i)
            if m:
                try:
                    d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise syntax_error(text, i, code, f"Invalid date literal '{m.group(0)}'.") from None
                tokens.append(Token("date", d, i, m.group(0)))
                i = m.end()
                continue
            m = _NUMBER.match(text, i)
            if m:
                lit = m.group(0)
                if m.group(1) or m.group(2):
                    value = float(lit)
                    if value != value or value in (float("inf"), float("-inf")):
                        raise syntax_error(text, i, code, f"Numeric literal '{lit}' is out of range.")
                    tokens.append(Token("decimal", value, i, lit))
                else:
                    if len(lit) > 40:
                        raise syntax_error(text, i, code, f"Numeric literal '{lit[:40]}...' is out of range.")
                    tokens.append(Token("int", int(lit), i, lit))
                i = m.end()
                continue
            raise syntax_error(text, i, code)
        m = _IDENT.match(text, i)
        if m:
            tokens.append(Token("ident", m.group(0), i, m.group(0)))
            i = m.end()
            continue
        raise syntax_error(text, i, code)
    tokens.append(Token("eof", None, n, ""))
    return tokens
