"""Recursive-descent parser for `$filter` (OData v4 as Graph uses it) and `$orderby`."""

from __future__ import annotations

import re

from .ast import And, BoolProp, Compare, Func, In, Lambda, Literal, Node, Not, Or, Prop
from .errors import ODataError
from .lexer import DEFAULT_CODE, Token, syntax_error, tokenize

__all__ = ["parse_filter", "parse_orderby"]

_COMPARE_OPS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_FLIP = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_FUNCTIONS = frozenset({"startswith", "endswith", "contains"})
_LITERAL_KINDS = frozenset({"string", "int", "decimal", "datetime", "date", "guid"})
_MAX_DEPTH = 64
_Operand = Node | Prop | Literal


def _balanced(cls: type[And] | type[Or], terms: list[Node]) -> Node:
    """A chain `t1 op t2 op ...` as a balanced tree of the same meaning and left-to-right order.

    Its depth is log(n), so a driver's long `or` list (an SQL IN) never exhausts the recursion limit when
    evaluated.
    """
    if len(terms) == 1:
        return terms[0]
    mid = len(terms) // 2
    return cls(_balanced(cls, terms[:mid]), _balanced(cls, terms[mid:]))


class _Parser:
    """One parse of one `$filter` text.

    Keywords, operators and function names are case-insensitive, as Graph's parser is configured: `NOT`,
    `startsWith` and `startswith` are all accepted.
    """

    def __init__(self, text: str, code: str) -> None:
        self.text = text
        self.code = code
        self.tokens = tokenize(text, code)
        self.i = 0
        self.depth = 0
        self.scopes: dict[str, str] = {}  # lambda variable -> spec key of its collection

    # -- token helpers -------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def error(self, tok: Token, detail: str = "") -> ODataError:
        return syntax_error(self.text, tok.pos, self.code, detail)

    def expect(self, kind: str) -> Token:
        tok = self.advance()
        if tok.kind != kind:
            raise self.error(tok, f"Expected '{kind}'.")
        return tok

    @staticmethod
    def is_kw(tok: Token, *words: str) -> bool:
        return tok.kind == "ident" and str(tok.value).lower() in words

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(tok, "The expression is nested too deeply.")

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> Node:
        if self.peek().kind == "eof":
            raise self.error(self.peek(), "The filter expression is empty.")
        node = self.parse_or()
        tok = self.peek()
        if tok.kind != "eof":
            raise self.error(tok)
        return self.as_bool(node, tok)

    def parse_or(self) -> _Operand:
        first = self.parse_and()
        if not self.is_kw(self.peek(), "or"):
            return first
        tok = self.peek()
        terms = [self.as_bool(first, tok)]
        while self.is_kw(self.peek(), "or"):
            tok = self.advance()
            terms.append(self.as_bool(self.parse_and(), tok))
        return _balanced(Or, terms)

    def parse_and(self) -> _Operand:
        first = self.parse_compare()
        if not self.is_kw(self.peek(), "and"):
            return first
        tok = self.peek()
        terms = [self.as_bool(first, tok)]
        while self.is_kw(self.peek(), "and"):
            tok = self.advance()
            terms.append(self.as_bool(self.parse_compare(), tok))
        return _balanced(And, terms)

    def parse_compare(self) -> _Operand:
        left = self.parse_unary()
        tok = self.peek()
        if tok.kind == "ident" and str(tok.value).lower() in _COMPARE_OPS:
            self.advance()
            right = self.parse_unary()
            return self.make_compare(str(tok.value).lower(), left, right, tok)
        if self.is_kw(tok, "in"):
            self.advance()
            if not isinstance(left, Prop):
                raise self.error(tok, "The left operand of 'in' must be a property.")
            return In(left, self.parse_literal_list())
        return left

    def parse_unary(self) -> _Operand:
        tok = self.peek()
        # `not` binds tighter than comparisons (OData precedence, as Microsoft's ODataUriParser): write
        # `not (a eq b)`; `not a eq b` means `(not a) eq b`, which Graph rejects as a type error.
        if self.is_kw(tok, "not"):
            self.advance()
            self.enter(tok)
            child = self.parse_unary()
            self.depth -= 1
            return Not(self.as_bool(child, tok))
        return self.parse_primary()

    def parse_primary(self) -> _Operand:
        tok = self.advance()
        if tok.kind == "(":
            self.enter(tok)
            inner = self.parse_or()
            self.expect(")")
            self.depth -= 1
            return inner
        if tok.kind in _LITERAL_KINDS:
            return Literal(tok.kind, tok.value, tok.text)
        if tok.kind == "ident":
            word = str(tok.value).lower()
            if word == "true" or word == "false":
                return Literal("boolean", word == "true", tok.text)
            if word == "null":
                return Literal("null", None, tok.text)
            if self.peek().kind == "(":
                return self.parse_function(tok)
            return self.parse_path(tok)
        raise self.error(tok)

    def parse_literal_list(self) -> tuple[Literal, ...]:
        self.expect("(")
        values: list[Literal] = []
        while True:
            lit = self.parse_primary()
            if not isinstance(lit, Literal):
                raise self.error(self.tokens[self.i - 1], "Only literal values may appear in an 'in' list.")
            values.append(lit)
            tok = self.advance()
            if tok.kind == ")":
                return tuple(values)
            if tok.kind != ",":
                raise self.error(tok, "Expected ',' or ')'.")

    def parse_function(self, name_tok: Token) -> Node:
        name = str(name_tok.value).lower()
        if name not in _FUNCTIONS:
            raise ODataError(
                400,
                self.code,
                f"Invalid filter clause: An unknown function with name '{name_tok.value}' was found.",
            )
        self.expect("(")
        self.enter(name_tok)
        args: list[_Operand] = [self.parse_or()]
        while self.peek().kind == ",":
            self.advance()
            args.append(self.parse_or())
        self.expect(")")
        self.depth -= 1
        if len(args) != 2:
            raise self.error(name_tok, f"The function '{name_tok.value}' takes exactly two arguments.")
        prop, value = args
        if not isinstance(prop, Prop) or not isinstance(value, Literal) or value.kind != "string":
            raise self.error(
                name_tok,
                f"The function '{name_tok.value}' needs a property and a string literal: f(prop, 'x').",
            )
        return Func(name, prop, value)

    def parse_path(self, first: Token) -> _Operand:
        segments = [str(first.value)]
        while self.peek().kind == "/":
            self.advance()
            seg = self.expect("ident")
            word = str(seg.value).lower()
            if word in ("any", "all") and self.peek().kind == "(":
                return self.parse_lambda(word, self.make_prop(segments), seg)
            segments.append(str(seg.value))
        return self.make_prop(segments)

    def parse_lambda(self, kind: str, coll: Prop, tok: Token) -> Node:
        self.expect("(")
        self.enter(tok)
        if self.peek().kind == ")":
            self.advance()
            self.depth -= 1
            if kind == "all":
                raise self.error(tok, "'all' needs a lambda expression: all(v: condition).")
            return Lambda(kind, coll, None, None)
        var_tok = self.expect("ident")
        var = str(var_tok.value)
        if self.is_kw(var_tok, "and", "or", "not", "true", "false", "null") or var in self.scopes:
            raise self.error(var_tok, f"'{var}' cannot be used as a lambda variable name.")
        self.expect(":")
        self.scopes[var] = coll.key
        try:
            body = self.parse_or()
        finally:
            del self.scopes[var]
        end = self.expect(")")
        self.depth -= 1
        return Lambda(kind, coll, var, self.as_bool(body, end))

    def make_prop(self, segments: list[str]) -> Prop:
        head = segments[0]
        if head in self.scopes:
            rest = tuple(segments[1:])
            key = "/".join((self.scopes[head], *rest))
            return Prop(key, head, rest)
        return Prop("/".join(segments), None, tuple(segments))

    def make_compare(self, op: str, left: _Operand, right: _Operand, tok: Token) -> Node:
        if isinstance(left, Prop) and isinstance(right, Literal):
            return Compare(op, left, right)
        if isinstance(left, Literal) and isinstance(right, Prop):
            return Compare(_FLIP[op], right, left)
        raise ODataError(
            400,
            self.code,
            f"Invalid filter clause: the '{op}' operator at position {tok.pos} needs a property on one "
            "side and a literal value on the other.",
        )

    def as_bool(self, operand: _Operand, tok: Token) -> Node:
        if isinstance(operand, Prop):
            return BoolProp(operand)
        if isinstance(operand, Literal):
            raise ODataError(
                400,
                self.code,
                f"Invalid filter clause: the literal {operand.text} near position {tok.pos} "
                "is not a condition.",
            )
        return operand


def parse_filter(text: str, *, code: str = DEFAULT_CODE) -> Node:
    """Parse `$filter` text into a Node tree; any malformed input raises ODataError(400, code, ...)."""
    return _Parser(text, code).parse()


_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*\Z")


def parse_orderby(text: str, *, code: str = DEFAULT_CODE) -> list[tuple[str, bool]]:
    """Parse `$orderby` text (`receivedDateTime desc,subject`) into [(path, descending), ...]."""
    result: list[tuple[str, bool]] = []
    for raw in text.split(","):
        parts = raw.split()
        if not parts or len(parts) > 2 or not _PATH.match(parts[0]):
            raise ODataError(400, code, f"Invalid $orderby clause: '{text}'.")
        descending = False
        if len(parts) == 2:
            direction = parts[1].lower()
            if direction not in ("asc", "desc"):
                raise ODataError(400, code, f"Invalid $orderby clause: unknown sort direction '{parts[1]}'.")
            descending = direction == "desc"
        result.append((parts[0], descending))
    return result
