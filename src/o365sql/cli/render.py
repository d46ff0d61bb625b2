"""Result sets drawn for a terminal: a table that fits the width, or one field per line if rows are too wide.

Rows stream: column widths come from the first rows (a sample), then every later row is drawn as it arrives,
cut to the same widths. A cell never wraps: line breaks show as ``↵`` and a cell too long for its column ends
in ``…``. NULL is drawn as ``<null>`` (dim on a colour terminal), so it never looks like an empty string.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from rich.cells import cell_len, set_cell_size

from .formats import Result, text_value

__all__ = ["SAMPLE_ROWS", "Screen", "draw", "footer"]

#: Rows read before the column widths are fixed.
SAMPLE_ROWS = 100
_NULL = "<null>"
_GAP = 3  # " │ " between two columns


@dataclass(frozen=True)
class Screen:
    """What the output can show: width in cells, and whether colour and Unicode line drawing are available."""

    width: int = 80
    color: bool = False
    unicode: bool = True

    @property
    def ellipsis(self) -> str:
        return "…" if self.unicode else "~"

    def bar(self) -> str:
        return "│" if self.unicode else "|"

    def rule(self, width: int) -> str:
        return ("─" if self.unicode else "-") * width

    def cross(self) -> str:
        return "┼" if self.unicode else "+"

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if self.color else text

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.color else text


@dataclass
class _Cell:
    text: str
    null: bool = False
    number: bool = False


def _visible(text: str, screen: Screen) -> str:
    # one line, and no control characters: data must never move the cursor or change the terminal's colours
    text = text.replace("\r\n", "\n")
    out = []
    for ch in text:
        if ch in "\n\r":
            out.append("↵" if screen.unicode else " ")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d":
            out.append("\ufffd" if screen.unicode else "?")
        else:
            out.append(ch)
    return "".join(out)


def _cell(value: Any, screen: Screen, limit: int) -> _Cell:
    if value is None:
        return _Cell(_NULL, null=True)
    text = text_value(value)
    # only the part that can show is cleaned and measured (an HTML body may be many kilobytes)
    shown = _visible(text[: limit * 2 + 1], screen)
    return _Cell(shown, number=isinstance(value, int | float) and not isinstance(value, bool))


def _cut(text: str, width: int, screen: Screen) -> str:
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    return set_cell_size(text, width - 1) + screen.ellipsis


def _fit(cell: _Cell, width: int, screen: Screen, last: bool = False) -> str:
    text = _cut(cell.text, width, screen)
    pad = " " * (width - cell_len(text))
    text = pad + text if cell.number else text if last else text + pad
    return screen.dim(text) if cell.null else text


def _widths(natural: list[int], minimum: list[int], room: int) -> list[int]:
    """Column widths that fit `room`: the widest columns give way first, none below its minimum."""
    if sum(natural) <= room:
        return natural
    cap = max(natural)
    while cap > 1 and sum(max(min(n, cap), m) for n, m in zip(natural, minimum, strict=True)) > room:
        cap -= 1
    return [max(min(n, cap), m) for n, m in zip(natural, minimum, strict=True)]


def _table_lines(
    names: list[str], rows: Iterator[list[_Cell]], widths: list[int], screen: Screen
) -> Iterator[str]:
    sep = f" {screen.bar()} "
    last = len(widths) - 1  # the last column is not padded: no trailing blanks
    heads = [_cut(n, w, screen) for n, w in zip(names, widths, strict=True)]
    yield " " + sep.join(
        screen.bold(h if i == last else h.ljust(w))
        for i, (h, w) in enumerate(zip(heads, widths, strict=True))
    )
    rule = screen.rule
    yield rule(widths[0] + 2) + "".join(screen.cross() + rule(w + 2) for w in widths[1:])
    for cells in rows:
        yield " " + sep.join(
            _fit(c, w, screen, i == last) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )


def _record_lines(names: list[str], records: Iterator[list[_Cell]], screen: Screen) -> Iterator[str]:
    label = min(max((cell_len(n) for n in names), default=1), max(screen.width // 2, 8))
    value_width = max(screen.width - label - 3, 8)
    sep = f" {screen.bar()} "
    for number, cells in enumerate(records, 1):
        head = f"{screen.rule(1)}[ RECORD {number} ]"
        yield screen.dim(head + screen.rule(max(screen.width - cell_len(head), 0)))
        for name, cell in zip(names, cells, strict=True):
            value = _fit(cell, min(cell_len(cell.text), value_width), screen)
            yield screen.bold(_cut(name, label, screen).ljust(label)) + sep + value


def draw(result: Result, screen: Screen, mode: str = "table") -> Iterator[str]:
    """The lines (without line ends) that show a result set: a table, or one field per line (`line` mode).

    In `table` mode the display turns to one field per line by itself when the columns, each at least as
    wide as its name, do not fit the screen (as ``\\x auto`` does in psql).
    """
    names = result.names
    limit = screen.width
    cells = ([_cell(v, screen, limit) for v in row] for row in result.rows)
    if mode == "line":
        yield from _record_lines(names, cells, screen)
        return
    sample = list(islice(cells, SAMPLE_ROWS))
    minimum = [max(cell_len(n), 1) for n in names]
    room = screen.width - 2 - _GAP * (len(names) - 1)
    if sum(minimum) > room:
        yield from _record_lines(names, chain(sample, cells), screen)
        return
    natural = [max([m, *(cell_len(row[i].text) for row in sample)]) for i, m in enumerate(minimum)]
    yield from _table_lines(names, chain(sample, cells), _widths(natural, minimum, room), screen)


def footer(count: int, screen: Screen) -> str:
    """``(3 rows)`` under a table."""
    return screen.dim(f"({count} row{'' if count == 1 else 's'})")
