"""Rooms and RoomLists against the raw /places resources, and the Users manager_id and signInActivity
columns against raw /users: rows, pushed filters, joins and the permissions named on 403.
"""

from __future__ import annotations

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import connection_string, logged, token_for
from .test_tables_vs_graph import compare, pages, select_for


@pytest.mark.parametrize(
    ("table", "path"),
    [("Rooms", "/places/microsoft.graph.room"), ("RoomLists", "/places/microsoft.graph.roomlist")],
)
def test_places(con: o365sql.Connection, raw: httpx.Client, table: str, path: str) -> None:
    spec = TABLES[table]
    compare(
        con, spec, f"SELECT * FROM {table}", [((p["id"],), p) for p in pages(raw, path, select_for(spec))]
    )


def test_capacity_filter_is_pushed(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    rooms = pages(raw, "/places/microsoft.graph.room", {"$select": "id,capacity"})
    want = sorted(r["id"] for r in rooms if r["capacity"] >= 12)
    emulator.reset()
    got = con.execute("SELECT id FROM Rooms WHERE capacity >= 12").fetchall()
    assert sorted(r[0] for r in got) == want and want
    ((path, query),) = logged(emulator, "/places")
    assert path == "/v1.0/places/microsoft.graph.room" and "$filter=capacity ge 12" in query


def test_room_lists_join_rooms(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    lists = list(pages(raw, "/places/microsoft.graph.roomlist", {"$select": "emailAddress,displayName"}))
    want = sorted(
        (rl["displayName"], r["displayName"])
        for rl in lists
        for r in pages(
            raw, f"/places/{rl['emailAddress']}/microsoft.graph.roomlist/rooms", {"$select": "displayName"}
        )
    )
    emulator.reset()
    sql = (
        "SELECT rl.displayName, r.displayName FROM RoomLists rl "
        "JOIN Rooms r ON r.RoomListEmail = rl.emailAddress"
    )
    assert sorted(con.execute(sql).fetchall()) == want and len(lists) > 1
    sent = sorted(p for p, _ in logged(emulator, "/rooms"))
    assert sent == sorted(f"/v1.0/places/{rl['emailAddress']}/microsoft.graph.roomlist/rooms" for rl in lists)


def test_rooms_need_place_read_all(emulator: Emulator) -> None:
    token = token_for(emulator, frozenset({"User.Read"}))
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute("SELECT id FROM Rooms").fetchall()
    assert info.value.status == 403 and "Rooms" in str(info.value) and "Place.Read.All" in str(info.value)


# -- Users: manager_id and signInActivity ------------------------------------------------------------------


def test_manager_join(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    users = list(pages(raw, "/users", {"$select": "id,displayName", "$expand": "manager($select=id)"}))
    names = {u["id"]: u["displayName"] for u in users}
    want = sorted((u["displayName"], names[u["manager"]["id"]]) for u in users if u.get("manager"))
    assert want and len(want) < len(users)  # someone is at the top
    emulator.reset()
    sql = "SELECT u.displayName, m.displayName FROM Users u JOIN Users m ON u.manager_id = m.id"
    assert sorted(con.execute(sql).fetchall()) == want
    assert any("$expand=manager($select=id)" in q for _, q in logged(emulator, "/users"))


def test_manager_id_with_an_advanced_filter(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    users = pages(raw, "/users", {"$select": "id,companyName", "$expand": "manager($select=id)"})
    want = sorted((u["id"], (u.get("manager") or {}).get("id")) for u in users if u["companyName"])
    emulator.reset()
    got = con.execute("SELECT id, manager_id FROM Users WHERE companyName LIKE 'Contoso%'").fetchall()
    assert sorted(got) == want and want
    # Graph serves no $expand in an advanced query: the companyName term stays with SQLite
    ((_path, query),) = logged(emulator, "/users")
    assert "$expand=manager($select=id)" in query and "$filter" not in query and "$count" not in query


def test_manager_key_is_a_foreign_key(con: o365sql.Connection) -> None:
    rows = con.execute(
        "SELECT ColumnName, ReferencedTableName, ReferencedColumnName FROM sys_foreignkeys "
        "WHERE TableName = 'Users'"
    ).fetchall()
    assert ("manager_id", "Users", "id") in rows


def test_sign_in_activity_only_when_named(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    emulator.reset()
    con.execute("SELECT * FROM Users").fetchall()
    # hidden columns: SELECT * asks for neither signInActivity nor the manager expansion
    assert all("signInActivity" not in q and "$expand" not in q for _, q in logged(emulator, "/users"))
    users = pages(raw, "/users", {"$select": "id,signInActivity"})
    want = sorted((u["id"], u["signInActivity"]["lastNonInteractiveSignInDateTime"][:19]) for u in users)
    got = con.execute("SELECT id, signInActivity_lastNonInteractiveSignInDateTime FROM Users").fetchall()
    assert sorted((i, t.strftime("%Y-%m-%dT%H:%M:%S")) for i, t in got) == want and want


def test_sign_in_activity_names_audit_log(emulator: Emulator) -> None:
    token = token_for(emulator, frozenset({"User.Read.All"}))
    with o365sql.connect(connection_string(emulator, token)) as con:
        assert con.execute("SELECT id, manager_id FROM Users").fetchall()  # the rest of Users still reads
        with pytest.raises(o365sql.errors.PermissionDeniedError) as info:
            con.execute("SELECT id, signInActivity_lastSignInDateTime FROM Users").fetchall()
    assert info.value.status == 403 and "AuditLog.Read.All" in str(info.value)


def test_manager_id_with_search_is_refused(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="SEARCH cannot be combined with manager_id"):
        con.execute("SELECT manager_id FROM Users WHERE SEARCH = 'ada'").fetchall()
