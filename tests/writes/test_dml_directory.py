"""Users, Groups and GroupMembers (administrator writes), checked through raw Graph reads."""

from __future__ import annotations

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import PermissionDeniedError

from .conftest import connect, get, items, status


def _domain(wemu: Emulator) -> str:
    return str(wemu.state.directory.tenant.domain)


def test_create_update_delete_user(con: o365sql.Connection, raw: httpx.Client, wemu: Emulator) -> None:
    upn = f"new.hire@{_domain(wemu)}"
    cur = con.execute(
        "INSERT INTO Users (accountEnabled, displayName, mailNickname, userPrincipalName, "
        "passwordProfile_password, department) VALUES (1, 'New Hire', 'new.hire', ?, ?, 'Sales')",
        (upn, "Welcome-2030!"),
    )
    uid = cur.inserted_ids[0]
    body = get(raw, f"/users/{uid}", **{"$select": "id,userPrincipalName,department,accountEnabled"})
    assert body["userPrincipalName"] == upn and body["department"] == "Sales" and body["accountEnabled"]
    con.execute(
        "UPDATE Users SET jobTitle = 'Account executive', department = 'Sales EMEA' WHERE id = ?", (uid,)
    )
    body = get(raw, f"/users/{uid}", **{"$select": "jobTitle,department"})
    assert (body["jobTitle"], body["department"]) == ("Account executive", "Sales EMEA")
    assert con.execute("DELETE FROM Users WHERE id = ?", (uid,)).rowcount == 1
    assert status(raw, f"/users/{uid}") == 404


def test_user_password_never_reaches_errors(con: o365sql.Connection, wemu: Emulator) -> None:
    with pytest.raises(o365sql.Error) as info:
        con.execute(
            "INSERT INTO Users (accountEnabled, displayName, mailNickname, userPrincipalName, "
            "passwordProfile_password) VALUES (1, 'Short', 'short', ?, 'Sh0rt!')",
            (f"short@{_domain(wemu)}",),
        )
    assert "complexity" in str(info.value) and "Sh0rt!" not in str(info.value)
    with pytest.raises(o365sql.DataError) as wrong_type:
        con.execute(
            "INSERT INTO Users (accountEnabled, displayName, mailNickname, userPrincipalName, "
            "passwordProfile_password) VALUES (1, 'Numeric', 'numeric', ?, 98765432123)",
            (f"numeric@{_domain(wemu)}",),
        )
    assert "passwordProfile_password takes text, not a value of type int" in str(wrong_type.value)
    assert "98765432123" not in str(wrong_type.value)


def test_group_and_members(con: o365sql.Connection, raw: httpx.Client, wemu: Emulator) -> None:
    cur = con.execute(
        "INSERT INTO Groups (displayName, mailNickname, mailEnabled, securityEnabled, groupTypes, "
        "visibility) VALUES ('Data guild', 'dataguild', 1, 0, '[\"Unified\"]', 'Private') RETURNING id, mail"
    )
    gid, mail = cur.fetchone()
    assert mail == f"dataguild@{_domain(wemu)}"
    assert get(raw, f"/groups/{gid}")["groupTypes"] == ["Unified"]
    users = [u["id"] for u in items(raw, "/users", **{"$select": "id", "$top": "3"})][:3]
    cur = con.executemany("INSERT INTO GroupMembers (GroupId, id) VALUES (?, ?)", [(gid, u) for u in users])
    assert cur.rowcount == 3
    assert sorted(m["id"] for m in items(raw, f"/groups/{gid}/members")) == sorted(users)
    with pytest.raises(o365sql.Error, match="already exist"):
        con.execute("INSERT INTO GroupMembers (GroupId, id) VALUES (?, ?)", (gid, users[0]))
    cur = con.execute("DELETE FROM GroupMembers WHERE GroupId = ? AND id = ?", (gid, users[1]))
    assert cur.rowcount == 1
    assert sorted(m["id"] for m in items(raw, f"/groups/{gid}/members")) == sorted([users[0], users[2]])
    con.execute("UPDATE Groups SET description = 'Analysts and engineers' WHERE id = ?", (gid,))
    assert get(raw, f"/groups/{gid}")["description"] == "Analysts and engineers"
    with pytest.raises(o365sql.NotSupportedError, match=r"Groups\.groupTypes .* set only by INSERT"):
        con.execute("UPDATE Groups SET groupTypes = '[]' WHERE id = ?", (gid,))
    assert con.execute("DELETE FROM Groups WHERE id = ?", (gid,)).rowcount == 1
    assert status(raw, f"/groups/{gid}") == 404


def test_a_403_on_a_write_names_the_permission(wemu: Emulator) -> None:
    with connect(wemu, frozenset({"User.Read", "Contacts.Read", "Group.Read.All"})) as weak:
        with pytest.raises(PermissionDeniedError, match=r"Contacts\.ReadWrite"):
            weak.execute("INSERT INTO Contacts (givenName) VALUES ('Nope')")
        gid = weak.execute("SELECT id FROM Groups LIMIT 1").fetchone()[0]
        with pytest.raises(PermissionDeniedError, match=r"Group\.ReadWrite\.All"):
            weak.execute("UPDATE Groups SET description = 'x' WHERE id = ?", (gid,))
