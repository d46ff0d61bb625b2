"""CREATE / ALTER / DROP LOCAL VIEW: the commercial connector's statements for the user defined views.

``CREATE LOCAL VIEW [UserViews.]Name AS SELECT ...`` adds a view, ``ALTER LOCAL VIEW Name [AS] SELECT ...``
changes its query and ``DROP LOCAL VIEW Name`` removes it. Each takes effect on this connection at once (the
view in schema UserViews) and is saved in the UserDefinedViews file, so later connections have it too;
other open connections keep the views they loaded. SQLite has no LOCAL VIEW statements, so these are read
here, with the EXEC scanner (quoted names, comments), before SQLite sees the text; the query itself is
compiled by SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass

import apsw

from .._statements import single_statement
from ..errors import ProgrammingError
from ..procedures.exec_parse import Scanner
from ..properties import Properties
from . import schemas, userviews
from .systables import SYSTEM_TABLES

__all__ = ["LocalViewStatement", "execute", "is_local_view", "parse"]

_ACTIONS = ("CREATE", "ALTER", "DROP")
_FORM = "CREATE LOCAL VIEW Name AS SELECT ..., ALTER LOCAL VIEW Name AS SELECT ... or DROP LOCAL VIEW Name"


@dataclass(frozen=True)
class LocalViewStatement:
    """A parsed statement: CREATE, ALTER or DROP, the view's name, and its query (empty for DROP)."""

    action: str
    name: str
    query: str = ""


def _head(sc: Scanner) -> str | None:
    """CREATE/ALTER/DROP when the statement starts with `<action> LOCAL VIEW`, else None."""
    words: list[str] = []
    for _ in range(3):
        sc.skip()
        if sc.pos >= len(sc.sql) or not (sc.sql[sc.pos].isalpha() or sc.sql[sc.pos] == "_"):
            return None
        words.append(sc.name("a keyword").upper())
    action, local, view = words
    return action if action in _ACTIONS and local == "LOCAL" and view == "VIEW" else None


def is_local_view(sql: str) -> bool:
    """True when ``sql`` is a CREATE, ALTER or DROP LOCAL VIEW statement."""
    try:
        return _head(Scanner(sql, "LOCAL VIEW", _FORM)) is not None
    except ProgrammingError:
        return False


def parse(sql: str) -> LocalViewStatement:
    """The statement's parts; ProgrammingError saying where and what was expected if malformed."""
    sc = Scanner(sql, "LOCAL VIEW", _FORM)
    action = _head(sc)
    if action is None:
        raise sc.error("CREATE, ALTER or DROP LOCAL VIEW")
    name = sc.name("the view's name")
    if sc.take("."):
        if name.lower() != userviews.SCHEMA.lower():
            raise ProgrammingError(
                f"{action} LOCAL VIEW: user defined views are in schema {userviews.SCHEMA}, not {name}"
            )
        name = sc.name("the view's name after UserViews.")
    if action == "DROP":
        sc.take(";")
        if not sc.at_end():
            raise sc.error("the end of the statement after the view's name")
        return LocalViewStatement(action, name)
    sc.skip()
    start = sc.pos
    # AS before the query (ALTER may leave it out, as the commercial connector's examples do)
    if start < len(sc.sql) and sc.sql[start].isalpha() and sc.name("AS").upper() != "AS":
        sc.pos = start
    if sc.pos == start and action == "CREATE":
        raise sc.error("AS before the view's query")
    query = single_statement(sql[sc.pos :]).strip()
    if not query:
        raise sc.error("the view's query (SELECT ...)")
    return LocalViewStatement(action, name, query)


def execute(db: apsw.Connection, props: Properties, sql: str) -> None:
    """Run a LOCAL VIEW statement on ``db`` and save the change in the UserDefinedViews file."""
    stmt = parse(sql)
    path = str(props["UserDefinedViews"] or "")
    if not path:
        raise ProgrammingError(
            f"{stmt.action} LOCAL VIEW saves the view in the UserDefinedViews file: set UserDefinedViews to "
            "its path (a JSON file; {} for none yet) and reconnect"
        )
    with schemas.internal(db):
        if stmt.action == "DROP":
            userviews.remove(db, path, stmt.name)
        else:
            reserved = set(SYSTEM_TABLES)
            userviews.define(db, path, stmt.name, stmt.query, reserved, replace=stmt.action == "ALTER")
