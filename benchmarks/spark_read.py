"""50 mailboxes at 100 ms latency: Spark ``local[2]`` through the o365sql source vs one driver process.

Both read the same columns of every message of every mailbox, app-only, from one emulator (in its own
process, `--scale 21` = 50 mailboxes, 100 ms latency on every request). The driver runs the plain
`SELECT ... FROM Messages` (its own fan-out over the users); Spark plans one partition per mailbox (or per
`--owners-per-partition` mailboxes) from the directory and runs two tasks at a time, each signing in for
itself. Spark's start-up is timed apart and left out of the ratio: a cluster pays it once per application.
Reported as ratios in one run; `--write docs/performance.md` replaces this benchmark's section there.

    .venv/bin/python benchmarks/spark_read.py [--repeat 3] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _emulator_proc import app_connection_string, emulator_process

import o365sql
from o365sql.properties import parse_connection_string

COLUMNS = "id,receivedDateTime,isRead,subject,UserId"
BEGIN, END = "<!-- benchmarks/spark_read.py: begin -->", "<!-- benchmarks/spark_read.py: end -->"


def driver_read(info: dict[str, Any]) -> tuple[int, int, float]:
    """(rows, mailboxes, seconds) for the driver reading every mailbox's messages in one process."""
    with o365sql.connect(app_connection_string(info)) as con:
        start = time.perf_counter()
        cur = con.execute(f"SELECT {COLUMNS} FROM Messages")
        owners: set[str] = set()
        rows = 0
        for row in cur:
            rows += 1
            owners.add(row[-1])
        return rows, len(owners), time.perf_counter() - start


def spark_read(spark: Any, info: dict[str, Any], per: int) -> tuple[int, int, float]:
    """(rows, partitions, seconds) for the same read through Spark."""
    reader = spark.read.format("o365sql").option("table", "Messages").option("columns", COLUMNS)
    reader = reader.option("ownersPerPartition", str(per))
    for name, value in parse_connection_string(app_connection_string(info)).items():
        reader = reader.option(name, value)
    start = time.perf_counter()
    df = reader.load()
    rows = df.count()
    return rows, df.rdd.getNumPartitions(), time.perf_counter() - start


def start_spark() -> Any:
    """A local[2] session with the o365sql source registered, quiet."""
    from pyspark.sql import SparkSession

    from o365sql.spark import register

    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    register(spark)
    return spark


def write_section(path: Path, lines: list[str]) -> None:
    """Replace (or append) this benchmark's section of a Markdown file."""
    text = path.read_text() if path.exists() else "# Performance\n"
    block = "\n".join([BEGIN, *lines, END])
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def main() -> None:
    """Run the driver and Spark reads (after one warm-up each), print and optionally write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=21, help="emulator scale (21: 50 mailboxes)")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--owners-per-partition", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    t0 = time.perf_counter()
    spark = start_spark()
    startup = time.perf_counter() - t0
    results: dict[str, list[float]] = {}
    try:
        with emulator_process("--scale", str(args.scale), "--latency-ms", str(args.latency_ms)) as info:
            rows, owners, _ = driver_read(info)  # warm-up: the emulator builds its mailboxes lazily
            for per in args.owners_per_partition:
                got, _, _ = spark_read(spark, info, per)  # warm-up: Spark starts its Python workers
                assert got == rows, (got, rows)
            partitions: dict[int, int] = {}
            for _ in range(args.repeat):
                got, _, seconds = driver_read(info)
                assert got == rows, (got, rows)
                results.setdefault("driver", []).append(seconds)
                for per in args.owners_per_partition:
                    got, partitions[per], seconds = spark_read(spark, info, per)
                    assert got == rows, (got, rows)
                    results.setdefault(f"spark-{per}", []).append(seconds)
    finally:
        spark.stop()
    driver = statistics.median(results["driver"])
    lines = [
        "",
        f"**Spark** (`benchmarks/spark_read.py`): `{COLUMNS}` of all {rows:,} messages of {owners} "
        f"mailboxes, app-only, {args.latency_ms} ms latency, median of {args.repeat}; Spark's start-up "
        f"({startup:.0f} s here) left out.",
        "",
        "| read | seconds | time / one driver process |",
        "| --- | ---: | ---: |",
        f"| one driver process (`SELECT ... FROM Messages`) | {driver:.1f} | 1.00 |",
    ]
    for per in args.owners_per_partition:
        s = statistics.median(results[f"spark-{per}"])
        lines.append(
            f"| Spark `local[2]`, {per} mailboxes a partition ({partitions[per]} tasks) | {s:.1f} | "
            f"{s / driver:.2f} |"
        )
    print("\n".join(lines))
    if args.write:
        write_section(args.write, lines)


if __name__ == "__main__":
    main()
