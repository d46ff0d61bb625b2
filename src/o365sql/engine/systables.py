"""System tables: tables, columns, keys, procedures, connection properties, SQL capabilities as BI tools ask.

They are eponymous-only, read-only apsw virtual tables: they exist on every connection without a CREATE, rows
are computed when queried (so procedures registered later show up), and any INSERT/UPDATE/DELETE is refused by
SQLite itself. Secret connection properties are shown as ``********``. Keys come from the TableSpecs (the key,
the parent key, UserId on per-user tables), so a new TableSpec shows up in every table here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

import apsw

from .. import procedures
from ..errors import MASK
from ..properties import PROPERTIES, Properties, PropertySpec
from ..scale.delta import SYNC_TABLES
from ..schema import TABLES, ForeignKey, foreign_keys, primary_key_name
from . import schemas, userviews

__all__ = ["CATALOG", "FK_EXPORT", "FK_IMPORT", "SCHEMA", "SYSTEM_TABLES", "data_type_code", "install"]

CATALOG = "o365sql"
SCHEMA = "Office365"

Rows = Callable[[], Iterable[tuple[Any, ...]]]

_SYS_TABLES_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("TableType", "TEXT"),
    ("Description", "TEXT"), ("IsUpdateable", "BOOLEAN"),
)  # fmt: skip
_SYS_TABLECOLUMNS_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("ColumnName", "TEXT"),
    ("DataTypeName", "TEXT"), ("DataType", "INTEGER"), ("Length", "INTEGER"), ("NumericPrecision", "INTEGER"),
    ("NumericScale", "INTEGER"), ("IsNullable", "BOOLEAN"), ("Description", "TEXT"), ("Ordinal", "INTEGER"),
    ("IsAutoIncrement", "BOOLEAN"), ("IsGeneratedColumn", "BOOLEAN"), ("IsHidden", "BOOLEAN"),
    ("IsReadOnly", "BOOLEAN"), ("IsKey", "BOOLEAN"),
)  # fmt: skip
_SYS_PROCEDURES_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("ProcedureName", "TEXT"), ("Description", "TEXT"),
    ("ProcedureType", "TEXT"),
)  # fmt: skip
_SYS_PROCEDUREPARAMETERS_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("ProcedureName", "TEXT"), ("ColumnName", "TEXT"),
    ("Direction", "INTEGER"), ("DataTypeName", "TEXT"), ("DataType", "INTEGER"), ("Length", "INTEGER"),
    ("NumericPrecision", "INTEGER"), ("NumericScale", "INTEGER"), ("IsNullable", "BOOLEAN"),
    ("IsRequired", "BOOLEAN"), ("Default", "TEXT"), ("Description", "TEXT"), ("Ordinal", "INTEGER"),
)  # fmt: skip
_SYS_CONNECTION_PROPS_COLS = (
    ("Name", "TEXT"), ("ShortDescription", "TEXT"), ("Type", "TEXT"), ("Default", "TEXT"), ("Values", "TEXT"),
    ("Value", "TEXT"), ("Required", "BOOLEAN"), ("Category", "TEXT"),
)  # fmt: skip

_SYS_SCHEMAS_COLS = (("CatalogName", "TEXT"), ("SchemaName", "TEXT"))
_SYS_PRIMARYKEYS_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("ColumnName", "TEXT"),
    ("KeySeq", "INTEGER"), ("KeyName", "TEXT"),
)  # fmt: skip
_SYS_FOREIGNKEYS_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("ColumnName", "TEXT"),
    ("PrimaryKeyName", "TEXT"), ("ForeignKeyName", "TEXT"), ("ReferencedCatalogName", "TEXT"),
    ("ReferencedSchemaName", "TEXT"), ("ReferencedTableName", "TEXT"), ("ReferencedColumnName", "TEXT"),
    ("ForeignKeyType", "TEXT"),
)  # fmt: skip
_SYS_KEYCOLUMNS_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("ColumnName", "TEXT"),
    ("IsKey", "BOOLEAN"), ("IsForeignKey", "BOOLEAN"), ("PrimaryKeyName", "TEXT"), ("ForeignKeyName", "TEXT"),
    ("ReferencedCatalogName", "TEXT"), ("ReferencedSchemaName", "TEXT"), ("ReferencedTableName", "TEXT"),
    ("ReferencedColumnName", "TEXT"),
)  # fmt: skip
_SYS_SQLINFO_COLS = (("NAME", "TEXT"), ("VALUE", "TEXT"))

SYSTEM_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "sys_schemas": _SYS_SCHEMAS_COLS,
    "sys_tables": _SYS_TABLES_COLS,
    "sys_tablecolumns": _SYS_TABLECOLUMNS_COLS,
    "sys_primarykeys": _SYS_PRIMARYKEYS_COLS,
    "sys_foreignkeys": _SYS_FOREIGNKEYS_COLS,
    "sys_keycolumns": _SYS_KEYCOLUMNS_COLS,
    "sys_procedures": _SYS_PROCEDURES_COLS,
    "sys_procedureparameters": _SYS_PROCEDUREPARAMETERS_COLS,
    "sys_connection_props": _SYS_CONNECTION_PROPS_COLS,
    "sys_sqlinfo": _SYS_SQLINFO_COLS,
}
# sys_foreignkeys.ForeignKeyType: IMPORT rows are a table's own foreign keys, EXPORT rows the keys of other
# tables that point at it (as the commercial connector lists both).
FK_IMPORT = "FOREIGNKEY_TYPE_IMPORT"
FK_EXPORT = "FOREIGNKEY_TYPE_EXPORT"

# DataType codes follow java.sql.Types (as JDBC/ODBC tools expect): what the commercial connector reports too.
_DATA_TYPES: dict[str, tuple[int, int | None, int | None, int | None]] = {
    # name: (DataType, Length, NumericPrecision, NumericScale)
    "TEXT": (12, None, None, None),  # Graph sets no general length limit on strings
    "JSON": (-1, None, None, None),
    "INTEGER": (-5, None, 19, 0),
    "REAL": (8, None, 15, None),
    "BOOLEAN": (16, 1, None, None),
    "DATETIME": (93, 28, None, 7),
    "BLOB": (-4, None, None, None),
}


def data_type_code(type_name: str) -> tuple[int, int | None, int | None, int | None]:
    """(DataType code, Length, NumericPrecision, NumericScale) for a declared type name."""
    return _DATA_TYPES.get(type_name.upper().split("(", 1)[0].strip(), (12, None, None, None))


def _views(db: weakref.ref[apsw.Connection]) -> tuple[userviews.UserView, ...]:
    con = db()
    return userviews.views_of(con) if con is not None else ()


def _attached(db: weakref.ref[apsw.Connection]) -> list[str]:
    con = db()
    return schemas.attached(con) if con is not None else []


def _cached_tables(db: weakref.ref[apsw.Connection]) -> list[str]:
    """The tables of schema Cache (none when CacheLocation is not set)."""
    return sorted(SYNC_TABLES, key=str.lower) if schemas.CACHE_SCHEMA in _attached(db) else []


_CACHE_NOTE = "Read from the sync cache (CacheLocation), which EXEC SyncTable fills; read-only."


def _sys_tables(db: weakref.ref[apsw.Connection]) -> Rows:
    def rows() -> Iterable[tuple[Any, ...]]:
        for name in sorted(TABLES, key=str.lower):
            spec = TABLES[name]
            description = f"{spec.description} {spec.table_write_note()}"
            yield (CATALOG, SCHEMA, spec.name, spec.table_type, description, int(spec.updatable))
        for view in _views(db):
            yield (CATALOG, userviews.SCHEMA, view.name, "VIEW", f"User defined view: {view.query}", 0)
        for name in _cached_tables(db):
            spec = TABLES[name]
            description = f"{spec.description} {_CACHE_NOTE}"
            yield (CATALOG, schemas.CACHE_SCHEMA, spec.name, spec.table_type, description, 0)

    return rows


def _sys_schemas(db: weakref.ref[apsw.Connection]) -> Rows:
    def rows() -> Iterable[tuple[Any, ...]]:
        yield (CATALOG, SCHEMA)
        for name in _attached(db):
            yield (CATALOG, name)

    return rows


def _sys_tablecolumns(db: weakref.ref[apsw.Connection]) -> Rows:
    def rows() -> Iterable[tuple[Any, ...]]:
        for name in sorted(TABLES, key=str.lower):
            spec = TABLES[name]
            for ordinal, col in enumerate(spec.columns, start=1):
                code, length, precision, scale = data_type_code(col.type)
                description = f"{col.description.rstrip('.')}. {spec.column_write_note(col)}".lstrip(". ")
                yield (
                    CATALOG, SCHEMA, spec.name, col.name, col.type, code, length, precision, scale,
                    int(spec.nullable(col)), description, ordinal, 0, 0, int(col.hidden),
                    int(spec.column_read_only(col)), int(spec.is_key(col)),
                )  # fmt: skip
        for view in _views(db):
            for ordinal, (column, type_name) in enumerate(view.columns, start=1):
                code, length, precision, scale = data_type_code(type_name)
                yield (
                    CATALOG, userviews.SCHEMA, view.name, column, type_name, code, length, precision, scale,
                    1, "", ordinal, 0, 0, 0, 1, 0,
                )  # fmt: skip
        for name in _cached_tables(db):
            spec = TABLES[name]
            for ordinal, col in enumerate(spec.columns, start=1):
                code, length, precision, scale = data_type_code(col.type)
                yield (
                    CATALOG, schemas.CACHE_SCHEMA, spec.name, col.name, col.type, code, length, precision,
                    scale, int(spec.nullable(col)), col.description, ordinal, 0, 0, int(col.hidden), 1,
                    int(spec.is_key(col)),
                )  # fmt: skip

    return rows


def _sys_primarykeys(db: weakref.ref[apsw.Connection]) -> Rows:
    def rows() -> Iterable[tuple[Any, ...]]:
        tables = [(SCHEMA, name) for name in sorted(TABLES, key=str.lower)]
        tables += [(schemas.CACHE_SCHEMA, name) for name in _cached_tables(db)]
        for schema, name in tables:
            spec = TABLES[name]
            for seq, column in enumerate(spec.key, start=1):
                yield (CATALOG, schema, spec.name, spec.column(column).name, seq, primary_key_name(spec.name))

    return rows


def _all_foreign_keys() -> list[ForeignKey]:
    return [fk for name in sorted(TABLES, key=str.lower) for fk in foreign_keys(TABLES[name])]


def _sys_foreignkeys() -> Iterable[tuple[Any, ...]]:
    keys = _all_foreign_keys()
    for fk in keys:
        pk = primary_key_name(fk.referenced_table)
        for column, referenced in zip(fk.columns, fk.referenced_columns, strict=True):
            yield (
                CATALOG, SCHEMA, fk.table, column, pk, fk.name,
                CATALOG, SCHEMA, fk.referenced_table, referenced, FK_IMPORT,
            )  # fmt: skip
    for fk in sorted(keys, key=lambda k: k.referenced_table.lower()):
        pk = primary_key_name(fk.referenced_table)
        for column, referenced in zip(fk.columns, fk.referenced_columns, strict=True):
            yield (
                CATALOG, SCHEMA, fk.referenced_table, referenced, pk, fk.name,
                CATALOG, SCHEMA, fk.table, column, FK_EXPORT,
            )  # fmt: skip


def _sys_keycolumns() -> Iterable[tuple[Any, ...]]:
    """One row per column that is part of the table's key or of a foreign key (one per foreign key)."""
    by_column: dict[tuple[str, str], list[tuple[ForeignKey, str]]] = {}
    for fk in _all_foreign_keys():
        for column, referenced in zip(fk.columns, fk.referenced_columns, strict=True):
            by_column.setdefault((fk.table, column.lower()), []).append((fk, referenced))
    for name in sorted(TABLES, key=str.lower):
        spec = TABLES[name]
        pk_name = primary_key_name(spec.name)
        for col in spec.columns:
            is_key = spec.is_key(col)
            refs = by_column.get((spec.name, col.name.lower()), [])
            if is_key and not refs:
                yield (CATALOG, SCHEMA, spec.name, col.name, 1, 0, pk_name, None, None, None, None, None)
            for fk, referenced in refs:
                yield (
                    CATALOG, SCHEMA, spec.name, col.name, int(is_key), 1, pk_name if is_key else None,
                    fk.name, CATALOG, SCHEMA, fk.referenced_table, referenced,
                )  # fmt: skip


def _joins() -> str:
    # RIGHT and FULL OUTER JOIN came with SQLite 3.39
    version = tuple(int(p) for p in apsw.sqlite_lib_version().split("."))
    outer = "LEFT, RIGHT, FULL" if version >= (3, 39) else "LEFT"
    return f"{outer}, NESTED, NOT_ORDERED, INNER, ALL_COMPARISON_OPS"


# What SQLite (which evaluates every query; Graph only narrows what is read) accepts: its operators and its
# built-in functions (every name listed is one, CURRENT_DATE and friends included).
_SQLINFO: tuple[tuple[str, str], ...] = (
    ("AGGREGATE_FUNCTIONS", "AVG, COUNT, MAX, MIN, SUM, TOTAL, GROUP_CONCAT, STRING_AGG, DISTINCT"),
    ("COUNT", "YES"),
    ("IDENTIFIER_QUOTE_OPEN_CHAR", '"'),
    ("IDENTIFIER_QUOTE_CLOSE_CHAR", '"'),
    (
        "SUPPORTED_OPERATORS",
        "=, ==, >, <, >=, <=, <>, !=, LIKE, NOT LIKE, GLOB, NOT GLOB, IN, NOT IN, BETWEEN, NOT BETWEEN, "
        "IS NULL, IS NOT NULL, IS, IS NOT, AND, OR, NOT, EXISTS",
    ),
    ("GROUP_BY", "NO_RELATION"),
    ("OUTER_JOINS", "YES"),
    ("OJ_CAPABILITIES", _joins()),
    ("SUBQUERIES", "COMPARISON, EXISTS, IN, CORRELATED_SUBQUERIES"),
    (
        "STRING_FUNCTIONS",
        "CHAR, CONCAT, CONCAT_WS, FORMAT, GLOB, HEX, INSTR, LENGTH, LIKE, LOWER, LTRIM, OCTET_LENGTH, "
        "PRINTF, QUOTE, REPLACE, RTRIM, SUBSTR, SUBSTRING, TRIM, UNHEX, UNICODE, UPPER",
    ),
    (
        "NUMERIC_FUNCTIONS",
        "ABS, ACOS, ACOSH, ASIN, ASINH, ATAN, ATAN2, ATANH, CEIL, CEILING, COS, COSH, DEGREES, EXP, FLOOR, "
        "LN, LOG, LOG10, LOG2, MAX, MIN, MOD, PI, POW, POWER, RADIANS, RANDOM, ROUND, SIGN, SIN, SINH, SQRT, "
        "TAN, TANH, TRUNC",
    ),
    (
        "TIMEDATE_FUNCTIONS",
        "DATE, TIME, DATETIME, JULIANDAY, UNIXEPOCH, STRFTIME, TIMEDIFF, CURRENT_DATE, CURRENT_TIME, "
        "CURRENT_TIMESTAMP",
    ),
    ("SUPPORT_TRANSACTION", "NO"),
    ("SUPPORTS_MULTIPLE_CATALOGS", "NO"),
    ("DIALECT", "SQLite"),
)


def _sys_sqlinfo(db: weakref.ref[apsw.Connection]) -> Rows:
    def rows() -> Iterable[tuple[Any, ...]]:
        yield from _SQLINFO
        # UserViews and Cache are schemas beside the tables' own when the connection has them
        yield ("SUPPORTS_MULTIPLE_SCHEMAS", "YES" if _attached(db) else "NO")
        con = db()
        if con is not None:
            # SQLite bounds an identifier only by the statement's length
            yield ("MAX_IDENTIFIER_LENGTH", str(con.limit(apsw.SQLITE_LIMIT_SQL_LENGTH, -1)))
            yield ("MAX_COLUMNS_IN_SELECT", str(con.limit(apsw.SQLITE_LIMIT_COLUMN, -1)))

    return rows


def _sys_procedures() -> Iterable[tuple[Any, ...]]:
    for proc in procedures.all_procedures():
        yield (CATALOG, SCHEMA, proc.name, proc.description, "STOREDPROCEDURE")


def _sys_procedureparameters() -> Iterable[tuple[Any, ...]]:
    # Direction follows JDBC's procedureColumn* codes: 1 = input, 4 = a column of the result set
    for proc in procedures.all_procedures():
        ordinal = 0
        for p in proc.params:
            ordinal += 1
            code, length, precision, scale = data_type_code(p.type)
            default = None if p.default is None else str(p.default)
            yield (
                CATALOG, SCHEMA, proc.name, p.name, 1, p.type.upper(), code, length, precision, scale,
                int(not p.required), int(p.required), default, p.description, ordinal,
            )  # fmt: skip
        for col, ctype in proc.result_columns:
            ordinal += 1
            code, length, precision, scale = data_type_code(ctype)
            yield (
                CATALOG, SCHEMA, proc.name, col, 4, ctype.upper(), code, length, precision, scale,
                1, 0, None, "", ordinal,
            )  # fmt: skip


def _type_name(t: type) -> str:
    return {"str": "string", "int": "int", "float": "float", "bool": "bool"}.get(t.__name__, t.__name__)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _connection_prop_row(spec: PropertySpec, shown: str) -> tuple[Any, ...]:
    default = _text(spec.default)
    if spec.secret and default:
        default = MASK
    value = MASK if spec.secret and shown else shown  # never trust the caller's masking for a secret
    return (
        spec.name, spec.help, _type_name(spec.type), default, ", ".join(spec.choices) or None, value, 0,
        spec.group,
    )  # fmt: skip


def _connection_props_rows(props: Properties) -> Rows:
    def rows() -> Iterable[tuple[Any, ...]]:
        masked = props.masked()
        for spec in PROPERTIES:
            yield _connection_prop_row(spec, masked[spec.name])

    return rows


class _Module:
    """An apsw virtual-table module over a row function; each query recomputes the rows."""

    def __init__(self, columns: tuple[tuple[str, str], ...], rows: Rows) -> None:
        self.columns = columns
        self.rows = rows

    def _declare(self) -> tuple[str, _Table]:
        cols = ", ".join(f'"{n}" {t}' for n, t in self.columns)
        return f"CREATE TABLE x({cols})", _Table(self.rows)

    def Create(self, *args: Any) -> tuple[str, _Table]:
        return self._declare()

    def Connect(self, *args: Any) -> tuple[str, _Table]:
        return self._declare()


class _Table:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def BestIndex(self, *args: Any) -> None:
        return None

    def Open(self) -> _Cursor:
        return _Cursor(self.rows)

    def Disconnect(self) -> None:
        pass

    Destroy = Disconnect


class _Cursor:
    def __init__(self, rows: Rows) -> None:
        self._source = rows
        self._rows: list[tuple[Any, ...]] = []
        self._i = 0

    def Filter(self, *args: Any) -> None:
        self._rows = list(self._source())
        self._i = 0

    def Eof(self) -> bool:
        return self._i >= len(self._rows)

    def Column(self, col: int) -> Any:
        if col == -1:
            return self._i
        return self._rows[self._i][col]

    def Next(self) -> None:
        self._i += 1

    def Rowid(self) -> int:
        return self._i

    def Close(self) -> None:
        self._rows = []


def install(db: apsw.Connection, props: Properties) -> None:
    """Make the system tables queryable on ``db``; ``props`` is the connection's Properties."""
    ref = weakref.ref(db)  # the tables live in db: a strong reference would keep it alive
    sources: dict[str, Rows] = {
        "sys_schemas": _sys_schemas(ref),
        "sys_tables": _sys_tables(ref),
        "sys_tablecolumns": _sys_tablecolumns(ref),
        "sys_primarykeys": _sys_primarykeys(ref),
        "sys_foreignkeys": _sys_foreignkeys,
        "sys_keycolumns": _sys_keycolumns,
        "sys_procedures": _sys_procedures,
        "sys_procedureparameters": _sys_procedureparameters,
        "sys_connection_props": _connection_props_rows(props),
        "sys_sqlinfo": _sys_sqlinfo(ref),
    }
    for name, columns in SYSTEM_TABLES.items():
        module: Any = _Module(columns, sources[name])
        db.create_module(name, module, eponymous_only=True, read_only=True)
