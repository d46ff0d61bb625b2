"""The data source's options (its own, and connection properties) and the table's Spark schema.

Options Spark passes are the data source's own (``table``, ``columns``, ``filter``, ``ownersPerPartition``;
``path`` from ``load("Messages")`` names the table too) or connection properties, exactly the names
``o365sql.connect()`` takes: an unknown name raises ``ProgrammingError`` naming it, as connect() does.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyspark.sql.types import (
    BooleanType,
    DataType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ..connection import Connection, connect
from ..errors import ProgrammingError
from ..properties import resolve
from ..schema import ColumnSpec, TableSpec, get_table

__all__ = [
    "SOURCE_OPTIONS",
    "SPARK_TYPES",
    "STARTS",
    "Settings",
    "columns_for_schema",
    "settings_from",
    "spark_schema",
    "worker_connection",
]

#: The data source's own options (lower case: Spark's option map ignores case); the rest are properties.
SOURCE_OPTIONS = ("table", "path", "columns", "filter", "ownersperpartition", "startingoffsets")
#: ``startingOffsets`` of a stream: ``earliest`` (the first batch holds every item) or ``latest`` (changes).
STARTS = ("earliest", "latest")

#: The Spark type of each declared column type (DATETIME values are UTC instants; JSON stays text).
SPARK_TYPES: dict[str, DataType] = {
    "TEXT": StringType(),
    "JSON": StringType(),
    "INTEGER": LongType(),
    "REAL": DoubleType(),
    "BOOLEAN": BooleanType(),
    "DATETIME": TimestampType(),
}

# Delegated tokens (a refresh token given as a property) stay in the worker's memory unless the user names a
# store: a file on an executor's disk would outlive the job for nothing.
_TASK_SETTINGS = "memory://o365sql-spark"

# One connection per set of properties in each Python process: Spark reuses its Python workers, so a worker
# signs in once and keeps its HTTP connections for every task it runs (tasks run one at a time in a worker).
_connections: dict[str, Connection] = {}
_connections_lock = threading.Lock()


@dataclass(frozen=True)
class Settings:
    """What one read needs: the table, the columns read, the SQL filter and the connection properties."""

    table: TableSpec
    columns: tuple[ColumnSpec, ...]
    filter: str
    owners_per_partition: int
    properties: dict[str, str]
    starting: str = "earliest"


def worker_connection(settings: Settings) -> Connection:
    """This process's connection for the read's properties (opened, and signed in, on first use)."""
    key = hashlib.sha256(json.dumps(sorted(settings.properties.items())).encode()).hexdigest()
    with _connections_lock:
        con = _connections.get(key)
        if con is None or con.closed:
            con = _connections[key] = connect(**settings.properties)
        return con


def _option(options: Mapping[str, str], *names: str) -> str:
    lowered = {str(k).lower(): v for k, v in options.items()}
    for name in names:
        value = lowered.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def settings_from(options: Mapping[str, str]) -> Settings:
    """Split and check the options; raises ProgrammingError naming the bad option or property."""
    name = _option(options, "table", "path")
    if not name:
        raise ProgrammingError(
            'the o365sql data source needs a table: .option("table", "Messages") or .load("Messages")'
        )
    try:
        spec = get_table(name)
    except KeyError as exc:
        raise ProgrammingError(str(exc.args[0])) from None
    columns = _columns(spec, _option(options, "columns"))
    per = _option(options, "ownersperpartition") or "1"
    try:
        owners_per_partition = int(per)
    except ValueError:
        owners_per_partition = 0
    if owners_per_partition < 1:
        raise ProgrammingError(f"ownersPerPartition must be a whole number of at least 1, not {per!r}")
    starting = (_option(options, "startingoffsets") or "earliest").lower()
    if starting not in STARTS:
        raise ProgrammingError(f"startingOffsets must be earliest or latest, not {starting!r}")
    props = {str(k): str(v) for k, v in options.items() if str(k).lower() not in SOURCE_OPTIONS}
    if not any(k.lower() == "oauthsettingslocation" for k in props):
        props["OAuthSettingsLocation"] = _TASK_SETTINGS
    resolve(**props)  # the same checks connect() makes, before any task starts
    return Settings(spec, columns, _option(options, "filter"), owners_per_partition, props, starting)


def _columns(spec: TableSpec, text: str) -> tuple[ColumnSpec, ...]:
    """The columns named by the ``columns`` option (comma-separated), or every column ``SELECT *`` returns."""
    if not text:
        return tuple(c for c in spec.columns if not c.hidden)
    out: list[ColumnSpec] = []
    for part in text.split(","):
        try:
            column = spec.column(part.strip())
        except KeyError:
            known = ", ".join(c.name for c in spec.columns if not c.hidden)
            raise ProgrammingError(
                f"{spec.name} has no column {part.strip()!r}; its columns: {known}"
            ) from None
        if column not in out:
            out.append(column)
    return tuple(out)


def spark_schema(spec: TableSpec, columns: tuple[ColumnSpec, ...]) -> StructType:
    """The Spark schema of these columns of a table (nullable where the table spec allows NULL)."""
    return StructType([StructField(c.name, SPARK_TYPES[c.type], spec.nullable(c)) for c in columns])


def columns_for_schema(spec: TableSpec, schema: StructType) -> tuple[ColumnSpec, ...]:
    """The table's columns a schema names (a schema given with ``.schema(...)`` selects columns)."""
    out: list[ColumnSpec] = []
    for field in schema.fields:
        try:
            column = spec.column(field.name)
        except KeyError:
            raise ProgrammingError(
                f"{spec.name} has no column {field.name!r} (named in the schema)"
            ) from None
        want: Any = SPARK_TYPES[column.type]
        if field.dataType != want:
            raise ProgrammingError(
                f"{spec.name}.{column.name} is {want.simpleString()} in Spark, not "
                f"{field.dataType.simpleString()}; fix the schema or leave it out"
            )
        out.append(column)
    return tuple(out)
