"""POST .../attachments on a message and on an event: one rule for what Graph takes directly."""

from __future__ import annotations

import base64

import httpx
import pytest

BAD = [
    ({"@odata.type": "#microsoft.graph.itemAttachment", "name": "x"}, 400, "ErrorInvalidRequest"),
    (
        {"@odata.type": "#microsoft.graph.fileAttachment", "name": "x", "contentBytes": "@@"},
        400,
        "ErrorInvalidBase64String",
    ),
    (
        {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": "big.bin",
            "contentBytes": base64.b64encode(b"\0" * (3 * 1024 * 1024)).decode(),
        },
        413,
        "ErrorRequestEntityTooLarge",
    ),
]


@pytest.mark.parametrize("parent", ["messages", "events"])
@pytest.mark.parametrize(("body", "status", "code"), BAD)
def test_what_cannot_be_attached_directly_is_refused(
    pgraph: httpx.Client, parent: str, body: dict[str, str], status: int, code: str
) -> None:
    item = pgraph.get(f"/me/{parent}", params={"$top": "1", "$select": "id"}).json()["value"][0]
    answer = pgraph.post(f"/me/{parent}/{item['id']}/attachments", json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    listed = pgraph.get(f"/me/{parent}/{item['id']}/attachments", params={"$select": "name"}).json()["value"]
    assert body["name"] not in {a["name"] for a in listed}


@pytest.mark.parametrize("parent", ["messages", "events"])
def test_a_small_file_is_attached(pgraph: httpx.Client, parent: str) -> None:
    item = pgraph.get(f"/me/{parent}", params={"$top": "1", "$select": "id"}).json()["value"][0]
    body = {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": "note.txt",
        "contentBytes": base64.b64encode(b"hello").decode(),
    }
    assert pgraph.post(f"/me/{parent}/{item['id']}/attachments", json=body).status_code == 201
    listed = pgraph.get(f"/me/{parent}/{item['id']}/attachments", params={"$select": "name"}).json()["value"]
    assert "note.txt" in {a["name"] for a in listed}
