"""The catalogue system tables BI tools crawl: sys_schemas, sys_primarykeys, sys_foreignkeys, sys_keycolumns,
sys_sqlinfo (rows made from the schema's TableSpecs; engine.systables installs them).

Keys: each table's primary key is its TableSpec.key. Foreign keys: a child table's parent key names its parent
table's id (GroupMembers.GroupId -> Groups.id), and every mailbox/drive table's UserId names Users.id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..schema import TABLES, TableSpec

__all__ = ["CATALOG_COLUMNS", "catalog_rows"]

_PK_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("ColumnName", "TEXT"),
    ("KeySeq", "INTEGER"), ("KeyName", "TEXT"),
)  # fmt: skip
_FK_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("ColumnName", "TEXT"),
    ("PrimaryKeyName", "TEXT"), ("ForeignKeyName", "TEXT"), ("ReferencedCatalogName", "TEXT"),
    ("ReferencedSchemaName", "TEXT"), ("ReferencedTableName", "TEXT"), ("ReferencedColumnName", "TEXT"),
    ("ForeignKeyType", "TEXT"),
)  # fmt: skip
_KEYCOL_COLS = (
    ("CatalogName", "TEXT"), ("SchemaName", "TEXT"), ("TableName", "TEXT"), ("ColumnName", "TEXT"),
    ("IsKey", "BOOLEAN"), ("IsForeignKey", "BOOLEAN"), ("PrimaryKeyName", "TEXT"), ("ForeignKeyName", "TEXT"),
    ("ReferencedCatalogName", "TEXT"), ("ReferencedSchemaName", "TEXT"), ("ReferencedTableName", "TEXT"),
    ("ReferencedColumnName", "TEXT"),
)  # fmt: skip

CATALOG_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "sys_schemas": (("CatalogName", "TEXT"), ("SchemaName", "TEXT")),
    "sys_primarykeys": _PK_COLS,
    "sys_foreignkeys": _FK_COLS,
    "sys_keycolumns": _KEYCOL_COLS,
    "sys_sqlinfo": (("NAME", "TEXT"), ("VALUE", "TEXT")),
}

# What the SQL engine (SQLite through apsw) offers; the driver adds no dialect of its own.
_SQLINFO = (
    ("DIALECT", "SQLite"),
    ("IDENTIFIER_QUOTE_OPEN_CHAR", '"'),
    ("IDENTIFIER_QUOTE_CLOSE_CHAR", '"'),
    ("SUPPORTS_JOIN", "YES"),
    ("SUPPORTS_OUTER_JOIN", "YES"),
    ("SUPPORTS_SUBQUERIES", "YES"),
    ("SUPPORTS_GROUP_BY", "YES"),
    ("SUPPORTS_UNION", "YES"),
    ("SUPPORTS_LIMIT", "YES"),
    ("SUPPORTS_TRANSACTIONS", "NO"),  # Graph has none: each write takes effect when it runs
    ("SUPPORTED_OPERATORS", "=,<>,!=,<,<=,>,>=,LIKE,GLOB,IN,IS NULL,IS NOT NULL,BETWEEN,AND,OR,NOT"),
    ("SUPPORTED_FUNCTIONS", "COUNT,SUM,AVG,MIN,MAX,COALESCE,NULLIF,CAST,LOWER,UPPER,SUBSTR,JSON_EXTRACT"),
    ("PARAMETER_STYLE", "qmark"),
)


def _pk_name(spec: TableSpec) -> str:
    return f"PK_{spec.name}"


def foreign_keys(spec: TableSpec) -> list[tuple[str, str, str]]:
    """(column, referenced table, referenced column) for each foreign key of the table."""
    out: list[tuple[str, str, str]] = []
    if spec.parent_key and spec.parent_table:
        out.append((spec.parent_key, spec.parent_table, "id"))
    if spec.per_user:
        out.append(("UserId", "Users", "id"))
    return out


def catalog_rows(name: str, catalog: str, schema: str) -> Iterable[tuple[Any, ...]]:
    """The rows of one of the catalogue tables (`name` a key of CATALOG_COLUMNS)."""
    specs = [TABLES[n] for n in sorted(TABLES, key=str.lower)]
    if name == "sys_schemas":
        yield (catalog, schema)
    elif name == "sys_sqlinfo":
        yield from _SQLINFO
    elif name == "sys_primarykeys":
        for spec in specs:
            for seq, column in enumerate(spec.key, start=1):
                yield (catalog, schema, spec.name, column, seq, _pk_name(spec))
    elif name == "sys_foreignkeys":
        for spec in specs:
            for column, table, ref in foreign_keys(spec):
                yield (
                    catalog, schema, spec.name, column, _pk_name(TABLES[table]), f"FK_{spec.name}_{column}",
                    catalog, schema, table, ref, "FOREIGNKEY_TYPE_IMPORT",
                )  # fmt: skip
    elif name == "sys_keycolumns":
        for spec in specs:
            fks = {c: (t, r) for c, t, r in foreign_keys(spec)}
            for col in spec.columns:
                is_key = spec.is_key(col)
                fk = fks.get(col.name)
                if not is_key and fk is None:
                    continue
                target: tuple[Any, ...] = (catalog, schema, *fk) if fk else (None, None, None, None)
                yield (
                    catalog, schema, spec.name, col.name, int(is_key), int(fk is not None),
                    _pk_name(spec) if is_key else None, f"FK_{spec.name}_{col.name}" if fk else None, *target,
                )  # fmt: skip
    else:
        raise KeyError(name)
