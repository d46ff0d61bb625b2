"""Checklist 34 and the fault knobs: 429 with Retry-After (integer and fractional) and Graph's innerError,
throttling after N requests per mailbox, the 4-concurrent-requests limit, 503/504, dropped connections,
latency, token-endpoint 429s, and seeded repeatability."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable

import httpx
import pytest
from graph_helpers import client_for, token_for

from o365sql.emulator import Emulator

Make = Callable[..., Emulator]


def test_throttle_share_429(make_emulator: Make) -> None:
    """429 TooManyRequests, Retry-After as set (integer or fractional), innerError with code/status 429."""
    emu = make_emulator()
    emu.set_faults(throttle_share=1, retry_after=2)
    with client_for(emu, token_for(emu)) as client:
        r = client.get("/me/messages", headers={"client-request-id": "req-1"})
        assert r.status_code == 429
        assert r.headers["retry-after"] == "2"
        error = r.json()["error"]
        assert error["code"] == "TooManyRequests" and error["message"] == "Please retry again later."
        inner = error["innerError"]
        assert (
            inner["code"] == "429" and inner["status"] == "429" and inner["message"] == "Please retry after"
        )
        assert inner["client-request-id"] == "req-1" and inner["request-id"] == r.headers["request-id"]
        emu.set_faults(throttle_share=1, retry_after=2.128)
        assert client.get("/me").headers["retry-after"] == "2.128"
        emu.set_faults(throttle_share=1, retry_after=None)
        r = client.get("/me")
        assert r.status_code == 429 and "retry-after" not in r.headers
        # Only Graph paths: the admin and identity routes are untouched.
        assert emu.admin("GET", "faults")["throttle_share"] == 1
        emu.set_faults()
        assert client.get("/me").status_code == 200


def test_throttle_after_n_per_mailbox(make_emulator: Make) -> None:
    """throttle_after: a mailbox's N+1th request in the window is throttled; another mailbox is not."""
    emu = make_emulator(faults="throttle_after=3,throttle_window=60")
    other = emu.state.directory.users[1]
    with client_for(emu, token_for(emu)) as me, client_for(emu, token_for(emu, user=other.id)) as them:
        assert [me.get("/me/messages?$top=1").status_code for _ in range(3)] == [200, 200, 200]
        assert me.get("/me/messages?$top=1").status_code == 429
        assert me.get(f"/users/{emu.state.directory.demo_user.user_principal_name}/events").status_code == 429
        assert them.get("/me/messages?$top=1").status_code == 200


def test_concurrency_limit(make_emulator: Make) -> None:
    """Four concurrent requests per mailbox: the fifth at once is answered 429 ApplicationThrottled."""
    emu = make_emulator(faults="concurrency=4,latency_ms=800,retry_after=1")
    token = token_for(emu)

    def call(_: int) -> httpx.Response:
        with client_for(emu, token) as client:
            return client.get("/me/messages?$top=1")

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, range(8)))
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) >= 4 and statuses.count(429) >= 1, statuses
    throttled = next(r for r in results if r.status_code == 429)
    assert throttled.json()["error"]["code"] == "ApplicationThrottled"
    assert throttled.headers["retry-after"] == "1"
    with client_for(emu, token) as client:
        assert client.get("/me").status_code == 200  # slots are released


def test_server_errors(make_emulator: Make) -> None:
    """error_share answers 503 (with Retry-After) or 504."""
    emu = make_emulator(faults="error_share=1,seed=3,retry_after=4")
    with client_for(emu, token_for(emu)) as client:
        statuses = {client.get("/me").status_code for _ in range(12)}
        assert statuses <= {503, 504} and 503 in statuses
        r = next(r for r in (client.get("/me") for _ in range(12)) if r.status_code == 503)
        assert r.headers["retry-after"] == "4" and r.json()["error"]["code"] == "serviceNotAvailable"


def test_dropped_connection(make_emulator: Make) -> None:
    """drop_share: headers and half the body, then the connection ends: the client sees a transport error."""
    emu = make_emulator(faults="drop_share=1")
    with client_for(emu, token_for(emu)) as client, pytest.raises(httpx.TransportError):
        client.get("/me/messages?$top=50")
    emu.set_faults()
    with client_for(emu, token_for(emu)) as client:
        assert client.get("/me/messages?$top=50").status_code == 200


def test_latency(make_emulator: Make) -> None:
    """latency_ms delays every Graph request."""
    emu = make_emulator(latency_ms=250)
    with client_for(emu, token_for(emu)) as client:
        client.get("/me")
        start = time.monotonic()
        assert client.get("/me").status_code == 200
        assert time.monotonic() - start >= 0.25


def test_token_endpoint_throttle(make_emulator: Make) -> None:
    """token_throttle_share: /token answers 429 with Retry-After and an AADSTS error body."""
    emu = make_emulator(faults="token_throttle_share=1,retry_after=3")
    with emu.http_client() as client:
        r = client.post(
            f"{emu.authority_host}/{emu.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": emu.app_client_id,
                "client_secret": emu.app_client_secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        )
    assert r.status_code == 429 and r.headers["retry-after"] == "3"
    body = r.json()
    assert body["error_codes"] == [90055] and body["error_description"].startswith("AADSTS90055: ")


def test_seeded_faults_repeat(make_emulator: Make) -> None:
    """With a seed, the same settings give the same sequence of faults."""
    emu = make_emulator()
    with client_for(emu, token_for(emu)) as client:
        runs = []
        for _ in range(2):
            emu.set_faults(throttle_share=0.5, seed=11)
            runs.append([client.get("/me").status_code for _ in range(16)])
        assert runs[0] == runs[1] and set(runs[0]) == {200, 429}


def test_batch_items_throttled_separately(make_emulator: Make) -> None:
    """In a $batch each inner request is throttled on its own (with its own Retry-After)."""
    emu = make_emulator()
    emu.set_faults(throttle_share=0.5, seed=5, retry_after=1.5)
    with client_for(emu, token_for(emu)) as client:
        r = client.post(
            "/$batch",
            json={"requests": [{"id": str(n), "method": "GET", "url": "/me?$select=id"} for n in range(20)]},
        )
        assert r.status_code == 200
        statuses = [x["status"] for x in r.json()["responses"]]
        assert set(statuses) == {200, 429}
        throttled = next(x for x in r.json()["responses"] if x["status"] == 429)
        assert throttled["headers"]["Retry-After"] == "1.5"
        assert throttled["body"]["error"]["code"] == "TooManyRequests"


def test_faults_per_endpoint(make_emulator: Make) -> None:
    """throttle_paths (a regex on the path below /v1.0) limits the share-based faults to some endpoints."""
    emu = make_emulator(faults="throttle_paths=messages,throttle_share=1")
    with client_for(emu, token_for(emu)) as client:
        assert client.get("/me/messages?$top=1").status_code == 429
        assert client.get("/me/events?$top=1").status_code == 200


def test_simple_upload_limit(make_emulator: Make) -> None:
    """The simple-upload size limit is a setting (default 250 MB)."""
    emu = make_emulator(drive_upload_limit=10)
    with client_for(emu, token_for(emu)) as client:
        assert client.put("/me/drive/root:/small.txt:/content", content=b"0123456789").status_code == 201
        r = client.put("/me/drive/root:/big.txt:/content", content=b"0123456789A")
        assert r.status_code == 413 and r.json()["error"]["code"] == "requestTooLarge"
