"""SendMail, ReplyToMessage, ForwardMail, MoveMail, CreateFolder, AddAttachments and DownloadAttachments."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

import pytest

import o365sql
from o365sql import errors, procedures
from o365sql.connection import Connection
from o365sql.emulator import Emulator

from .conftest import b64, names, one


def _draft(conn: Connection, subject: str, to: str = "someone@example.com") -> str:
    made = conn.procedure_context.graph.request(
        "POST",
        "/me/messages",
        json={"subject": subject, "toRecipients": [{"emailAddress": {"address": to}}]},
        idempotent=False,
    ).json()
    return str(made["id"])


def _inbox_message(conn: Connection, offset: int) -> tuple[str, str]:
    row = one(
        conn.execute(
            "SELECT id, subject FROM Messages WHERE parentFolderId = 'inbox' ORDER BY receivedDateTime DESC "
            "LIMIT 1 OFFSET ?",
            (offset,),
        )
    )
    assert row is not None
    return str(row[0]), str(row[1])


def _bare(subject: str) -> str:
    return re.sub(r"^(?:(?:RE|FW|FWD):\s*)+", "", subject, flags=re.IGNORECASE)


def _sent_subjects(conn: Connection) -> list[Any]:
    return [r[0] for r in conn.execute("SELECT subject FROM Messages WHERE parentFolderId = 'sentitems'")]


def test_registered_with_descriptions() -> None:
    for name in (
        "SendMail",
        "ReplyToMessage",
        "ForwardMail",
        "MoveMail",
        "CreateFolder",
        "AddAttachments",
        "DownloadAttachments",
    ):
        proc = procedures.get(name)
        assert proc.description and all(p.description for p in proc.params)
        assert proc.param("UserId") is not None


def test_listed_in_system_tables(conn: Connection) -> None:
    listed = {r[0] for r in conn.execute("SELECT ProcedureName FROM sys_procedures")}
    assert {"SendMail", "MoveMail", "DownloadAttachments", "UploadFile", "CancelEvent"} <= listed
    params = conn.execute(
        "SELECT ColumnName, IsRequired FROM sys_procedureparameters WHERE ProcedureName = 'MoveMail' "
        "AND Direction = 1 ORDER BY Ordinal"
    ).fetchall()
    assert params == [("MessageId", True), ("DestinationId", True), ("UserId", False)]


def test_send_mail_exec_and_callproc(conn: Connection) -> None:
    cur = conn.cursor()
    cur.execute(
        "EXEC SendMail Subject = ?, Content = ?, ToRecipients = ?, CCRecipients = ?",
        ("wp exec mail", "<b>hi</b>", "a@example.com; Bee <b@example.com>", "c@example.com"),
    )
    assert names(cur) == ["Status"]
    assert cur.fetchall() == [("Success",)]
    cur.callproc(
        "SendMail",
        {
            "Subject": "wp callproc mail",
            "Content": "x",
            "ToRecipients": "a@example.com",
            "ContentType": "html",
        },
    )
    assert cur.fetchall() == [("Success",)]
    sent = _sent_subjects(conn)
    assert "wp exec mail" in sent and "wp callproc mail" in sent
    row = one(
        conn.execute(
            "SELECT toRecipients, ccRecipients, body_contentType FROM Messages "
            "WHERE parentFolderId = 'sentitems' AND subject = 'wp callproc mail'"
        )
    )
    assert row is not None and "a@example.com" in row[0] and row[2] == "html"
    recips = one(
        conn.execute(
            "SELECT toRecipients FROM Messages WHERE parentFolderId = 'sentitems' "
            "AND subject = 'wp exec mail'"
        )
    )[0]
    assert "b@example.com" in recips and "Bee" in recips


def test_send_mail_positional_callproc_sends(conn: Connection, own_emulator: Emulator) -> None:
    """Positional arguments follow the documented order: recipients, subject, body (not a draft's Id)."""
    cur = conn.cursor()
    cur.callproc("SendMail", ["a@example.com", "wp positional mail", "positional body"])
    assert cur.fetchall() == [("Success",)]
    # checked through Graph itself: the message was sent (Sent Items), not left as a draft
    token, _ = own_emulator.state.tokens.issue_access(
        tenant_id=own_emulator.tenant_id,
        client_id=own_emulator.client_id,
        user_id=own_emulator.state.directory.demo_user.id,
        scopes=frozenset({"Mail.Read"}),
    )
    with own_emulator.http_client() as http:
        found = http.get(
            f"{own_emulator.graph_url}/me/mailFolders/sentitems/messages",
            params={"$filter": "subject eq 'wp positional mail'", "$select": "subject,isDraft,toRecipients"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()["value"]
    assert [(m["isDraft"], m["toRecipients"][0]["emailAddress"]["address"]) for m in found] == [
        (False, "a@example.com")
    ]
    names = [p.name for p in procedures.get("SendMail").params]
    assert names[:3] == ["ToRecipients", "Subject", "Content"]


def test_send_mail_not_saved(conn: Connection) -> None:
    conn.cursor().callproc(
        "SendMail", {"Subject": "wp unsaved", "ToRecipients": "a@example.com", "SaveToSentItems": False}
    )
    assert "wp unsaved" not in _sent_subjects(conn)


def test_send_mail_with_attachments_round_trip(conn: Connection) -> None:
    first, two = os.urandom(1000), b"plain text \x00\xff bytes"
    conn.execute(
        "EXEC SendMail Subject = 'wp with attachments', ToRecipients = ?, Attachments = ?",
        ("a@example.com", f"one.bin,{b64(first)};two.txt,{b64(two)}"),
    )
    mid = one(
        conn.execute(
            "SELECT id FROM Messages WHERE parentFolderId = 'sentitems' AND subject = 'wp with attachments'"
        )
    )[0]
    listed = conn.execute(
        "SELECT name, size FROM MessageAttachments WHERE MessageId = ? ORDER BY name", (mid,)
    )
    assert [r[0] for r in listed] == ["one.bin", "two.txt"]
    rows = conn.execute("EXEC DownloadAttachments MessageId = ?", (mid,)).fetchall()
    got = {r[1]: base64.b64decode(r[4]) for r in rows}
    assert got == {"one.bin": first, "two.txt": two}
    assert all(r[5] is None and r[3] == len(got[r[1]]) for r in rows)


def test_send_draft_by_id_and_large_attachment(conn: Connection) -> None:
    draft = _draft(conn, "wp draft to send")
    conn.cursor().callproc("SendMail", {"Id": draft})
    assert "wp draft to send" in _sent_subjects(conn)
    # Subject, Content and recipients given with Id update the draft before it is sent
    draft = _draft(conn, "wp draft before edit")
    conn.execute(
        "EXEC SendMail Id = ?, Subject = 'wp draft after edit', CCRecipients = 'Doe, Jo <jo@example.com>'",
        (draft,),
    )
    cc = one(
        conn.execute(
            "SELECT ccRecipients FROM Messages WHERE parentFolderId = 'sentitems' "
            "AND subject = 'wp draft after edit'"
        )
    )[0]
    assert "jo@example.com" in cc and "Doe, Jo" in cc
    # an attachment of 3 MB or more cannot go inline: SendMail makes a draft and uses an upload session
    big = os.urandom(3 * 1024 * 1024 + 5)
    conn.execute(
        "EXEC SendMail Subject = 'wp big attachment', ToRecipients = 'a@example.com', FileName = 'big.bin', "
        "ContentBytes = ?",
        (b64(big),),
    )
    mid = one(
        conn.execute(
            "SELECT id FROM Messages WHERE parentFolderId = 'sentitems' AND subject = 'wp big attachment'"
        )
    )[0]
    rows = conn.execute("EXEC DownloadAttachments MessageId = ?", (mid,)).fetchall()
    assert [(r[1], r[3]) for r in rows] == [("big.bin", len(big))]
    assert base64.b64decode(rows[0][4]) == big


def test_send_mail_bad_input(conn: Connection) -> None:
    cur = conn.cursor()
    with pytest.raises(o365sql.ProgrammingError, match="ToRecipients"):
        cur.execute("EXEC SendMail Subject = 'no one'")
    with pytest.raises(o365sql.ProgrammingError, match=r"ToRecipients.*not an email address"):
        cur.execute("EXEC SendMail Subject = 'x', ToRecipients = 'not-an-address'")
    with pytest.raises(o365sql.ProgrammingError, match="ContentType"):
        cur.execute("EXEC SendMail ToRecipients = 'a@example.com', ContentType = 'rtf'")
    with pytest.raises(o365sql.ProgrammingError, match="Attachments"):
        cur.execute("EXEC SendMail ToRecipients = 'a@example.com', Attachments = 'name-only'")
    with pytest.raises(o365sql.ProgrammingError, match=r"Attachments.*base64"):
        cur.execute("EXEC SendMail ToRecipients = 'a@example.com', Attachments = 'a.txt,!!!'")
    with pytest.raises(o365sql.ProgrammingError, match="Nope"):
        cur.execute("EXEC SendMail Nope = 1")


def test_reply_and_reply_all(conn: Connection) -> None:
    mid, subject = _inbox_message(conn, 0)
    conn.execute("EXEC ReplyToMessage MessageId = ?, Comment = ?", (mid, "thanks"))
    conn.cursor().callproc("ReplyToMessage", {"MessageId": mid, "Comment": "to all", "ReplyAll": True})
    rows = conn.execute(
        "SELECT body_content FROM Messages WHERE parentFolderId = 'sentitems' AND subject = ?",
        (f"RE: {_bare(subject)}",),
    ).fetchall()
    bodies = " ".join(r[0] for r in rows)
    assert "thanks" in bodies and "to all" in bodies


def test_forward(conn: Connection) -> None:
    mid, subject = _inbox_message(conn, 1)
    out = conn.execute(
        "EXEC ForwardMail MessageId = ?, ToRecipients = ?, Comment = 'fyi'", (mid, "fwd@example.com")
    ).fetchall()
    assert out == [("Success",)]
    row = one(
        conn.execute(
            "SELECT toRecipients FROM Messages WHERE parentFolderId = 'sentitems' AND subject = ?",
            (f"FW: {_bare(subject)}",),
        )
    )
    assert row is not None and "fwd@example.com" in row[0]
    cur = conn.cursor()
    cur.callproc("ForwardMail", {"MessageId": mid, "ToRecipients": "x@example.com, y@example.com"})
    assert cur.fetchall() == [("Success",)]
    with pytest.raises(o365sql.ProgrammingError, match="ToRecipients"):
        cur.callproc("ForwardMail", {"MessageId": mid})


def test_move_mail_and_create_folder(conn: Connection) -> None:
    cur = conn.cursor()
    folder = cur.execute("EXEC CreateFolder DisplayName = ?", ("wp top folder",)).fetchall()
    assert names(cur) == ["Id", "DisplayName", "ParentFolderId"]
    folder_id = folder[0][0]
    assert one(conn.execute("SELECT displayName FROM MailFolders WHERE id = ?", (folder_id,))) == (
        "wp top folder",
    )
    child = cur.callproc("CreateFolder", {"DisplayName": "wp child", "ParentFolderId": "inbox"})
    assert child == {"DisplayName": "wp child", "ParentFolderId": "inbox"}
    child_id = one(cur)[0]
    inbox_children = [r[0] for r in conn.execute("SELECT id FROM MailFolders WHERE parentFolderId = 'inbox'")]
    assert child_id in inbox_children

    mid, subject = _inbox_message(conn, 2)
    new_id, status = one(conn.execute("EXEC MoveMail MessageId = ?, DestinationId = ?", (mid, folder_id)))
    assert status == "Success" and new_id and new_id != mid
    moved = conn.execute(
        "SELECT subject FROM Messages WHERE parentFolderId = ? AND id = ?", (folder_id, new_id)
    )
    assert moved.fetchall() == [(subject,)]
    assert conn.execute("SELECT id FROM Messages WHERE id = ?", (mid,)).fetchall() == []
    # a well-known name works as the destination too
    cur.callproc("MoveMail", {"MessageId": new_id, "DestinationId": "archive"})
    back_id = one(cur)[0]
    assert conn.execute(
        "SELECT subject FROM Messages WHERE parentFolderId = 'archive' AND id = ?", (back_id,)
    ).fetchall() == [(subject,)]


def test_unknown_message_and_missing_parameters(conn: Connection) -> None:
    cur = conn.cursor()
    with pytest.raises(o365sql.ProgrammingError, match="MessageId"):
        cur.execute("EXEC MoveMail DestinationId = 'inbox'")
    with pytest.raises(o365sql.ProgrammingError, match="DestinationId"):
        cur.callproc("MoveMail", {"MessageId": "x"})
    missing = (
        "AAMkADNhZDBkMGY3LWU5N2UtOGI1Ny02Yjk1LTU1MGY0MmY4NjQ4OQBGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-"
    )
    for sql in (
        "EXEC MoveMail MessageId = ?, DestinationId = 'inbox'",
        "EXEC ReplyToMessage MessageId = ?",
        "EXEC DownloadAttachments MessageId = ?",
    ):
        with pytest.raises(errors.NotFoundError) as info:
            cur.execute(sql, (missing,))
        assert isinstance(info.value, o365sql.ProgrammingError)
    with pytest.raises(o365sql.ProgrammingError, match="DisplayName"):
        cur.execute("EXEC CreateFolder ParentFolderId = 'inbox'")


def test_add_and_download_attachments(conn: Connection, tmp_path: Path) -> None:
    draft = _draft(conn, "wp attach target")
    small = os.urandom(2048)
    cur = conn.cursor()
    row = cur.execute(
        "EXEC AddAttachments Id = ?, FileName = 'small.bin', ContentBytes = ?", (draft, b64(small))
    )
    aid, name, size, ctype = one(row)
    assert ctype == "application/octet-stream"
    assert (name, size) == ("small.bin", len(small)) and aid
    local = tmp_path / "report.txt"
    local.write_bytes(b"line one\nline two\n")
    cur.callproc("AddAttachments", {"Id": draft, "LocalFile": str(local)})
    assert one(cur)[1:3] == ("report.txt", local.stat().st_size)
    big = os.urandom(3 * 1024 * 1024 + 100)
    (big_file := tmp_path / "big.bin").write_bytes(big)
    cur.callproc("AddAttachments", {"Id": draft, "LocalFile": str(big_file)})
    big_id, _, big_size, _ = one(cur)
    assert big_size == len(big) and big_id
    listed = conn.execute(
        "SELECT id, name, size FROM MessageAttachments WHERE MessageId = ? ORDER BY name", (draft,)
    ).fetchall()
    assert [r[1] for r in listed] == ["big.bin", "report.txt", "small.bin"]
    assert {r[0] for r in listed} >= {aid, big_id}

    out = tmp_path / "out"
    out.mkdir()
    rows = conn.execute(
        "EXEC DownloadAttachments MessageId = ?, OutputFolder = ?", (draft, str(out))
    ).fetchall()
    assert all(r[4] is None for r in rows)
    assert (out / "small.bin").read_bytes() == small
    assert (out / "big.bin").read_bytes() == big
    assert (out / "report.txt").read_bytes() == local.read_bytes()
    with pytest.raises(o365sql.ProgrammingError, match="Overwrite"):
        conn.execute("EXEC DownloadAttachments MessageId = ?, OutputFolder = ?", (draft, str(out)))
    cur.callproc(
        "DownloadAttachments",
        {"MessageId": draft, "AttachmentId": aid, "OutputFolder": str(out), "Overwrite": True},
    )
    only = cur.fetchall()
    assert len(only) == 1 and only[0][5] == str(out / "small.bin")

    # two attachments with the same name are written side by side, not over each other
    cur.callproc("AddAttachments", {"Id": draft, "FileName": "small.bin", "ContentBytes": b64(b"second")})
    dup = tmp_path / "dup"
    dup.mkdir()
    rows = conn.execute(
        "EXEC DownloadAttachments MessageId = ?, OutputFolder = ?", (draft, str(dup))
    ).fetchall()
    assert sorted(p.name for p in dup.iterdir()) == ["big.bin", "report.txt", "small (2).bin", "small.bin"]
    assert {(dup / "small.bin").read_bytes(), (dup / "small (2).bin").read_bytes()} == {small, b"second"}
    assert len(rows) == 4

    with pytest.raises(o365sql.ProgrammingError, match="ContentBytes"):
        cur.execute("EXEC AddAttachments Id = ?, FileName = 'x.bin', ContentBytes = '%%%'", (draft,))
    with pytest.raises(o365sql.ProgrammingError, match="LocalFile"):
        cur.execute("EXEC AddAttachments Id = ?, LocalFile = ?", (draft, str(tmp_path / "absent.bin")))
    with pytest.raises(o365sql.ProgrammingError, match="Id"):
        cur.execute("EXEC AddAttachments FileName = 'x.bin', ContentBytes = 'AA=='")
