"""`$search`: KQL-lite for messages and the directory's `"property:prefix"` token search."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ODataError

__all__ = ["SearchExpr", "SearchTerm", "directory_tokens", "match_search", "parse_search", "texts_at"]


@dataclass(frozen=True)
class SearchTerm:
    """One term: `field` None = the resource's default search fields; `phrase` = quoted text."""

    field: str | None
    text: str
    phrase: bool = False
    negate: bool = False


@dataclass(frozen=True)
class SearchExpr:
    """An OR of AND-groups of terms. mode: "kql" or "directory"."""

    mode: str
    groups: tuple[tuple[SearchTerm, ...], ...]


# KQL property restrictions Outlook understands (search-query-parameter.md), mapped to message paths.
_RECIPIENTS = {
    "to": ("toRecipients/emailAddress/name", "toRecipients/emailAddress/address"),
    "cc": ("ccRecipients/emailAddress/name", "ccRecipients/emailAddress/address"),
    "bcc": ("bccRecipients/emailAddress/name", "bccRecipients/emailAddress/address"),
}
_FROM = ("from/emailAddress/name", "from/emailAddress/address")
KQL_FIELDS: dict[str, tuple[str, ...]] = {
    "subject": ("subject",),
    "body": ("body/content",),
    "from": _FROM,
    **_RECIPIENTS,
    "recipients": _RECIPIENTS["to"] + _RECIPIENTS["cc"] + _RECIPIENTS["bcc"],
    "participants": _FROM + _RECIPIENTS["to"] + _RECIPIENTS["cc"] + _RECIPIENTS["bcc"],
    "importance": ("importance",),
    "hasattachment": ("hasAttachments",),
    "hasattachments": ("hasAttachments",),
    "category": ("categories",),
    "received": ("receivedDateTime",),
    "sent": ("sentDateTime",),
}
_KQL_OPERATORS = ("AND", "OR", "NOT")
# Outlook's default $search fields when a spec names none: from, subject and body.
KQL_DEFAULT_FIELDS = ("subject", "body/content", *_FROM)


def _error(code: str, message: str) -> ODataError:
    return ODataError(400, code, message)


def _strip_outer_quotes(raw: str) -> str:
    text = raw.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return text.replace('\\"', '"')


def _parse_kql(raw: str, code: str) -> SearchExpr:
    text = _strip_outer_quotes(raw)
    groups: list[list[SearchTerm]] = [[]]
    negate = False
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        field: str | None = None
        m = re.compile(r"(\w+):").match(text, i)
        if m and m.group(1).lower() in KQL_FIELDS:
            field = m.group(1).lower()
            i = m.end()
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _error(code, f"Syntax error in $search: unterminated quoted phrase in '{raw}'.")
            words = " ".join(text[i + 1 : end].split())
            i = end + 1
            if words:
                groups[-1].append(SearchTerm(field, words, True, negate))
            negate = False
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        word = text[i:j]
        i = j
        if len(word) >= 2 and word[0] == word[-1] == "'":
            # [U] python-o365 wraps each term in apostrophes (`$search="'word'"`); no page says what Exchange
            # makes of them. KQL quotes phrases with double quotes only, and Exchange's word breaker drops the
            # apostrophes around a word, so the term is the word.
            word = word[1:-1]
        if field is None and word in _KQL_OPERATORS:
            if word == "OR":
                if groups[-1]:
                    groups.append([])
            elif word == "NOT":
                negate = not negate
            continue
        if word:
            groups[-1].append(SearchTerm(field, word, False, negate))
        elif field is not None:
            raise _error(code, f"Syntax error in $search: '{field}:' has no value.")
        negate = False
    result = tuple(tuple(g) for g in groups if g)
    if not result:
        raise _error(code, "The $search query option needs at least one search term.")
    return SearchExpr("kql", result)


_DIRECTORY_TERM = re.compile(r'"((?:[^"\\]|\\.)*)"')
_DIRECTORY_OPERATOR = re.compile(r"(AND|OR)(?=[\s(\"])", re.IGNORECASE)


class _DirectoryParser:
    """`"clause" [AND|OR] "clause"`, with parentheses (search-query-parameter.md: "Any number of clauses is
    supported. Parentheses for precedence is also supported."), turned into an OR of AND-groups."""

    def __init__(self, raw: str, fields: Iterable[str], code: str) -> None:
        self.raw, self.code, self.i = raw, code, 0
        self.by_name = {f.lower(): f for f in fields}

    def fail(self) -> ODataError:
        return _error(
            self.code, f'Syntax error: invalid $search value {self.raw!r}; use "property:value" terms.'
        )

    def skip_space(self) -> None:
        while self.i < len(self.raw) and self.raw[self.i].isspace():
            self.i += 1

    def keyword(self) -> str | None:
        self.skip_space()
        m = _DIRECTORY_OPERATOR.match(self.raw, self.i)
        if m is None:
            return None
        self.i = m.end()
        return m.group(1).upper()

    def parse(self) -> SearchExpr:
        groups = self.disjunction()
        self.skip_space()
        if self.i != len(self.raw):
            raise self.fail()
        return SearchExpr("directory", tuple(groups))

    def disjunction(self) -> list[tuple[SearchTerm, ...]]:
        groups = self.conjunction()
        while True:
            start = self.i
            if self.keyword() != "OR":
                self.i = start
                return groups
            groups = groups + self.conjunction()

    def conjunction(self) -> list[tuple[SearchTerm, ...]]:
        groups = self.atom()
        while True:
            start = self.i
            word = self.keyword()
            self.skip_space()
            # [U] clauses side by side without an operator are taken as AND, as the emulator always did.
            juxtaposed = word is None and self.raw.startswith(('"', "("), self.i)
            if word != "AND" and not juxtaposed:
                self.i = start
                return groups
            right = self.atom()
            groups = [a + b for a in groups for b in right]

    def atom(self) -> list[tuple[SearchTerm, ...]]:
        self.skip_space()
        if self.raw.startswith("(", self.i):
            self.i += 1
            groups = self.disjunction()
            self.skip_space()
            if not self.raw.startswith(")", self.i):
                raise self.fail()
            self.i += 1
            return groups
        m = _DIRECTORY_TERM.match(self.raw, self.i)
        if not m:
            raise self.fail()
        self.i = m.end()
        # "If it contains double quotes or backslash, it should be escaped with a backslash."
        body = re.sub(r"\\(.)", r"\1", m.group(1))
        name, sep, value = body.partition(":")
        if not sep or name.strip().lower() not in self.by_name:
            message = f"Invalid $search term '{body}': the property is missing or cannot be searched."
            raise _error(self.code, message)
        return [(SearchTerm(self.by_name[name.strip().lower()], value.strip()),)]


def _parse_directory(raw: str, fields: Iterable[str], code: str) -> SearchExpr:
    return _DirectoryParser(raw, fields, code).parse()


def parse_search(raw: str, mode: str, fields: Iterable[str] = (), code: str = "BadRequest") -> SearchExpr:
    """Parse a `$search` value for a "kql" or "directory" resource, or raise ODataError(400)."""
    if mode == "directory":
        return _parse_directory(raw, fields, code)
    return _parse_kql(raw, code)


def texts_at(item: Mapping[str, Any], path: str) -> list[str]:
    """Every scalar at a `/` path, walking through collections, as text."""
    current: list[Any] = [item]
    for seg in path.split("/"):
        following: list[Any] = []
        for value in current:
            for element in value if isinstance(value, list) else [value]:
                if isinstance(element, Mapping) and element.get(seg) is not None:
                    following.append(element[seg])
        current = following
    out: list[str] = []
    for value in current:
        for element in value if isinstance(value, list) else [value]:
            if isinstance(element, bool):
                out.append("true" if element else "false")
            elif isinstance(element, str | int | float):
                out.append(str(element))
    return out


_TAG = re.compile(r"<[^>]*>")


def _kql_text(item: Mapping[str, Any], paths: Iterable[str]) -> str:
    parts = []
    for path in paths:
        for text in texts_at(item, path):
            parts.append(_TAG.sub(" ", text) if path == "body/content" else text)
    return " ".join(" ".join(parts).split()).lower()


def _kql_term(term: SearchTerm, item: Mapping[str, Any], default_fields: tuple[str, ...]) -> bool:
    paths = KQL_FIELDS[term.field] if term.field else (default_fields or KQL_DEFAULT_FIELDS)
    hay = _kql_text(item, paths)
    needle = term.text.lower()
    if term.field in ("hasattachment", "hasattachments", "importance"):
        found = needle == hay
    elif term.phrase or not re.fullmatch(r"\w+", needle):
        found = needle in hay
    else:
        # Exchange matches words by prefix: "piz" finds "pizza"; inside a word it does not.
        found = any(token.startswith(needle) for token in re.findall(r"\w+", hay))
    return found != term.negate


# search-query-parameter.md, "Using $search on directory object collections": only displayName and description
# are tokenised; every other property behaves like `$filter` startsWith on the whole value.
TOKENISED_FIELDS = frozenset({"displayname", "description"})
_PART = re.compile(r"[^\W\d_]+|\d+|[^\w\s]|_")


def _split_case(word: str) -> list[str]:
    """Split letters where casing changes from lower to upper only (`HelloWORld` -> Hello, WORld)."""
    out = [word[0]]
    for prev, ch in itertools.pairwise(word):
        if prev.islower() and ch.isupper():
            out.append(ch)
        else:
            out[-1] += ch
    return out


def directory_tokens(text: str) -> list[str]:
    """The directory's tokens for `text` (search-query-parameter.md): words split at spaces, at a change from
    lower to upper case, between letters and digits, and at each symbol (itself a token); words joined only by
    symbols also form one word (`hello.world` -> hello . world helloworld). Lower-cased."""
    out: list[str] = []
    for chunk in text.split():
        parts = _PART.findall(chunk)
        for part in parts:
            out.extend(w.lower() for w in (_split_case(part) if part[0].isalpha() else [part]))
        if any(not p[0].isalnum() for p in parts):
            joined = "".join(p for p in parts if p[0].isalnum()).lower()
            if joined:
                out.append(joined)
    return out


def _directory_term(term: SearchTerm, item: Mapping[str, Any]) -> bool:
    field = term.field or ""
    texts = texts_at(item, field)
    if field.lower() not in TOKENISED_FIELDS:
        needle = term.text.lower()
        return any(t.lower().startswith(needle) for t in texts)
    values = [tok for text in texts for tok in directory_tokens(text)]
    wanted = directory_tokens(term.text)
    if not wanted:
        return bool(values)
    # [U] the page shows prefix matches ("displayName:Guthr"); every token is taken as a prefix, in any order.
    return all(any(v.startswith(w) for v in values) for w in wanted)


def match_search(expr: SearchExpr, item: Mapping[str, Any], default_fields: tuple[str, ...]) -> bool:
    """True when the item matches the `$search` expression."""
    for group in expr.groups:
        if expr.mode == "directory":
            if all(_directory_term(t, item) for t in group):
                return True
        elif all(_kql_term(t, item, default_fields) for t in group):
            return True
    return False
