"""The rules a multi-owner client lives by: per-app budget, users without a mailbox, delta tokens that expire,
contacts delta."""

from __future__ import annotations

from collections.abc import Callable

from graph_helpers import client_for, token_for

from o365sql.emulator import Emulator

Make = Callable[..., Emulator]


def test_app_budget_spans_mailboxes_and_is_per_app(make_emulator: Make) -> None:
    emu = make_emulator(faults="app_throttle_after=3,throttle_window=60")
    users = emu.state.directory.users
    with client_for(emu, token_for(emu, app=True)) as app, client_for(emu, token_for(emu)) as public:
        codes = [app.get(f"/users/{users[n].id}/messages?$top=1").status_code for n in range(4)]
        assert codes == [200, 200, 200, 429]  # four mailboxes, one app: the fourth request is over
        r = app.get(f"/users/{users[5].id}/events?$top=1")
        assert r.status_code == 429 and r.json()["error"]["code"] == "TooManyRequests"
        assert public.get("/me/messages?$top=1").status_code == 200  # another app has its own budget


def test_a_user_without_a_mailbox_licence(make_emulator: Make) -> None:
    emu = make_emulator()
    user = emu.state.directory.users[3]
    emu.admin("POST", "faults", {"no_mailbox": user.user_principal_name})
    with client_for(emu, token_for(emu, app=True)) as app:
        for path in (f"/users/{user.id}/messages", f"/users/{user.user_principal_name}/calendar/events"):
            r = app.get(path)
            assert r.status_code == 404, path
            assert r.json()["error"]["code"] == "MailboxNotEnabledForRESTAPI"
        assert app.get(f"/users/{user.id}").status_code == 200  # the directory still knows the user
        assert app.get(f"/users/{user.id}/drive/root/children").status_code == 200
        assert app.get(f"/users/{emu.state.directory.users[4].id}/messages").status_code == 200


def _delta_link(client: object, url: str) -> tuple[list[dict[str, object]], str]:
    items: list[dict[str, object]] = []
    while True:
        page = client.get(url).json()  # type: ignore[attr-defined]
        items += page["value"]
        if "@odata.deltaLink" in page:
            return items, page["@odata.deltaLink"]
        url = page["@odata.nextLink"]


def test_delta_tokens_expire_with_410_and_a_location(make_emulator: Make) -> None:
    emu = make_emulator()
    with client_for(emu, token_for(emu)) as me:
        for start in ("/me/contacts/delta", "/me/drive/root/delta", "/users/delta"):
            _items, link = _delta_link(me, start)
            assert me.get(link).status_code == 200
            assert emu.admin("POST", "delta/expire", {})["expired"] > 0
            r = me.get(link)
            assert r.status_code == 410, start
            assert r.headers["location"].endswith(start.lstrip("/")), r.headers
        _items, link = _delta_link(me, "/me/mailFolders/inbox/messages/delta")
        emu.admin("POST", "faults", {"delta_token_ttl": 60})  # tokens older than a minute are gone
        assert me.get(link).status_code == 200
        emu.advance_clock(61)
        assert me.get(link).status_code == 410


def test_contacts_delta_reports_changes_and_removals(make_emulator: Make) -> None:
    emu = make_emulator()
    with client_for(emu, token_for(emu)) as me:
        everyone = me.get("/me/contacts", params={"$top": "1000", "$select": "id"}).json()["value"]
        items, link = _delta_link(me, "/me/contacts/delta?$select=displayName")
        assert {i["id"] for i in items} == {c["id"] for c in everyone}
        changed, gone = everyone[0]["id"], everyone[1]["id"]
        assert me.patch(f"/me/contacts/{changed}", json={"displayName": "Renamed"}).status_code == 200
        assert me.delete(f"/me/contacts/{gone}").status_code == 204
        items, _link = _delta_link(me, link)
        assert {i["id"]: i.get("displayName", i.get("@removed")) for i in items} == {
            changed: "Renamed",
            gone: {"reason": "deleted"},
        }
