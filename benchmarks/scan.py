"""`SELECT *` over the demo user's mailbox (20,000+ messages at --scale 100) vs a raw httpx paging loop.

Both sides page the same endpoint with the same `$top` and `$select` (the raw loop replays the query string
the driver sent, read from the emulator's request log) and decode every JSON page; the driver also flattens
and types every row and hands it through SQLite. Reported as a ratio in one run, plus the driver's peak
memory growth (tracemalloc), which must not grow with the mailbox: rows stream page by page.

    .venv/bin/python benchmarks/scan.py [--scale 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import ssl
import statistics
import time
import tracemalloc
from typing import Any
from urllib.parse import parse_qsl

import httpx
from _emulator_proc import app_connection_string, app_token, emulator_process

import o365sql


def driver_scan(info: dict[str, Any]) -> tuple[int, float]:
    """Rows and seconds for SELECT * through the driver."""
    with o365sql.connect(app_connection_string(info)) as con:
        cur = con.cursor()
        start = time.perf_counter()
        cur.execute("SELECT * FROM Messages WHERE UserId = ?", [info["demo_user"]])
        rows = sum(1 for _ in cur)
        return rows, time.perf_counter() - start


def raw_scan(info: dict[str, Any], path: str, query: dict[str, str], token: str) -> tuple[int, float]:
    """Rows and seconds for a plain httpx loop following @odata.nextLink."""
    ctx = ssl.create_default_context(cafile=info["ca_cert"])
    with httpx.Client(verify=ctx, http2=True, headers={"Authorization": f"Bearer {token}"}) as client:
        start = time.perf_counter()
        rows = 0
        url: str | None = info["authority_host"] + path
        params: dict[str, str] | None = query
        while url:
            page = client.get(url, params=params).json()
            rows += len(page["value"])
            url, params = page.get("@odata.nextLink"), None
        return rows, time.perf_counter() - start


def main() -> None:
    """Run both scans, report the ratio and the driver's peak memory growth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with emulator_process("--scale", str(args.scale)) as info:
        token = app_token(info)
        import urllib.request

        ctx = ssl.create_default_context(cafile=info["ca_cert"])
        admin = info["authority_host"] + "/_emulator/"

        def log() -> list[dict[str, Any]]:
            import json

            with urllib.request.urlopen(admin + "requests", context=ctx) as resp:
                result: list[dict[str, Any]] = json.loads(resp.read())
                return result

        reset = urllib.request.Request(admin + "reset", data=b"{}", method="POST")
        urllib.request.urlopen(reset, context=ctx).close()
        driver_rows, _ = driver_scan(info)  # warm-up, and learn the query the driver sends
        first = next(r for r in log() if r["path"].endswith("/messages"))
        path, query = first["path"], dict(parse_qsl(first["query"]))
        pages = sum(1 for r in log() if r["path"].endswith("/messages"))
        driver_times, raw_times = [], []
        for _ in range(args.repeat):
            rows, seconds = raw_scan(info, path, query, token)
            raw_times.append(seconds)
            assert rows == driver_rows, (rows, driver_rows)
            rows, seconds = driver_scan(info)
            driver_times.append(seconds)
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        driver_scan(info)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    d, r = statistics.median(driver_times), statistics.median(raw_times)
    shown = "&".join(f"{k}={v}" for k, v in query.items())[:160]
    print(f"rows: {driver_rows} in {pages} pages; query: {path}?{shown}")
    print(f"raw httpx loop : {r:.3f} s  ({driver_rows / r:,.0f} rows/s)")
    print(f"o365sql driver : {d:.3f} s  ({driver_rows / d:,.0f} rows/s)")
    print(f"ratio driver/raw: {d / r:.2f}  (target <= 1.3)")
    print(f"driver peak memory growth during the scan: {peak / 1e6:.1f} MB  (target < 50 MB)")


if __name__ == "__main__":
    main()
