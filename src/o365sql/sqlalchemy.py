"""SQLAlchemy dialect: `create_engine("o365sql:///?InitiateOAuth=GETANDREFRESH;...")` for pandas.read_sql.

`office365:///?...`, the commercial connector's URL, is the same dialect. The driver runs SQL in SQLite (apsw)
over virtual tables, so the dialect is SQLite's with our DB-API module; foreign keys are read from
sys_foreignkeys, since the virtual tables declare none to SQLite.

Schemas are SQLite's: ``main`` holds the Graph tables; ``UserViews`` (the user defined views) and ``Cache``
(the sync cache, read per query) are attached databases, so the SQLite dialect's reflection finds them with
``schema="UserViews"`` / ``schema="Cache"``. UserViews also holds the Graph tables its views read; they are
main's tables, so the inspector lists only the views there.
"""

from __future__ import annotations

import types
import warnings
from typing import Any

from sqlalchemy import util
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import reflection
from sqlalchemy.engine.interfaces import ReflectedForeignKeyConstraint
from sqlalchemy.engine.url import URL
from sqlalchemy.types import DateTime

from .engine.schemas import USERVIEWS_SCHEMA
from .errors import NotSupportedError

__all__ = ["O365Dialect", "connection_string_from_url"]


def connection_string_from_url(url: URL) -> str:
    """Rebuild the connection string from a URL's query.

    `?A=1;B=2` arrives as one query key whose value still holds `;B=2` (Python no longer splits on `;`), and
    `?A=1&B=2` as two keys; joining `key=value` pairs with `;` gives back the connection string either way.
    """
    parts: list[str] = []
    for key, value in url.query.items():
        values = value if isinstance(value, tuple) else (value,)
        parts.extend(f"{key}={v}" for v in values)
    return ";".join(parts)


class _DBAPI(types.ModuleType):
    """o365sql as SQLAlchemy's SQLite dialect expects a DB-API module (it reads `sqlite_version_info`)."""

    def __init__(self) -> None:
        super().__init__("o365sql_dbapi")
        import apsw

        import o365sql

        self._module = o365sql
        self.sqlite_version_info = tuple(int(p) for p in apsw.sqlite_lib_version().split("."))
        self.sqlite_version = apsw.sqlite_lib_version()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


class _NativeDateTime(DateTime):
    """The driver already returns aware datetimes and accepts them as parameters: no string round trip."""

    def bind_processor(self, dialect: Any) -> None:
        return None

    def result_processor(self, dialect: Any, coltype: object) -> None:
        return None


class O365Dialect(SQLiteDialect):
    """SQLite's dialect, connecting through o365sql."""

    name = "sqlite"
    driver = "o365sql"
    supports_statement_cache = True
    default_paramstyle = "qmark"
    colspecs = util.update_copy(SQLiteDialect.colspecs, {DateTime: _NativeDateTime})

    @classmethod
    def import_dbapi(cls) -> Any:
        """The DB-API module SQLAlchemy talks to."""
        return _DBAPI()

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        """`o365sql:///?Name=Value;...` -> `o365sql.connect("Name=Value;...")`."""
        if url.host or url.database:
            raise ValueError(
                f"{url.drivername} URLs carry the connection string in the query: "
                f"{url.drivername}:///?InitiateOAuth=GETANDREFRESH;..."
            )
        return [connection_string_from_url(url)], {}

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        version: tuple[int, ...] = self.dbapi.sqlite_version_info  # type: ignore[union-attr]
        return version

    @reflection.cache
    def get_table_names(
        self, connection: Any, schema: str | None = None, sqlite_include_internal: bool = False, **kw: Any
    ) -> list[str]:
        """SQLite's table list, except in UserViews, whose tables only serve its views (they are main's)."""
        if schema is not None and schema.lower() == USERVIEWS_SCHEMA.lower():
            return []
        # SQLAlchemy's SQLite dialect is not annotated
        names: list[str] = super().get_table_names(  # type: ignore[no-untyped-call]
            connection, schema, sqlite_include_internal, **kw
        )
        return names

    @reflection.cache
    def get_foreign_keys(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedForeignKeyConstraint]:
        """The table's foreign keys as sys_foreignkeys lists them (its parent key, UserId -> Users.id).

        Only main's tables have any: a view of UserViews and a table of Cache declare none. A key on a hidden
        column (Users.manager_id) is left out: reflection lists no hidden column.
        """
        if schema is not None and schema.lower() != "main":
            return []
        rows = connection.exec_driver_sql(
            "SELECT ForeignKeyName, ColumnName, ReferencedTableName, ReferencedColumnName "
            "FROM sys_foreignkeys WHERE TableName = ? AND ForeignKeyType = 'FOREIGNKEY_TYPE_IMPORT' "
            "AND ColumnName NOT IN "
            "(SELECT ColumnName FROM sys_tablecolumns WHERE TableName = ? AND IsHidden)",
            (table_name, table_name),
        ).all()
        keys: dict[str, ReflectedForeignKeyConstraint] = {}
        for name, column, referred_table, referred_column in rows:
            key = keys.setdefault(
                name,
                ReflectedForeignKeyConstraint(
                    name=name,
                    constrained_columns=[],
                    referred_schema=None,
                    referred_table=referred_table,
                    referred_columns=[],
                    options={},
                ),
            )
            key["constrained_columns"].append(column)
            key["referred_columns"].append(referred_column)
        return list(keys.values())

    def set_isolation_level(self, dbapi_connection: Any, level: Any) -> None:
        """Graph has no transactions; only the default level exists."""

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        """Always SERIALIZABLE, SQLite's default (Graph writes apply at once)."""
        return "SERIALIZABLE"

    def do_rollback(self, dbapi_connection: Any) -> None:
        """Graph applied each write at once: rows written since the last commit stay, said as a warning.

        The DB-API rollback() raises then; SQLAlchemy rolls back on its own paths (errors, returning a
        connection to the pool), where an exception would hide the original one, so the dialect warns.
        """
        try:
            dbapi_connection.rollback()
        except NotSupportedError as exc:
            warnings.warn(str(exc), RuntimeWarning, stacklevel=2)

    def do_commit(self, dbapi_connection: Any) -> None:
        """Nothing to send (Graph applied each write at once); rollback() then has nothing to answer for."""
        dbapi_connection.commit()


dialect = O365Dialect
