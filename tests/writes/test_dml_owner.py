"""UserId picks the mailbox a write goes to, as in SELECT: app-only connections must name it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import get, items

ROLES = frozenset({"Contacts.ReadWrite", "Calendars.ReadWrite", "User.Read.All"})


def _app_token(wemu: Emulator) -> str:
    token, _ = wemu.state.tokens.issue_access(
        tenant_id=wemu.tenant_id, client_id=wemu.client_id, user_id=None, roles=ROLES
    )
    return str(token)


@pytest.fixture(scope="module")
def app_raw(wemu: Emulator) -> Iterator[httpx.Client]:
    """Raw Graph with an application token (the delegated demo user cannot read others' contacts)."""
    headers = {"Authorization": f"Bearer {_app_token(wemu)}"}
    with wemu.http_client(base_url=wemu.graph_url, headers=headers) as client:
        yield client


@pytest.fixture(scope="module")
def app(wemu: Emulator) -> Iterator[o365sql.Connection]:
    """A connection with an application token: no signed-in user, so no /me."""
    token = _app_token(wemu)
    with o365sql.connect(
        f"InitiateOAuth=OFF;OAuthAccessToken={token};GraphURL={wemu.graph_url};SSLServerCert={wemu.ca_cert}"
    ) as c:
        yield c


def _other_user(raw: httpx.Client, wemu: Emulator) -> str:
    demo = wemu.state.directory.demo_user.id
    return next(
        u["id"] for u in items(raw, "/users", **{"$select": "id,mail"}) if u["id"] != demo and u["mail"]
    )


def test_app_only_insert_needs_user_id(app: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="no /me; give UserId"):
        app.execute("INSERT INTO Contacts (givenName) VALUES ('Nobody')")


def test_user_id_routes_insert_update_delete(
    app: o365sql.Connection, app_raw: httpx.Client, raw: httpx.Client, wemu: Emulator
) -> None:
    user = _other_user(raw, wemu)
    cur = app.execute(
        "INSERT INTO Contacts (givenName, surname, UserId) VALUES ('Owned', 'Elsewhere', ?) "
        "RETURNING id, UserId",
        (user,),
    )
    cid, owner = cur.fetchone()
    assert owner == user
    assert get(app_raw, f"/users/{user}/contacts/{cid}")["surname"] == "Elsewhere"
    assert (
        app.execute(
            "UPDATE Contacts SET jobTitle = 'Moved in' WHERE UserId = ? AND id = ?", (user, cid)
        ).rowcount
        == 1
    )
    assert get(app_raw, f"/users/{user}/contacts/{cid}")["jobTitle"] == "Moved in"
    assert app.execute("DELETE FROM Contacts WHERE UserId = ? AND id = ?", (user, cid)).rowcount == 1
    assert app_raw.get(f"/users/{user}/contacts/{cid}").status_code == 404
