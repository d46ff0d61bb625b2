"""The emulator's clock: the admin route moves it, and every expiry follows it exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from o365sql.emulator import Emulator

Make = Callable[..., Emulator]
GRAPH = "https://graph.microsoft.com"


def _app_token(emu: Emulator, client: httpx.Client) -> dict[str, Any]:
    resp = client.post(
        f"{emu.authority_host}/{emu.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": emu.app_client_id,
            "client_secret": emu.app_client_secret,
            "scope": f"{GRAPH}/.default",
        },
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_clock_route_moves_forward_only(make_emulator: Make) -> None:
    emu = make_emulator(data="empty")
    with emu.http_client() as client:
        url = f"{emu.authority_host}/_emulator/clock"
        start = client.get(url).json()
        assert start["offset_seconds"] == 0
        moved = client.post(url, json={"advance_seconds": 86400}).json()
        assert moved["offset_seconds"] == 86400
        assert 86400 <= moved["time"] - start["time"] < 86400 + 60
        assert moved["now"].endswith("Z") and moved["now"][:10] != start["now"][:10]
        for bad in ({"advance_seconds": -1}, {"advance_seconds": "10"}, {}, {"advance_seconds": 1, "x": 2}):
            resp = client.post(url, json=bad)
            assert resp.status_code == 400 and resp.json()["error"], bad
        assert client.get(url).json()["offset_seconds"] == 86400  # refused requests moved nothing
    assert emu.advance_clock(0.5)["offset_seconds"] == 86400.5
    assert emu.clock()["offset_seconds"] == 86400.5


def test_access_token_expires_exactly_at_its_lifetime(make_emulator: Make) -> None:
    emu = make_emulator(data="empty", access_token_lifetime=600)
    with emu.http_client() as client:
        token = _app_token(emu, client)
        assert token["expires_in"] == 600
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        emu.advance_clock(595)
        assert client.get(f"{emu.graph_url}/users", headers=headers).status_code == 200
        emu.advance_clock(5)
        resp = client.get(f"{emu.graph_url}/users", headers=headers)
        assert resp.status_code == 401
        assert resp.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert resp.json()["error"]["message"] == "Access token has expired or is not yet valid."


def test_throttle_window_passes_with_the_clock(make_emulator: Make) -> None:
    emu = make_emulator(data="empty", faults="throttle_after=2,throttle_window=600,retry_after=30")
    with emu.http_client() as client:
        headers = {"Authorization": f"Bearer {_app_token(emu, client)['access_token']}"}
        me = f"{emu.graph_url}/users/{emu.demo_user}"
        assert [client.get(me, headers=headers).status_code for _ in range(3)] == [200, 200, 429]
        emu.advance_clock(599)
        throttled = client.get(me, headers=headers)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "30"
        emu.advance_clock(2)
        assert client.get(me, headers=headers).status_code == 200


def test_timestamps_follow_the_clock(make_emulator: Make) -> None:
    emu = make_emulator(data="empty")
    emu.advance_clock(10 * 86400)
    moved = emu.clock()["now"][:10]
    with emu.http_client() as client:
        resp = client.post(
            f"{emu.authority_host}/{emu.tenant_id}/oauth2/v2.0/token", data={"grant_type": "password"}
        )
        assert resp.json()["timestamp"][:10] == moved
        headers = {"Authorization": f"Bearer {_app_token(emu, client)['access_token']}"}
        missing = client.get(f"{emu.graph_url}/users/nobody@example.com", headers=headers)
        assert missing.json()["error"]["innerError"]["date"][:10] == moved


def test_download_url_lapses_after_an_hour(make_emulator: Make) -> None:
    emu = make_emulator(data="demo")
    with emu.http_client() as client:
        headers = {"Authorization": f"Bearer {_app_token(emu, client)['access_token']}"}
        item = client.get(f"{emu.graph_url}/users/{emu.demo_user}/drive/root:/Readme.txt", headers=headers)
        url = item.json()["@microsoft.graph.downloadUrl"]
        emu.advance_clock(3599)
        assert client.get(url).status_code == 200
        emu.advance_clock(2)
        assert client.get(url).status_code == 401
