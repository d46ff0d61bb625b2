"""The procedures added with writes: ForwardEvent, Dismiss/SnoozeEventReminder, DeleteAttachment,
DownloadEmail, SendMail FromEmail/SenderEmail, event attachments; a 403 on a write names the permission."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import PermissionDeniedError

from .conftest import connect, get, items


def _event(con: o365sql.Connection, subject: str) -> str:
    return con.execute(
        "INSERT INTO Events (subject, start_dateTime, end_dateTime, isReminderOn, "
        "reminderMinutesBeforeStart) VALUES (?, '2030-11-01T09:00:00Z', '2030-11-01T10:00:00Z', 1, 15)",
        (subject,),
    ).inserted_ids[0]


def test_send_mail_as_and_on_behalf(con: o365sql.Connection, raw: httpx.Client, wemu: Emulator) -> None:
    me = wemu.state.directory.demo_user.user_principal_name
    con.execute(
        "EXEC SendMail Subject = 'Sent as the team', Content = 'hi', ToRecipients = ?, "
        "FromEmail = 'Team <team@example.com>', SenderEmail = ?",
        (me, me),
    )
    sent = [m for m in items(raw, "/me/mailFolders/sentitems/messages", **{"$top": "200"})]
    message = next(m for m in sent if m["subject"] == "Sent as the team")
    assert message["from"]["emailAddress"]["address"] == "team@example.com"
    assert message["sender"]["emailAddress"]["address"] == me
    with pytest.raises(o365sql.ProgrammingError, match="FromEmail takes one address"):
        con.execute("EXEC SendMail Subject = 'x', ToRecipients = ?, FromEmail = 'a@b.com; c@d.com'", (me,))


def test_a_403_on_a_procedure_write_names_the_permission(wemu: Emulator) -> None:
    with connect(wemu, frozenset({"User.Read", "Mail.ReadWrite", "Calendars.Read"})) as weak:
        with pytest.raises(PermissionDeniedError, match=r"needs the Mail\.Send permission"):
            weak.execute("EXEC SendMail Subject = 'x', Content = 'y', ToRecipients = 'a@example.com'")
        eid = weak.execute("SELECT id FROM Events LIMIT 1").fetchone()[0]
        with pytest.raises(PermissionDeniedError, match=r"needs the Calendars\.ReadWrite permission"):
            weak.execute("EXEC DismissEventReminder EventId = ?", (eid,))


def test_download_email_as_eml(con: o365sql.Connection, tmp_path: Path) -> None:
    mid = con.execute("SELECT id FROM Messages WHERE parentFolderId = 'inbox' LIMIT 1").fetchone()[0]
    subject = con.execute("SELECT subject FROM Messages WHERE id = ?", (mid,)).fetchone()[0]
    row = con.execute("EXEC DownloadEmail MessageId = ?", (mid,)).fetchone()
    assert row[0] == mid and row[3] is None
    mime = base64.b64decode(row[2])
    assert len(mime) == row[1] and b"Subject:" in mime and subject.encode()[:20] in mime
    row = con.execute(
        "EXEC DownloadEmail MessageId = ?, OutputFolder = ?, FileName = 'one.eml'", (mid, str(tmp_path))
    ).fetchone()
    assert Path(row[3]) == tmp_path / "one.eml" and (tmp_path / "one.eml").read_bytes() == mime


def test_reminders_and_forward(con: o365sql.Connection, raw: httpx.Client, wemu: Emulator) -> None:
    eid = _event(con, "Reminder check")
    assert get(raw, f"/me/events/{eid}")["isReminderOn"] is True
    con.execute("EXEC DismissEventReminder EventId = ?", (eid,))
    assert get(raw, f"/me/events/{eid}")["isReminderOn"] is False
    con.execute("EXEC SnoozeEventReminder EventId = ?, NewReminderTime = '2030-11-01T08:50:00Z'", (eid,))
    assert get(raw, f"/me/events/{eid}")["isReminderOn"] is True
    with pytest.raises(o365sql.ProgrammingError, match="NewReminderTime"):
        con.execute("EXEC SnoozeEventReminder EventId = ?, NewReminderTime = 'later'", (eid,))
    mark = len(wemu.requests())
    con.execute("EXEC ForwardEvent EventId = ?, ToRecipients = 'ana@example.com', Comment = 'fyi'", (eid,))
    assert [(r["method"], r["status"]) for r in wemu.requests()[mark:]] == [("POST", 202)]
    with pytest.raises(o365sql.ProgrammingError, match="ToRecipients"):
        con.execute("EXEC ForwardEvent EventId = ?, ToRecipients = 'not an address'", (eid,))


def test_event_attachments(con: o365sql.Connection, raw: httpx.Client) -> None:
    eid = _event(con, "With agenda")
    data = b"1. budget\n2. hiring\n"
    row = con.execute(
        "EXEC AddAttachments Id = ?, DestinationType = 'Event', FileName = 'agenda.txt', ContentBytes = ?",
        (eid, base64.b64encode(data).decode()),
    ).fetchone()
    aid = row[0]
    listed = items(raw, f"/me/events/{eid}/attachments")
    assert [(a["id"], a["name"]) for a in listed] == [(aid, "agenda.txt")]
    assert con.execute(
        "SELECT id, name, size FROM EventAttachments WHERE EventId = ?", (eid,)
    ).fetchall() == [(aid, "agenda.txt", len(data))]
    got = con.execute("EXEC DownloadAttachments EventId = ?", (eid,)).fetchall()
    assert [(r[0], base64.b64decode(r[4])) for r in got] == [(aid, data)]
    second = con.execute(
        "INSERT INTO EventAttachments (EventId, name, contentBytes) VALUES (?, 'notes.md', ?)",
        (eid, b"# notes"),
    ).inserted_ids[0]
    assert {a["name"] for a in items(raw, f"/me/events/{eid}/attachments")} == {"agenda.txt", "notes.md"}
    con.execute("EXEC DeleteAttachment Id = ?, AttachmentId = ?, DestinationType = 'Event'", (eid, aid))
    assert [a["id"] for a in items(raw, f"/me/events/{eid}/attachments")] == [second]
    assert con.execute("DELETE FROM EventAttachments WHERE EventId = ?", (eid,)).rowcount == 1
    assert items(raw, f"/me/events/{eid}/attachments") == []


def test_delete_message_attachment(con: o365sql.Connection, raw: httpx.Client) -> None:
    mid = con.execute("INSERT INTO Messages (subject) VALUES ('attachment to delete')").inserted_ids[0]
    aid = con.execute(
        "INSERT INTO MessageAttachments (MessageId, name, contentBytes) VALUES (?, 'x.txt', 'eA==')", (mid,)
    ).inserted_ids[0]
    con.execute("EXEC DeleteAttachment Id = ?, AttachmentId = ?", (mid, aid))
    assert items(raw, f"/me/messages/{mid}/attachments") == []
    with pytest.raises(o365sql.ProgrammingError, match="DestinationType must be Message or Event"):
        con.execute("EXEC DeleteAttachment Id = ?, AttachmentId = ?, DestinationType = 'Folder'", (mid, aid))


def test_large_event_attachment(con: o365sql.Connection, raw: httpx.Client) -> None:
    eid = _event(con, "Big deck")
    data = bytes(range(256)) * (4 * 1024 * 4)  # 4 MiB: an upload session
    aid = con.execute(
        "INSERT INTO EventAttachments (EventId, name, contentBytes) VALUES (?, 'deck.pptx', ?)", (eid, data)
    ).inserted_ids[0]
    got = raw.get(f"/me/events/{eid}/attachments/{aid}/$value")
    assert got.status_code == 200 and got.content == data
