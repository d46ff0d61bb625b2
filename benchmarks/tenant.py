"""Tenant scale, measured against the emulator (in its own process) as ratios in one run.

Sections (``--only name,...``; all by default):
  single  one mailbox's full scan at 100 ms latency: driver / raw httpx paging loop (target <= 1.05)
  heap    the same scan at 0 ms with 2 million live objects in the process (target <= 1.3)
  fanout  SELECT count(*) FROM Messages over 50 mailboxes, app-only, 100 ms, emulator limit 4 per mailbox:
          driver / raw parallel httpx (target <= 1.25), raw sequential / driver (target >= 5), 429s (0)
  files   Files of 88 drives at 100 ms: the folder walk the driver used to do (its requests replayed with
          httpx, one after another) against the driver now (drive delta, drives in parallel)
  sync    SyncTable Messages: bytes of a re-sync after 1% of the messages changed / full sync (<= 2%),
          requests per folder, and the cache compared row by row with a fresh read
  memory  peak memory growth of a tenant-wide SELECT * over 100,000+ rows (target < 50 MB)
  faults  a fan-out under 10% 429, 5% 503, 2% dropped connections: rows equal the fault-free run
  join    Users JOIN Messages (count per user) over 50 mailboxes at 100 ms, limit 4 per mailbox: the join
          (readahead) against UserId IN (SELECT id FROM Users) and the old one-user-at-a-time join

    .venv/bin/python benchmarks/tenant.py [--only fanout,files] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import ssl
import statistics
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from _emulator_proc import app_connection_string, app_token, emulator_process

import o365sql

Info = dict[str, Any]
RESULTS: list[tuple[str, str, str, str]] = []  # (section, figure, value, target)


def record(section: str, figure: str, value: str, target: str = "") -> None:
    """Keep one figure for the table and print it."""
    RESULTS.append((section, figure, value, target))
    print(f"[{section}] {figure}: {value}" + (f"  (target {target})" if target else ""))


# -- emulator helpers ----------------------------------------------------------------------------------


def _ctx(info: Info) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=info["ca_cert"])


def admin(info: Info, route: str, body: Any = None) -> Any:
    """Call a /_emulator/ route."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        info["authority_host"] + "/_emulator/" + route,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, context=_ctx(info)) as resp:
        return json.loads(resp.read())


def graph_log(info: Info) -> list[dict[str, Any]]:
    """The emulator's request log, Graph requests only."""
    return [r for r in admin(info, "requests") if r["path"].startswith("/v1.0/")]


def connect(info: Info, **props: Any) -> o365sql.Connection:
    """An app-only driver connection."""
    return o365sql.connect(app_connection_string(info), **props)


@contextmanager
def raw_client(info: Info, token: str, **kw: Any) -> Iterator[httpx.Client]:
    """The raw side: a plain httpx client with the same HTTP/2 and keep-alive as the driver's."""
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    with httpx.Client(
        verify=_ctx(info), http2=True, headers={"Authorization": f"Bearer {token}"}, limits=limits, **kw
    ) as client:
        yield client


def raw_pages(client: httpx.Client, url: str, params: dict[str, str] | None) -> tuple[int, int]:
    """(items, requests) for one collection, following @odata.nextLink."""
    rows = requests = 0
    next_url: str | None = url
    while next_url:
        page = client.get(next_url, params=params).json()
        requests += 1
        rows += len(page["value"])
        next_url, params = page.get("@odata.nextLink"), None
    return rows, requests


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """(result, seconds)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def median_pair(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[Any, float, Any, float]:
    """Run a and b alternately ``repeat`` times: (a's result, median seconds, b's result, median seconds)."""
    ta: list[float] = []
    tb: list[float] = []
    ra = rb = None
    for _ in range(repeat):
        ra, s = timed(a)
        ta.append(s)
        rb, s = timed(b)
        tb.append(s)
    return ra, statistics.median(ta), rb, statistics.median(tb)


# -- one mailbox ---------------------------------------------------------------------------------------


def _scan_pair(info: Info, repeat: int) -> tuple[int, float, float, int]:
    """(rows, driver seconds, raw seconds, pages) for SELECT * of the demo mailbox."""
    token = app_token(info)
    demo = info["demo_user"]
    admin(info, "reset", {})
    with connect(info) as con:
        expected = sum(1 for _ in con.execute("SELECT * FROM Messages WHERE UserId = ?", [demo]))
    first = next(r for r in graph_log(info) if r["path"].endswith("/messages"))
    path, query = first["path"], dict(parse_qsl(first["query"]))
    pages = sum(1 for r in graph_log(info) if r["path"].endswith("/messages"))

    # both sides are signed in and connected before the clock starts
    con = connect(info)
    con.execute("SELECT id FROM Messages WHERE UserId = ? LIMIT 1", [demo]).fetchall()
    client = raw_client(info, token)
    session = client.__enter__()
    session.get(info["authority_host"] + path, params={**query, "$top": "1"})

    def driver() -> int:
        return sum(1 for _ in con.execute("SELECT * FROM Messages WHERE UserId = ?", [demo]))

    def raw() -> int:
        return raw_pages(session, info["authority_host"] + path, dict(query))[0]

    try:
        rd, d, rr, r = median_pair(driver, raw, repeat)
    finally:
        client.__exit__(None, None, None)
        con.close()
    assert rd == rr == expected, (rd, rr, expected)
    return expected, d, r, pages


def bench_single(args: argparse.Namespace) -> None:
    """One mailbox at 100 ms latency."""
    with emulator_process("--scale", str(args.mail_scale), "--latency-ms", "100") as info:
        rows, d, r, pages = _scan_pair(info, args.repeat)
    record("single", "rows, pages", f"{rows:,} rows in {pages} pages")
    record(
        "single",
        "driver / raw httpx loop (100 ms latency)",
        f"{d / r:.3f} ({d:.2f} s / {r:.2f} s)",
        "<= 1.05",
    )


def bench_heap(args: argparse.Namespace) -> None:
    """The same scan at 0 ms, with and without 2 million live objects."""
    with emulator_process("--scale", str(args.mail_scale)) as info:
        rows, d0, r0, _pages = _scan_pair(info, args.repeat)
        heap = [[n] for n in range(2_000_000)]  # a notebook's leftovers: 2 million GC-tracked objects
        try:
            _rows, d1, r1, _pages = _scan_pair(info, args.repeat)
        finally:
            del heap
            gc.collect()
    record("heap", "driver / raw, empty heap (0 ms)", f"{d0 / r0:.3f} ({rows:,} rows)")
    record("heap", "driver / raw, 2 million live objects (0 ms)", f"{d1 / r1:.3f}", "<= 1.3")


# -- many mailboxes ------------------------------------------------------------------------------------


def _users(info: Info, token: str) -> list[str]:
    with raw_client(info, token) as client:
        url = info["graph_url"] + "/users"
        users: list[str] = []
        next_url: str | None = url
        params: dict[str, str] | None = {"$select": "id", "$top": "999"}
        while next_url:
            page = client.get(next_url, params=params).json()
            users += [u["id"] for u in page["value"]]
            next_url, params = page.get("@odata.nextLink"), None
        return users


def bench_fanout(args: argparse.Namespace) -> None:
    """50 mailboxes, app-only, count(*), 100 ms latency, the emulator's per-mailbox limit at 4."""
    with emulator_process("--scale", "21", "--latency-ms", "100") as info:
        admin(info, "faults", {"latency_ms": 100, "concurrency": 4, "retry_after": 1})
        token = app_token(info)
        users = _users(info, token)
        sql = "SELECT count(*) FROM Messages"
        with connect(info) as con:  # warm-up: the emulator builds each mailbox on first use
            total = con.execute(sql).fetchone()[0]
        admin(info, "reset", {})
        with connect(info) as con:
            con.execute(sql).fetchone()
        query = dict(parse_qsl(next(r for r in graph_log(info) if r["path"].endswith("/messages"))["query"]))

        def per_mailbox(client: httpx.Client, uid: str) -> int:
            return raw_pages(client, f"{info['graph_url']}/users/{uid}/messages", dict(query))[0]

        # both sides list the users, then read every mailbox; both are signed in already
        def raw_parallel() -> int:
            with raw_client(info, token) as client, ThreadPoolExecutor(16) as pool:
                return sum(pool.map(lambda u: per_mailbox(client, u), _users(info, token)))

        def raw_sequential() -> int:
            with raw_client(info, token) as client:
                return sum(per_mailbox(client, u) for u in _users(info, token))

        def raw_batched() -> int:
            # item 2's question: first pages of 20 mailboxes per POST /$batch (nextLinks, if any, one by one)
            from urllib.parse import urlencode

            ids = _users(info, token)
            chunks = [ids[i : i + 20] for i in range(0, len(ids), 20)]

            def one(client: httpx.Client, chunk: list[str]) -> int:
                requests = [
                    {"id": str(n), "method": "GET", "url": f"/users/{u}/messages?{urlencode(query)}"}
                    for n, u in enumerate(chunk)
                ]
                answers = client.post(info["graph_url"] + "/$batch", json={"requests": requests}).json()
                rows = 0
                for answer in answers["responses"]:
                    body = answer["body"]
                    rows += len(body["value"])
                    if body.get("@odata.nextLink"):
                        rows += raw_pages(client, body["@odata.nextLink"], None)[0]
                return rows

            with raw_client(info, token) as client, ThreadPoolExecutor(16) as pool:
                return sum(pool.map(lambda c: one(client, c), chunks))

        con = connect(info)
        con.execute(sql).fetchone()

        def driver() -> int:
            n: int = con.execute(sql).fetchone()[0]
            return n

        admin(info, "reset", {})
        rd, d, rp, p = median_pair(driver, raw_parallel, args.repeat)
        throttled = sum(1 for r in graph_log(info) if r["status"] == 429)
        rs, s = timed(raw_sequential)
        rb, b = timed(raw_batched)
        assert rb == total, (rb, total)
        con.close()
        assert rd == rp == rs == total, (rd, rp, rs, total)
    record("fanout", "mailboxes, messages", f"{len(users)} mailboxes, {total:,} messages")
    record(
        "fanout",
        "driver / raw parallel httpx (16 at once)",
        f"{d / p:.3f} ({d:.2f} s / {p:.2f} s)",
        "<= 1.25",
    )
    record("fanout", "raw sequential / driver", f"{s / d:.1f}x ({s:.2f} s)", ">= 5x")
    record("fanout", "429 answers with the limit at 4", str(throttled), "0")
    record("fanout", "raw: first pages 20 per $batch / one request each", f"{b / p:.2f} ({b:.2f} s)")


def bench_join(args: argparse.Namespace) -> None:
    """A join into a per-owner table: readahead vs the IN (SELECT ...) fan-out vs one owner at a time."""
    join = "SELECT u.id, count(*) FROM Users u JOIN Messages m ON m.UserId = u.id GROUP BY u.id"
    subquery = "SELECT UserId, count(*) FROM Messages WHERE UserId IN (SELECT id FROM Users) GROUP BY UserId"
    with emulator_process("--scale", "21", "--latency-ms", "100") as info:
        admin(info, "faults", {"latency_ms": 100, "concurrency": 4, "retry_after": 1})
        with connect(info) as con:  # warm-up: the emulator builds each mailbox on first use
            want = dict(con.execute(subquery).fetchall())
        con = connect(info)
        # MaxConcurrentRequests=1: no readahead, the join as SQLite alone runs it (the old behaviour)
        old = connect(info, MaxConcurrentRequests=1)
        con.execute("SELECT id FROM Users").fetchall()
        old.execute("SELECT id FROM Users").fetchall()
        admin(info, "reset", {})
        times: dict[str, list[float]] = {"join": [], "in": [], "old": []}
        unused = 0
        for _ in range(args.repeat):
            cur = con.cursor()

            def run_join(cur: o365sql.Cursor = cur) -> list[Any]:
                return cur.execute(join).fetchall()

            got, t = timed(run_join)
            assert dict(got) == want
            unused += cur.stats.read_ahead_unused
            times["join"].append(t)
            got, t = timed(lambda: con.execute(subquery).fetchall())
            assert dict(got) == want
            times["in"].append(t)
        got, t = timed(lambda: old.execute(join).fetchall())
        assert dict(got) == want
        times["old"].append(t)
        throttled = sum(1 for r in graph_log(info) if r["status"] == 429)
        con.close()
        old.close()
    j, i, o = (statistics.median(times[k]) for k in ("join", "in", "old"))
    record("join", "mailboxes", f"{len(want)} mailboxes, {sum(want.values()):,} messages")
    record("join", "JOIN / UserId IN (SELECT id FROM Users)", f"{j / i:.2f} ({j:.2f} s / {i:.2f} s)")
    record("join", "one user at a time (old) / JOIN", f"{o / j:.1f}x ({o:.2f} s)")
    record("join", "reads started ahead and never used", str(unused), "0")
    record("join", "429 answers with the limit at 4", str(throttled), "0")


def _walk_requests(
    client: httpx.Client, base: str, uid: str, select: str, depth_limit: int
) -> tuple[int, int]:
    """The walk the driver did before drive delta: root/children, then the children of every folder."""
    items = requests = 0
    stack = [(f"{base}/users/{uid}/drive/root/children", 0)]
    while stack:
        url, depth = stack.pop()
        params: dict[str, str] | None = {"$select": select, "$top": "200"}
        next_url: str | None = url
        while next_url:
            page = client.get(next_url, params=params).json()
            requests += 1
            for item in page["value"]:
                items += 1
                if isinstance(item.get("folder"), dict) and depth < depth_limit:
                    stack.append((f"{base}/users/{uid}/drive/items/{item['id']}/children", depth + 1))
            next_url, params = page.get("@odata.nextLink"), None
    return items, requests


def bench_files(args: argparse.Namespace) -> None:
    """Files of 88 drives at 100 ms latency: the old folder walk against drive delta in parallel."""
    with emulator_process("--scale", "40", "--latency-ms", "100") as info:
        token = app_token(info)
        users = _users(info, token)
        sql = "SELECT count(*) FROM Files"
        with connect(info) as con:  # warm-up
            con.execute(sql).fetchone()
        admin(info, "reset", {})
        with connect(info) as con:
            cur = con.execute(sql)
            after_rows = cur.fetchone()[0]
            after_s, after_req = cur.stats.seconds, cur.stats.requests
        select = dict(parse_qsl(next(r for r in graph_log(info) if "delta" in r["path"])["query"]))["$select"]

        def walk() -> tuple[int, int]:
            with raw_client(info, token) as client:
                found = [_walk_requests(client, info["graph_url"], u, select, 5) for u in users]
            return sum(f[0] for f in found), sum(f[1] for f in found) + 1

        (before_rows, before_req), before_s = timed(walk)
        assert before_rows == after_rows, (before_rows, after_rows)
    record("files", "drives, items", f"{len(users)} drives, {after_rows:,} items")
    record(
        "files", "before: folder walk, one request at a time", f"{before_s:.1f} s, {before_req:,} requests"
    )
    record("files", "after: drive delta, drives in parallel", f"{after_s:.1f} s, {after_req:,} requests")
    record("files", "speed-up", f"{before_s / after_s:.1f}x")


# -- sync ----------------------------------------------------------------------------------------------


def bench_sync(args: argparse.Namespace, tmp: Path) -> None:
    """SyncTable Messages at each --sync-scale: a re-sync's fixed cost is one poll per folder."""
    for scale in args.sync_scale.split(","):
        _sync_at(int(scale), tmp)


def _sync_at(scale: int, tmp: Path) -> None:
    """SyncTable Messages: full, then after 1% of the messages changed."""
    cache = tmp / "sync-cache.db"
    cache.unlink(missing_ok=True)
    section = f"sync (scale {scale})"
    with emulator_process("--scale", str(scale)) as info:
        token = app_token(info)
        props = {"CacheLocation": str(cache)}
        admin(info, "reset", {})
        with connect(info, **props) as con:
            con.execute("EXEC SyncTable Table='Messages'").fetchall()
        full = graph_log(info)
        full_bytes = sum(r["bytes"] for r in full)
        users = _users(info, token)
        rng = random.Random(5)
        with raw_client(info, token, base_url=info["graph_url"]) as client:
            ids = [
                (u, m["id"])
                for u in users
                for m in client.get(f"/users/{u}/messages", params={"$select": "id", "$top": "1000"}).json()[
                    "value"
                ]
            ]
            changed = rng.sample(ids, max(1, len(ids) // 100))
            with ThreadPoolExecutor(8) as pool:
                list(
                    pool.map(
                        lambda um: client.patch(f"/users/{um[0]}/messages/{um[1]}", json={"isRead": True}),
                        changed,
                    )
                )
        admin(info, "reset", {})
        with connect(info, **props) as con:
            con.execute("EXEC SyncTable Table='Messages'").fetchall()
        again = graph_log(info)
        again_bytes = sum(r["bytes"] for r in again)
        with connect(info) as con:
            folders = sum(
                1 for _ in con.execute("SELECT id FROM MailFolders WHERE UserId IN (SELECT id FROM Users)")
            )
        sql = "SELECT * FROM Messages ORDER BY UserId, id"
        with connect(info) as con:
            fresh = con.execute(sql).fetchall()
        with connect(info, Offline=True, **props) as con:
            cached = con.execute(sql).fetchall()
    record(
        section, "messages, folders", f"{len(ids):,} messages in {folders} folders of {len(users)} mailboxes"
    )
    record(section, "full sync", f"{len(full):,} requests, {full_bytes / 1e6:.1f} MB")
    record(
        section,
        "re-sync after 1% changed",
        f"{len(again):,} requests, {again_bytes / 1e3:.0f} kB ({len(changed)} changed)",
    )
    record(section, "re-sync bytes / full", f"{again_bytes / full_bytes:.2%}", "<= 2%")
    record(section, "re-sync requests per folder", f"{len(again) / folders:.2f}", "<= 1")
    record(section, "cache rows == fresh read (row by row)", str(cached == fresh), "True")


# -- memory and faults -------------------------------------------------------------------------------


def bench_memory(args: argparse.Namespace) -> None:
    """Peak memory growth of a tenant-wide SELECT * (rows consumed, not kept)."""
    with emulator_process("--scale", "40") as info:
        with connect(info) as con:  # warm-up
            con.execute("SELECT count(*) FROM Messages").fetchone()
        with connect(info) as con:
            gc.collect()
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            rows = sum(1 for _ in con.execute("SELECT * FROM Messages"))
            peak = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
    record("memory", "rows", f"{rows:,}")
    record("memory", "peak memory growth, tenant-wide SELECT *", f"{peak / 1e6:.1f} MB", "< 50 MB")


def bench_faults(args: argparse.Namespace) -> None:
    """A fan-out with faults gives the rows of the fault-free run."""
    sql = "SELECT UserId, id, subject, receivedDateTime, isRead FROM Messages ORDER BY UserId, id"
    with emulator_process("--scale", "5") as info:
        with connect(info, Pagesize=100) as con:
            clean = con.execute(sql).fetchall()
        admin(
            info,
            "faults",
            {"throttle_share": 0.10, "error_share": 0.05, "drop_share": 0.02, "retry_after": 0.2, "seed": 11,
             "concurrency": 4},
        )  # fmt: skip
        with connect(info, Pagesize=100) as con:
            cur = con.execute(sql)
            faulty = cur.fetchall()
            stats = cur.stats
    record(
        "faults",
        "rows, retries under faults",
        f"{len(clean):,} rows, {stats.retries} retries ({stats.throttled} 429s)",
    )
    record("faults", "rows equal the fault-free run", str(faulty == clean), "True")


SECTIONS = ("single", "heap", "fanout", "files", "sync", "memory", "faults", "join")


def write(path: Path) -> None:
    """Replace the generated table in docs/performance.md."""
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- benchmarks/tenant.py: begin -->", "<!-- benchmarks/tenant.py: end -->"
    table = [start, "", "| section | figure | value | target |", "| --- | --- | --- | --- |"]
    table += [f"| {s} | {f} | {v} | {t} |" for s, f, v, t in RESULTS]
    table += ["", end]
    if start in text and end in text:
        text = text[: text.index(start)] + "\n".join(table) + text[text.index(end) + len(end) :]
    else:
        text += "\n" + "\n".join(table) + "\n"
    path.write_text(text)


def main() -> None:
    """Run the chosen sections and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mail-scale", type=int, default=20, help="scale of the single-mailbox scans")
    parser.add_argument("--sync-scale", default="10,20", help="demo-tenant scales of the sync runs")
    parser.add_argument("--write", type=Path, default=None, help="update the table in this markdown file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            if name == "sync":
                bench_sync(args, Path(tmp))
            else:
                globals()[f"bench_{name}"](args)
    if args.write:
        write(args.write)


if __name__ == "__main__":
    main()
