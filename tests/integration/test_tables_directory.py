"""DirectReports, Licenses, OrgContacts, Devices, DirectoryRoles, DirectoryRoleMembers and the added Users and
Groups columns against the raw directory resources: rows, pushed filters, parent-key joins, permissions.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import connection_string, logged, token_for
from .test_tables_vs_graph import Item, compare, pages, select_for

Rows = list[tuple[tuple[Any, ...], Item]]


@pytest.mark.parametrize(
    ("table", "path"),
    [
        ("Licenses", "/subscribedSkus"),
        ("OrgContacts", "/contacts"),
        ("Devices", "/devices"),
        ("DirectoryRoles", "/directoryRoles"),
    ],
)
def test_directory_collections(con: o365sql.Connection, raw: httpx.Client, table: str, path: str) -> None:
    spec = TABLES[table]
    compare(
        con, spec, f"SELECT * FROM {table}", [((i["id"],), i) for i in pages(raw, path, select_for(spec))]
    )


def test_direct_reports(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["DirectReports"]
    rows: Rows = [
        ((u["id"], r["id"]), r)
        for u in pages(raw, "/users", {"$select": "id"})
        for r in pages(raw, f"/users/{u['id']}/directReports", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM DirectReports", rows)


def test_role_members_joined_from_roles(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    spec = TABLES["DirectoryRoleMembers"]
    roles = list(pages(raw, "/directoryRoles", {"$select": "id,displayName"}))
    rows: Rows = [
        ((r["id"], m["id"]), m)
        for r in roles
        for m in pages(raw, f"/directoryRoles/{r['id']}/members", select_for(spec))
    ]
    emulator.reset()
    compare(
        con, spec, "SELECT m.* FROM DirectoryRoles r JOIN DirectoryRoleMembers m ON m.RoleId = r.id", rows
    )
    # the role list once, then each role's members by its id; $select only (no $top: the list takes none)
    sent = logged(emulator, "/directoryRoles")
    assert sorted(p for p, _ in sent if p.endswith("/members")) == sorted(
        f"/v1.0/directoryRoles/{r['id']}/members" for r in roles
    )
    assert all("$top" not in q for p, q in sent if p == "/v1.0/directoryRoles")


def test_users_join_direct_reports_reads_one_manager(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    users = list(pages(raw, "/users", {"$select": "id,jobTitle"}))
    ceo = next(u for u in users if u["jobTitle"] == "Chief Executive Officer")
    want = sorted(r["id"] for r in pages(raw, f"/users/{ceo['id']}/directReports", {"$select": "id"}))
    emulator.reset()
    sql = (
        "SELECT d.id FROM Users u JOIN DirectReports d ON d.ManagerId = u.id "
        "WHERE u.jobTitle = 'Chief Executive Officer'"
    )
    assert sorted(r[0] for r in con.execute(sql).fetchall()) == want and want
    assert [p for p, _ in logged(emulator, "/directReports")] == [f"/v1.0/users/{ceo['id']}/directReports"]


def test_org_contacts_prefix_is_pushed(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    want = sorted(
        c["displayName"]
        for c in pages(raw, "/contacts", {"$select": "displayName"})
        if c["displayName"].startswith("Om")
    )
    emulator.reset()
    got = con.execute("SELECT displayName FROM OrgContacts WHERE displayName LIKE 'Om%'").fetchall()
    assert sorted(r[0] for r in got) == want and want
    ((_path, query),) = logged(emulator, "/contacts")
    assert "$filter=startswith(displayName,'Om')" in query


def test_devices_boolean_filter_is_pushed(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    devices = list(pages(raw, "/devices", {"$select": "id,operatingSystem,isCompliant"}))
    want = sorted(d["id"] for d in devices if not d["isCompliant"])
    emulator.reset()
    got = con.execute("SELECT id FROM Devices WHERE isCompliant = 0").fetchall()
    assert sorted(r[0] for r in got) == want and want
    ((_path, query),) = logged(emulator, "/devices")
    assert "$filter=isCompliant eq false" in query


def test_licenses_join_users(con: o365sql.Connection, raw: httpx.Client) -> None:
    users = list(pages(raw, "/users", {"$select": "id,assignedLicenses"}))
    skus = {
        s["skuId"]: s["skuPartNumber"]
        for s in pages(raw, "/subscribedSkus", {"$select": "skuId,skuPartNumber"})
    }
    want: dict[str, int] = {}
    for user in users:
        for licence in user["assignedLicenses"]:
            want[skus[licence["skuId"]]] = want.get(skus[licence["skuId"]], 0) + 1
    sql = (
        "SELECT l.skuPartNumber, count(*) FROM Users u, json_each(u.assignedLicenses) a "
        "JOIN Licenses l ON l.skuId = json_extract(a.value, '$.skuId') GROUP BY l.skuPartNumber"
    )
    assert dict(con.execute(sql).fetchall()) == want
    # and each subscription's consumedUnits counts the same assignments
    assert dict(con.execute("SELECT skuPartNumber, consumedUnits FROM Licenses").fetchall()) == want


@pytest.mark.parametrize(
    ("sql", "table", "permission"),
    [
        ("SELECT id FROM Licenses", "Licenses", "LicenseAssignment.Read.All"),
        ("SELECT id FROM OrgContacts", "OrgContacts", "OrgContact.Read.All"),
        ("SELECT id FROM Devices", "Devices", "Device.Read.All"),
        ("SELECT id FROM DirectoryRoles", "DirectoryRoles", "RoleManagement.Read.Directory"),
        (
            "SELECT id FROM DirectoryRoleMembers WHERE RoleId = 'x'",
            "DirectoryRoleMembers",
            "RoleManagement.Read.Directory",
        ),
        ("SELECT id FROM DirectReports WHERE ManagerId = '{me}'", "DirectReports", "User.ReadBasic.All"),
    ],
)
def test_missing_permission_is_named(emulator: Emulator, sql: str, table: str, permission: str) -> None:
    token = token_for(emulator, frozenset({"User.Read"}))
    me = emulator.state.directory.demo_user.id
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(sql.format(me=me)).fetchall()
    err = info.value
    assert err.status == 403 and table in str(err) and permission in str(err)
