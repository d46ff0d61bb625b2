"""Parse ``EXEC[UTE] Proc [@]Param = value|?|:name|@name, ...`` and bind its placeholders.

Values are string literals (``'it''s'``, optionally ``N'...'``), numbers, NULL, TRUE/FALSE, ``?``
(positional, bound in order) or ``:name`` / ``@name`` (bound from a mapping). Names are case-insensitive; the
``@`` before a parameter name is optional; ``[bracketed]`` and ``"quoted"`` names are accepted; ``--`` and
``/* */`` comments and one trailing ``;`` are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ProgrammingError

__all__ = ["ExecStatement", "Literal", "Named", "Positional", "Scanner", "bind", "is_exec", "parse_exec"]


@dataclass(frozen=True)
class Literal:
    """A value written in the statement."""

    value: Any


@dataclass(frozen=True)
class Positional:
    """A ``?``: the ``index``-th (0-based) item of the parameter sequence."""

    index: int


@dataclass(frozen=True)
class Named:
    """A ``:name`` or ``@name``: looked up in the parameter mapping."""

    name: str


Value = Literal | Positional | Named


@dataclass(frozen=True)
class ExecStatement:
    """A parsed EXEC: the procedure name and its (parameter name, value) pairs in the order written."""

    procedure: str
    arguments: tuple[tuple[str, Value], ...]

    @property
    def positional_count(self) -> int:
        """How many ``?`` placeholders the statement has."""
        return sum(isinstance(v, Positional) for _, v in self.arguments)


_SPACE_RE = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)+", re.S)
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LITERAL_RE = re.compile(r"'(?:[^']|'')*'?")
_KEYWORD_RE = re.compile(r"(?is)(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*(EXEC(?:UTE)?)(?![A-Za-z0-9_$])")


def is_exec(sql: str) -> bool:
    """True when the statement starts (after whitespace and comments) with EXEC or EXECUTE."""
    return _KEYWORD_RE.match(sql) is not None


class Scanner:
    """Reads a statement token by token (names, strings, values), skipping whitespace and comments.

    ``kind`` and ``form`` make the syntax errors: "``kind`` syntax error at ... The form is: ``form``".
    """

    def __init__(
        self, sql: str, kind: str = "EXEC", form: str = "EXEC Procedure Param1 = 'text', Param2 = ?, ..."
    ) -> None:
        self.sql = sql
        self.pos = 0
        self.kind = kind
        self.form = form

    def skip(self) -> None:
        m = _SPACE_RE.match(self.sql, self.pos)
        if m:
            self.pos = m.end()
        if self.sql.startswith("/*", self.pos):
            raise self.error("an unterminated /* comment")

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.sql)

    def peek(self, text: str) -> bool:
        self.skip()
        return self.sql.startswith(text, self.pos)

    def take(self, text: str) -> bool:
        if self.peek(text):
            self.pos += len(text)
            return True
        return False

    def error(self, expected: str) -> ProgrammingError:
        # string literals may hold secrets (refresh tokens, client secrets): never echo their contents
        snippet = _LITERAL_RE.sub("'...'", self.sql[self.pos : self.pos + 20])
        found = f"found {snippet!r}" if snippet else "the statement ended"
        return ProgrammingError(
            f"{self.kind} syntax error at character {self.pos + 1}: expected {expected}, {found}. "
            f"The form is: {self.form}"
        )

    def name(self, what: str) -> str:
        self.skip()
        sql, pos = self.sql, self.pos
        if pos < len(sql) and sql[pos] in '["`':
            close = {"[": "]", '"': '"', "`": "`"}[sql[pos]]
            end = sql.find(close, pos + 1)
            if end < 0 or end == pos + 1:
                raise self.error(f"{what} (a quoted name that is closed)")
            self.pos = end + 1
            return sql[pos + 1 : end]
        m = _IDENT_RE.match(sql, pos)
        if not m:
            raise self.error(what)
        self.pos = m.end()
        return m.group()

    def string(self) -> str:
        # self.sql[self.pos] is the opening quote; '' inside is one quote
        sql = self.sql
        parts: list[str] = []
        i = self.pos + 1
        while True:
            end = sql.find("'", i)
            if end < 0:
                raise self.error("the closing ' of a string literal")
            parts.append(sql[i:end])
            if sql.startswith("''", end):
                parts.append("'")
                i = end + 2
                continue
            self.pos = end + 1
            return "".join(parts)

    def value(self, positional: list[int]) -> Value:
        self.skip()
        sql, pos = self.sql, self.pos
        if pos >= len(sql):
            raise self.error("a value")
        ch = sql[pos]
        if ch == "'":
            return Literal(self.string())
        if ch in "Nn" and sql.startswith("'", pos + 1):
            self.pos += 1
            return Literal(self.string())
        if ch == "?":
            self.pos += 1
            if pos + 1 < len(sql) and sql[pos + 1].isdigit():
                raise self.error("a plain ? (numbered ?NNN placeholders are not supported in EXEC)")
            positional.append(1)
            return Positional(len(positional) - 1)
        if ch in ":@":
            self.pos += 1
            m = _IDENT_RE.match(sql, self.pos)
            if not m or m.start() != self.pos:
                raise self.error(f"a parameter name after {ch}")
            self.pos = m.end()
            return Named(m.group())
        m = _NUMBER_RE.match(sql, pos)
        if m:
            self.pos = m.end()
            text = m.group()
            if re.fullmatch(r"[+-]?\d+", text):
                return Literal(int(text))
            return Literal(float(text))
        m = _IDENT_RE.match(sql, pos)
        if m:
            word = m.group().upper()
            if word in ("NULL", "TRUE", "FALSE"):
                self.pos = m.end()
                return Literal({"NULL": None, "TRUE": True, "FALSE": False}[word])
            raise self.error(f"a value (put text in single quotes: '{m.group()}')")
        raise self.error("a value: 'text', a number, NULL, ? or :name")


def parse_exec(sql: str) -> ExecStatement:
    """Parse an EXEC/EXECUTE statement; ProgrammingError saying where and what was expected if malformed."""
    m = _KEYWORD_RE.match(sql)
    if not m:
        raise ProgrammingError("not an EXEC statement: it must start with EXEC or EXECUTE")
    sc = Scanner(sql)
    sc.pos = m.end()
    name = sc.name("a procedure name")
    # catalog.schema.Procedure: the procedure is the last part
    while sc.take("."):
        name = sc.name("a procedure name after '.'")
    args: list[tuple[str, Value]] = []
    positional: list[int] = []
    if not sc.at_end() and not sc.peek(";"):
        while True:
            sc.take("@")
            pname = sc.name("a parameter name")
            if not sc.take("="):
                raise sc.error(f"'=' after parameter {pname}")
            args.append((pname, sc.value(positional)))
            if not sc.take(","):
                break
    sc.take(";")
    if not sc.at_end():
        raise sc.error("',' between parameters or the end of the statement")
    return ExecStatement(name, tuple(args))


def bind(stmt: ExecStatement, params: Sequence[Any] | Mapping[str, Any] | None) -> dict[str, Any]:
    """The statement's arguments with placeholders replaced by parameter values, keyed by name as written.

    The number of ``?`` must match a sequence's length; ``:name``/``@name`` need a mapping with that key.
    """
    count = stmt.positional_count
    named = [v.name for _, v in stmt.arguments if isinstance(v, Named)]
    if params is None:
        params = ()
    if isinstance(params, Mapping):
        if count:
            raise ProgrammingError(
                f"EXEC {stmt.procedure} uses {count} ? placeholder(s) but the parameters are a mapping; "
                "pass a sequence, or use :name placeholders"
            )
        lower = {str(k).lower(): v for k, v in params.items()}
        missing = [n for n in named if n.lower() not in lower]
        if missing:
            raise ProgrammingError(
                f"EXEC {stmt.procedure}: no value supplied for {', '.join(':' + n for n in missing)}"
            )
    else:
        if named:
            raise ProgrammingError(
                f"EXEC {stmt.procedure} uses named placeholder(s) {', '.join(':' + n for n in named)}; "
                "pass the parameters as a mapping"
            )
        if len(params) != count:
            raise ProgrammingError(
                f"EXEC {stmt.procedure} has {count} ? placeholder(s) but {len(params)} parameter(s) "
                "were supplied"
            )
        lower = {}
    out: dict[str, Any] = {}
    for pname, value in stmt.arguments:
        if pname.lower() in (k.lower() for k in out):
            raise ProgrammingError(f"EXEC {stmt.procedure}: parameter {pname} is given more than once")
        if isinstance(value, Literal):
            out[pname] = value.value
        elif isinstance(value, Positional):
            out[pname] = params[value.index]  # type: ignore[index]
        else:
            out[pname] = lower[value.name.lower()]
    return out
