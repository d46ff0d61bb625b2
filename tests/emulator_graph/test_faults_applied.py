"""The faults real networks produce after a request was applied (garbled, 504, stalled), the token endpoint's
5xx, the mailbox concurrency limit inside $batch, and a request log that shows the path as it was sent."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from graph_helpers import client_for, token_for

from o365sql.emulator import Emulator

Make = Callable[..., Emulator]


def test_garbled_body_is_well_framed_but_not_json(make_emulator: Make) -> None:
    """garble_share: status and Content-Length as the real answer, the bytes no longer JSON."""
    emu = make_emulator()
    with client_for(emu, token_for(emu)) as client:
        clean = client.get("/me/messages?$top=2&$select=id")
        emu.set_faults(garble_share=1)
        r = client.get("/me/messages?$top=2&$select=id")
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == len(r.content) == len(clean.content)
    with pytest.raises(ValueError):
        json.loads(r.content)


@pytest.mark.parametrize("method", ["PUT", "POST", "PATCH", "DELETE"])
def test_late_504_applies_the_request_first(make_emulator: Make, method: str) -> None:
    """late_error_share: every method is applied, then answered 504; a fault-free read shows the effect."""
    emu = make_emulator()
    with client_for(emu, token_for(emu)) as client:
        created = client.post("/me/contacts", json={"givenName": "Late", "surname": "Gateway"}).json()
        emu.set_faults(late_error_share=1)
        if method == "PUT":
            r = client.put("/me/drive/root:/late-504.txt:/content", content=b"applied")
        elif method == "POST":
            r = client.post("/me/contacts", json={"givenName": "Late", "surname": "Twice"})
        elif method == "PATCH":
            r = client.patch(f"/me/contacts/{created['id']}", json={"surname": "Patched"})
        else:
            r = client.delete(f"/me/contacts/{created['id']}")
        assert r.status_code == 504 and r.json()["error"]["code"] == "UnknownError"
        emu.set_faults()
        if method == "PUT":
            assert client.get("/me/drive/root:/late-504.txt:/content").status_code in (200, 302)
        elif method == "POST":
            listed = client.get("/me/contacts?$top=999&$select=surname").json()["value"]
            names = [c["surname"] for c in listed]
            assert names.count("Twice") == 1
        elif method == "PATCH":
            assert client.get(f"/me/contacts/{created['id']}").json()["surname"] == "Patched"
        else:
            assert client.get(f"/me/contacts/{created['id']}").status_code == 404


def test_stalled_response_sends_headers_then_nothing(make_emulator: Make) -> None:
    """stall_share: the status line and headers arrive, the body never completes (the client times out)."""
    emu = make_emulator(faults="stall_share=1")
    with (
        client_for(emu, token_for(emu)) as client,
        client.stream("GET", "/me/messages?$top=5", timeout=httpx.Timeout(5, read=0.5)) as r,
    ):
        assert r.status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            r.read()
    assert [e["status"] for e in emu.requests() if e["path"].endswith("/messages")] == [200]


def test_token_endpoint_5xx(make_emulator: Make) -> None:
    """token_error_share: /token answers 500 or 503 with the identity platform's error body."""
    emu = make_emulator(faults="token_error_share=1,retry_after=2")
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
    assert r.status_code in (500, 503)
    body = r.json()
    assert body["error"] in ("server_error", "temporarily_unavailable") and body["error_codes"]


def test_batch_counts_against_the_mailbox_concurrency_limit(make_emulator: Make) -> None:
    """concurrency=4: of six independent items to one mailbox two get 429; dependent items run in turn."""
    emu = make_emulator(faults="concurrency=4,retry_after=1")
    requests = [{"id": str(i), "method": "GET", "url": "/me/messages?$top=1&$select=id"} for i in range(6)]
    chained = [
        {"id": str(i), "method": "GET", "url": "/me/messages?$top=1&$select=id"}
        | ({"dependsOn": [str(i - 1)]} if i else {})
        for i in range(6)
    ]
    with client_for(emu, token_for(emu)) as client:
        answers = client.post("/$batch", json={"requests": requests}).json()["responses"]
        statuses = sorted(a["status"] for a in answers)
        assert statuses == [200] * 4 + [429] * 2
        throttled = next(a for a in answers if a["status"] == 429)
        assert throttled["body"]["error"]["code"] == "ApplicationThrottled"
        assert throttled["headers"]["Retry-After"] == "1"
        answers = client.post("/$batch", json={"requests": chained}).json()["responses"]
        assert [a["status"] for a in answers] == [200] * 6


def test_request_log_keeps_the_raw_path_and_the_router_keeps_encoded_slashes(make_emulator: Make) -> None:
    """An id holding '/' sent as %2F addresses one segment; the log shows how it was encoded."""
    emu = make_emulator()
    emu.reset()
    with client_for(emu, token_for(emu, app=True)) as client:
        r = client.get("/users/a%2Fb@x.example/messages")
    assert r.status_code == 404
    assert "a/b@x.example" in r.json()["error"]["message"]
    entry = emu.requests()[-1]
    assert entry["raw_path"] == "/v1.0/users/a%2Fb@x.example/messages"
    assert entry["path"] == "/v1.0/users/a/b@x.example/messages"  # the decoded key stays as it was
