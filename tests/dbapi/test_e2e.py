"""End to end against the emulator: connect(), the real engine and Graph client, types, streaming, EXEC and
errors that travel from Graph through apsw to the caller unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from dbapi_helpers import assert_dbapi_error

import o365sql
from o365sql.emulator import Emulator

SCOPES = frozenset(
    {"User.Read", "User.Read.All", "Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite",
     "Files.ReadWrite.All", "Group.Read.All", "GroupMember.Read.All"}
)  # fmt: skip


def _token(emulator: Any, scopes: frozenset[str] = SCOPES) -> str:
    token, _ = emulator.state.tokens.issue_access(
        tenant_id=emulator.tenant_id,
        client_id=emulator.client_id,
        user_id=emulator.state.directory.demo_user.id,
        scopes=scopes,
    )
    return str(token)


def _connect(emulator: Any, token: str, extra: str = "") -> o365sql.Connection:
    return o365sql.connect(
        f"InitiateOAuth=OFF;OAuthAccessToken={token};GraphURL={emulator.graph_url};"
        f"SSLServerCert={emulator.ca_cert}{extra}"
    )


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """This module's own demo tenant: its tests count the requests in its log."""
    with Emulator(data="demo") as emu:
        yield emu


@pytest.fixture
def live(emulator: Any) -> Iterator[o365sql.Connection]:
    con = _connect(emulator, _token(emulator))
    yield con
    con.close()


def _graph_requests(emulator: Any, fragment: str) -> int:
    return sum(1 for r in emulator.requests() if r["path"].startswith("/v1.0/") and fragment in r["path"])


def test_types_from_the_real_engine(live: o365sql.Connection) -> None:
    cur = live.execute("SELECT id, subject, receivedDateTime, isRead, hasAttachments FROM Messages LIMIT 5")
    rows = cur.fetchall()
    assert len(rows) == 5
    for row in rows:
        assert isinstance(row[2], dt.datetime) and row[2].tzinfo is dt.UTC
        assert isinstance(row[3], bool) and isinstance(row[4], bool)
    assert [d[1] for d in cur.description] == [
        o365sql.STRING, o365sql.STRING, o365sql.DATETIME, o365sql.NUMBER, o365sql.NUMBER,
    ]  # fmt: skip
    assert cur.description[0][6] is False  # the key is never NULL


def test_streaming_fetches_pages_lazily(emulator: Any) -> None:
    """Pages come as the cursor advances: at most one page is read ahead (halfway through the first page,
    from the start of later ones), never the whole scan."""
    paged = _connect(emulator, _token(emulator), ";Pagesize=5")
    before = _graph_requests(emulator, "/messages")
    cur = paged.execute("SELECT id FROM Messages")
    assert cur.fetchone() is not None
    assert _graph_requests(emulator, "/messages") - before == 1
    cur.fetchmany(4)  # the rest of the first page: the second may be on its way
    assert _graph_requests(emulator, "/messages") - before in (1, 2)
    assert cur.fetchone() is not None  # first row of page 2; page 3 may be on its way, page 4 is not
    assert _graph_requests(emulator, "/messages") - before in (2, 3)
    cur.close()
    assert _graph_requests(emulator, "/messages") - before in (2, 3)
    paged.close()


def test_datetime_and_bool_parameters(live: o365sql.Connection) -> None:
    everything = live.execute("SELECT id, receivedDateTime, isRead FROM Messages").fetchall()
    cutoff = sorted(r[1] for r in everything)[len(everything) // 2]
    got = live.execute("SELECT id FROM Messages WHERE receivedDateTime >= ?", (cutoff,)).fetchall()
    assert {r[0] for r in got} == {r[0] for r in everything if r[1] >= cutoff}
    naive = cutoff.replace(tzinfo=None)  # naive datetimes are taken as UTC
    assert live.execute("SELECT count(*) FROM Messages WHERE receivedDateTime >= ?", (naive,)).fetchone() == (
        len(got),
    )
    unread = live.execute("SELECT id FROM Messages WHERE isRead = ?", (False,)).fetchall()
    assert {r[0] for r in unread} == {r[0] for r in everything if r[2] is False}
    named = live.execute("SELECT count(*) FROM Messages WHERE isRead = :read", {"read": True}).fetchone()[0]
    assert named == sum(1 for r in everything if r[2] is True)


def test_system_tables_match_engine_tables(live: o365sql.Connection) -> None:
    listed = {r[0] for r in live.execute("SELECT TableName FROM sys_tables")}
    created = {r[1] for r in live.execute("PRAGMA table_list") if r[2] == "virtual"}
    assert listed == created
    cols = [r[0] for r in live.execute("SELECT ColumnName FROM sys_tablecolumns WHERE TableName = 'Users'")]
    assert cols == [r[1] for r in live.execute("PRAGMA table_xinfo(Users)")]


def test_exec_oauth_procedure(live: o365sql.Connection) -> None:
    cur = live.execute("EXEC GetAdminConsentURL CallbackUrl = ?", ("http://localhost:33333",))
    (url,) = cur.fetchone()
    assert "adminconsent" in url and "redirect_uri=" in url


def test_graph_errors_reach_the_caller_unchanged(emulator: Any) -> None:
    # a token without any mail permission: Graph answers 403 from inside the virtual table's scan
    with _connect(emulator, _token(emulator, frozenset({"User.Read"}))) as con:
        with pytest.raises(o365sql.ProgrammingError) as info:
            con.execute("SELECT subject FROM Messages").fetchall()
        assert_dbapi_error(info.value)
        assert isinstance(info.value, o365sql.errors.PermissionDeniedError)
        assert info.value.status == 403
        assert info.value.__cause__ is None or isinstance(info.value.__cause__, o365sql.Error)


def test_rejected_token(emulator: Any) -> None:
    with _connect(emulator, "not-a-real-token") as con:
        with pytest.raises(o365sql.OperationalError) as info:
            con.execute("SELECT displayName FROM Users").fetchall()
        assert_dbapi_error(info.value)
        assert "not-a-real-token" not in str(info.value)


@pytest.mark.parametrize(
    ("sql", "pattern"),
    [
        ("INSERT INTO CalendarView (subject) VALUES ('x')", r"CalendarView does not accept INSERT"),
        (
            "UPDATE Messages SET receivedDateTime = '2024-01-01T00:00:00Z' "
            "WHERE id IN (SELECT id FROM Messages LIMIT 1)",
            r"Messages\.receivedDateTime is read-only",
        ),
        (
            "UPDATE GroupMembers SET displayName = 'x' WHERE GroupId IN (SELECT id FROM Groups LIMIT 1)",
            r"GroupMembers does not accept UPDATE",
        ),
        (
            "SELECT subjet FROM Messages",
            r"no such column: subjet in table Messages\. Did you mean Messages\.subject",
        ),
        ("SELECT * FROM Mesages", r"no such table: Mesages\. Did you mean Messages\?"),
        ("SELECT displayName FROM Users WHERE id IN (SELECT nope FROM Groups)", r"no such column: nope"),
    ],
)
def test_bad_statements_against_engine(live: o365sql.Connection, sql: str, pattern: str) -> None:
    with pytest.raises(o365sql.Error, match=pattern) as info:
        live.execute(sql).fetchall()
    assert_dbapi_error(info.value)
    if sql.startswith(("INSERT", "UPDATE", "DELETE")):
        # read-only tables (or read-only columns, once writes exist) say so
        assert isinstance(
            info.value, o365sql.NotSupportedError | o365sql.ProgrammingError | o365sql.DataError
        )


def test_explain(live: o365sql.Connection) -> None:
    plan = o365sql.explain(live, "SELECT subject FROM Messages WHERE isRead = ?", (False,))
    assert plan and plan[0].path.endswith("/messages")
    assert any("isRead" in term for term in plan[0].pushed)
