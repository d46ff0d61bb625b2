"""Checklist 35-36 (drive downloads and simple uploads) and 33 ($batch)."""

from __future__ import annotations

import httpx
import pytest
from graph_helpers import client_for

from o365sql.emulator import Emulator
from o365sql.emulator.graph.util import quick_xor_hash


def test_content_redirect_and_ranges(emulator: Emulator, graph: httpx.Client) -> None:
    """content: 302 to a pre-authenticated URL (no Authorization), equal to downloadUrl; Range gives 206."""
    item = graph.get("/me/drive/root:/Big report.txt:").json()
    r = graph.get(f"/me/drive/items/{item['id']}/content")
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.split("&tempauth=")[0] == item["@microsoft.graph.downloadUrl"].split("&tempauth=")[0]
    with client_for(emulator) as anon:  # no Authorization header at all
        full = anon.get(location)
        assert full.status_code == 200 and len(full.content) == item["size"] == 420_000
        assert quick_xor_hash(full.content) == item["file"]["hashes"]["quickXorHash"]
        part = anon.get(location, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == full.content[100:200]
        assert part.headers["content-range"] == "bytes 100-199/420000"
        tail = anon.get(location, headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == full.content[-10:]
        bad = anon.get(location, headers={"Range": "bytes=500000-"})
        assert bad.status_code == 416 and bad.headers["content-range"] == "bytes */420000"
        forged = anon.get(location.replace("tempauth=", "tempauth=x"))
        assert forged.status_code == 401
    by_path = graph.get("/me/drive/root:/Readme.txt:/content")
    assert by_path.status_code == 302
    assert (
        graph.get(
            f"/me/drive/items/{graph.get('/me/drive/root:/Documents:').json()['id']}/content"
        ).status_code
        == 400
    )


def test_drive_item_addressing(graph: httpx.Client, emulator: Emulator) -> None:
    """Items by id, by path, root, children; /drives/{id}; folder sizes sum their contents."""
    drive = graph.get("/me/drive").json()
    assert drive["driveType"] == "business" and drive["id"].startswith("b!")
    root = graph.get("/me/drive/root").json()
    names = [c["name"] for c in graph.get("/me/drive/root/children").json()["value"]]
    folders_first = [n for n in names if "." not in n]
    assert names[: len(folders_first)] == folders_first
    falcon = graph.get("/me/drive/root:/Projects/Falcon:").json()
    assert falcon["parentReference"]["path"] == "/drive/root:/Projects"
    by_id = graph.get(f"/me/drive/items/{falcon['id']}/children").json()["value"]
    by_path = graph.get("/me/drive/root:/Projects/Falcon:/children").json()["value"]
    assert [i["id"] for i in by_id] == [i["id"] for i in by_path]
    assert falcon["size"] == sum(i["size"] for i in by_id)
    assert root["size"] == drive["quota"]["used"]
    other = graph.get(f"/drives/{drive['id']}/items/{falcon['id']}")
    assert other.status_code == 200 and other.json()["id"] == falcon["id"]
    r = graph.get("/me/drive/root/children?$orderby=size desc&$top=3&$select=name,size")
    sizes = [i["size"] for i in r.json()["value"]]
    assert sizes == sorted(sizes, reverse=True)


def test_simple_upload(pgraph: httpx.Client) -> None:
    """PUT content: 201 for a new file, 200 when replaced; the bytes come back."""
    r = pgraph.put("/me/drive/root:/Documents/hello.txt:/content", content=b"hello world")
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["name"] == "hello.txt" and item["size"] == 11 and item["file"]["mimeType"] == "text/plain"
    r = pgraph.put(f"/me/drive/items/{item['id']}/content", content=b"hello again, world")
    assert r.status_code == 200 and r.json()["size"] == 18 and r.json()["eTag"] != item["eTag"]
    loc = pgraph.get(f"/me/drive/items/{item['id']}/content").headers["location"]
    assert pgraph.get(loc).content == b"hello again, world"


# -- $batch --------------------------------------------------------------------------------------------------
def test_batch_basics(graph: httpx.Client) -> None:
    """Relative urls with and without '/', per-item status/headers/body, outer 200 with a failing item."""
    r = graph.post(
        "/$batch",
        json={
            "requests": [
                {"id": "1", "method": "GET", "url": "/me?$select=displayName"},
                {"id": "2", "method": "GET", "url": "me/messages?$top=2&$select=subject"},
                {"id": "3", "method": "GET", "url": "/me/messages/not-an-id"},
                {
                    "id": "4",
                    "method": "GET",
                    "url": "/users/$count",
                    "headers": {"ConsistencyLevel": "eventual"},
                },
            ]
        },
    )
    assert r.status_code == 200
    responses = {x["id"]: x for x in r.json()["responses"]}
    assert [x["id"] for x in r.json()["responses"]] == ["1", "2", "3", "4"]
    assert responses["1"]["status"] == 200 and set(responses["1"]["body"]) == {
        "@odata.context",
        "displayName",
    }
    assert responses["1"]["headers"]["Content-Type"].startswith("application/json")
    assert len(responses["2"]["body"]["value"]) == 2
    assert (
        responses["3"]["status"] == 400
        and responses["3"]["body"]["error"]["code"] == "ErrorInvalidIdMalformed"
    )
    assert responses["4"]["status"] == 200 and responses["4"]["body"] == "10"


def test_batch_limits_and_validation(graph: httpx.Client) -> None:
    """20 requests are fine, 21 are refused; duplicate ids and bodies without Content-Type give 400."""
    twenty = [{"id": str(n), "method": "GET", "url": "/me?$select=id"} for n in range(20)]
    r = graph.post("/$batch", json={"requests": twenty})
    assert r.status_code == 200 and len(r.json()["responses"]) == 20
    r = graph.post("/$batch", json={"requests": [*twenty, {"id": "20", "method": "GET", "url": "/me"}]})
    assert r.status_code == 400 and r.json()["error"]["code"] == "BadRequest"
    r = graph.post("/$batch", json={"requests": [twenty[0], twenty[0]]})
    assert r.status_code == 400 and "duplicate" in r.json()["error"]["message"]
    r = graph.post(
        "/$batch",
        json={"requests": [{"id": "1", "method": "POST", "url": "/me/messages", "body": {"subject": "x"}}]},
    )
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"] == "Write request id : 1 does not contain Content-Type header or body."
    )
    r = graph.post(
        "/$batch",
        json={"requests": [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/me"}]},
    )
    assert r.status_code == 400


def test_batch_depends_on_and_writes(pgraph: httpx.Client) -> None:
    """dependsOn runs in order; a failed dependency gives 424; inner writes go through the same handlers."""
    r = pgraph.post(
        "/$batch",
        json={
            "requests": [
                {
                    "id": "a",
                    "method": "POST",
                    "url": "/me/messages",
                    "headers": {"Content-Type": "application/json"},
                    "body": {"subject": "from batch"},
                },
                {
                    "id": "b",
                    "method": "GET",
                    "url": "/me/mailFolders/drafts/messages?$filter=subject eq 'from batch'",
                    "dependsOn": ["a"],
                },
                {"id": "c", "method": "GET", "url": "/me/messages/bad-id"},
                {"id": "d", "method": "GET", "url": "/me", "dependsOn": ["c"]},
            ]
        },
    )
    assert r.status_code == 200
    out = {x["id"]: x for x in r.json()["responses"]}
    assert out["a"]["status"] == 201 and out["a"]["body"]["isDraft"] is True
    assert out["b"]["status"] == 200 and len(out["b"]["body"]["value"]) == 1
    assert out["c"]["status"] == 400
    assert out["d"]["status"] == 424


def test_batch_reordering_knob(make_emulator: type[Emulator]) -> None:
    """With batch_reorder set, responses may come back in another order (ids still match)."""
    emu = make_emulator(faults="batch_reorder=1")
    from graph_helpers import token_for

    with client_for(emu, token_for(emu)) as client:
        requests = [
            {"id": str(n), "method": "GET", "url": f"/me/messages?$top=1&$skip={n}&$select=id"}
            for n in range(20)
        ]
        orders = set()
        for _ in range(3):
            r = client.post("/$batch", json={"requests": requests})
            orders.add(tuple(x["id"] for x in r.json()["responses"]))
        assert any(order != tuple(str(n) for n in range(20)) for order in orders)
        assert all(sorted(order, key=int) == [str(n) for n in range(20)] for order in orders)


@pytest.mark.parametrize("url", ["me", "/me"])
def test_batch_url_forms(graph: httpx.Client, url: str) -> None:
    """The docs show urls with and without a leading slash."""
    r = graph.post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": url}]})
    assert r.json()["responses"][0]["status"] == 200
