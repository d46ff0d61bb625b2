"""System tables: sys_tables, sys_tablecolumns, sys_procedures, sys_procedureparameters, sys_connection_props.

They are eponymous-only, read-only apsw virtual tables: they exist on every connection without a CREATE, rows
are computed when queried (so procedures registered later show up), and any INSERT/UPDATE/DELETE is refused by
SQLite itself. Secret connection properties are shown as ``********``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import apsw

from .. import procedures
from ..errors import MASK
from ..properties import PROPERTIES, Properties, PropertySpec
from ..schema import TABLES

__all__ = ["CATALOG", "SCHEMA", "SYSTEM_TABLES", "data_type_code", "install"]

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

SYSTEM_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "sys_tables": _SYS_TABLES_COLS,
    "sys_tablecolumns": _SYS_TABLECOLUMNS_COLS,
    "sys_procedures": _SYS_PROCEDURES_COLS,
    "sys_procedureparameters": _SYS_PROCEDUREPARAMETERS_COLS,
    "sys_connection_props": _SYS_CONNECTION_PROPS_COLS,
}

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


def _sys_tables() -> Iterable[tuple[Any, ...]]:
    for name in sorted(TABLES, key=str.lower):
        spec = TABLES[name]
        description = f"{spec.description} {spec.table_write_note()}"
        yield (CATALOG, SCHEMA, spec.name, spec.table_type, description, int(spec.updatable))


def _sys_tablecolumns() -> Iterable[tuple[Any, ...]]:
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
    """Make the five system tables queryable on ``db``; ``props`` is the connection's Properties."""
    sources: dict[str, Rows] = {
        "sys_tables": _sys_tables,
        "sys_tablecolumns": _sys_tablecolumns,
        "sys_procedures": _sys_procedures,
        "sys_procedureparameters": _sys_procedureparameters,
        "sys_connection_props": _connection_props_rows(props),
    }
    for name, columns in SYSTEM_TABLES.items():
        module: Any = _Module(columns, sources[name])
        db.create_module(name, module, eponymous_only=True, read_only=True)
