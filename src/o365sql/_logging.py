"""The Logfile, Verbosity and LogModules properties: where the driver's log goes, and how much of it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .errors import redact
from .properties import Properties, log_level_for

__all__ = ["RedactingFilter", "configure_logging"]

# LogModules names -> loggers
_MODULES = {
    "graph": ("o365sql.graph",),
    "auth": ("o365sql.auth", "msal", "msal_extensions"),
    "engine": ("o365sql.engine",),
    "connection": ("o365sql.connection",),
}


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


_lock = threading.Lock()
_handlers: dict[Path, logging.Handler] = {}


def configure_logging(props: Properties) -> None:
    """Send the log to Logfile (shared by every connection naming the same file) at Verbosity's level.

    Without Logfile, an explicit Verbosity only sets the level of the `o365sql` logger, for handlers the
    application configured itself.
    """
    level = log_level_for(int(props["Verbosity"]))
    logfile = str(props["Logfile"] or "")
    wanted = [m.strip().lower() for m in str(props["LogModules"] or "").split(";") if m.strip()]
    names: list[str] = []
    for module in wanted or ["all"]:
        names.extend(_MODULES.get(module, ()) if module != "all" else ("o365sql", "msal", "msal_extensions"))
    if not logfile:
        if props.explicit("Verbosity"):
            logging.getLogger("o365sql").setLevel(level)
        return
    path = Path(logfile).expanduser().resolve()
    with _lock:
        handler = _handlers.get(path)
        if handler is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            handler.addFilter(RedactingFilter())
            _handlers[path] = handler
        handler.setLevel(min(handler.level or level, level))
        for name in names:
            logger = logging.getLogger(name)
            if handler not in logger.handlers:
                logger.addHandler(handler)
            if logger.level == logging.NOTSET or logger.level > level:
                logger.setLevel(level)
        # HTTP/2's header codec logs encoded header blocks at DEBUG: never let them near a log file
        logging.getLogger("hpack").setLevel(max(logging.getLogger("hpack").level, logging.INFO))
