"""Whose mailbox/drive a procedure acts on: UserId parameter, the UserId property, /me, app-only tokens."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

import o365sql
from o365sql.connection import Connection
from o365sql.emulator import Emulator
from o365sql.procedures import ProcedureContext
from o365sql.procedures._common import scope_path
from o365sql.properties import resolve

from .conftest import b64, connect, one

ROLES = frozenset(
    {"Mail.Send", "Mail.ReadWrite", "Files.ReadWrite.All", "Calendars.ReadWrite", "User.Read.All"}
)


@pytest.fixture(scope="module")
def app_conn(own_emulator: Emulator) -> Iterator[Connection]:
    """A connection with an application (app-only) token: no signed-in user, so no /me."""
    token, _ = own_emulator.state.tokens.issue_access(
        tenant_id=own_emulator.tenant_id, client_id=own_emulator.client_id, user_id=None, roles=ROLES
    )
    c = o365sql.connect(
        f"InitiateOAuth=OFF;OAuthAccessToken={token};GraphURL={own_emulator.graph_url};"
        f"SSLServerCert={own_emulator.ca_cert}"
    )
    yield c
    c.close()


def _demo_upn(emu: Emulator) -> str:
    return str(emu.state.directory.demo_user.user_principal_name)


def test_app_only_needs_user_id(app_conn: Connection, own_emulator: Emulator) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="UserId"):
        app_conn.execute("EXEC SendMail Subject = 'x', ToRecipients = 'a@example.com'")
    with pytest.raises(o365sql.ProgrammingError, match="UserId"):
        app_conn.cursor().callproc("DownloadFile", {"FileId": "x"})
    upn = _demo_upn(own_emulator)
    app_conn.execute(
        "EXEC SendMail Subject = 'wp app-only mail', ToRecipients = 'a@example.com', UserId = ?", (upn,)
    )
    sent = app_conn.execute(
        "SELECT subject FROM Messages WHERE UserId = ? AND parentFolderId = 'sentitems' "
        "AND subject = 'wp app-only mail'",
        (upn,),
    ).fetchall()
    assert sent == [("wp app-only mail",)]


def test_user_id_property_and_parameter(own_emulator: Emulator) -> None:
    upn = _demo_upn(own_emulator)
    with connect(own_emulator, UserId=upn) as conn:
        fid = one(conn.execute("EXEC UploadFile FileName = 'wp scoped.txt', Content = ?", (b64(b"scoped"),)))[
            0
        ]
        row = one(conn.execute("EXEC DownloadFile FileId = ?, UserId = 'me'", (fid,)))
        assert base64.b64decode(row[3]) == b"scoped"
    with connect(own_emulator) as conn:
        row = one(conn.execute("EXEC DownloadFile FileId = ?, UserId = ?", (fid, upn)))
        assert row[1] == "wp scoped.txt"


class _Tokens:
    def __init__(self, app_only: bool) -> None:
        self.app_only = app_only

    def get_token(self, *, force_refresh: bool = False) -> str:
        raise AssertionError("scope_path needs no token")


def _context(app_only: bool, user_id: str | None) -> ProcedureContext:
    return ProcedureContext(
        props=resolve(""),
        graph=None,
        tokens=_Tokens(app_only),
        http=None,
        user_id=user_id,  # type: ignore[arg-type]
    )


def test_scope_path_rules() -> None:
    ctx = _context(True, None)
    with pytest.raises(o365sql.ProgrammingError, match="pass UserId"):
        scope_path(ctx, {}, "SendMail")
    assert scope_path(ctx, {"UserId": "a b@x.com"}, "SendMail") == "/users/a%20b@x.com"
    prop_ctx = _context(True, "u1")
    assert scope_path(prop_ctx, {}, "SendMail") == "/users/u1"
    assert scope_path(prop_ctx, {"UserId": "u2"}, "SendMail") == "/users/u2"
    delegated = _context(False, None)
    assert scope_path(delegated, {}, "SendMail") == "/me"
    assert scope_path(delegated, {"UserId": "me"}, "SendMail") == "/me"
    with pytest.raises(o365sql.ProgrammingError):
        scope_path(delegated, {"UserId": ".."}, "SendMail")
