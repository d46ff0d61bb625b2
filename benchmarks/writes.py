"""INSERT and UPDATE through the driver vs the same Graph requests from a raw httpx loop, latency on.

Both sides create N contacts in the demo user's mailbox one POST each (the driver: `executemany` of an
INSERT), then change one property of each (the driver: one `UPDATE ... WHERE surname = ?`, which reads the
matching ids in a page and sends one PATCH per row; the raw loop: N PATCHes, knowing the ids). Reported as
ratios in one run: the driver's cost over the requests Graph needs anyway.

    .venv/bin/python benchmarks/writes.py [--rows 200] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import ssl
import time
from typing import Any

import httpx
from _emulator_proc import app_connection_string, app_token, emulator_process

import o365sql


def driver_writes(info: dict[str, Any], rows: int) -> tuple[float, float]:
    """Seconds for the INSERTs and for the UPDATE through the driver."""
    user = info["demo_user"]
    with o365sql.connect(app_connection_string(info)) as con:
        start = time.perf_counter()
        con.executemany(
            "INSERT INTO Contacts (givenName, surname, UserId) VALUES (?, 'BenchDriver', ?)",
            [(f"D{n}", user) for n in range(rows)],
        )
        inserted = time.perf_counter()
        cur = con.execute(
            "UPDATE Contacts SET jobTitle = 'Benchmarked' WHERE UserId = ? AND surname = 'BenchDriver'",
            (user,),
        )
        assert cur.rowcount == rows, cur.rowcount
        return inserted - start, time.perf_counter() - inserted


def raw_writes(info: dict[str, Any], token: str, rows: int) -> tuple[float, float]:
    """Seconds for N POSTs and N PATCHes from httpx."""
    ctx = ssl.create_default_context(cafile=info["ca_cert"])
    base = f"{info['graph_url']}/users/{info['demo_user']}/contacts"
    with httpx.Client(verify=ctx, http2=True, headers={"Authorization": f"Bearer {token}"}) as client:
        start = time.perf_counter()
        ids = []
        for n in range(rows):
            made = client.post(base, json={"givenName": f"R{n}", "surname": "BenchRaw"})
            ids.append(made.json()["id"])
        inserted = time.perf_counter()
        for cid in ids:
            client.patch(f"{base}/{cid}", json={"jobTitle": "Benchmarked"}).raise_for_status()
        return inserted - start, time.perf_counter() - inserted


def main() -> None:
    """Run both sides once and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    with emulator_process("--faults", f"latency_ms={args.latency_ms}") as info:
        token = app_token(info)
        raw_insert, raw_update = raw_writes(info, token, args.rows)
        drv_insert, drv_update = driver_writes(info, args.rows)
    print(f"{args.rows} rows, {args.latency_ms:.0f} ms latency a request")
    for name, driver, raw in (("INSERT", drv_insert, raw_insert), ("UPDATE", drv_update, raw_update)):
        print(f"{name}: driver {driver:.2f} s, raw requests {raw:.2f} s, ratio {driver / raw:.2f}")


if __name__ == "__main__":
    main()
