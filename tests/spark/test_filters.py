"""Spark filters as SQL terms: taken only where SQLite means exactly what Spark means; no Spark session."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pyspark.sql.datasource import (
    EqualNullSafe,
    EqualTo,
    GreaterThan,
    In,
    IsNull,
    LessThanOrEqual,
    Not,
    StringContains,
    StringStartsWith,
)

from o365sql.errors import ProgrammingError
from o365sql.schema import get_table
from o365sql.spark._batch import BatchReader, statement
from o365sql.spark._filters import term_for
from o365sql.spark._options import settings_from

pytestmark = pytest.mark.spark

COLUMNS = {c.name: c for c in get_table("Messages").columns}


def test_comparisons_become_sql_terms_with_parameters() -> None:
    t = term_for(GreaterThan(("receivedDateTime",), datetime(2024, 5, 1, tzinfo=UTC)), COLUMNS)
    assert (
        t is not None
        and t.sql == '"receivedDateTime" > ?'
        and t.params == (datetime(2024, 5, 1, tzinfo=UTC),)
    )
    t = term_for(Not(EqualTo(("isRead",), True)), COLUMNS)
    assert t is not None and (t.sql, t.params) == ('"isRead" <> ?', (True,))
    t = term_for(In(("UserId",), ("a", "b")), COLUMNS)
    assert t is not None and t.sql == '"UserId" IN (?, ?)' and t.values == ("a", "b")
    t = term_for(Not(IsNull(("subject",))), COLUMNS)
    assert t is not None and t.sql == 'NOT ("subject" IS NULL)'
    t = term_for(EqualNullSafe(("subject",), None), COLUMNS)
    assert t is not None and (t.sql, t.params) == ('"subject" IS ?', (None,))


def test_string_patterns_use_glob_which_keeps_case_and_escapes_wildcards() -> None:
    t = term_for(StringStartsWith(("subject",), "Re*[x]?"), COLUMNS)
    assert t is not None and (t.sql, t.params) == ('"subject" GLOB ?', ("Re[*][[]x][?]*",))
    t = term_for(StringContains(("subject",), "a"), COLUMNS)
    assert t is not None and t.params == ("*a*",)


@pytest.mark.parametrize(
    "spark_filter",
    [
        GreaterThan(("receivedDateTime",), datetime(2024, 5, 1, 0, 0, 0, 500000, tzinfo=UTC)),  # a fraction
        GreaterThan(("receivedDateTime",), datetime(2024, 5, 1)),  # no zone
        EqualTo(("isRead",), 1),  # not a bool
        EqualTo(("subject",), None),
        In(("subject",), ("a", None)),
        LessThanOrEqual(("nope",), 1),  # not a column read
        EqualTo(("from", "emailAddress"), "x"),  # a nested path
    ],
)
def test_filters_sqlite_would_judge_differently_stay_with_spark(spark_filter: object) -> None:
    assert term_for(spark_filter, COLUMNS) is None  # type: ignore[arg-type]


def test_one_statement_per_task_with_owners_filter_and_terms() -> None:
    settings = settings_from({"table": "Messages", "filter": "importance = 'high'", "columns": "id,UserId"})
    terms = [t for t in (term_for(EqualTo(("isRead",), False), COLUMNS),) if t is not None]
    sql, params = statement(settings, settings.columns, terms, ("u1", "u2"))
    assert sql == (
        'SELECT "id", "UserId" FROM "Messages" WHERE "UserId" IN (?, ?) AND (importance = \'high\') '
        'AND "isRead" = ?'
    )
    assert params == ["u1", "u2", False]


APP = {
    "AuthScheme": "AzureServicePrincipal",
    "AzureTenant": "contoso.onmicrosoft.com",
    "OAuthClientId": "app",
    "OAuthClientSecret": "secret",
}


def _planned(**options: str) -> list[object]:
    """Partitions of a Messages read whose owners a pushed filter names (no request is made)."""
    settings = settings_from({"table": "Messages", **APP, **options})
    reader = BatchReader(settings, settings.columns)
    assert not list(reader.pushFilters([In(("UserId",), ("u1", "u2", "u3"))]))
    return list(reader.partitions())


def test_partitions_follow_the_owners_and_the_driver_checks_the_statement_first() -> None:
    assert [p.owners for p in _planned(ownersPerPartition="2")] == [("u1", "u2"), ("u3",)]  # type: ignore[attr-defined]
    with pytest.raises(ProgrammingError, match="one statement at a time"):
        _planned(filter="1); DELETE FROM Messages WHERE (1")
    with pytest.raises(ProgrammingError, match="sbject"):
        _planned(filter="sbject = 'x'")


def test_options_are_connection_properties_checked_as_connect_checks_them() -> None:
    with pytest.raises(ProgrammingError, match="NoSuchProperty"):
        settings_from({"table": "Messages", "NoSuchProperty": "1"})
    with pytest.raises(ProgrammingError, match="no table 'Mail'"):
        settings_from({"table": "Mail"})
    with pytest.raises(ProgrammingError, match="no column 'sbject'"):
        settings_from({"table": "Messages", "columns": "id,sbject"})
    with pytest.raises(ProgrammingError, match="ownersPerPartition"):
        settings_from({"table": "Messages", "ownersPerPartition": "0"})
    settings = settings_from({"path": "messages", "pagesize": "50"})
    assert settings.table.name == "Messages" and settings.properties["pagesize"] == "50"
    assert settings.properties["OAuthSettingsLocation"] == "memory://o365sql-spark"
