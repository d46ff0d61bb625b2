"""A scan never presents part of a collection as all of it: a 404 after the first page is an error."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from o365sql.emulator import Emulator
from o365sql.errors import NotFoundError, OperationalError

from .conftest import connect_app

Make = Callable[..., Emulator]


def _delete_user(emu: Emulator, user_id: str) -> None:
    store = emu.state.graph
    with store.lock:
        store.users[:] = [u for u in store.users if u["id"] != user_id]
        store.users_by_id.pop(user_id, None)


def _victim(emu: Emulator) -> str:
    demo = emu.state.directory.demo_user.id
    return next(u.id for u in emu.state.directory.users if u.id != demo)


def test_mailbox_gone_after_the_first_page_is_an_error_not_fewer_rows(make_emulator: Make) -> None:
    """Messages WHERE UserId = X: the user disappears after page 1; the scan raises, it does not end."""
    emu = make_emulator()
    victim = _victim(emu)
    con = connect_app(emu, Pagesize=5)
    cur = con.cursor()
    cur.execute("SELECT Id FROM Messages WHERE UserId = ?", (victim,))
    assert len(cur.fetchmany(1)) == 1
    _delete_user(emu, victim)
    with pytest.raises(OperationalError, match=r"incomplete") as info:
        cur.fetchall()
    assert not isinstance(info.value, NotFoundError)
    con.close()


def test_app_only_fan_out_fails_when_a_mailbox_vanishes_mid_scan(make_emulator: Make) -> None:
    """Contacts of every mailbox (app-only): a mailbox that 404s after its first page fails the whole scan."""
    emu = make_emulator()
    users = [u.id for u in emu.state.directory.users]
    con = connect_app(emu, Pagesize=2)
    cur = con.cursor()
    cur.execute("SELECT Id, UserId FROM Contacts")
    first = cur.fetchmany(1)
    assert first
    owner = first[0][1]
    assert owner in users
    _delete_user(emu, owner)
    with pytest.raises(OperationalError, match=r"incomplete"):
        cur.fetchall()
    con.close()
