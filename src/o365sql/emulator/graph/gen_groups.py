"""The demo tenant's group content: conversations, threads and posts of every Microsoft 365 group.

Built on first use per group, from (seed, group id, day), so the same group has the same content all day.
Only Unified groups have a group mailbox, hence conversations; other groups have none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from .gen_mail import SENTENCES, THINGS
from .model import DemoBasis
from .util import K_CONV, change_key, fmt_s, outlook_id

__all__ = ["GroupContent", "build_group_content", "is_unified"]

Item = dict[str, Any]

_TOPICS = (
    "Kick-off for the {thing} work",
    "Questions about the {thing} rollout",
    "Notes from Thursday's {thing} review",
    "Who owns the {thing} budget?",
    "Holiday cover for {thing}",
)
# Second-level id kinds inside the group mailbox (conversations use K_CONV).
_K_THREAD, _K_POST = 30, 31


@dataclass
class GroupContent:
    """One group mailbox: conversations, their threads and the threads' posts (internal keys link them)."""

    group_id: str
    conversations: list[Item] = field(default_factory=list)
    threads: list[Item] = field(default_factory=list)  # each has _conversationId
    posts: dict[str, list[Item]] = field(default_factory=dict)  # thread id -> posts, oldest first


def is_unified(group: Item) -> bool:
    """True for a Microsoft 365 group (it has a group mailbox, calendar, drive and plans)."""
    return "Unified" in (group.get("groupTypes") or [])


def _address(user: Item) -> Item:
    return {"emailAddress": {"name": user["displayName"], "address": user["mail"]}}


def build_group_content(basis: DemoBasis, group: Item, members: list[Item]) -> GroupContent:
    """Two or three conversations of one or two threads, each thread one to three posts."""
    content = GroupContent(group_id=group["id"])
    if basis.empty or not is_unified(group) or not members:
        return content
    key = hashlib.sha256(f"{basis.seed}/groupmailbox/{group['id']}".encode()).digest()[:16]
    rng = random.Random(f"{basis.seed}/groupcontent/{group['id']}")
    group_address = {"emailAddress": {"name": group["displayName"], "address": group["mail"]}}
    for c in range(3 if group["mailNickname"] == "allcompany" else 2):
        cid = outlook_id(key, K_CONV, c)
        topic = rng.choice(_TOPICS).format(thing=rng.choice(THINGS))
        conv_senders: list[str] = []
        conv_last = ""
        conv_preview = ""
        conv_attach = False
        for t in range(1 + (c % 2)):
            tid = outlook_id(key, _K_THREAD, c * 10 + t)
            posts: list[Item] = []
            when = basis.anchor - dt.timedelta(days=rng.randrange(2, 60), minutes=rng.randrange(1440))
            for p in range(rng.randrange(1, 4)):
                author = rng.choice(members)
                when += dt.timedelta(minutes=rng.randrange(5, 600))
                text = " ".join(rng.sample(SENTENCES, 2))
                attach = rng.random() < 0.2
                pid = outlook_id(key, _K_POST, c * 100 + t * 10 + p)
                posts.append(
                    {
                        "@odata.etag": f'W/"{change_key(pid, 1)}"',
                        "id": pid,
                        "createdDateTime": fmt_s(when),
                        "lastModifiedDateTime": fmt_s(when),
                        "changeKey": change_key(pid, 1),
                        "categories": [],
                        "receivedDateTime": fmt_s(when),
                        "hasAttachments": attach,
                        "body": {
                            "contentType": "html",
                            "content": f"<html><body><p>{text}</p></body></html>",
                        },
                        "from": _address(author),
                        "sender": _address(author),
                        "conversationThreadId": tid,
                        "conversationId": cid,
                        "newParticipants": [],
                        "_preview": text[:255],
                    }
                )
            senders = list(dict.fromkeys(p["from"]["emailAddress"]["name"] for p in posts))
            last = posts[-1]
            content.threads.append(
                {
                    "id": tid,
                    "toRecipients": [group_address],
                    "topic": topic,
                    "hasAttachments": any(p["hasAttachments"] for p in posts),
                    "lastDeliveredDateTime": last["receivedDateTime"],
                    "uniqueSenders": senders,
                    "ccRecipients": [],
                    "preview": last["_preview"],
                    "isLocked": False,
                    "_conversationId": cid,
                }
            )
            content.posts[tid] = posts
            conv_senders.extend(s for s in senders if s not in conv_senders)
            if last["receivedDateTime"] > conv_last:
                conv_last, conv_preview = last["receivedDateTime"], last["_preview"]
            conv_attach = conv_attach or content.threads[-1]["hasAttachments"]
        content.conversations.append(
            {
                "id": cid,
                "topic": topic,
                "hasAttachments": conv_attach,
                "lastDeliveredDateTime": conv_last,
                "uniqueSenders": conv_senders,
                "preview": conv_preview,
            }
        )
    # Graph lists conversations and threads most recently delivered first [U: the order is undocumented].
    content.conversations.sort(key=lambda i: i["lastDeliveredDateTime"], reverse=True)
    content.threads.sort(key=lambda i: i["lastDeliveredDateTime"], reverse=True)
    return content
