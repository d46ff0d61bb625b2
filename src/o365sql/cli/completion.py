"""Completion in the shell: keywords, tables, columns, procedures and their parameters, from the sys tables.

What is offered depends on where the cursor is: after FROM/JOIN/INTO/UPDATE a table; after EXEC a procedure,
then its parameters; after ``alias.`` that table's columns, after ``UserViews.`` or ``Cache.`` that schema's
tables; elsewhere the columns of the tables the statement
names, then tables, functions and keywords. Dot-commands complete their names and arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import apsw
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from .formats import FORMATS

if TYPE_CHECKING:
    from ..connection import Connection

__all__ = ["Catalog", "SqlCompleter"]

FUNCTIONS = (
    "abs", "avg", "coalesce", "count", "date", "datetime", "group_concat", "ifnull", "instr", "json_each",
    "json_extract", "julianday", "length", "lower", "ltrim", "max", "min", "nullif", "replace", "round",
    "rtrim", "strftime", "substr", "sum", "time", "total", "trim", "typeof", "upper",
)  # fmt: skip
KEYWORDS = tuple(sorted({*apsw.keywords, "EXEC", "EXECUTE"}))
_TABLE_AFTER = {"FROM", "JOIN", "INTO", "UPDATE", "TABLE"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[^\sA-Za-z_]")
_ALIAS = re.compile(
    r"\b(?:FROM|JOIN)\s+([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)(?:\s+(?:AS\s+)?([A-Za-z_]\w*))?", re.IGNORECASE
)
_MAIN = "Office365"  # sys_tables' schema of the Graph tables (SQLite's main)
_EXEC = re.compile(r"^\s*EXEC(?:UTE)?\s+([A-Za-z_]\w*)\s", re.IGNORECASE)

DOT_COMMANDS: dict[str, str] = {
    ".tables": "list the tables",
    ".schema": ".schema TABLE: the columns of a table",
    ".mode": ".mode " + "|".join(FORMATS) + ": how results are shown",
    ".timer": ".timer on|off: show how long each statement took",
    ".explain": ".explain SELECT ...: the Graph requests a query would make, without running it",
    ".stats": ".stats [on|off]: Graph requests, retries and bytes of the last statement (on: after each)",
    ".read": ".read FILE: run the statements in FILE",
    ".once": ".once FILE: write the next result to FILE instead of the screen",
    ".help": "this list",
    ".quit": "leave the shell (also .exit or Ctrl-D)",
    ".exit": "leave the shell",
}


@dataclass
class Catalog:
    """Names the shell completes, read once from the sys tables (no Graph request is needed)."""

    tables: list[str] = field(default_factory=list)
    # the other schemas (UserViews, Cache): name -> its tables; their columns are keyed "schema.table"
    schemas: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    procedures: list[str] = field(default_factory=list)
    parameters: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, con: Connection) -> Catalog:
        """The catalog of a connection."""
        catalog = cls()
        for schema, table in con.execute("SELECT SchemaName, TableName FROM sys_tables ORDER BY TableName"):
            if schema != _MAIN:
                catalog.schemas.setdefault(schema, []).append(table)
            # as in SQL, a bare name is a Graph table or a user view, never a table of Cache
            if schema != "Cache":
                catalog.tables.append(table)
        for schema, table, column in con.execute(
            "SELECT SchemaName, TableName, ColumnName FROM sys_tablecolumns ORDER BY Ordinal"
        ):
            if schema != _MAIN:
                catalog.columns.setdefault(f"{schema}.{table}".lower(), []).append(column)
            if schema != "Cache":
                catalog.columns.setdefault(table.lower(), []).append(column)
        catalog.procedures = [
            r[0] for r in con.execute("SELECT ProcedureName FROM sys_procedures ORDER BY ProcedureName")
        ]
        for proc, param in con.execute(
            "SELECT ProcedureName, ColumnName FROM sys_procedureparameters ORDER BY Ordinal"
        ):
            catalog.parameters.setdefault(proc.lower(), []).append(param)
        return catalog

    def table_named(self, word: str) -> str | None:
        """The table called `word` (any case; `Schema.Table` for another schema's), if there is one."""
        low = word.lower()
        schema, dot, table = low.rpartition(".")
        if dot:
            return next(
                (f"{s}.{t}" for s, names in self.schemas.items() if s.lower() == schema for t in names
                 if t.lower() == table),
                None,
            )  # fmt: skip
        return next((t for t in self.tables if t.lower() == low), None)

    def schema_named(self, word: str) -> str | None:
        """The other schema called `word` (any case), if there is one."""
        return next((s for s in self.schemas if s.lower() == word.lower()), None)


def _matches(word: str, names: Iterable[str], meta: str) -> Iterator[Completion]:
    low = word.lower()
    for name in names:
        if name.lower().startswith(low) and name != word:
            yield Completion(name, start_position=-len(word), display_meta=meta)


class SqlCompleter(Completer):
    """prompt_toolkit completer over a Catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor
        if before.lstrip().startswith("."):
            yield from self._dot(document, complete_event)
            return
        match = _WORD.search(before)
        word = match.group(0) if match else ""
        head = before[: len(before) - len(word)]
        catalog = self.catalog
        if head.endswith("."):  # alias.column, table.column or schema.table
            qualifier = re.search(r"([A-Za-z_]\w*)\.$", head)
            schema = catalog.schema_named(qualifier.group(1)) if qualifier else None
            if schema is not None:
                yield from _matches(word, catalog.schemas[schema], f"{schema} table")
                return
            table = self._table_for(qualifier.group(1), document.text) if qualifier else None
            if table:
                yield from _matches(word, catalog.columns.get(table.lower(), []), table)
            return
        tokens = _TOKEN.findall(head)
        previous = tokens[-1].upper() if tokens else ""
        if previous in _TABLE_AFTER:
            yield from _matches(word, catalog.tables, "table")
            yield from _matches(word, catalog.schemas, "schema")
            return
        if previous in ("EXEC", "EXECUTE"):
            yield from _matches(word, catalog.procedures, "procedure")
            return
        proc = _EXEC.match(document.text)
        if proc:
            params = catalog.parameters.get(proc.group(1).lower(), [])
            yield from _matches(word, params, f"{proc.group(1)} parameter")
            return
        if not word:
            return
        for table in self._tables_in(document.text):
            yield from _matches(word, catalog.columns.get(table.lower(), []), table)
        yield from _matches(word, catalog.tables, "table")
        yield from _matches(word, FUNCTIONS, "function")
        yield from (
            _matches(word.upper(), KEYWORDS, "keyword")
            if word.isupper()
            else _matches(word, (k.lower() for k in KEYWORDS), "keyword")
        )

    def _tables_in(self, text: str) -> list[str]:
        found: list[str] = []
        for match in _ALIAS.finditer(text):
            table = self.catalog.table_named(match.group(1))
            if table and table not in found:
                found.append(table)
        return found

    def _table_for(self, qualifier: str, text: str) -> str | None:
        for match in _ALIAS.finditer(text):
            if (match.group(2) or "").lower() == qualifier.lower():
                return self.catalog.table_named(match.group(1))
        return self.catalog.table_named(qualifier)

    def _dot(self, document: Document, event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor.lstrip()
        parts = before.split(maxsplit=1)
        if len(parts) == 1 and not before.endswith(" "):
            yield from _matches(parts[0], DOT_COMMANDS, "command")
            return
        command, arg = parts[0], (parts[1] if len(parts) > 1 else "")
        if command in (".schema",):
            yield from _matches(arg, self.catalog.tables, "table")
        elif command == ".mode":
            yield from _matches(arg, FORMATS, "mode")
        elif command in (".timer", ".stats"):
            yield from _matches(arg, ("on", "off"), "")
        elif command in (".read", ".once"):
            yield from self._paths.get_completions(Document(arg, len(arg)), event)
