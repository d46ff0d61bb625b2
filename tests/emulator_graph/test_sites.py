"""The emulator's SharePoint: who reaches which site, what needs an application, and libraries as drives."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from graph_helpers import ALL_APP, client_for, token_for

from o365sql.emulator import Emulator

# the graph/pgraph fixtures' scopes leave SharePoint out: these add Sites.Read.All and the libraries' scope
SCOPES = frozenset({"User.Read", "Group.Read.All", "Sites.Read.All", "Files.ReadWrite.All"})
ROLES = ALL_APP | {"Sites.Read.All"}


@pytest.fixture
def graph(emulator: Emulator) -> Iterator[httpx.Client]:
    with client_for(emulator, token_for(emulator, SCOPES)) as client:
        yield client


@pytest.fixture
def pgraph(private: Emulator) -> Iterator[httpx.Client]:
    with client_for(private, token_for(private, SCOPES)) as client:
        yield client


def _app(emulator: Emulator) -> httpx.Client:
    return client_for(emulator, token_for(emulator, app=True, roles=ROLES))


def _site_ids(client: httpx.Client, **params: str) -> set[str]:
    answer = client.get("/sites", params=params)
    assert answer.status_code == 200, answer.text
    return {s["id"] for s in answer.json()["value"]}


def test_listing_every_site_is_for_applications(emulator: Emulator, graph: httpx.Client) -> None:
    """site-list.md: GET /sites lists every site for an application; a user searches (search=*)."""
    with _app(emulator) as app:
        everything = _site_ids(app)
        assert _site_ids(app, search="*") == everything
    assert graph.get("/sites").status_code == 400
    mine = _site_ids(graph, search="*")
    # the demo user misses the sites of private groups they are not a member of
    assert mine < everything


def test_a_private_group_site_is_for_its_members(emulator: Emulator, graph: httpx.Client) -> None:
    store = emulator.state.graph
    demo = emulator.state.directory.demo_user.id
    sp = store.sharepoint
    hidden = [
        gid
        for gid in sp.group_site
        if store.groups_by_id[gid]["visibility"] != "Public" and demo not in store.members.get(gid, [])
    ]
    assert hidden
    assert graph.get(f"/groups/{hidden[0]}/sites/root").status_code == 404
    assert graph.get(f"/groups/{hidden[0]}/drive/root/children").status_code == 404
    with _app(emulator) as app:
        assert app.get(f"/groups/{hidden[0]}/sites/root").status_code == 200


def test_followed_sites_are_delegated_only(emulator: Emulator, graph: httpx.Client) -> None:
    assert graph.get("/me/followedSites").status_code == 200
    demo = emulator.state.directory.demo_user.id
    with _app(emulator) as app:
        assert app.get(f"/users/{demo}/followedSites").status_code == 403


def test_sites_need_sites_read_all(emulator: Emulator) -> None:
    with client_for(emulator, token_for(emulator, {"User.Read", "Files.Read.All"})) as client:
        denied = client.get("/sites", params={"search": "*"})
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "accessDenied"
        # a library's files need Files.Read.All (or Sites.Read.All), not Sites.Read.All alone
        root = emulator.state.graph.sharepoint
        drive = next(iter(root.libraries))
        assert client.get(f"/drives/{drive}/root/children").status_code == 200
    with client_for(emulator, token_for(emulator, {"User.Read", "Files.Read"})) as client:
        assert client.get(f"/drives/{drive}/root/children").status_code == 403


def test_a_library_is_one_drive_by_every_path(emulator: Emulator, graph: httpx.Client) -> None:
    sp = emulator.state.graph.sharepoint
    gid, sid = next(iter(sp.group_site.items()))
    drive = sp.site_drives[sid][0]
    paths = (f"/drives/{drive}", f"/sites/{sid}/drive", f"/groups/{gid}/drive")
    listings = [
        sorted(i["id"] for i in graph.get(f"{p}/root/children", params={"$select": "id"}).json()["value"])
        for p in paths
    ]
    assert listings[0] == listings[1] == listings[2] and listings[0]
    assert graph.get(f"/groups/{gid}/drives").json()["value"][0]["id"] == drive


def test_library_writes_and_downloads(private: Emulator, pgraph: httpx.Client) -> None:
    sp = private.state.graph.sharepoint
    gid = next(iter(sp.group_site))
    made = pgraph.post(f"/groups/{gid}/drive/root/children", json={"name": "Notes", "folder": {}})
    assert made.status_code == 201
    put = pgraph.put(f"/groups/{gid}/drive/items/{made.json()['id']}:/a.txt:/content", content=b"hello")
    assert put.status_code == 201
    got = pgraph.get(f"/groups/{gid}/drive/items/{put.json()['id']}/content")
    assert got.status_code == 302
    with private.http_client() as plain:
        assert plain.get(got.headers["Location"]).content == b"hello"


def test_an_upload_session_into_a_library(private: Emulator, pgraph: httpx.Client) -> None:
    sp = private.state.graph.sharepoint
    drive = next(iter(sp.libraries))
    session = pgraph.post(f"/drives/{drive}/root:/General/big.bin:/createUploadSession", json={})
    assert session.status_code == 200, session.text
    body = b"x" * 1000
    with private.http_client() as plain:
        done = plain.put(
            session.json()["uploadUrl"], content=body, headers={"Content-Range": f"bytes 0-999/{len(body)}"}
        )
    assert done.status_code == 201, done.text
    item = pgraph.get(
        f"/drives/{drive}/root:/General/big.bin", params={"$select": "id,size,createdBy"}
    ).json()
    assert item["size"] == 1000 and item["id"] == done.json()["id"]
