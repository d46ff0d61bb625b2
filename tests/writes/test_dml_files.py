"""Files: INSERT creates folders, UPDATE renames and moves (same bytes), DELETE removes."""

from __future__ import annotations

import httpx
import pytest

import o365sql

from .conftest import get, items, status


def _download(raw: httpx.Client, iid: str) -> bytes:
    response = raw.get(f"/me/drive/items/{iid}/content", follow_redirects=True)
    assert response.status_code == 200, response.text
    return response.content


def test_folder_create_rename_move_delete(con: o365sql.Connection, raw: httpx.Client) -> None:
    outer = con.execute("INSERT INTO Files (name) VALUES ('SQL reports')").inserted_ids[0]
    inner = con.execute(
        "INSERT INTO Files (name, parentReference_id) VALUES ('2030', ?)", (outer,)
    ).inserted_ids[0]
    assert [c["name"] for c in items(raw, f"/me/drive/items/{outer}/children")] == ["2030"]
    assert "folder" in get(raw, f"/me/drive/items/{inner}")
    with pytest.raises(o365sql.IntegrityError, match="already exists"):
        con.execute("INSERT INTO Files (name, ParentId) VALUES ('2030', ?)", (outer,))

    # a file uploaded by the test itself, then renamed and moved through SQL
    data = b"quarter,total\nQ1,10\n"
    put = raw.put(f"/me/drive/items/{outer}:/numbers.csv:/content", content=data)
    assert put.status_code == 201, put.text
    fid = put.json()["id"]
    cur = con.execute(
        "UPDATE Files SET name = 'numbers-q1.csv', parentReference_id = ? WHERE id = ?", (inner, fid)
    )
    assert cur.rowcount == 1
    moved = get(raw, f"/me/drive/items/{fid}")
    assert moved["name"] == "numbers-q1.csv" and moved["parentReference"]["id"] == inner
    assert moved["parentReference"]["path"].endswith("/SQL reports/2030")
    assert _download(raw, fid) == data
    with pytest.raises(o365sql.NotSupportedError, match=r"Files\.size is read-only"):
        con.execute("UPDATE Files SET size = 1 WHERE id = ?", (fid,))

    assert con.execute("DELETE FROM Files WHERE id = ?", (outer,)).rowcount == 1
    assert status(raw, f"/me/drive/items/{outer}") == 404
    assert status(raw, f"/me/drive/items/{fid}") == 404
