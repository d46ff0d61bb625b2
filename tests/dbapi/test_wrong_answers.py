"""Queries SQLite answers with no rows (or all rows) that mean a mistake: they raise, saying what to write."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import o365sql
from o365sql import Connection
from o365sql.emulator import Emulator

Connect = Callable[..., Connection]


@pytest.mark.parametrize("pushdown", [True, False])
@pytest.mark.parametrize(
    ("where", "params", "says"),
    [
        ("isRead = 'yes'", (), "isRead = 1"),
        ("isRead = ?", ("yes",), "isRead = 1"),
        ("isRead IN (0, 'no')", (), "BOOLEAN"),
        ("isRead = 2", (), "BOOLEAN"),
        ("receivedDateTime > 'yesterday'", (), "strftime"),
        ("receivedDateTime > ?", ("last week",), "a date"),
        ("receivedDateTime = 5", (), "DATETIME"),
        ("flag_dueDateTime_dateTime < 'soon'", (), "DATETIME"),
    ],
)
def test_a_value_of_no_meaning_for_the_column_raises(
    live_connect: Connect, pushdown: bool, where: str, params: tuple[str, ...], says: str
) -> None:
    con = live_connect(Pushdown=pushdown)
    with pytest.raises(o365sql.DataError, match=says):
        con.execute(f"SELECT id FROM Messages WHERE {where}", params).fetchall()


@pytest.mark.parametrize(
    "where",
    [
        "isRead = 1",
        "isRead = true",
        "isRead IN (0, 1)",
        "receivedDateTime > '2020-01-01'",
        "receivedDateTime > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-10000 day')",
        "receivedDateTime IS NOT NULL",
    ],
)
def test_meaningful_values_still_work(live_connect: Connect, where: str) -> None:
    rows = live_connect().execute(f"SELECT count(*) FROM Messages WHERE {where}").fetchall()
    assert rows[0][0] > 0


def test_a_misspelled_user_id_raises(live_connect: Connect, emulator: Emulator) -> None:
    con = live_connect()
    for sql in (
        "SELECT id FROM Messages WHERE UserId = 'nobody@contoso-demo.example'",
        "SELECT id FROM Messages WHERE UserId = 'nobody@contoso-demo.example' AND parentFolderId = 'inbox'",
        "SELECT id FROM Messages WHERE UserId = 'nobody@contoso-demo.example' AND id = 'x'",
        "SELECT id FROM Files WHERE UserId = 'nobody@contoso-demo.example'",
        "SELECT id FROM MessageAttachments WHERE UserId = 'nobody@contoso-demo.example'",
    ):
        with pytest.raises(o365sql.errors.NotFoundError, match="no mailbox or drive for UserId 'nobody@"):
            con.execute(sql).fetchall()
    with pytest.raises(o365sql.errors.NotFoundError, match="UserId"):
        live_connect(UserId="nobody@contoso-demo.example").execute("SELECT id FROM Events").fetchall()
    # what does not exist inside a real mailbox is still no rows
    upn = emulator.state.directory.demo_user.user_principal_name
    sql = "SELECT id FROM Messages WHERE UserId = ? AND parentFolderId = 'no-such-folder'"
    assert con.execute(sql, (upn,)).fetchall() == []
    assert con.execute("SELECT id FROM Messages WHERE id = 'no-such-message'").fetchall() == []
