"""A token without a table's permission: the 403 reaches the user naming the permission to add."""

from __future__ import annotations

import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string, token_for


@pytest.mark.parametrize(
    ("table", "permission"),
    [("Calendars", "Calendars.Read"), ("Contacts", "Contacts.Read"), ("Messages", "Mail.Read")],
)
def test_missing_permission_is_named(emulator: Emulator, table: str, permission: str) -> None:
    token = token_for(emulator, frozenset({"User.Read"}))
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(f"SELECT id FROM {table}").fetchall()
    err = info.value
    assert isinstance(err, o365sql.ProgrammingError) and err.status == 403
    assert err.code == "ErrorAccessDenied" and err.request_id
    assert table in str(err) and permission in str(err) and "Scope" in str(err)
    assert token not in str(err) and token not in repr(err)
