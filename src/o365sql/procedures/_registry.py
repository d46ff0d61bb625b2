"""The stored-procedure registry: what EXEC and ``cursor.callproc`` can run, and how arguments are checked."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .._types import parse_bool
from ..errors import DataError, ProgrammingError
from ..graph import GraphClient, Permissions, TokenProvider
from ..properties import Properties

__all__ = [
    "ProcParam",
    "Procedure",
    "ProcedureContext",
    "Registry",
    "coerce_argument",
    "resolve_arguments",
]


@dataclass(frozen=True)
class ProcParam:
    """One input of a procedure; ``type`` is a declared SQL type (TEXT, INTEGER, REAL, BOOLEAN, DATETIME)."""

    name: str
    type: str = "TEXT"
    required: bool = False
    description: str = ""
    default: Any = None


@dataclass(frozen=True)
class ProcedureContext:
    """What a running procedure may use: the connection's properties, Graph client, tokens and HTTP client.

    ``user_id`` is the UserId property (None when empty): the mailbox/drive a procedure acts on by default.
    """

    props: Properties
    graph: GraphClient
    tokens: TokenProvider
    http: httpx.Client
    user_id: str | None = None
    # what the running procedure's writes need (delegated, application): a 403 names it
    permissions: Permissions | None = None

    @property
    def app_only(self) -> bool:
        """True when the tokens carry application permissions (no signed-in user, so no /me)."""
        return bool(self.tokens.app_only)


ProcedureFunc = Callable[[ProcedureContext, dict[str, Any]], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Procedure:
    """A stored procedure: named inputs in, a result set (``result_columns`` as (name, declared type)) out.

    ``params`` are in their documented order, which positional ``callproc`` arguments follow.
    """

    name: str
    description: str
    params: tuple[ProcParam, ...]
    result_columns: tuple[tuple[str, str], ...]
    func: ProcedureFunc

    def param(self, name: str) -> ProcParam | None:
        """The input called ``name`` (case-insensitive, a leading ``@`` ignored), or None."""
        key = name.lstrip("@").lower()
        for p in self.params:
            if p.name.lower() == key:
                return p
        return None


def _check(proc: Procedure) -> None:
    if not proc.name or not proc.name.replace("_", "").isalnum():
        raise ValueError(f"procedure names are plain identifiers, not {proc.name!r}")
    seen: set[str] = set()
    for p in proc.params:
        if p.name.lower() in seen:
            raise ValueError(f"procedure {proc.name} declares parameter {p.name} twice")
        seen.add(p.name.lower())


class Registry:
    """Procedures by case-insensitive name; built from an explicit list, tests may add their own."""

    def __init__(self, procedures: Iterable[Procedure] = ()) -> None:
        self._lock = threading.Lock()
        self._procs: dict[str, Procedure] = {}
        for proc in procedures:
            self.register(proc)

    def register(self, proc: Procedure) -> Procedure:
        """Add (or replace, by case-insensitive name) a procedure; returns it."""
        _check(proc)
        with self._lock:
            self._procs[proc.name.lower()] = proc
        return proc

    def unregister(self, name: str) -> None:
        """Remove a procedure (tests use this to clean up); unknown names are ignored."""
        with self._lock:
            self._procs.pop(name.lower(), None)

    def all(self) -> list[Procedure]:
        """Every registered procedure, sorted by name."""
        with self._lock:
            return sorted(self._procs.values(), key=lambda p: p.name.lower())

    def get(self, name: str) -> Procedure:
        """The procedure called ``name`` (case-insensitive); ProgrammingError listing them if none is."""
        if not isinstance(name, str):
            raise ProgrammingError(f"a procedure name must be a str, not {type(name).__name__}")
        with self._lock:
            proc = self._procs.get(name.lower())
        if proc is None:
            known = ", ".join(p.name for p in self.all()) or "(none registered)"
            raise ProgrammingError(
                f"unknown stored procedure {name!r}; the procedures are: {known} "
                "(see SELECT * FROM sys_procedures)"
            )
        return proc


def coerce_argument(proc: Procedure, param: ProcParam, value: Any) -> Any:
    """Convert an argument to the input's declared type; DataError naming the procedure and input if not."""
    if value is None:
        return None
    kind = param.type.upper().split("(", 1)[0].strip()
    where = f"{proc.name} parameter {param.name}"
    try:
        if kind in ("INTEGER", "INT", "BIGINT"):
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if kind in ("REAL", "FLOAT", "DOUBLE", "NUMERIC"):
            return float(value)
        if kind in ("BOOLEAN", "BOOL"):
            if isinstance(value, bool):
                return value
            if isinstance(value, int | float):
                return bool(value)
            parsed = parse_bool(str(value))
            if parsed is None:
                raise ValueError
            return parsed
        if kind in ("BLOB", "BINARY"):
            return value if isinstance(value, bytes) else str(value).encode()
    except (TypeError, ValueError):
        raise DataError(f"{where} expects a value of type {kind}, not {value!r}") from None
    if isinstance(value, bytes):
        return value
    # TEXT, JSON, DATETIME: as text (datetimes were already turned into ISO-8601 UTC by the cursor)
    return value if isinstance(value, str) else str(value)


def resolve_arguments(proc: Procedure, given: Mapping[str, Any]) -> dict[str, Any]:
    """Match given arguments to the procedure's inputs by name and fill in defaults.

    Unknown names, a name given twice and missing required inputs raise ProgrammingError naming them and
    listing the valid inputs. The result has every input, keyed by its declared name.
    """
    valid = ", ".join(f"{p.name}{' (required)' if p.required else ''}" for p in proc.params) or "(none)"
    out: dict[str, Any] = {}
    for raw, value in given.items():
        param = proc.param(raw)
        if param is None:
            raise ProgrammingError(
                f"procedure {proc.name} has no parameter {raw.lstrip('@')!r}; its parameters are: {valid}"
            )
        if param.name in out:
            raise ProgrammingError(f"parameter {param.name} of procedure {proc.name} is given more than once")
        out[param.name] = coerce_argument(proc, param, value)
    missing = [p.name for p in proc.params if p.required and out.get(p.name) is None]
    if missing:
        raise ProgrammingError(
            f"procedure {proc.name} needs {', '.join(missing)}; its parameters are: {valid}"
        )
    for p in proc.params:
        if p.name not in out:
            out[p.name] = p.default
    return out
