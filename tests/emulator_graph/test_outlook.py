"""Checklist 25-29 (Outlook): Prefer headers, calendarView, move ids, sendMail, drafts, writes, attachments"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import httpx
from graph_helpers import client_for, token_for

from o365sql.emulator import Emulator

WIDE = "startDateTime=2000-01-01T00:00:00Z&endDateTime=2100-01-01T00:00:00Z"


def test_prefer_timezone_and_body_type(graph: httpx.Client) -> None:
    """outlook.timezone converts start/end (UTC without it) and is echoed; body-content-type text works."""
    plain = graph.get("/me/events?$top=5&$select=start,end").json()["value"]
    assert all(e["start"]["timeZone"] == "UTC" for e in plain)
    r = graph.get(
        "/me/events?$top=5&$select=start,end", headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'}
    )
    assert r.headers["preference-applied"] == 'outlook.timezone="Pacific Standard Time"'
    for before, after in zip(plain, r.json()["value"], strict=True):
        assert after["start"]["timeZone"] == "Pacific Standard Time"
        utc = dt.datetime.fromisoformat(before["start"]["dateTime"][:19]).replace(tzinfo=dt.UTC)
        local = dt.datetime.fromisoformat(after["start"]["dateTime"][:19])
        assert utc.utcoffset() is not None
        assert (utc.replace(tzinfo=None) - local) in (dt.timedelta(hours=7), dt.timedelta(hours=8))
        assert len(after["start"]["dateTime"].split(".")[1]) == 7
    # Other tests share this mailbox and may have added text messages on top: look at a page, not one item.
    page = graph.get("/me/messages?$top=50&$select=body").json()["value"]
    html = [m for m in page if m["body"]["contentType"] == "html"]
    assert html and all("<html>" in m["body"]["content"] for m in html)
    r = graph.get("/me/messages?$top=1&$select=body", headers={"Prefer": 'outlook.body-content-type="text"'})
    assert r.headers["preference-applied"] == 'outlook.body-content-type="text"'
    text = r.json()["value"][0]["body"]
    assert text["contentType"] == "text" and "<" not in text["content"]
    both = graph.get(
        "/me/events?$top=1",
        headers={"Prefer": 'outlook.timezone="W. Europe Standard Time", outlook.body-content-type="text"'},
    )
    assert both.headers["preference-applied"].count("outlook.") == 2


def test_calendar_view_requires_window(graph: httpx.Client) -> None:
    """calendarView without the window: 400 ErrorInvalidParameter with Graph's message."""
    r = graph.get("/me/calendarView")
    assert r.status_code == 400
    assert r.json()["error"] == {
        **r.json()["error"],
        "code": "ErrorInvalidParameter",
        "message": (
            "This request requires a time window specified by the query string parameters StartDateTime and "
            "EndDateTime."
        ),
    }
    assert graph.get("/me/calendarView?startDateTime=2024-01-01T00:00:00Z").status_code == 400


def test_calendar_view_expands_recurrence(graph: httpx.Client, emulator: Emulator) -> None:
    """A recurring series becomes occurrences inside the window, with the moved and cancelled days applied."""
    anchor = emulator.state.graph.basis.anchor
    lo = (anchor - dt.timedelta(days=35)).strftime("%Y-%m-%dT00:00:00Z")
    hi = (anchor + dt.timedelta(days=21)).strftime("%Y-%m-%dT00:00:00Z")
    events = []
    url: str | None = f"/me/calendarView?startDateTime={lo}&endDateTime={hi}&$top=100"
    while url:
        body = graph.get(url).json()
        events += body["value"]
        url = body.get("@odata.nextLink")
    masters = graph.get("/me/events?$filter=type eq 'seriesMaster'&$top=50").json()["value"]
    standup = next(m for m in masters if m["subject"] == "Daily stand-up")
    series = [e for e in events if e["seriesMasterId"] == standup["id"]]
    occurrences = [e for e in series if e["type"] == "occurrence"]
    exceptions = [e for e in series if e["type"] == "exception"]
    assert len(exceptions) == 1 and exceptions[0]["subject"] == "Daily stand-up (moved)"
    days = {e["start"]["dateTime"][:10] for e in occurrences}
    assert all(dt.date.fromisoformat(d).weekday() < 5 for d in days)
    assert len(occurrences) >= 20
    assert exceptions[0]["start"]["dateTime"][:10] not in days  # moved within its day: no occurrence there
    assert all(e["recurrence"] is None for e in occurrences)
    assert not any(e["type"] == "seriesMaster" for e in events)
    # An occurrence can be fetched by its id.
    one = graph.get(f"/me/events/{occurrences[0]['id']}")
    assert one.status_code == 200 and one.json()["type"] == "occurrence"
    # /events lists masters and single instances only.
    kinds = {e["type"] for e in graph.get("/me/events?$top=200").json()["value"]}
    assert kinds <= {"singleInstance", "seriesMaster"}


def test_move_changes_id_unless_immutable(pgraph: httpx.Client) -> None:
    """move: 201 with a new id (old id 404) unless Prefer: IdType="ImmutableId"."""
    first = pgraph.get("/me/mailFolders/inbox/messages?$top=2&$select=id,subject").json()["value"]
    r = pgraph.post(f"/me/messages/{first[0]['id']}/move", json={"destinationId": "archive"})
    assert r.status_code == 201, r.text
    moved = r.json()
    archive = pgraph.get("/me/mailFolders/archive").json()
    assert moved["id"] != first[0]["id"] and moved["parentFolderId"] == archive["id"]
    assert moved["subject"] == first[0]["subject"]
    assert pgraph.get(f"/me/messages/{first[0]['id']}").status_code == 404
    assert pgraph.get(f"/me/messages/{moved['id']}").status_code == 200
    r = pgraph.post(
        f"/me/messages/{first[1]['id']}/move",
        json={"destinationId": "deleteditems"},
        headers={"Prefer": 'IdType="ImmutableId"'},
    )
    assert r.status_code == 201 and r.json()["id"] == first[1]["id"]
    assert r.headers["preference-applied"] == 'IdType="ImmutableId"'
    r = pgraph.post(f"/me/messages/{moved['id']}/copy", json={"destinationId": "inbox"})
    assert r.status_code == 201 and r.json()["id"] != moved["id"]
    assert pgraph.get(f"/me/messages/{moved['id']}").status_code == 200


def test_send_mail(private: Emulator, pgraph: httpx.Client) -> None:
    """sendMail: 202 empty; copy in Sent Items unless saveToSentItems false; delivered to tenant users."""
    other = private.state.directory.users[2]
    sent_before = pgraph.get("/me/mailFolders/sentitems").json()["totalItemCount"]
    message = {
        "subject": "Emulator test",
        "body": {"contentType": "Text", "content": "Hello there"},
        "toRecipients": [{"emailAddress": {"address": other.user_principal_name}}],
    }
    r = pgraph.post("/me/sendMail", json={"message": message})
    assert r.status_code == 202 and r.content == b""
    assert pgraph.get("/me/mailFolders/sentitems").json()["totalItemCount"] == sent_before + 1
    r = pgraph.post(
        "/me/sendMail", json={"message": {**message, "subject": "not saved"}, "saveToSentItems": False}
    )
    assert r.status_code == 202
    assert pgraph.get("/me/mailFolders/sentitems").json()["totalItemCount"] == sent_before + 1
    with client_for(private, token_for(private, user=other.id)) as theirs:
        got = theirs.get("/me/mailFolders/inbox/messages?$filter=subject eq 'Emulator test'").json()["value"]
        assert len(got) == 1 and got[0]["isRead"] is False
        assert got[0]["from"]["emailAddress"]["address"] == private.state.directory.demo_user.mail
    r = pgraph.post("/me/sendMail", json={"message": {"subject": "no recipients"}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "ErrorInvalidRecipients"
    mime = (
        f"To: {other.user_principal_name}\r\nSubject: MIME hello\r\nContent-Type: text/plain\r\n\r\nBody\r\n"
    )
    r = pgraph.post(
        "/me/sendMail", content=base64.b64encode(mime.encode()), headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 202, r.text
    r = pgraph.post("/me/sendMail", content=b"!!not base64!!", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        **r.json()["error"],
        "code": "ErrorMimeContentInvalidBase64String",
        "message": "Invalid base64 string for MIME content.",
    }
    with client_for(private, token_for(private, {"Mail.Read"})) as read_only:
        assert read_only.post("/me/sendMail", json={"message": message}).status_code == 403


def test_draft_patch_delete(pgraph: httpx.Client) -> None:
    """POST messages: 201 draft; PATCH: 200, new changeKey; send: 202; DELETE: 204 then 404."""
    r = pgraph.post(
        "/me/messages",
        json={
            "subject": "Draft one",
            "importance": "High",
            "body": {"contentType": "HTML", "content": "<p>Hi <b>there</b></p>"},
            "toRecipients": [{"emailAddress": {"address": "x@fabrikam.com"}}],
        },
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["isDraft"] is True and draft["importance"] == "high" and draft["bodyPreview"] == "Hi there"
    drafts = pgraph.get("/me/mailFolders/drafts").json()
    assert draft["parentFolderId"] == drafts["id"]
    r = pgraph.patch(
        f"/me/messages/{draft['id']}", json={"subject": "Draft two", "categories": ["Red category"]}
    )
    assert r.status_code == 200 and r.json()["subject"] == "Draft two"
    assert r.json()["changeKey"] != draft["changeKey"] and r.json()["@odata.etag"] != draft["@odata.etag"]
    r = pgraph.patch(f"/me/messages/{draft['id']}", json={"nope": 1})
    assert r.status_code == 400 and r.json()["error"]["code"] == "RequestBodyRead"
    inbox_one = pgraph.get("/me/mailFolders/inbox/messages?$top=1").json()["value"][0]
    r = pgraph.patch(f"/me/messages/{inbox_one['id']}", json={"isRead": not inbox_one["isRead"]})
    assert r.status_code == 200 and r.json()["isRead"] is not inbox_one["isRead"]
    assert pgraph.post(f"/me/messages/{draft['id']}/send").status_code == 202
    sent = pgraph.get(f"/me/messages/{draft['id']}").json()
    assert sent["isDraft"] is False
    assert pgraph.delete(f"/me/messages/{draft['id']}").status_code == 204
    r = pgraph.get(f"/me/messages/{draft['id']}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "ErrorItemNotFound"


def test_event_and_contact_writes(pgraph: httpx.Client) -> None:
    """POST/PATCH/DELETE events and contacts with Graph's statuses."""
    r = pgraph.post(
        "/me/events",
        json={
            "subject": "Planning",
            "start": {"dateTime": "2030-03-01T09:00:00", "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": "2030-03-01T10:00:00", "timeZone": "Pacific Standard Time"},
            "attendees": [{"emailAddress": {"address": "a@fabrikam.com", "name": "A"}, "type": "required"}],
            "isOnlineMeeting": True,
        },
    )
    assert r.status_code == 201, r.text
    event = r.json()
    assert event["start"] == {"dateTime": "2030-03-01T17:00:00.0000000", "timeZone": "UTC"}
    assert event["originalStartTimeZone"] == "Pacific Standard Time" and event["onlineMeeting"]["joinUrl"]
    r = pgraph.patch(f"/me/events/{event['id']}", json={"subject": "Planning (moved)"})
    assert r.status_code == 200 and r.json()["subject"] == "Planning (moved)"
    view = pgraph.get(
        "/me/calendarView?startDateTime=2030-03-01T00:00:00Z&endDateTime=2030-03-02T00:00:00Z"
    ).json()
    assert event["id"] in [e["id"] for e in view["value"]]  # next to the stand-up series, which never ends
    assert pgraph.delete(f"/me/events/{event['id']}").status_code == 204
    assert pgraph.get(f"/me/events/{event['id']}").status_code == 404
    r = pgraph.post(
        "/me/contacts",
        json={"givenName": "Pat", "surname": "Lee", "emailAddresses": [{"address": "pat@fabrikam.com"}]},
    )
    assert r.status_code == 201
    contact = r.json()
    assert contact["displayName"] == "Pat Lee" and contact["emailAddresses"][0]["name"] == "pat@fabrikam.com"
    r = pgraph.patch(f"/me/contacts/{contact['id']}", json={"jobTitle": "Buyer"})
    assert r.status_code == 200 and r.json()["jobTitle"] == "Buyer"
    assert pgraph.delete(f"/me/contacts/{contact['id']}").status_code == 204
    assert pgraph.get(f"/me/contacts/{contact['id']}").status_code == 404


def test_attachments_real_content(graph: httpx.Client) -> None:
    """Attachments carry real base64 content of the stated size; $value returns the bytes; $expand works."""
    msgs = graph.get("/me/messages?$filter=hasAttachments eq true&$top=30&$select=id").json()["value"]
    sizes = set()
    for m in msgs:
        for att in graph.get(f"/me/messages/{m['id']}/attachments").json()["value"]:
            raw = base64.b64decode(att["contentBytes"])
            assert len(raw) == att["size"]
            sizes.add(att["size"])
            if att["name"].endswith(".png"):
                assert raw.startswith(b"\x89PNG")
            if att["name"].endswith(".pdf"):
                assert raw.startswith(b"%PDF")
            one = graph.get(f"/me/messages/{m['id']}/attachments/{att['id']}/$value")
            assert one.status_code == 200 and one.content == raw
    assert len(sizes) >= 3
    r = graph.get(f"/me/messages/{msgs[0]['id']}?$expand=attachments")
    assert r.status_code == 200 and r.json()["attachments"]


def test_conversations_share_ids(graph: httpx.Client, emulator: Emulator) -> None:
    """Replies share their thread's conversationId; senders come from inside and outside the tenant."""
    box = emulator.state.graph.mailbox(emulator.state.directory.demo_user.id)
    threads: dict[str, int] = {}
    domains = set()
    for m in box.messages.values():
        threads[m["conversationId"]] = threads.get(m["conversationId"], 0) + 1
        if m["from"]:
            domains.add(m["from"]["emailAddress"]["address"].split("@")[1])
    assert max(threads.values()) >= 3
    assert "contoso-demo.onmicrosoft.com" in domains and len(domains) >= 4
    conv = max(threads, key=lambda c: threads[c])
    r = graph.get(f"/me/messages?$filter=conversationId eq '{conv}'&$select=subject")
    subjects = [m["subject"] for m in r.json()["value"]]
    assert len(subjects) == threads[conv] and any(s.startswith("RE: ") for s in subjects)


def test_reply_forward_and_attachments(private: Emulator, pgraph: httpx.Client) -> None:
    """createReply/createForward: 201 drafts in the thread; reply/forward: 202; attachments < 3 MB: 201."""
    original = pgraph.get("/me/mailFolders/inbox/messages?$top=1").json()["value"][0]
    r = pgraph.post(f"/me/messages/{original['id']}/createReply", json={"comment": "Thanks!"})
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["isDraft"] and draft["subject"].startswith("RE: ")
    assert draft["conversationId"] == original["conversationId"]
    assert draft["toRecipients"] == [original["from"]]
    r = pgraph.post(
        f"/me/messages/{original['id']}/createReply",
        json={"comment": "x", "message": {"body": {"contentType": "text", "content": "y"}}},
    )
    assert r.status_code == 400
    other = private.state.directory.users[4]
    r = pgraph.post(
        f"/me/messages/{original['id']}/createForward",
        json={"toRecipients": [{"emailAddress": {"address": other.user_principal_name}}]},
    )
    assert r.status_code == 201 and r.json()["subject"].startswith("FW: ")
    r = pgraph.post(
        f"/me/messages/{original['id']}/forward",
        json={"comment": "FYI", "toRecipients": [{"emailAddress": {"address": other.mail}}]},
    )
    assert r.status_code == 202 and r.content == b""
    assert pgraph.post(f"/me/messages/{original['id']}/reply", json={"comment": "ok"}).status_code == 202
    content = base64.b64encode(b"a,b\n1,2\n").decode()
    r = pgraph.post(
        f"/me/messages/{draft['id']}/attachments",
        json={
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": "t.csv",
            "contentType": "text/csv",
            "contentBytes": content,
        },
    )
    assert r.status_code == 201, r.text
    att = r.json()
    assert att["size"] == 8 and att["contentBytes"] == content and att["name"] == "t.csv"
    assert pgraph.get(f"/me/messages/{draft['id']}").json()["hasAttachments"] is True
    big = base64.b64encode(b"x" * (3 * 1024 * 1024)).decode()
    r = pgraph.post(
        f"/me/messages/{draft['id']}/attachments",
        json={"@odata.type": "#microsoft.graph.fileAttachment", "name": "big.bin", "contentBytes": big},
    )
    assert r.status_code == 413
    assert pgraph.delete(f"/me/messages/{draft['id']}/attachments/{att['id']}").status_code == 204
    assert pgraph.get(f"/me/messages/{draft['id']}").json()["hasAttachments"] is False


def test_message_delta_per_folder(pgraph: httpx.Client) -> None:
    """Checklist 30: the first round returns every message then a deltaLink; the next only the changes,
    with deletions (and moves out) as @removed; only receivedDateTime filters; maxpagesize pages."""
    url: str | None = "/me/mailFolders/inbox/messages/delta?$select=subject,isRead"
    seen: list[dict[str, object]] = []
    delta_link = None
    while url:
        r = pgraph.get(url, headers={"Prefer": "odata.maxpagesize=25"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["@odata.context"].endswith("$metadata#Collection(message)")
        seen += body["value"]
        url = body.get("@odata.nextLink")
        delta_link = body.get("@odata.deltaLink", delta_link)
        assert len(body["value"]) <= 25
    inbox = pgraph.get("/me/mailFolders/inbox").json()
    assert len(seen) == inbox["totalItemCount"] == len({m["id"] for m in seen})
    assert all(set(m) == {"@odata.etag", "id", "subject", "isRead"} for m in seen)
    assert delta_link and "$deltatoken=" in delta_link
    empty = pgraph.get(delta_link).json()
    assert empty["value"] == [] and "@odata.deltaLink" in empty
    first, second = seen[0], seen[1]
    pgraph.patch(f"/me/messages/{first['id']}", json={"isRead": not first["isRead"]})
    pgraph.post(f"/me/messages/{second['id']}/move", json={"destinationId": "archive"})
    changes = pgraph.get(empty["@odata.deltaLink"]).json()
    by_id = {c["id"]: c for c in changes["value"]}
    assert set(by_id) == {first["id"], second["id"]}
    assert by_id[first["id"]]["isRead"] is (not first["isRead"])
    assert by_id[second["id"]] == {
        "@odata.type": "#microsoft.graph.message",
        "id": second["id"],
        "@removed": {"reason": "deleted"},
    }
    r = pgraph.get("/me/mailFolders/inbox/messages/delta?$filter=isRead eq false")
    assert r.status_code == 400 and r.json()["error"]["code"] == "ErrorInvalidUrlQuery"
    r = pgraph.get("/me/mailFolders/inbox/messages/delta?$filter=receivedDateTime ge 2000-01-01T00:00:00Z")
    assert r.status_code == 200
    r = pgraph.get("/me/mailFolders/inbox/messages/delta?$deltatoken=forged")
    assert r.status_code == 410 and r.headers["location"].endswith("/mailFolders/inbox/messages/delta")


def _round(
    client: httpx.Client, url: str, headers: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    delta = ""
    while next_url:
        r = client.get(next_url, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["value"]
        next_url = body.get("@odata.nextLink")
        delta = body.get("@odata.deltaLink", delta)
    return items, delta


def test_event_delta(private: Emulator, pgraph: httpx.Client) -> None:
    """Checklist 31: calendarView/delta needs the window, refuses $top, pages by maxpagesize, has changes."""
    r = pgraph.get("/me/calendarView/delta")
    assert r.status_code == 400 and r.json()["error"]["code"] == "ErrorInvalidParameter"
    window = "startDateTime=2024-01-01T00:00:00Z&endDateTime=2029-01-01T00:00:00Z"
    r = pgraph.get(f"/me/calendarView/delta?{window}&$top=5")
    assert r.status_code == 400 and r.json()["error"]["message"].startswith(
        "The '$top' parameter is not supported"
    )
    items, link = _round(pgraph, f"/me/calendarView/delta?{window}", {"Prefer": "odata.maxpagesize=200"})
    assert link
    view, _ = _round(pgraph, f"/me/calendarView?{window}&$top=1000")
    assert {e["id"] for e in items} == {e["id"] for e in view}
    single = next(e for e in items if e["type"] == "singleInstance" and e["isOrganizer"])
    pgraph.patch(f"/me/events/{single['id']}", json={"subject": "Renamed"})
    other = next(e for e in items if e["type"] == "singleInstance" and e["id"] != single["id"])
    pgraph.delete(f"/me/events/{other['id']}")
    changes, _ = _round(pgraph, link)
    by_id = {c["id"]: c for c in changes}
    assert by_id[single["id"]]["subject"] == "Renamed"
    assert by_id[other["id"]]["@removed"] == {"reason": "deleted"}
    assert len(changes) == 2


def test_directory_and_drive_delta(pgraph: httpx.Client) -> None:
    """Checklist 31-32: users/groups delta, $deltatoken=latest; drive delta marks deletions with `deleted`."""
    users, link = _round(pgraph, "/users/delta?$select=displayName")
    assert len(users) == 10 and set(users[0]) == {"id", "displayName"}
    assert _round(pgraph, link)[0] == []
    latest = pgraph.get("/groups/delta?$deltatoken=latest").json()
    assert latest["value"] == [] and "$deltatoken=" in latest["@odata.deltaLink"]
    assert pgraph.get("/users/delta?$top=5").status_code == 400
    only = _round(pgraph, "/users/delta?$filter=id eq '" + users[0]["id"] + "'")[0]
    assert [u["id"] for u in only] == [users[0]["id"]]
    files, link = _round(pgraph, "/me/drive/root/delta")
    assert any("root" in f for f in files) and any("file" in f for f in files)
    victim = next(f for f in files if f.get("name") == "Readme.txt")
    assert pgraph.delete(f"/me/drive/items/{victim['id']}").status_code == 204
    assert pgraph.put("/me/drive/root:/New.txt:/content", content=b"new").status_code == 201
    changes, _ = _round(pgraph, link)
    by_name = {c.get("name"): c for c in changes}
    assert "New.txt" in by_name
    assert {"id": victim["id"], "deleted": {"state": "deleted"}} in changes
    latest = pgraph.get("/me/drive/root/delta?token=latest").json()
    assert latest["value"] == [] and "token=" in latest["@odata.deltaLink"]
    r = pgraph.get("/me/drive/root/delta?token=bogus")
    assert r.status_code == 410 and r.json()["error"]["code"] == "resyncRequired" and r.headers["location"]


def test_outlook_attachment_upload_session(private: Emulator, pgraph: httpx.Client) -> None:
    """Checklist 29: createUploadSession (refused under 3 MB), ordered PUTs without Authorization,
    200 + nextExpectedRanges per chunk, 201 + Location on the last."""
    draft = pgraph.post("/me/messages", json={"subject": "big attachment"}).json()
    base = f"/me/messages/{draft['id']}/attachments/createUploadSession"
    small = {"AttachmentItem": {"attachmentType": "file", "name": "s.bin", "size": 1000}}
    r = pgraph.post(base, json=small)
    assert (
        r.status_code == 400
        and r.json()["error"]["code"] == "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize"
    )
    size = 3 * 1024 * 1024 + 100
    r = pgraph.post(
        base, json={"AttachmentItem": {"attachmentType": "file", "name": "big.bin", "size": size}}
    )
    assert r.status_code == 201, r.text
    session = r.json()
    assert session["nextExpectedRanges"] == ["0-"] and session["@odata.context"].endswith("uploadSession")
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    chunk = 2 * 1024 * 1024
    with client_for(private) as anon:
        r = anon.put(
            session["uploadUrl"],
            content=payload[chunk:],
            headers={"Content-Range": f"bytes {chunk}-{size - 1}/{size}"},
        )
        assert r.status_code == 416  # out of order
        r = anon.put(
            session["uploadUrl"],
            content=payload[:chunk],
            headers={"Content-Range": f"bytes 0-{chunk - 1}/{size}"},
        )
        assert r.status_code == 200 and r.json()["NextExpectedRanges"] == [str(chunk)]
        r = anon.put(
            session["uploadUrl"],
            content=payload[chunk:],
            headers={"Content-Range": f"bytes {chunk}-{size - 1}/{size}"},
        )
        assert r.status_code == 201 and r.content == b""
        attachment_id = r.headers["location"].split("attachments('")[1].rstrip("')")
    att = pgraph.get(f"/me/messages/{draft['id']}/attachments/{attachment_id}").json()
    assert att["size"] == size and base64.b64decode(att["contentBytes"]) == payload


def test_drive_upload_session(private: Emulator, pgraph: httpx.Client) -> None:
    """Checklist 37: 320 KiB multiples, 202 + nextExpectedRanges, overlap 416, final 201 with the item,
    DELETE cancels."""
    r = pgraph.post(
        "/me/drive/root:/Documents/video.bin:/createUploadSession",
        json={"item": {"@microsoft.graph.conflictBehavior": "replace"}},
    )
    assert r.status_code == 200, r.text
    url = r.json()["uploadUrl"]
    unit = 320 * 1024
    payload = bytes(range(256)) * (3 * unit // 256) + b"tail"
    total = len(payload)
    with client_for(private) as anon:
        r = anon.put(url, content=payload[:1000], headers={"Content-Range": f"bytes 0-999/{total}"})
        assert r.status_code == 400  # not a multiple of 320 KiB
        r = anon.put(
            url, content=payload[: 2 * unit], headers={"Content-Range": f"bytes 0-{2 * unit - 1}/{total}"}
        )
        assert r.status_code == 202 and r.json()["nextExpectedRanges"] == [f"{2 * unit}-"]
        r = anon.put(
            url, content=payload[unit:], headers={"Content-Range": f"bytes {unit}-{total - 1}/{total}"}
        )
        assert r.status_code == 416
        r = anon.put(
            url,
            content=payload[2 * unit :],
            headers={"Content-Range": f"bytes {2 * unit}-{total - 1}/{total}"},
        )
        assert r.status_code == 201, r.text
        item = r.json()
        assert item["name"] == "video.bin" and item["size"] == total
        loc = pgraph.get(f"/me/drive/items/{item['id']}/content").headers["location"]
        assert anon.get(loc).content == payload
        r = pgraph.post("/me/drive/root:/Documents/other.bin:/createUploadSession", json={})
        cancel = r.json()["uploadUrl"]
        assert anon.delete(cancel).status_code == 204
        r = anon.put(cancel, content=b"x", headers={"Content-Range": "bytes 0-0/1"})
        assert r.status_code == 404


def test_folder_and_meeting_actions(pgraph: httpx.Client) -> None:
    """Mail folders: create (201, 409 on a duplicate), nested messages, rename, delete; meeting responses."""
    r = pgraph.post("/me/mailFolders", json={"displayName": "Clients"})
    assert r.status_code == 201, r.text
    folder = r.json()
    assert folder["displayName"] == "Clients" and folder["totalItemCount"] == 0
    assert pgraph.post("/me/mailFolders", json={"displayName": "clients"}).status_code == 409
    r = pgraph.post(f"/me/mailFolders/{folder['id']}/childFolders", json={"displayName": "Acme"})
    assert r.status_code == 201
    child = r.json()
    msg = pgraph.get("/me/mailFolders/inbox/messages?$top=1&$select=id").json()["value"][0]
    pgraph.post(f"/me/messages/{msg['id']}/move", json={"destinationId": child["id"]})
    nested = pgraph.get(f"/me/mailFolders/{folder['id']}/childFolders/{child['id']}/messages").json()["value"]
    assert len(nested) == 1
    r = pgraph.patch(f"/me/mailFolders/{folder['id']}", json={"displayName": "Customers"})
    assert r.status_code == 200 and r.json()["displayName"] == "Customers"
    assert r.json()["childFolderCount"] == 1
    assert pgraph.delete("/me/mailFolders/inbox").status_code == 403
    assert pgraph.delete(f"/me/mailFolders/{folder['id']}").status_code == 204
    assert pgraph.get(f"/me/mailFolders/{child['id']}").status_code == 404
    invited = pgraph.get("/me/events?$filter=isOrganizer eq false and type eq 'singleInstance'&$top=1").json()
    event = invited["value"][0]
    assert pgraph.post(f"/me/events/{event['id']}/decline", json={"comment": "Sorry"}).status_code == 202
    assert pgraph.get(f"/me/events/{event['id']}").json()["responseStatus"]["response"] == "declined"
    assert pgraph.post(f"/me/events/{event['id']}/cancel", json={}).status_code == 400
    mine = pgraph.get("/me/events?$filter=isOrganizer eq true and type eq 'singleInstance'&$top=1").json()
    own = mine["value"][0]
    assert pgraph.post(f"/me/events/{own['id']}/accept", json={}).status_code == 400
    assert pgraph.post(f"/me/events/{own['id']}/cancel", json={"comment": "Not needed"}).status_code == 202
    assert pgraph.get(f"/me/events/{own['id']}").status_code == 404


def test_drive_folder_create_and_delete(pgraph: httpx.Client) -> None:
    """POST children with a folder facet: 201 (409 on a clash, rename on request); DELETE: 204."""
    body = {"name": "Reports", "folder": {}}
    r = pgraph.post("/me/drive/root/children", json=body)
    assert r.status_code == 201, r.text
    folder = r.json()
    assert folder["folder"] == {"childCount": 0} and folder["parentReference"]["path"] == "/drive/root:"
    assert pgraph.post("/me/drive/root/children", json=body).status_code == 409
    r = pgraph.post("/me/drive/root/children", json={**body, "@microsoft.graph.conflictBehavior": "rename"})
    assert r.status_code == 201 and r.json()["name"] == "Reports 1"
    assert pgraph.put("/me/drive/root:/Reports/a.txt:/content", content=b"abc").status_code == 201
    assert pgraph.get("/me/drive/root:/Reports:").json()["folder"]["childCount"] == 1
    assert pgraph.delete(f"/me/drive/items/{folder['id']}").status_code == 204
    assert pgraph.get("/me/drive/root:/Reports/a.txt:").status_code == 404
