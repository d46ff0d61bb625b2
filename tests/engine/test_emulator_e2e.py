"""End to end: the engine over the real GraphClient against the emulator (demo tenant).

Tokens are issued directly by the emulator's registry, so no sign-in flow runs here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import apsw
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o365sql.emulator import Emulator
from o365sql.emulator.directory import APP_PERMISSIONS, DELEGATED_PERMISSIONS
from o365sql.engine import EngineContext, explain, install
from o365sql.engine.vtable import create_table_sql
from o365sql.errors import DataError, NotFoundError
from o365sql.graph import GraphClient
from o365sql.properties import resolve
from o365sql.schema import TABLES

from .test_pushdown_rule import ODD_TEXT


class _Token:
    def __init__(self, token: str, app_only: bool) -> None:
        self._token = token
        self._app_only = app_only

    @property
    def app_only(self) -> bool:
        return self._app_only

    def get_token(self, *, force_refresh: bool = False) -> str:
        return self._token


Open = Callable[..., apsw.Connection]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """This module's own demo tenant: its tests count the requests in its log."""
    with Emulator(data="demo") as emu:
        yield emu


@pytest.fixture(scope="module")
def open_db(emulator: Emulator) -> Iterator[Open]:
    """open_db(pushdown=True, app_only=False, user=None) -> apsw connection with the tables installed."""
    st_ = emulator.state
    d = st_.directory
    delegated, _ = st_.tokens.issue_access(
        tenant_id=d.tenant.id,
        client_id=d.public_client_id,
        user_id=d.demo_user.id,
        scopes=frozenset(DELEGATED_PERMISSIONS),
    )
    app, _ = st_.tokens.issue_access(
        tenant_id=d.tenant.id,
        client_id=d.confidential_client_id,
        user_id=None,
        roles=frozenset(APP_PERMISSIONS),
    )
    http = emulator.http_client()
    clients = {
        False: GraphClient(emulator.graph_url, _Token(delegated, False), http=http),
        True: GraphClient(emulator.graph_url, _Token(app, True), http=http),
    }

    def make(*, pushdown: bool = True, app_only: bool = False, user: str | None = None) -> apsw.Connection:
        db = apsw.Connection(":memory:")
        props = resolve("", Pushdown=pushdown)
        install(db, EngineContext(graph=clients[app_only], props=props, app_only=app_only, default_user=user))
        return db

    yield make
    http.close()


def _graph_requests(emulator: Emulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["path"].startswith("/v1.0/")]


def test_is_read_limit_is_one_request(emulator: Emulator, open_db: Open) -> None:
    db = open_db()
    emulator.reset()
    rows = db.execute("SELECT id, subject FROM Messages WHERE isRead = 0 LIMIT 5").fetchall()
    assert len(rows) == 5
    (req,) = _graph_requests(emulator)
    assert req["path"] == "/v1.0/me/messages" and req["status"] == 200
    assert "$filter=isRead%20eq%20false" in req["query"] or "$filter=isRead eq false" in req["query"]
    assert "$top=5" in req["query"] and "$select=id,subject,isRead" in req["query"]


def test_by_id_and_in_list(emulator: Emulator, open_db: Open) -> None:
    db = open_db()
    ids = [r[0] for r in db.execute("SELECT id FROM Messages LIMIT 60")]
    emulator.reset()
    assert db.execute("SELECT id FROM Messages WHERE id = ?", (ids[3],)).fetchall() == [(ids[3],)]
    assert len(_graph_requests(emulator)) == 1
    emulator.reset()
    assert db.execute("SELECT id FROM Messages WHERE id = 'AAMkAGnope='").fetchall() == []
    emulator.reset()
    wanted = ids + [f"AAMkMissing{n}" for n in range(40)]
    marks = ",".join("?" * len(wanted))
    got = db.execute(f"SELECT id FROM Messages WHERE id IN ({marks})", wanted).fetchall()
    assert sorted(r[0] for r in got) == sorted(ids)
    reqs = _graph_requests(emulator)
    assert len(reqs) <= 5 and all(r["path"] == "/v1.0/$batch" for r in reqs)


QUERIES = [
    "SELECT id, subject, isRead FROM Messages WHERE isRead = 1 ORDER BY receivedDateTime DESC LIMIT 7",
    "SELECT id FROM Messages WHERE subject LIKE 're:%' AND hasAttachments = 0",
    "SELECT id, importance FROM Messages WHERE importance IN ('high', 'low') AND isDraft = 0",
    "SELECT id FROM Messages WHERE receivedDateTime >= date('now', '-7 days') "
    "ORDER BY receivedDateTime LIMIT 3",
    "SELECT count(*) FROM Messages WHERE parentFolderId = 'inbox' AND isRead = 0",
    "SELECT id, displayName FROM Users WHERE displayName LIKE 'a%' OR accountEnabled = 0",
    "SELECT id FROM Users WHERE mail = (SELECT mail FROM Users ORDER BY id LIMIT 1)",
    "SELECT g.displayName, m.displayName FROM Groups g JOIN GroupMembers m ON m.GroupId = g.id",
    "SELECT id, start_dateTime FROM Events WHERE start_dateTime > '2000-01-01' "
    "ORDER BY start_dateTime LIMIT 5",
    "SELECT id, subject, start_dateTime FROM CalendarView WHERE start_dateTime >= date('now') "
    "AND end_dateTime <= date('now', '+10 days')",
    "SELECT id, name FROM Calendars",
    "SELECT id, displayName FROM Contacts WHERE givenName LIKE 'm%'",
    "SELECT id, name, parentReference_id FROM Files WHERE name LIKE '%.docx'",
    "SELECT f.name FROM Files f JOIN Files p ON f.parentReference_id = p.id WHERE p.name LIKE 'D%'",
    "SELECT id, displayName FROM MailFolders WHERE parentFolderId = 'inbox'",
    "SELECT a.name, a.size FROM MessageAttachments a WHERE a.size > 1000",
    "SELECT m.subject, a.name FROM Messages m JOIN MessageAttachments a ON a.MessageId = m.id "
    "WHERE m.hasAttachments = 1 ORDER BY m.receivedDateTime DESC LIMIT 4",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_same_rows_with_pushdown_off(open_db: Open, sql: str) -> None:
    on = open_db().execute(sql).fetchall()
    off = open_db(pushdown=False).execute(sql).fetchall()
    if "ORDER BY" in sql:
        assert on == off
    else:
        assert sorted(map(repr, on)) == sorted(map(repr, off))


def test_every_table_reads(open_db: Open) -> None:
    db = open_db()
    for name, spec in TABLES.items():
        # a table whose path needs a parent reads every parent's (Posts: every group; EventOccurrences: every
        # series)
        where = {
            (): "",
            ("GroupId",): " WHERE GroupId IN (SELECT id FROM Groups)",
            ("EventId",): " WHERE EventId IN (SELECT id FROM Events WHERE type = 'seriesMaster')",
            ("TeamId",): " WHERE TeamId IN (SELECT id FROM Teams)",
            ("TeamId", "ChannelId"): " WHERE (TeamId, ChannelId) IN (SELECT TeamId, id FROM Channels)",
            ("SiteId",): " WHERE SiteId IN (SELECT id FROM Sites)",
        }[spec.required_routes]
        n = db.execute(f'SELECT count(*) FROM "{name}"{where}').fetchone()[0]
        assert n > 0, name


def test_app_only_fans_out_and_routes_by_user(emulator: Emulator, open_db: Open) -> None:
    db = open_db(app_only=True)
    per_user = dict(db.execute("SELECT UserId, count(*) FROM Messages GROUP BY UserId").fetchall())
    demo = emulator.state.directory.demo_user.id
    assert per_user[demo] > 0
    emulator.reset()
    one = db.execute("SELECT count(*) FROM Messages WHERE UserId = ?", (demo,)).fetchone()[0]
    assert one == per_user[demo]
    assert {r["path"].split("/messages")[0] for r in _graph_requests(emulator)} == {f"/v1.0/users/{demo}"}
    # /me means nothing to an application: the fan-out is the only way; a UserId for nobody is an error
    with pytest.raises(NotFoundError, match=r"UserId .nobody@example\.invalid."):
        db.execute("SELECT count(*) FROM Messages WHERE UserId = 'nobody@example.invalid'").fetchone()


def test_explain_makes_no_request(emulator: Emulator, open_db: Open) -> None:
    db = open_db()
    emulator.reset()
    (plan,) = explain(db, "SELECT id FROM Messages WHERE isRead = ? LIMIT 3", (False,))
    assert _graph_requests(emulator) == []
    assert plan.params["$filter"] == "isRead eq false" and plan.params["$top"] == "3"


@st.composite
def _message_query(draw: st.DrawFn, samples: dict[str, list[Any]]) -> tuple[str, list[Any]]:
    terms = []
    params: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        col = draw(st.sampled_from(sorted(samples)))
        op = draw(st.sampled_from(["=", "<>", "<", ">", "<=", ">=", "LIKE", "IN", "IS NULL"]))
        v = draw(st.one_of(st.sampled_from(samples[col]), ODD_TEXT, st.sampled_from([0, 1, None])))
        if op == "IS NULL":
            terms.append(f"{col} IS NULL")
        elif op == "IN":
            vs = [v, *draw(st.lists(st.sampled_from(samples[col]), max_size=4))]
            terms.append(f"{col} IN ({','.join('?' * len(vs))})")
            params.extend(vs)
        elif op == "LIKE":
            terms.append(f"{col} LIKE ?")
            params.append(f"{str(v)[:4]}%")
        else:
            terms.append(f"{col} {op} ?")
            params.append(v)
    order = draw(st.sampled_from(["", " ORDER BY receivedDateTime DESC", " ORDER BY receivedDateTime"]))
    limit = draw(st.sampled_from(["", " LIMIT 5", " LIMIT 3 OFFSET 2"])) if order else ""
    return f"SELECT id, subject, isRead FROM Messages WHERE {' AND '.join(terms)}{order}{limit}", params


def test_pushdown_property_against_emulator(open_db: Open) -> None:
    """Random Messages filters: the engine with pushdown equals SQLite over a full copy of the table."""
    off = open_db(pushdown=False)
    cols = [
        "isRead",
        "hasAttachments",
        "importance",
        "receivedDateTime",
        "subject",
        "from_emailAddress_address",
    ]
    data = off.execute(f"SELECT id, {', '.join(cols)} FROM Messages").fetchall()
    samples = {
        c: sorted({r[i + 1] for r in data if r[i + 1] is not None}, key=repr) for i, c in enumerate(cols)
    }
    copy = apsw.Connection(":memory:")
    copy.execute(create_table_sql(TABLES["Messages"]))
    cur = off.execute("SELECT * FROM Messages")
    names = ", ".join(f'"{d[0]}"' for d in cur.getdescription())
    full = cur.fetchall()
    marks = ",".join("?" * len(full[0]))
    copy.executemany(f"INSERT INTO Messages ({names}) VALUES ({marks})", full)
    on = open_db()

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(_message_query(samples))
    def check(q: tuple[str, list[Any]]) -> None:
        sql, params = q
        want = copy.execute(sql, params).fetchall()
        try:
            got = on.execute(sql, params).fetchall()
        except DataError:
            # a value of no meaning for its column (hasAttachments = ''): refused with or without pushdown
            with pytest.raises(DataError):
                off.execute(sql, params).fetchall()
            return
        if "ORDER BY" in sql:
            assert got == want, sql
        else:
            assert sorted(got, key=repr) == sorted(want, key=repr), sql

    check()
