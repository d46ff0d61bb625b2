"""Batch reads through Spark (local[2]) against the emulator: the same rows as the driver, filters pushed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from pyspark.sql import DataFrame, SparkSession

import o365sql
from o365sql.emulator import Emulator

from .conftest import app_options

# Spark is slow to start on a busy two-core machine: a hang guard, not a time limit on the behaviour
pytestmark = [pytest.mark.spark, pytest.mark.timeout(900)]


def _value(v: Any) -> Any:
    # Spark hands TimestampType back as naive local time; the driver as aware UTC: compare the instants
    if isinstance(v, datetime) and v.tzinfo is not None:
        return v.astimezone().replace(tzinfo=None)
    return v


def _keyed(rows: Iterable[Any], names: list[str]) -> dict[tuple[Any, Any], tuple[Any, ...]]:
    user, ident = names.index("UserId"), names.index("id")
    out = {}
    for row in rows:
        values = tuple(_value(v) for v in row)
        out[(values[user], values[ident])] = values
    return out


def _driver_rows(emu: Emulator, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    with o365sql.connect(**app_options(emu)) as con:
        cur = con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()


def _messages(spark: SparkSession, emu: Emulator, **options: Any) -> DataFrame:
    reader = spark.read.format("o365sql").option("table", "Messages")
    for name, value in {**app_options(emu), **options}.items():
        reader = reader.option(name, str(value))
    return reader.load()


def test_messages_of_every_mailbox_equal_the_drivers_rows(spark: SparkSession, emulator: Emulator) -> None:
    names, expected = _driver_rows(emulator, "SELECT * FROM Messages")
    df = _messages(spark, emulator, ownersPerPartition=3)
    assert df.columns == names
    assert df.rdd.getNumPartitions() == 4  # 10 mailboxes, 3 a partition
    got = _keyed(df.collect(), names)
    want = _keyed(expected, names)
    assert len(want) == len(expected) and len({k[0] for k in want}) > 1
    assert got == want


def test_pushed_filter_reaches_graph_in_every_task(spark: SparkSession, emulator: Emulator) -> None:
    names, expected = _driver_rows(
        emulator,
        "SELECT id, subject, isRead, receivedDateTime, UserId FROM Messages "
        "WHERE isRead = 0 AND receivedDateTime >= '2020-01-01T00:00:00Z'",
    )
    df = (
        _messages(spark, emulator, columns="id,subject,isRead,receivedDateTime,UserId")
        .where("NOT isRead")
        .where("receivedDateTime >= timestamp'2020-01-01 00:00:00Z'")
    )
    emulator.reset()
    rows = df.collect()
    assert _keyed(rows, names) == _keyed(expected, names) and rows
    reads = [r for r in emulator.requests() if r["path"].endswith("/messages")]
    _, users = _driver_rows(emulator, "SELECT id FROM Users")
    assert {r["path"].split("/")[-2] for r in reads} == {u[0] for u in users}  # one task per mailbox
    for r in reads:
        query = parse_qs(r["query"])
        assert "isRead ne true" in query["$filter"][0]
        assert "receivedDateTime ge 2020-01-01T00:00:00Z" in query["$filter"][0]
        assert set(query["$select"][0].split(",")) == {"id", "subject", "isRead", "receivedDateTime"}


def test_owner_filter_chooses_the_partitions_and_patterns_keep_sparks_meaning(
    spark: SparkSession, emulator: Emulator
) -> None:
    _, users = _driver_rows(emulator, "SELECT id FROM Users ORDER BY id LIMIT 2")
    two = [u[0] for u in users]
    names, expected = _driver_rows(
        emulator,
        f"SELECT * FROM Messages WHERE UserId IN ('{two[0]}', '{two[1]}') AND subject GLOB 'R*' "
        "AND hasAttachments = 0",
    )
    df = _messages(spark, emulator).where(f"UserId IN ('{two[0]}', '{two[1]}')")
    df = df.where("subject LIKE 'R%' AND NOT hasAttachments")
    assert df.rdd.getNumPartitions() == 2  # the directory was not listed: the filter named the owners
    emulator.reset()
    got = _keyed(df.collect(), names)
    assert got == _keyed(expected, names) and got
    assert {r["path"].split("/")[-2] for r in emulator.requests() if r["path"].endswith("/messages")} == set(
        two
    )


def test_faults_inside_tasks_are_retried_and_change_no_row(spark: SparkSession, emulator: Emulator) -> None:
    names, expected = _driver_rows(emulator, "SELECT * FROM Messages")
    emulator.set_faults(throttle_share=0.15, retry_after=0.05, error_share=0.05, drop_share=0.03, seed=11)
    try:
        emulator.reset()
        got = _keyed(_messages(spark, emulator, ownersPerPartition=5).collect(), names)
        statuses = [r["status"] for r in emulator.requests()]
    finally:
        emulator.set_faults()  # the shared emulator's defaults again
    assert 429 in statuses and (503 in statuses or 504 in statuses)
    assert got == _keyed(expected, names)


def test_a_bad_property_fails_the_read_naming_it(spark: SparkSession, emulator: Emulator) -> None:
    with pytest.raises(Exception, match=r"(?i)Unknown connection property .nosuchproperty"):
        _messages(spark, emulator, NoSuchProperty="1").schema  # noqa: B018 (the schema is planned here)
