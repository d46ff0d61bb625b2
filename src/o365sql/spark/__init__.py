"""o365sql as a PySpark data source (the ``spark`` extra): Office 365 tables read in parallel by Spark tasks.

    from o365sql.spark import register
    register(spark)
    df = (spark.read.format("o365sql").option("table", "Messages")
          .option("AuthScheme", "AzureServicePrincipal").option("AzureTenant", tenant)
          .option("OAuthClientId", app_id).option("OAuthClientSecret", secret).load())

Options are the connection properties ``o365sql.connect()`` takes, plus the source's own: ``table`` (or
``load("Messages")``), ``columns`` (a comma-separated list; Spark gives Python sources no column pruning, so
this is how fewer columns are read), ``filter`` (SQL over the table's columns), ``ownersPerPartition`` and,
for ``readStream``, ``startingOffsets`` (``earliest`` or ``latest``).
See docs/spark.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql.datasource import DataSource, DataSourceReader, SimpleDataSourceStreamReader
from pyspark.sql.types import StructType

from ._batch import BatchReader
from ._options import Settings, columns_for_schema, settings_from, spark_schema
from ._stream import DeltaStreamReader

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["FORMAT", "O365DataSource", "register"]

#: The name ``spark.read.format(...)`` takes.
FORMAT = "o365sql"


class O365DataSource(DataSource):
    """The ``o365sql`` format: one o365sql table per read, with connect()'s properties as options."""

    @classmethod
    def name(cls) -> str:
        """The format name."""
        return FORMAT

    def _settings(self) -> Settings:
        return settings_from(self.options)

    def schema(self) -> StructType:
        """The table's columns (or those the ``columns`` option names) as Spark types."""
        settings = self._settings()
        return spark_schema(settings.table, settings.columns)

    def reader(self, schema: StructType) -> DataSourceReader:
        """A batch reader for the columns ``schema`` names (the table's, or a schema given to Spark)."""
        settings = self._settings()
        return BatchReader(settings, columns_for_schema(settings.table, schema))

    def simpleStreamReader(self, schema: StructType) -> SimpleDataSourceStreamReader:
        """A stream reader over the table's delta queries (offsets: every owner's delta links)."""
        settings = self._settings()
        return DeltaStreamReader(settings, columns_for_schema(settings.table, schema))


def register(spark: SparkSession) -> None:
    """Make ``format("o365sql")`` known to this session, with Spark's filter pushdown to Python sources on."""
    spark.dataSource.register(O365DataSource)
    # Off by default in Spark 4.1-4.3; a source that takes filters is refused while it is off.
    spark.conf.set("spark.sql.python.filterPushdown.enabled", "true")
