"""The stored-procedure registry: what EXEC and ``cursor.callproc`` can run, and how arguments are checked.

Modules that define procedures call :func:`register` at import time (the auth package registers the OAuth
procedures in ``o365sql/auth/procedures.py``). This module imports nothing from them, so any of them may
import it; :func:`load_builtin` imports the known providers lazily when a connection opens.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataError, ProgrammingError

__all__ = [
    "PROVIDER_MODULES",
    "ProcParam",
    "Procedure",
    "ProcedureContext",
    "all_procedures",
    "coerce_argument",
    "get",
    "load_builtin",
    "register",
    "resolve_arguments",
    "unregister",
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
    """What a running procedure may use: the connection's properties, Graph client, token provider, HTTP."""

    props: Any
    graph: Any
    auth: Any
    http: Any
    user_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


ProcedureFunc = Callable[[ProcedureContext, dict[str, Any]], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Procedure:
    """A stored procedure: named inputs in, a result set (``result_columns`` as (name, declared type)) out."""

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


_lock = threading.Lock()
_registry: dict[str, Procedure] = {}

# Modules that register procedures when imported; missing ones are skipped (they are written in parallel).
PROVIDER_MODULES: tuple[str, ...] = ("o365sql.auth.procedures", "o365sql.write_procedures", "o365sql.schema")


def register(proc: Procedure) -> Procedure:
    """Add (or replace, by case-insensitive name) a procedure; returns it so it can be used as a value."""
    if not proc.name or not proc.name.replace("_", "").isalnum():
        raise ValueError(f"procedure names are plain identifiers, not {proc.name!r}")
    seen: set[str] = set()
    for p in proc.params:
        if p.name.lower() in seen:
            raise ValueError(f"procedure {proc.name} declares parameter {p.name} twice")
        seen.add(p.name.lower())
    with _lock:
        _registry[proc.name.lower()] = proc
    return proc


def unregister(name: str) -> None:
    """Remove a procedure (tests use this to clean up); unknown names are ignored."""
    with _lock:
        _registry.pop(name.lower(), None)


def all_procedures() -> list[Procedure]:
    """Every registered procedure, sorted by name."""
    with _lock:
        return sorted(_registry.values(), key=lambda p: p.name.lower())


def get(name: str) -> Procedure:
    """The procedure called ``name`` (case-insensitive); ProgrammingError listing the known ones if none."""
    with _lock:
        proc = _registry.get(name.lower())
    if proc is None:
        known = ", ".join(p.name for p in all_procedures()) or "(none registered)"
        raise ProgrammingError(
            f"unknown stored procedure {name!r}; the procedures are: {known} "
            "(see SELECT * FROM sys_procedures)"
        )
    return proc


_loaded = False


def load_builtin() -> None:
    """Import the modules that register the built-in procedures (once; missing modules are skipped)."""
    global _loaded
    if _loaded:
        return
    for module in PROVIDER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            # only a missing provider is tolerated; one that fails to import its own dependencies is a bug
            if exc.name is None or not module.startswith(exc.name):
                raise
    _loaded = True


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


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
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError
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
