"""System tables: sys_tables, sys_tablecolumns, sys_procedures, sys_procedureparameters, sys_connection_props.

They are eponymous-only, read-only apsw virtual tables: they exist on every connection without a CREATE, rows
are computed when queried (so procedures registered later show up), and any INSERT/UPDATE/DELETE is refused by
SQLite itself. Secret connection properties are shown as ``********``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import apsw

from . import procedures

__all__ = ["CATALOG", "SCHEMA", "SYSTEM_TABLES", "data_type_code", "install", "table_specs"]

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

_MASK = "********"


def data_type_code(type_name: str) -> tuple[int, int | None, int | None, int | None]:
    """(DataType code, Length, NumericPrecision, NumericScale) for a declared type name."""
    return _DATA_TYPES.get(type_name.upper().split("(", 1)[0].strip(), (12, None, None, None))


def table_specs() -> dict[str, Any]:
    """``o365sql.schema.TABLES``, or an empty mapping while the schema package is not installed."""
    try:
        # imported on use: the schema package may itself import engine modules
        schema = importlib.import_module("o365sql.schema")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("o365sql.schema"):
            return {}
        raise
    return dict(getattr(schema, "TABLES", {}))


def _key_names(spec: Any) -> set[str]:
    key = getattr(spec, "key", None)
    if key is None:
        return {"id"}
    if isinstance(key, str):
        return {key.lower()}
    return {str(k).lower() for k in key}


def _table_updatable(spec: Any) -> bool:
    for attr in ("updatable", "updateable", "writable", "insertable"):
        flag = getattr(spec, attr, None)
        if isinstance(flag, bool):
            return flag
    keys = _key_names(spec)
    return any(not c.read_only and c.name.lower() not in keys for c in spec.columns)


def _sys_tables() -> Iterable[tuple[Any, ...]]:
    for name, spec in sorted(table_specs().items(), key=lambda kv: kv[0].lower()):
        yield (
            CATALOG, SCHEMA, getattr(spec, "name", name), "TABLE",
            getattr(spec, "description", "") or "", int(_table_updatable(spec)),
        )  # fmt: skip


def _sys_tablecolumns() -> Iterable[tuple[Any, ...]]:
    for name, spec in sorted(table_specs().items(), key=lambda kv: kv[0].lower()):
        keys = _key_names(spec)
        for ordinal, col in enumerate(spec.columns, start=1):
            code, length, precision, scale = data_type_code(col.type)
            is_key = col.name.lower() in keys
            nullable = not (is_key or getattr(col, "not_null", False))
            yield (
                CATALOG, SCHEMA, getattr(spec, "name", name), col.name, col.type.upper(), code, length,
                precision, scale, int(nullable), col.description or "", ordinal, 0,
                int(bool(getattr(col, "generated", False))), int(bool(col.hidden)), int(bool(col.read_only)),
                int(is_key),
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


def _category(spec: Any) -> str:
    return str(getattr(spec, "category", None) or getattr(spec, "group", None) or "Miscellaneous")


def _type_name(t: Any) -> str:
    if isinstance(t, type):
        return {"str": "string", "int": "int", "float": "float", "bool": "bool"}.get(t.__name__, t.__name__)
    return str(t)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _connection_props_rows(props: Any) -> Rows:
    def rows() -> Iterable[tuple[Any, ...]]:
        try:
            from ..properties import PROPERTIES  # written in parallel; optional until it lands
        except ImportError:
            specs: tuple[Any, ...] = ()
        else:
            specs = tuple(PROPERTIES)
        masked: Mapping[str, Any] = props.masked() if hasattr(props, "masked") else {}
        masked_lower = {str(k).lower(): v for k, v in masked.items()}
        for spec in specs:
            secret = bool(getattr(spec, "secret", False))
            default = _text(getattr(spec, "default", None))
            if secret and default:
                default = _MASK
            value = masked_lower.get(spec.name.lower())
            if value is None:
                value = None
            elif secret and value:
                value = _MASK  # never trust the caller's masking for a secret
            choices = getattr(spec, "choices", None) or ()
            yield (
                spec.name, getattr(spec, "help", "") or "", _type_name(getattr(spec, "type", "string")),
                default,
                ", ".join(str(c) for c in choices) or None, _text(value),
                int(bool(getattr(spec, "required", False))), _category(spec),
            )  # fmt: skip

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


def install(db: apsw.Connection, props: Any) -> None:
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
