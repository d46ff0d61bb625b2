"""The Logfile, Verbosity and LogModules properties: where a connection's log goes, and how much of it.

Each connection with a Logfile gets a handler of its own on the `o365sql` (and msal) loggers. The loggers are
shared by every connection in the process, so the handler keeps only the records made while its connection
is at work: the connection marks that time (a context variable, which the Graph client's prefetch thread
carries along), and `close()` detaches the handler. Two connections with two log files never write into
each other's.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

from .errors import ProgrammingError, redact
from .properties import Properties, log_level_for

__all__ = ["ConnectionLog", "RedactingFilter", "configure_logging"]

# LogModules names -> loggers
_MODULES = {
    "graph": ("o365sql.graph",),
    "auth": ("o365sql.auth", "msal", "msal_extensions"),
    "engine": ("o365sql.engine",),
    "connection": ("o365sql.connection",),
}
_ALL = ("o365sql", "msal", "msal_extensions")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_working: ContextVar[ConnectionLog | None] = ContextVar("o365sql_connection_log", default=None)


class RedactingFilter(logging.Filter):
    """A second safeguard on our handlers: tokens, codes and secrets are masked in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is its logger's problem, not a reason to drop it
            return True
        cleaned = redact(text)
        if cleaned != text:
            record.msg, record.args = cleaned, None
        return True


class _WhileWorking(logging.Filter):
    """Lets through only the records made while one connection is at work."""

    def __init__(self, log: ConnectionLog) -> None:
        super().__init__()
        self._log = log

    def filter(self, record: logging.LogRecord) -> bool:
        return _working.get() is self._log


def _open(logfile: str) -> logging.Handler:
    """A handler writing to ``logfile``: appended to a file, written through to a device or pipe.

    ``/dev/stderr`` may be a pipe, which cannot seek to its end as appending does.
    """
    path = os.path.abspath(os.path.expanduser(logfile))  # not resolve(): /dev/stderr may lead to pipe:[...]
    try:
        if os.path.exists(path) and not os.path.isfile(path):
            stream: TextIO = open(path, "w", encoding="utf-8")  # noqa: SIM115 - the handler owns and closes it
            return logging.StreamHandler(stream)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return logging.FileHandler(path, encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ProgrammingError(
            f"Connection property Logfile: cannot write to {logfile!r} ({reason}); give a file "
            "in a folder you can write to, or leave Logfile empty"
        ) from None


class ConnectionLog:
    """One connection's log file: attached by ``configure_logging``, fed only while the connection works."""

    _lock = threading.Lock()
    _open_logs: list[ConnectionLog] = []
    _saved_levels: dict[str, int] = {}

    def __init__(self, handler: logging.Handler, level: int, loggers: tuple[str, ...]) -> None:
        self._handler = handler
        self._level = level
        self._loggers = loggers
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.setLevel(level)
        handler.addFilter(RedactingFilter())
        handler.addFilter(_WhileWorking(self))
        with self._lock:
            self._open_logs.append(self)
            for name in loggers:
                logging.getLogger(name).addHandler(handler)
            self._set_levels()

    @contextmanager
    def working(self) -> Iterator[None]:
        """While inside, records go to this connection's file (and to no other connection's)."""
        token = _working.set(self)
        try:
            yield
        finally:
            _working.reset(token)

    def close(self) -> None:
        """Detach the handler and close the file; the loggers get back the levels they had."""
        with self._lock:
            if self not in self._open_logs:
                return
            self._open_logs.remove(self)
            for name in self._loggers:
                logging.getLogger(name).removeHandler(self._handler)
            self._set_levels()
        self._handler.close()

    @classmethod
    def _set_levels(cls) -> None:
        # each logger as detailed as the most detailed open log that listens to it; the level it had before
        # the first one came back once none does
        wanted: dict[str, int] = {}
        for log in cls._open_logs:
            for name in log._loggers:
                wanted[name] = min(wanted.get(name, log._level), log._level)
        for name in set(cls._saved_levels) | set(wanted):
            logger = logging.getLogger(name)
            if name in wanted:
                cls._saved_levels.setdefault(name, logger.level)
                logger.setLevel(wanted[name])
            else:
                logger.setLevel(cls._saved_levels.pop(name))
        # HTTP/2's header codec logs encoded header blocks at DEBUG: never let them near a log file
        if wanted:
            hpack = logging.getLogger("hpack")
            hpack.setLevel(max(hpack.level, logging.INFO))


def configure_logging(props: Properties) -> ConnectionLog | None:
    """The connection's log: its Logfile at Verbosity's level (LogModules chooses the loggers), or None.

    Without Logfile, an explicit Verbosity only sets the level of the `o365sql` logger, for handlers the
    application configured itself.
    """
    level = log_level_for(int(props["Verbosity"]))
    logfile = str(props["Logfile"] or "")
    if not logfile:
        if props.explicit("Verbosity"):
            logging.getLogger("o365sql").setLevel(level)
        return None
    wanted = [m.strip().lower() for m in str(props["LogModules"] or "").split(";") if m.strip()]
    names: list[str] = []
    for module in wanted or ["all"]:
        if module != "all" and module not in _MODULES:
            raise ProgrammingError(
                f"Connection property LogModules: unknown module {module!r}; use {', '.join(_MODULES)} "
                "(separated by ';'), or leave it empty for all"
            )
        names.extend(_ALL if module == "all" else _MODULES[module])
    return ConnectionLog(_open(logfile), level, tuple(dict.fromkeys(names)))
