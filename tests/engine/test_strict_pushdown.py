"""Pushdown against an emulator as strict as Graph: the same rows with Pushdown on and off.

Each test fails for a driver that trusts Graph where Graph answers differently from SQLite: directory filters
sent without advanced-query headers, all-day events filtered or sorted by the instant Graph keeps instead of
the date it shows, and `eq` on a value Graph shows for items that leave the property unset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import apsw
import httpx
import pytest

from o365sql.emulator import Emulator
from o365sql.emulator.directory import APP_PERMISSIONS, DELEGATED_PERMISSIONS
from o365sql.engine import EngineContext, install
from o365sql.graph import GraphClient
from o365sql.properties import resolve

Open = Callable[..., apsw.Connection]


class _Token:
    def __init__(self, token: str, app_only: bool) -> None:
        self._token, self._app_only = token, app_only

    @property
    def app_only(self) -> bool:
        return self._app_only

    def get_token(self, *, force_refresh: bool = False) -> str:
        return self._token


def delegated_token(emu: Emulator) -> str:
    d = emu.state.directory
    token, _ = emu.state.tokens.issue_access(
        tenant_id=d.tenant.id,
        client_id=d.public_client_id,
        user_id=d.demo_user.id,
        scopes=frozenset(DELEGATED_PERMISSIONS),
    )
    return token


def opener(emu: Emulator, http: httpx.Client) -> Open:
    d = emu.state.directory
    app, _ = emu.state.tokens.issue_access(
        tenant_id=d.tenant.id,
        client_id=d.confidential_client_id,
        user_id=None,
        roles=frozenset(APP_PERMISSIONS),
    )
    clients = {
        False: GraphClient(emu.graph_url, _Token(delegated_token(emu), False), http=http),
        True: GraphClient(emu.graph_url, _Token(app, True), http=http),
    }

    def make(*, pushdown: bool = True, app_only: bool = False) -> apsw.Connection:
        db = apsw.Connection(":memory:")
        props = resolve("", Pushdown=pushdown, Pagesize=1000)
        install(db, EngineContext(graph=clients[app_only], props=props, app_only=app_only, default_user=None))
        return db

    return make


@pytest.fixture(scope="module")
def shared_db(emulator: Emulator) -> Iterator[Open]:
    http = emulator.http_client()
    yield opener(emulator, http)
    http.close()


@pytest.fixture
def private_db(make_emulator: Callable[..., Emulator]) -> Iterator[tuple[Emulator, Open, httpx.Client]]:
    emu = make_emulator(data="demo")
    http = emu.http_client()
    graph = emu.http_client(
        base_url=emu.graph_url, headers={"Authorization": f"Bearer {delegated_token(emu)}"}
    )
    yield emu, opener(emu, http), graph
    graph.close()
    http.close()


def _both(open_db: Open, sql: str, params: tuple[Any, ...] = ()) -> tuple[list[Any], list[Any]]:
    on = open_db(pushdown=True).execute(sql, params).fetchall()
    off = open_db(pushdown=False).execute(sql, params).fetchall()
    return on, off


# -- directory ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM Users WHERE companyName = (SELECT companyName FROM Users LIMIT 1) ORDER BY id",
        "SELECT id FROM Users WHERE mobilePhone LIKE '+1%' ORDER BY id",
        "SELECT id FROM Users WHERE officeLocation LIKE '%' ORDER BY id",
        "SELECT id FROM Groups WHERE description LIKE 'a%' ORDER BY id",
    ],
)
def test_advanced_only_directory_filters(shared_db: Open, sql: str) -> None:
    """Graph serves these only as advanced queries: the driver sends ConsistencyLevel and $count=true."""
    on, off = _both(shared_db, sql)
    assert on == off


def test_advanced_filter_is_pushed(emulator: Emulator, shared_db: Open) -> None:
    emulator.reset()
    shared_db().execute("SELECT id FROM Users WHERE companyName = 'x'").fetchall()
    sent = [r for r in emulator.requests() if r["path"] == "/v1.0/users"]
    assert sent and "companyName" in sent[-1]["query"] and "count=true" in sent[-1]["query"]


# -- all-day events -----------------------------------------------------------------------------------------
ZONES = ["Pacific/Kiritimati", "Tokyo Standard Time", "UTC", "Pacific Standard Time", "Etc/GMT+12"]


def _add_all_day(graph: httpx.Client, zone: str, day: str, next_day: str) -> str:
    r = graph.post(
        "/me/events",
        json={
            "subject": f"all day {zone}",
            "isAllDay": True,
            "start": {"dateTime": f"{day}T00:00:00", "timeZone": zone},
            "end": {"dateTime": f"{next_day}T00:00:00", "timeZone": zone},
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.mark.parametrize(
    "where",
    [
        "start_dateTime >= '2026-05-01T00:00:00Z' AND start_dateTime < '2026-05-02T00:00:00Z'",
        "start_dateTime = '2026-05-01T00:00:00Z'",
        "start_dateTime > '2026-04-30T20:00:00Z' AND start_dateTime <= '2026-05-01T00:00:00Z'",
        "end_dateTime <= '2026-05-02T00:00:00Z' AND end_dateTime > '2026-05-01T12:00:00Z'",
        "start_dateTime BETWEEN '2026-05-01' AND '2026-05-01T23:59:59Z'",
    ],
)
def test_all_day_events_filter_by_the_date_they_show(
    private_db: tuple[Emulator, Open, httpx.Client], where: str
) -> None:
    _emu, open_db, graph = private_db
    ids = {_add_all_day(graph, zone, "2026-05-01", "2026-05-02") for zone in ZONES}
    for table in ("Events", "CalendarView"):
        on, off = _both(open_db, f"SELECT id FROM {table} WHERE {where} ORDER BY id")
        assert on == off
        assert ids <= {r[0] for r in on}


def test_order_by_start_with_limit_is_not_trusted_to_graph(
    private_db: tuple[Emulator, Open, httpx.Client],
) -> None:
    """Graph sorts an all-day event by its zone's midnight: on Kiritimati (UTC+14) the event shown on 2 May
    sorts at 1 May 10:00 UTC, before a meeting at 1 May 12:00 UTC that SQLite puts first."""
    _emu, open_db, graph = private_db
    _add_all_day(graph, "Pacific/Kiritimati", "2026-05-02", "2026-05-03")
    graph.post(
        "/me/events",
        json={
            "subject": "meeting",
            "start": {"dateTime": "2026-05-01T12:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-05-01T13:00:00", "timeZone": "UTC"},
        },
    )
    for sql in (
        "SELECT subject FROM Events WHERE start_dateTime >= '2026-05-01T06:00:00Z' ORDER BY start_dateTime",
        "SELECT subject FROM Events ORDER BY start_dateTime DESC LIMIT 200",
        "SELECT subject FROM Events WHERE start_dateTime >= '2026-05-01T06:00:00Z' "
        "ORDER BY start_dateTime LIMIT 1",
    ):
        on, off = _both(open_db, sql)
        assert on == off, sql
    first = open_db().execute(
        "SELECT subject FROM Events WHERE start_dateTime >= '2026-05-01T06:00:00Z' "
        "ORDER BY start_dateTime LIMIT 1"
    )
    assert first.fetchall() == [("meeting",)]


# -- properties Graph leaves unset --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM Messages WHERE flag_flagStatus = 'notFlagged'",
        "SELECT id FROM Messages WHERE flag_flagStatus = 'notFlagged' ORDER BY id LIMIT 7",
        "SELECT id FROM Messages WHERE flag_flagStatus IN ('notFlagged', 'flagged') ORDER BY id",
        "SELECT count(*) FROM Messages WHERE flag_flagStatus <> 'flagged'",
        "SELECT count(*) FROM Messages WHERE isReadReceiptRequested = 0",
        "SELECT id FROM Messages WHERE isReadReceiptRequested = 0 LIMIT 5",
        "SELECT count(*) FROM Messages WHERE isReadReceiptRequested = 1",
        "SELECT count(*) FROM Messages WHERE flag_flagStatus = 'flagged'",
    ],
)
def test_filters_on_maybe_unset_properties(shared_db: Open, sql: str) -> None:
    on, off = _both(shared_db, sql)
    assert on == off and on


def test_limit_on_maybe_unset_default_counts_right(shared_db: Open) -> None:
    rows = shared_db().execute("SELECT id FROM Messages WHERE isReadReceiptRequested = 0 LIMIT 5").fetchall()
    assert len(rows) == 5
