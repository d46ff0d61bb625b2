"""The sync cache: a SQLite file holding each table's items as Graph sent them, and each stream's delta link.

One stream is one Graph delta query: a mail folder's messages, a mailbox's calendarView, contacts or drive, or
the tenant's users or groups. For every stream the cache keeps where to continue: the nextLink of an
enumeration still under way (so an interrupted sync resumes there) or, once complete, the deltaLink the next
sync polls. Items are stored per stream, so a message moved between folders is briefly in both streams and
never lost, whichever folder's change is applied first. Every page is applied in one transaction together with
its link: the file is consistent after a crash.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["StreamState", "SyncCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS streams(
    tbl TEXT NOT NULL, owner TEXT NOT NULL, scope TEXT NOT NULL,
    link TEXT NOT NULL, complete INTEGER NOT NULL,
    PRIMARY KEY(tbl, owner, scope)
);
CREATE TABLE IF NOT EXISTS items(
    tbl TEXT NOT NULL, owner TEXT NOT NULL, scope TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY(tbl, owner, scope, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class StreamState:
    """Where a stream stands: ``link`` is a nextLink (``complete`` False) or a deltaLink (True)."""

    owner: str
    scope: str
    link: str
    complete: bool


class SyncCache:
    """A cache file (``CacheLocation``); safe to share between threads (one lock serialises writes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(Path(self.path).expanduser()) if self.path != ":memory:" else self.path,
            check_same_thread=False,
            isolation_level=None,
        )
        self._lock = threading.RLock()
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    # -- streams ---------------------------------------------------------------------------------------------

    def streams(self, table: str, owner: str | None = None) -> list[StreamState]:
        """The streams of a table (of one owner, when given)."""
        sql = "SELECT owner, scope, link, complete FROM streams WHERE tbl = ?"
        args: list[Any] = [table]
        if owner is not None:
            sql += " AND owner = ?"
            args.append(owner)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY owner, scope", args).fetchall()
        return [StreamState(o, s, link, bool(c)) for o, s, link, c in rows]

    def owners(self, table: str) -> list[str]:
        """Owners with at least one stream of this table."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT owner FROM streams WHERE tbl = ? ORDER BY 1", (table,))
            return [r[0] for r in rows]

    def apply(
        self,
        table: str,
        owner: str,
        scope: str,
        items: Iterable[dict[str, Any]],
        removed: Iterable[str],
        link: str,
        complete: bool,
        *,
        restart: bool = False,
    ) -> tuple[int, int]:
        """Apply one delta page and move the stream's link, atomically; returns (upserted, removed).

        ``restart`` first drops what the stream held (a new enumeration after 410 Gone). A changed item is
        merged into the stored one, since Graph may send only the properties that changed.
        """
        upserted = gone = 0
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if restart:
                    db.execute("DELETE FROM items WHERE tbl=? AND owner=? AND scope=?", (table, owner, scope))
                for item in items:
                    iid = str(item["id"])
                    old = db.execute(
                        "SELECT body FROM items WHERE tbl=? AND owner=? AND scope=? AND id=?",
                        (table, owner, scope, iid),
                    ).fetchone()
                    body = {**json.loads(old[0]), **item} if old else item
                    db.execute(
                        "INSERT OR REPLACE INTO items VALUES(?, ?, ?, ?, ?)",
                        (table, owner, scope, iid, json.dumps(body, separators=(",", ":"))),
                    )
                    upserted += 1
                for iid in removed:
                    cur = db.execute(
                        "DELETE FROM items WHERE tbl=? AND owner=? AND scope=? AND id=?",
                        (table, owner, scope, iid),
                    )
                    gone += cur.rowcount
                db.execute(
                    "INSERT OR REPLACE INTO streams VALUES(?, ?, ?, ?, ?)",
                    (table, owner, scope, link, int(complete)),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return upserted, gone

    def drop(self, table: str, owner: str, scope: str | None = None) -> None:
        """Forget a stream (or every stream of the owner) and its items: a folder that is gone."""
        where = "tbl=? AND owner=?" + (" AND scope=?" if scope is not None else "")
        args = (table, owner) + ((scope,) if scope is not None else ())
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(f"DELETE FROM items WHERE {where}", args)
            self._db.execute(f"DELETE FROM streams WHERE {where}", args)
            self._db.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------------------------

    def items(self, table: str, owners: Iterable[str] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(owner, item) for every cached item of the table (of these owners), one owner after another.

        Read in slices of one owner so memory stays flat and the lock is not held while the caller works.
        """
        chosen = list(owners) if owners is not None else self.owners(table)
        for owner in chosen:
            last = ("", "")
            seen: set[str] = set()  # a message mid-move sits in two folders' streams: once is enough
            while True:
                with self._lock:
                    rows = self._db.execute(
                        "SELECT scope, id, body FROM items WHERE tbl=? AND owner=? AND (scope, id) > (?, ?) "
                        "ORDER BY scope, id LIMIT 500",
                        (table, owner, *last),
                    ).fetchall()
                if not rows:
                    break
                for _scope, iid, body in rows:
                    if iid not in seen:
                        seen.add(iid)
                        yield owner, json.loads(body)
                last = (rows[-1][0], rows[-1][1])

    def synced(self, table: str) -> bool:
        """True when the table has at least one stream (SyncTable ran for it)."""
        with self._lock:
            return (
                self._db.execute("SELECT 1 FROM streams WHERE tbl=? LIMIT 1", (table,)).fetchone() is not None
            )

    def get_meta(self, name: str) -> str | None:
        """A small fact the sync keeps (e.g. the signed-in user's id, for /me offline)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, name: str, value: str) -> None:
        """Store a fact."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (name, value))
