"""The demo tenant's mail: threads of messages from inside and outside the tenant, with real attachments."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import random
from typing import Any

from .model import DemoBasis, Mailbox
from .util import K_ATTACH, K_CONV, K_MESSAGE, change_key, fmt_s, make_content, outlook_id

__all__ = [
    "CATEGORIES",
    "ORGS",
    "SENTENCES",
    "THINGS",
    "body_html",
    "build_messages",
    "message_attachments",
    "recipient",
]

Item = dict[str, Any]

_EXTERNAL = (
    ("Ilse Marchetti", "ilse.marchetti@fabrikam.com"),
    ("Tobias Ekwueme", "tobias@northwindtraders.com"),
    ("Marisol Achterberg", "marisol.achterberg@adventure-works.com"),
    ("Kenji Halvorsen", "kenji@tailspintoys.com"),
    ("Wren Castellano", "wren.castellano@litware.com"),
    ("Odile Nakamura", "odile@wingtiptoys.com"),
    ("Fabrikam Billing", "billing@fabrikam.com"),
    ("Northwind Newsletter", "news@northwindtraders.com"),
    ("Contoso IT", "it-notifications@contoso-demo.onmicrosoft.com"),
)
_SPAM = (
    ("Prize Department", "winner@lucky-prizes.example"),
    ("Crypto Gains", "offers@quick-crypto.example"),
    ("Pharmacy Deals", "deals@cheap-meds.example"),
)

_TOPICS = (
    "Q{q} budget review",
    "Project Falcon status update",
    "Invoice #{n} from Fabrikam",
    "Lunch on {day}?",
    "Design review: {thing}",
    "Contract renewal for {org}",
    "Customer feedback on {thing}",
    "Action required: expense report {n}",
    "Planning the {thing} launch",
    "Interview schedule for {day}",
    "Notes from the {thing} workshop",
    "Travel itinerary {n}",
    "Offsite agenda",
    "Quarterly sales numbers",
    "Security incident {n} follow-up",
    "Welcome to the team!",
    "Draft: {thing} proposal",
    "Can you review this by {day}?",
)
_NEWSLETTERS = (
    "Your weekly digest",
    "Northwind product news",
    "Webinar invitation: modern data platforms",
    "Fabrikam monthly statement",
)
_SPAM_SUBJECTS = ("You have won a prize!!!", "Double your money today", "Limited offer: 90% off")
THINGS = (
    "Orion",
    "mobile app",
    "pricing page",
    "data warehouse",
    "onboarding flow",
    "Falcon",
    "Helix",
    "Q3 roadmap",
)
ORGS = ("Fabrikam", "Northwind Traders", "Adventure Works", "Tailspin Toys", "Litware")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
SENTENCES = (
    "I have attached the latest numbers for your review.",
    "Could we move the discussion to later this week?",
    "The team made good progress and we are on track for the milestone.",
    "Please let me know if anything is missing before we send it out.",
    "We still need sign-off from finance before the end of the month.",
    "Thanks for the quick turnaround on this.",
    "The customer asked for a revised quote with the new volumes.",
    "I booked the large meeting room on the second floor.",
    "Here is a summary of the decisions we took in the meeting.",
    "Can you share the slides with the wider group?",
    "The deadline moved by one week, which gives us some breathing room.",
    "Remember to submit your timesheets by Friday.",
)
CATEGORIES = ("Blue category", "Red category", "Green category", "Project Falcon", "Finance")
_ATTACH_KINDS = (
    ("pdf", "application/pdf", "Report"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Proposal"),
    ("csv", "text/csv", "Figures"),
    ("txt", "text/plain", "Notes"),
    ("png", "image/png", "Screenshot"),
)


def recipient(user: Item) -> Item:
    """A recipient object for a user."""
    return {"emailAddress": {"name": user["displayName"], "address": user["mail"]}}


def _ext(name: str, address: str) -> Item:
    return {"emailAddress": {"name": name, "address": address}}


def body_html(greeting: str, lines: list[str], signature: str) -> str:
    """An Outlook-style HTML body."""
    paras = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<style type="text/css">p{margin-top:0;margin-bottom:0}</style></head>'
        f'<body dir="ltr"><div style="font-family:Aptos,Calibri,sans-serif;font-size:11pt">'
        f"<p>{html.escape(greeting)}</p><p>&nbsp;</p>{paras}<p>&nbsp;</p>"
        f"<p>{html.escape(signature)}</p></div></body></html>"
    )


def _conversation_index(
    rng: random.Random, moment: dt.datetime, depth: int, base: bytes | None
) -> tuple[str, bytes]:
    if base is None:
        ticks = int((moment - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)
        base = b"\x01" + (ticks >> 24).to_bytes(5, "big") + rng.randbytes(16)
    raw = base + b"".join(rng.randbytes(5) for _ in range(depth))
    return base64.b64encode(raw).decode(), base


def build_messages(
    basis: DemoBasis, box: Mailbox, user: Item, index: int, custom_ids: dict[str, str], count: int
) -> None:
    """A mailbox's messages: threads, newsletters, junk and drafts over the last weeks."""
    rng = random.Random(f"{basis.seed}/messages/{index}")
    others = [u for u in basis.users if u["id"] != user["id"] and u.get("mail")]
    me = recipient(user)
    wk = box.wellknown
    days = 45 + 3 * min(basis.scale, 100)
    inbox_children = [custom_ids["Newsletters"], custom_ids["Team"]]
    archive_like = [wk["archive"], custom_ids["Falcon"], custom_ids["Orion"], custom_ids["Receipts"]]
    number = 0
    made = 0
    domain_tag = "".join(ch for ch in user["userPrincipalName"].split("@")[1].split(".")[0] if ch.isalnum())
    while made < count:
        kind = rng.random()
        start = basis.anchor - dt.timedelta(seconds=rng.randrange(60, days * 86400))
        if kind < 0.12:
            name, address = rng.choice(_EXTERNAL[7:8] + _EXTERNAL[6:7])
            thread = [(_ext(name, address), rng.choice(_NEWSLETTERS), rng.choice(inbox_children))]
        elif kind < 0.16:
            name, address = rng.choice(_SPAM)
            thread = [(_ext(name, address), rng.choice(_SPAM_SUBJECTS), wk["junkemail"])]
        else:
            topic = rng.choice(_TOPICS).format(
                q=rng.randrange(1, 5),
                n=rng.randrange(1000, 9999),
                day=rng.choice(_DAYS),
                thing=rng.choice(THINGS),
                org=rng.choice(ORGS),
            )
            if rng.random() < 0.65:
                peer = recipient(rng.choice(others)) if others else _ext(*_EXTERNAL[0])
            else:
                peer = _ext(*rng.choice(_EXTERNAL[:6]))
            length = rng.choice((1, 1, 1, 2, 2, 3, 4))
            first_from_me = rng.random() < 0.3
            thread = []
            place = wk["inbox"]
            roll = rng.random()
            if roll < 0.12:
                place = rng.choice(archive_like)
            elif roll < 0.16:
                place = wk["deleteditems"]
            for depth in range(length):
                mine = (depth % 2 == 0) == first_from_me
                subject = topic if depth == 0 else f"RE: {topic}"
                thread.append((me if mine else peer, subject, wk["sentitems"] if mine else place))
        conv_id = outlook_id(box.key, K_CONV, number, salt=7).replace("AAMk", "AAQk", 1)
        base: bytes | None = None
        moment = start
        previous_sender: Item | None = None
        for depth, (sender, subject, folder) in enumerate(thread):
            if made >= count:
                break
            number += 1
            made += 1
            if moment > basis.anchor:
                moment = basis.anchor - dt.timedelta(seconds=rng.randrange(60, 3600))
            mine = sender is me
            if mine:
                fallback = [recipient(rng.choice(others))] if others else []
                recipients = [previous_sender] if previous_sender else fallback
            else:
                recipients = [me]
            cc: list[Item] = []
            if rng.random() < 0.25 and others:
                cc = [recipient(u) for u in rng.sample(others, min(len(others), rng.randrange(1, 3)))]
            bcc: list[Item] = []
            if mine and others and rng.random() < 0.05:
                bcc = [recipient(rng.choice(others))]
            conv_index, base = _conversation_index(rng, moment, depth, base)
            lines = rng.sample(SENTENCES, rng.randrange(1, 4))
            sender_name = sender["emailAddress"]["name"]
            greeting = f"Hi {user['givenName']}," if not mine else "Hi,"
            html_body = body_html(greeting, lines, sender_name)
            text = f"{greeting}\r\n\r\n" + "\r\n".join(lines) + f"\r\n\r\n{sender_name}\r\n"
            created = moment - dt.timedelta(seconds=rng.randrange(1, 30))
            received = moment
            age_days = (basis.anchor - received).days
            is_read = True if mine else (rng.random() < (0.45 if age_days < 7 else 0.93))
            flag: Item | None = None  # unset, shown as notFlagged (specs.MESSAGES.unset_defaults)
            f_roll = rng.random()
            if not mine and f_roll < 0.08:
                due = received + dt.timedelta(days=rng.randrange(1, 10))
                flag = {
                    "flagStatus": "flagged",
                    "startDateTime": {
                        "dateTime": received.strftime("%Y-%m-%dT00:00:00.0000000"),
                        "timeZone": "UTC",
                    },
                    "dueDateTime": {"dateTime": due.strftime("%Y-%m-%dT00:00:00.0000000"), "timeZone": "UTC"},
                }
            elif not mine and f_roll < 0.12:
                flag = {
                    "flagStatus": "complete",
                    "completedDateTime": {
                        "dateTime": received.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                        "timeZone": "UTC",
                    },
                }
            attach: list[tuple[int, int]] = []
            if rng.random() < 0.16:
                for _ in range(rng.choice((1, 1, 1, 2, 3))):
                    kind_i = rng.randrange(len(_ATTACH_KINDS))
                    size = rng.choice(
                        (900, 4_000, 25_000, 120_000, 600_000 if kind_i in (0, 2, 3) else 40_000)
                    )
                    attach.append((kind_i, min(size, 60_000) if kind_i == 1 else size))
            mid = outlook_id(box.key, K_MESSAGE, number)
            ck = change_key(mid, 1)
            sender_addr = sender["emailAddress"]["address"].lower()
            message: Item = {
                "@odata.etag": f'W/"{ck}"',
                "id": mid,
                "createdDateTime": fmt_s(created),
                "lastModifiedDateTime": fmt_s(received + dt.timedelta(seconds=rng.randrange(1, 600))),
                "changeKey": ck,
                "categories": [rng.choice(CATEGORIES)] if rng.random() < 0.15 else [],
                "receivedDateTime": fmt_s(received),
                "sentDateTime": fmt_s(created),
                "hasAttachments": bool(attach),
                "internetMessageId": f"<{hashlib.md5(mid.encode()).hexdigest()[:24].upper()}@"
                f"{'PH0PR11MB' if mine else 'BY5PR13MB'}{index:04d}.namprd11.prod.outlook.com>"
                if mine or sender_addr.endswith(domain_tag + ".onmicrosoft.com")
                else f"<{hashlib.md5(mid.encode()).hexdigest()[:20]}@{sender_addr.split('@')[1]}>",
                "subject": subject,
                "bodyPreview": text.replace("\r\n", " ").strip()[:255],
                "importance": "high" if rng.random() < 0.08 else "low" if rng.random() < 0.04 else "normal",
                "parentFolderId": folder,
                "conversationId": conv_id,
                "conversationIndex": conv_index,
                "isDeliveryReceiptRequested": False if rng.random() < 0.9 else None,
                **({"isReadReceiptRequested": True} if rng.random() < 0.03 else {}),
                "isRead": is_read,
                "isDraft": False,
                "webLink": "https://outlook.office365.com/owa/?ItemID="
                + mid.replace("=", "%3D").replace("+", "%2B").replace("/", "%2F")
                + "&exvsurl=1&viewmodel=ReadMessageItem",
                "inferenceClassification": "other" if folder in inbox_children else "focused",
                "body": {"contentType": "html", "content": html_body},
                "sender": sender,
                "from": sender,
                "toRecipients": recipients,
                "ccRecipients": cc,
                "bccRecipients": bcc,
                "replyTo": [],
                **({"flag": flag} if flag else {}),
                "_text": text,
                "_att": attach,
            }
            box.messages[mid] = message
            previous_sender = sender
            moment = moment + dt.timedelta(minutes=rng.randrange(5, 60 * 30))
    # A few drafts.
    for _ in range(min(3 + basis.scale // 10, 20)):
        number += 1
        mid = outlook_id(box.key, K_MESSAGE, number)
        ck = change_key(mid, 1)
        moment = basis.anchor - dt.timedelta(seconds=rng.randrange(600, 14 * 86400))
        subject = f"Draft: {rng.choice(THINGS)} proposal"
        lines = rng.sample(SENTENCES, 2)
        text = "Hi,\r\n\r\n" + "\r\n".join(lines) + "\r\n"
        to = [recipient(rng.choice(others))] if others else []
        box.messages[mid] = {
            "@odata.etag": f'W/"{ck}"',
            "id": mid,
            "createdDateTime": fmt_s(moment),
            "lastModifiedDateTime": fmt_s(moment),
            "changeKey": ck,
            "categories": [],
            "receivedDateTime": fmt_s(moment),
            "sentDateTime": fmt_s(moment),
            "hasAttachments": False,
            "internetMessageId": f"<{hashlib.md5(mid.encode()).hexdigest()[:24].upper()}@"
            f"PH0PR11MB{index:04d}.namprd11.prod.outlook.com>",
            "subject": subject,
            "bodyPreview": text.replace("\r\n", " ").strip()[:255],
            "importance": "normal",
            "parentFolderId": wk["drafts"],
            "conversationId": outlook_id(box.key, K_CONV, number, salt=7).replace("AAMk", "AAQk", 1),
            "conversationIndex": _conversation_index(rng, moment, 0, None)[0],
            "isDeliveryReceiptRequested": False,
            "isRead": True,
            "isDraft": True,
            "webLink": "https://outlook.office365.com/owa/?ItemID="
            + mid.replace("=", "%3D")
            + "&exvsurl=1&viewmodel=ReadMessageItem",
            "inferenceClassification": "focused",
            "body": {"contentType": "html", "content": body_html("Hi,", lines, user["displayName"])},
            "sender": None,
            "from": None,
            "toRecipients": to,
            "ccRecipients": [],
            "bccRecipients": [],
            "replyTo": [],
            "_text": text,
            "_att": [],
        }
    box.counter = max(box.counter, number + 1)


def message_attachments(box: Mailbox, message: Item) -> list[Item]:
    """The message's attachments, with real content, built on first use."""

    found: list[Item] | None = box.attachments.get(message["id"])
    if found is not None:
        return found
    out: list[Item] = []
    for k, (kind_i, size) in enumerate(message.get("_att", [])):
        ext, ctype, stem = _ATTACH_KINDS[kind_i]
        content = make_content(ext, f"{message['id']}/{k}", size)
        aid = outlook_id(
            box.key, K_ATTACH, int.from_bytes(message["id"].encode()[-12:], "big") % 10**12, salt=k
        )
        out.append(
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "@odata.mediaContentType": ctype,
                "id": aid,
                "lastModifiedDateTime": message["lastModifiedDateTime"],
                "name": f"{stem} {k + 1}.{ext}" if k else f"{stem}.{ext}",
                "contentType": ctype,
                "size": len(content),
                "isInline": False,
                "contentId": None,
                "contentLocation": None,
                "contentBytes": base64.b64encode(content).decode(),
            }
        )
    box.attachments[message["id"]] = out
    return out
