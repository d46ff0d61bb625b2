"""A scan never presents part of a collection as all of it: a 404 after the first page is an error."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from o365sql.emulator import Emulator
from o365sql.errors import NotFoundError, OperationalError
from o365sql.graph import GraphClient

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


def test_the_client_turns_a_later_pages_404_into_an_incomplete_result_error() -> None:
    """GraphClient itself: a 404 on the first page stays NotFoundError (the caller may read it as no rows);
    on a later page it is an OperationalError that carries no 404 status, so nobody can read it so."""
    base = "https://graph.test/v1.0"
    gone = {"error": {"code": "ErrorItemNotFound", "message": "gone"}}

    class Tokens:
        app_only = False

        def get_token(self, *, force_refresh: bool = False) -> str:
            return "t"

    with respx.mock(base_url=base, assert_all_called=False) as mock:
        mock.get(url=f"{base}/me/contacts?$skip=2").respond(404, json=gone)
        mock.get(url=f"{base}/me/contacts").respond(
            json={"value": [{"id": "1"}, {"id": "2"}], "@odata.nextLink": f"{base}/me/contacts?$skip=2"}
        )
        mock.get(url=f"{base}/me/events").respond(404, json=gone)
        with GraphClient(base, Tokens(), http=httpx.Client()) as graph:
            items = graph.iter_items("/me/contacts")
            assert [next(items), next(items)] == [{"id": "1"}, {"id": "2"}]
            with pytest.raises(OperationalError, match=r"page 2 .* after 1 page") as info:
                next(items)
            assert not isinstance(info.value, NotFoundError) and info.value.status is None
            with pytest.raises(NotFoundError):
                list(graph.iter_items("/me/events"))
