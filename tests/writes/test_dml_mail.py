"""Messages, MailFolders and MessageAttachments: INSERT, UPDATE (including the move), DELETE."""

from __future__ import annotations

import base64

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import get, items, status


def test_insert_creates_a_draft_in_drafts(con: o365sql.Connection, raw: httpx.Client) -> None:
    cur = con.execute(
        "INSERT INTO Messages (subject, body_contentType, body_content, toRecipients, importance) "
        "VALUES ('Quarterly draft', 'text', 'Numbers attached.', "
        "'Ana <ana@example.com>; bo@example.com', 'high')"
    )
    mid = cur.inserted_ids[0]
    drafts = {m["id"]: m for m in items(raw, "/me/mailFolders/drafts/messages", **{"$top": "100"})}
    assert mid in drafts
    body = get(raw, f"/me/messages/{mid}")
    assert body["isDraft"] is True and body["importance"] == "high"
    assert body["body"]["content"] == "Numbers attached."
    assert [r["emailAddress"]["address"] for r in body["toRecipients"]] == [
        "ana@example.com",
        "bo@example.com",
    ]
    assert body["toRecipients"][0]["emailAddress"]["name"] == "Ana"


def test_insert_into_a_folder_and_returning(con: o365sql.Connection, raw: httpx.Client) -> None:
    cur = con.execute(
        "INSERT INTO Messages (subject, parentFolderId) VALUES ('Filed note', 'archive') "
        "RETURNING id, parentFolderId, isDraft, subject"
    )
    rows = cur.fetchall()
    assert len(rows) == 1
    mid, folder, is_draft, subject = rows[0]
    archive = get(raw, "/me/mailFolders/archive")["id"]
    assert folder == archive and is_draft in (1, True) and subject == "Filed note"
    assert get(raw, f"/me/messages/{mid}")["parentFolderId"] == archive


def test_update_flags_and_categories(con: o365sql.Connection, raw: httpx.Client) -> None:
    mid = con.execute("SELECT id FROM Messages WHERE parentFolderId = 'inbox' LIMIT 1").fetchone()[0]
    cur = con.execute(
        "UPDATE Messages SET isRead = 1, categories = '[\"Blue\"]', flag_flagStatus = 'flagged' WHERE id = ?",
        (mid,),
    )
    assert cur.rowcount == 1
    body = get(raw, f"/me/messages/{mid}")
    assert body["isRead"] is True and body["categories"] == ["Blue"]
    assert body["flag"]["flagStatus"] == "flagged"


def test_update_parent_folder_moves_and_reports_the_new_id(
    con: o365sql.Connection, raw: httpx.Client
) -> None:
    inbox = get(raw, "/me/mailFolders/inbox")["id"]
    archive = get(raw, "/me/mailFolders/archive")["id"]
    mid = con.execute("SELECT id FROM Messages WHERE parentFolderId = 'inbox' LIMIT 1 OFFSET 3").fetchone()[0]
    cur = con.execute("UPDATE Messages SET parentFolderId = 'archive' WHERE id = ?", (mid,))
    assert cur.rowcount == 1 and list(cur.moved_ids) == [mid]
    new_id = cur.moved_ids[mid]
    assert new_id != mid
    assert get(raw, f"/me/messages/{new_id}")["parentFolderId"] == archive
    assert mid not in {m["id"] for m in items(raw, f"/me/mailFolders/{inbox}/messages", **{"$top": "500"})}
    assert new_id in {m["id"] for m in items(raw, f"/me/mailFolders/{archive}/messages", **{"$top": "500"})}


def test_update_subject_of_a_sent_message_is_refused_by_graph(con: o365sql.Connection) -> None:
    mid = con.execute("SELECT id FROM Messages WHERE parentFolderId = 'inbox' LIMIT 1").fetchone()[0]
    with pytest.raises(o365sql.DatabaseError, match="not allowed on a sent message"):
        con.execute("UPDATE Messages SET subject = 'rewritten' WHERE id = ?", (mid,))


def test_delete_message(con: o365sql.Connection, raw: httpx.Client) -> None:
    mid = con.execute("INSERT INTO Messages (subject) VALUES ('Throwaway')").inserted_ids[0]
    assert con.execute("DELETE FROM Messages WHERE id = ?", (mid,)).rowcount == 1
    assert status(raw, f"/me/messages/{mid}") == 404


def test_mail_folders(con: o365sql.Connection, raw: httpx.Client) -> None:
    top = con.execute("INSERT INTO MailFolders (displayName) VALUES ('SQL projects')").inserted_ids[0]
    child = con.execute(
        "INSERT INTO MailFolders (displayName, parentFolderId) VALUES ('Falcon', ?)", (top,)
    ).inserted_ids[0]
    assert [f["id"] for f in items(raw, f"/me/mailFolders/{top}/childFolders")] == [child]
    con.execute("UPDATE MailFolders SET displayName = 'SQL projects 2026' WHERE id = ?", (top,))
    assert get(raw, f"/me/mailFolders/{top}")["displayName"] == "SQL projects 2026"
    assert con.execute("DELETE FROM MailFolders WHERE id = ?", (top,)).rowcount == 1
    assert status(raw, f"/me/mailFolders/{top}") == 404


def test_message_attachments(con: o365sql.Connection, raw: httpx.Client, wemu: Emulator) -> None:
    mid = con.execute("INSERT INTO Messages (subject) VALUES ('With attachment')").inserted_ids[0]
    data = b"col1,col2\n1,2\n"
    cur = con.execute(
        "INSERT INTO MessageAttachments (MessageId, name, contentType, contentBytes) VALUES (?, ?, ?, ?)",
        (mid, "numbers.csv", "text/csv", data),
    )
    aid = cur.inserted_ids[0]
    got = get(raw, f"/me/messages/{mid}/attachments/{aid}")
    assert got["name"] == "numbers.csv" and base64.b64decode(got["contentBytes"]) == data
    con.execute(
        "INSERT INTO MessageAttachments (MessageId, name, contentBytes) VALUES (?, 'b.txt', ?)",
        (mid, base64.b64encode(b"second").decode()),
    )
    assert len(items(raw, f"/me/messages/{mid}/attachments")) == 2
    cur = con.execute("DELETE FROM MessageAttachments WHERE MessageId = ? AND name = 'numbers.csv'", (mid,))
    assert cur.rowcount == 1
    assert [a["name"] for a in items(raw, f"/me/messages/{mid}/attachments")] == ["b.txt"]
    with pytest.raises(o365sql.NotSupportedError, match="MessageAttachments does not accept UPDATE"):
        con.execute("UPDATE MessageAttachments SET name = 'c.txt' WHERE MessageId = ?", (mid,))


def test_large_attachment_goes_through_an_upload_session(
    con: o365sql.Connection, raw: httpx.Client, wemu: Emulator
) -> None:
    mid = con.execute("INSERT INTO Messages (subject) VALUES ('Large attachment')").inserted_ids[0]
    data = bytes(range(256)) * (4 * 1024 * 4)  # 4 MiB
    mark = len(wemu.requests())
    aid = con.execute(
        "INSERT INTO MessageAttachments (MessageId, name, contentType, contentBytes) "
        "VALUES (?, 'big.bin', 'application/octet-stream', ?)",
        (mid, data),
    ).inserted_ids[0]
    log = wemu.requests()[mark:]
    assert any(r["path"].endswith("/attachments/createUploadSession") for r in log)
    assert sum(r["method"] == "PUT" for r in log) == 2  # 4 MiB in fragments of 3.75 MiB
    got = raw.get(f"/me/messages/{mid}/attachments/{aid}/$value")
    assert got.status_code == 200 and got.content == data
