"""Stored procedures: the registry, EXEC parsing, and one module per area (mail, calendar, files, oauth).

The built-in procedures are the explicit list ``BUILTIN``; ``registry`` starts with them (tests may add their
own with ``register``).
"""

from __future__ import annotations

from . import calendar, files, mail, oauth, sync
from ._registry import (
    Procedure,
    ProcedureContext,
    ProcParam,
    Registry,
    coerce_argument,
    resolve_arguments,
)
from .exec_parse import ExecStatement, bind, is_exec, parse_exec

__all__ = [
    "BUILTIN",
    "ExecStatement",
    "ProcParam",
    "Procedure",
    "ProcedureContext",
    "Registry",
    "all_procedures",
    "bind",
    "coerce_argument",
    "get",
    "is_exec",
    "parse_exec",
    "register",
    "registry",
    "resolve_arguments",
    "unregister",
]

BUILTIN: tuple[Procedure, ...] = (
    *oauth.PROCEDURES,
    *mail.PROCEDURES,
    *calendar.PROCEDURES,
    *files.PROCEDURES,
    *sync.PROCEDURES,
)

#: The procedures every connection can run.
registry = Registry(BUILTIN)
register = registry.register
unregister = registry.unregister
get = registry.get
all_procedures = registry.all
