"""The fault suite (marker `faults`, run by CI): every table scanned under each fault mix and compared row
by row with a fault-free scan; every kind of write made under drops and 504s that come after the request was
applied, with its side effects counted through raw Graph reads. The figures go to docs/reliability.md
(set O365SQL_FAULT_REPORT=<file> to have the run write them as a Markdown table)."""

from __future__ import annotations

import base64
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from o365sql.connection import Connection
from o365sql.emulator import Emulator
from o365sql.errors import OperationalError

from ._scans import DELEGATED_SCOPES, scan_statements
from .conftest import connect, connect_app, raw_client

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]

#: name -> (fault settings, connection properties); seeds fixed so a failure can be replayed
MIXES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "429 10% / 5xx 5% / drop 2%": (
        {"throttle_share": 0.10, "error_share": 0.05, "drop_share": 0.02, "retry_after": 0.01, "seed": 11},
        {},
    ),
    "garbled body 5%": ({"garble_share": 0.05, "seed": 12}, {}),
    "504 after applying 5%": ({"late_error_share": 0.05, "seed": 13}, {}),
    "stalled response 4% (Timeout=1)": (
        {"stall_share": 0.04, "stall_seconds": 30, "seed": 14},
        {"Timeout": 1},
    ),
    "mailbox concurrency 4 (also in $batch)": ({"concurrency": 4, "retry_after": 0.01, "seed": 15}, {}),
    "everything at once": (
        {
            "throttle_share": 0.05,
            "error_share": 0.03,
            "drop_share": 0.02,
            "garble_share": 0.02,
            "late_error_share": 0.02,
            "concurrency": 4,
            "retry_after": 0.01,
            "seed": 16,
        },
        {},
    ),
}


@dataclass
class Tally:
    """What the scans of one mix came to."""

    scans: int = 0
    requests: int = 0  # HTTP requests the driver sent (every attempt)
    retries: int = 0  # of them, repeats after a fault
    identical: int = 0
    rows: int = 0
    lost: int = 0
    duplicates: int = 0
    partial: int = 0
    errors: int = 0
    hangs: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)


RESULTS: dict[str, Tally] = {}
WRITES: dict[str, tuple[int, int, str]] = {}  # kind -> (side effects, expected, outcome)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(data="demo") as emulator:
        yield emulator


def _fast(con: Connection) -> Connection:
    """Backoff of milliseconds instead of seconds (the emulator's Retry-After is 0.01 s as well)."""
    policy = con.procedure_context.graph.retry
    policy.base_delay, policy.max_delay = 0.005, 0.05
    return con


def _scan(con: Connection, table: str) -> list[str]:
    return [repr(row) for row in con.execute(SCANS[table])]


def _by_ids(con: Connection, table: str, ids: list[str]) -> list[str]:
    marks = ", ".join("?" for _ in ids)
    return [repr(row) for row in con.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", ids)]


# Every table in o365sql.schema.TABLES, each read whole: SELECT *, or a join from the table its routing
# values come from (derived from the specs in _scans.py, so a table added to TABLES is scanned here too).
SCANS = scan_statements()
BY_ID = ("Messages", "Contacts", "Events", "Users")


def _connect(emu: Emulator, **extra: Any) -> Connection:
    """The demo user with every delegated permission a table names, so that every table can be read."""
    return _fast(connect(emu, scopes=DELEGATED_SCOPES, **extra))


@pytest.fixture(scope="module")
def baseline(emu: Emulator) -> dict[str, list[str]]:
    con = _connect(emu)
    out = {t: sorted(_scan(con, t)) for t in SCANS}
    for t in BY_ID:
        ids = [str(r[0]) for r in con.execute(f"SELECT id FROM {t} LIMIT 25")]
        out[f"{t} by id"] = sorted(_by_ids(con, t, ids))
        out[f"{t} ids"] = ids
    con.close()
    # a scan of an empty table would prove nothing: the demo tenant has rows in every table
    assert [t for t in SCANS if not out[t]] == []
    return out


def _compare(tally: Tally, want: list[str], run: Callable[[], list[str]]) -> None:
    tally.scans += 1
    try:
        got = run()
    except OperationalError as exc:
        tally.errors += 1  # the statement failed and said so: nothing presented as a result
        tally.error_kinds[type(exc).__name__] += 1
        return
    tally.rows += len(got)
    have, need = Counter(got), Counter(want)
    tally.lost += sum((need - have).values())
    tally.duplicates += sum((have - need).values())
    tally.partial += int(bool(need - have))
    tally.identical += int(sorted(got) == want)


@pytest.mark.parametrize("mix", list(MIXES))
def test_scans_under_faults_equal_the_fault_free_scan(
    emu: Emulator, baseline: dict[str, Any], mix: str
) -> None:
    faults, props = MIXES[mix]
    tally = RESULTS.setdefault(mix, Tally())
    con = _connect(emu, Pagesize=10, **props)  # small pages: many requests for the faults to hit
    emu.set_faults(**faults)
    try:
        for table in SCANS:
            _compare(tally, baseline[table], lambda table=table: _scan(con, table))  # type: ignore[misc]
        for table in BY_ID:
            ids = baseline[f"{table} ids"]
            _compare(tally, baseline[f"{table} by id"], lambda t=table, i=ids: _by_ids(con, t, i))  # type: ignore[misc]
    finally:
        emu.set_faults()
        tally.requests += con.procedure_context.graph.requests_sent
        tally.retries += con.procedure_context.graph.retries
        con.close()
    assert (tally.lost, tally.duplicates, tally.partial, tally.hangs) == (0, 0, 0, 0), tally
    assert tally.retries > 0, "the mix injected no fault the driver had to outlast"
    # a mix that only needs retries completes every scan; a stall can outlast the one repeat it gets
    if "stall" not in mix:
        assert tally.errors == 0, tally.error_kinds


def test_app_only_scans_under_token_endpoint_faults(emu: Emulator, baseline: dict[str, Any]) -> None:
    """429 and 5xx from /token while every scan needs a new token: no new sign-in, no lost rows."""
    tally = RESULTS.setdefault("token endpoint 429 30% / 5xx 10% (app-only)", Tally())
    con = connect_app(emu)
    con.procedure_context.graph.retry.base_delay = 0.005
    want = {t: sorted(_scan(con, t)) for t in ("Users", "Groups", "GroupMembers")}
    emu.reset()
    emu.set_faults(token_throttle_share=0.3, token_error_share=0.1, retry_after=0.01, seed=17)
    try:
        for _ in range(3):
            for table, rows in want.items():
                emu.expire_tokens()  # the next request gets a 401: a new token is needed
                _compare(tally, rows, lambda table=table: _scan(con, table))  # type: ignore[misc]
    finally:
        emu.set_faults()
        tally.requests += con.procedure_context.graph.requests_sent
        con.close()
    token_429s = [r for r in emu.requests() if r["path"].endswith("/token") and r["status"] >= 429]
    tally.retries += len(token_429s)
    assert (tally.lost, tally.duplicates, tally.partial, tally.errors) == (0, 0, 0, 0), tally
    assert token_429s, "no token request was faulted"


# ----------------------------------------------------------------------------------------------------------
# Writes under faults that strike after the request was applied
# ----------------------------------------------------------------------------------------------------------

AFTER = {"drop after applying": "drop_share", "504 after applying": "late_error_share"}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _count(graph: httpx.Client, path: str, **params: str) -> int:
    return len(graph.get(path, params={"$top": "999", **params}).json()["value"])


def _sent(graph: httpx.Client, subject: str) -> int:
    return _count(graph, "me/mailFolders/sentitems/messages", **{"$filter": f"subject eq '{subject}'"})


def _inbox_message(emu: Emulator, graph: httpx.Client, subject: str) -> str:
    """A message from another user in the demo user's inbox (sent fault-free through Graph)."""
    me = emu.state.directory.demo_user
    other = next(u for u in emu.state.directory.users if u.id != me.id)
    with raw_client(emu, other.id) as them:
        them.post(
            "me/sendMail",
            json={"message": {"subject": subject, "toRecipients": [{"emailAddress": {"address": me.mail}}]}},
        ).raise_for_status()
    found = graph.get("me/mailFolders/inbox/messages", params={"$filter": f"subject eq '{subject}'"}).json()
    return str(found["value"][0]["id"])


@dataclass
class Write:
    """One kind of write: the path regex its faulted request matches, how to run it, how to count it."""

    path: str
    run: Callable[[Connection, Emulator, httpx.Client, str], Any]
    count: Callable[[Emulator, httpx.Client, str], int]
    expected: int = 1


def _send(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    return con.execute(
        "EXEC SendMail ToRecipients = ?, Subject = ?", (emu.state.directory.demo_user.mail, tag)
    )


def _send_large(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    big = _b64(os.urandom(3 * 1024 * 1024 + 10))
    return con.execute(
        "EXEC SendMail ToRecipients = 'x@example.com', Subject = ?, FileName = 'big.bin', ContentBytes = ?",
        (tag, big),
    )


def _reply(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    mid = _inbox_message(emu, graph, tag)
    return con.execute("EXEC ReplyToMessage MessageId = ?, Comment = 'ok'", (mid,))


def _forward(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    mid = _inbox_message(emu, graph, tag)
    return con.execute("EXEC ForwardMail MessageId = ?, ToRecipients = 'x@example.com'", (mid,))


def _move(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    mid = _inbox_message(emu, graph, tag)
    return con.execute("EXEC MoveMail MessageId = ?, DestinationId = 'archive'", (mid,))


def _folder(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    return con.execute("EXEC CreateFolder DisplayName = ?", (tag,))


def _attach(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    draft = graph.post("me/messages", json={"subject": tag}).json()["id"]
    return con.execute(
        "EXEC AddAttachments Id = ?, FileName = ?, ContentBytes = 'AAEC'", (draft, tag + ".bin")
    )


def _upload(conflict: str) -> Callable[[Connection, Emulator, httpx.Client, str], Any]:
    def run(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
        return con.execute(
            "EXEC UploadFile FileName = ?, Content = 'AAEC', ConflictBehavior = ?", (tag + ".txt", conflict)
        )

    return run


def _files(emu: Emulator, graph: httpx.Client, tag: str) -> int:
    names = [i["name"] for i in graph.get("me/drive/root/children", params={"$top": "999"}).json()["value"]]
    return sum(1 for n in names if n.startswith(tag))


def _respond(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    events = graph.get("me/events", params={"$top": "999", "$select": "id,isOrganizer,subject"}).json()
    event = next(e for e in events["value"] if not e["isOrganizer"] and e["id"] not in USED)
    USED.add(event["id"])
    graph.patch(f"me/events/{event['id']}", json={"subject": tag}).raise_for_status()
    return con.execute("EXEC RespondToEvent EventId = ?, ResponseType = 'tentativelyAccept'", (event["id"],))


def _responded(emu: Emulator, graph: httpx.Client, tag: str) -> int:
    events = graph.get("me/events", params={"$top": "999", "$filter": f"subject eq '{tag}'"}).json()["value"]
    return sum(1 for e in events if e["responseStatus"]["response"] == "tentativelyAccepted")


def _cancel(con: Connection, emu: Emulator, graph: httpx.Client, tag: str) -> Any:
    made = graph.post(
        "me/events",
        json={
            "subject": tag,
            "start": {"dateTime": "2031-01-01T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2031-01-01T11:00:00", "timeZone": "UTC"},
            "attendees": [{"emailAddress": {"address": "x@example.com"}, "type": "required"}],
        },
    ).json()
    return con.execute("EXEC CancelEvent EventId = ?, Comment = 'off'", (made["id"],))


def _events_left(emu: Emulator, graph: httpx.Client, tag: str) -> int:
    return _count(graph, "me/events", **{"$filter": f"subject eq '{tag}'"})


USED: set[str] = set()
WRITE_KINDS: dict[str, Write] = {
    "SendMail": Write(r"sendMail$", _send, lambda e, g, t: _sent(g, t)),
    "SendMail, 3 MB attachment (draft, upload session, send)": Write(
        r"/send$", _send_large, lambda e, g, t: _sent(g, t)
    ),
    "ReplyToMessage": Write(r"/reply$", _reply, lambda e, g, t: _sent(g, "RE: " + t)),
    "ForwardMail": Write(r"/forward$", _forward, lambda e, g, t: _sent(g, "FW: " + t)),
    "MoveMail": Write(
        r"/move$",
        _move,
        lambda e, g, t: _count(g, "me/mailFolders/archive/messages", **{"$filter": f"subject eq '{t}'"}),
    ),
    "CreateFolder": Write(
        r"mailFolders$",
        _folder,
        lambda e, g, t: _count(g, "me/mailFolders", **{"$filter": f"displayName eq '{t}'"}),
    ),
    "AddAttachments": Write(
        r"/attachments$",
        _attach,
        lambda e, g, t: sum(
            1
            for m in g.get(
                "me/messages", params={"$filter": f"subject eq '{t}'", "$expand": "attachments"}
            ).json()["value"]
            for a in m.get("attachments", [])
        ),
    ),
    "UploadFile replace": Write(r"/content$", _upload("replace"), _files),
    "UploadFile rename": Write(r"/content$", _upload("rename"), _files),
    "UploadFile fail": Write(r"/content$", _upload("fail"), _files),
    "RespondToEvent": Write(r"/tentativelyAccept$", _respond, _responded),
    "CancelEvent": Write(r"/cancel$", _cancel, _events_left, expected=0),
}


@pytest.mark.parametrize("fault", list(AFTER))
@pytest.mark.parametrize("kind", list(WRITE_KINDS))
def test_a_write_is_applied_once_whatever_follows(emu: Emulator, kind: str, fault: str) -> None:
    """The fault strikes the write's own request after Graph applied it: the procedure either reports
    success or says the change may have been applied; Graph shows the change exactly once."""
    write = WRITE_KINDS[kind]
    tag = f"rel-{uuid.uuid4().hex[:10]}"
    con = _fast(connect(emu))
    with raw_client(emu) as graph:
        try:
            emu.set_faults(**{AFTER[fault]: 1, "throttle_paths": write.path})
            try:
                write.run(con, emu, graph, tag).fetchall()
                outcome = "success reported"
            except OperationalError as exc:
                # a POST is never repeated and says so; a PUT that replaces was repeated until it gave up
                maybe = "may or may not have been applied" in str(exc)
                assert maybe or write.path == r"/content$", exc
                outcome = "error: may have been applied" if maybe else f"error after retries ({exc.code})"
        finally:
            emu.set_faults()
        effects = write.count(emu, graph, tag)
    con.close()
    WRITES[f"{kind} / {fault}"] = (effects, write.expected, outcome)
    assert effects == write.expected, (kind, fault, outcome)


def test_report() -> None:
    """Every figure that must be zero is zero; the table is written where O365SQL_FAULT_REPORT says."""
    assert RESULTS and WRITES, "run the whole module"
    lines = [
        "| fault mix | scans | requests | retries | identical | rows | rows lost | duplicates | partial "
        "| errors | hangs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for mix, t in RESULTS.items():
        lines.append(
            f"| {mix} | {t.scans} | {t.requests} | {t.retries} | {t.identical} | {t.rows} | {t.lost} | "
            f"{t.duplicates} | {t.partial} | {t.errors} | {t.hangs} |"
        )
    lines += [
        "",
        "| write / fault after applying | outcome | side effects seen | expected |",
        "| --- | --- | --- | --- |",
    ]
    for name, (seen, expected, outcome) in WRITES.items():
        lines.append(f"| {name} | {outcome} | {seen} | {expected} |")
    target = os.environ.get("O365SQL_FAULT_REPORT")
    if target:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    assert all((t.lost, t.duplicates, t.partial, t.hangs) == (0, 0, 0, 0) for t in RESULTS.values())
    assert all(seen == expected for seen, expected, _ in WRITES.values())
