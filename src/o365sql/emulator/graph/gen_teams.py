"""The demo tenant's Teams: every Microsoft 365 group provisioned as a team, its channels, messages, members.

A team's id is its group's id (team-get.md); built on first use from (seed, group id, day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from .gen_mail import SENTENCES
from .model import DemoBasis
from .util import fmt_ms

__all__ = ["TeamContent", "build_team", "is_team"]

Item = dict[str, Any]


@dataclass
class TeamContent:
    """One team: the team resource, its channels, each channel's messages, its members."""

    team: Item
    channels: list[Item] = field(default_factory=list)
    messages: dict[str, list[Item]] = field(default_factory=dict)  # channel id -> messages, newest first
    # (channel id, message id) -> the message's replies, newest first
    replies: dict[tuple[str, str], list[Item]] = field(default_factory=dict)
    members: list[Item] = field(default_factory=list)


def is_team(group: Item) -> bool:
    """True for a group provisioned as a team."""
    return "Team" in (group.get("resourceProvisioningOptions") or [])


def _thread_id(*parts: object) -> str:
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()
    return f"19:{digest[:32]}@thread.tacv2"


def _replies(basis: DemoBasis, message: Item, members: list[Item]) -> list[Item]:
    """Zero to two replies to a message, newest first (own generator: messages unchanged)."""
    rng = random.Random(f"{basis.seed}/replies/{message['webUrl']}")
    when = dt.datetime.fromtimestamp(int(message["id"]) / 1000, dt.UTC)
    replies: list[Item] = []
    for _ in range(0 if basis.empty or not members else rng.randrange(0, 3)):
        author = rng.choice(members)
        when += dt.timedelta(minutes=rng.randrange(1, 240), milliseconds=rng.randrange(1, 1000))
        rid = str(int(when.timestamp() * 1000))
        sender = {**message["from"]["user"], "id": author["id"], "displayName": author["displayName"]}
        replies.append(
            {
                **message,
                "id": rid,
                "replyToId": message["id"],
                "etag": rid,
                "createdDateTime": fmt_ms(when),
                "lastModifiedDateTime": fmt_ms(when),
                "subject": None,
                "importance": "normal",
                "webUrl": message["webUrl"].replace(f"/{message['id']}?", f"/{rid}?"),
                "from": {**message["from"], "user": sender},
                "body": {"contentType": "html", "content": f"<p>{rng.choice(SENTENCES)}</p>"},
            }
        )
    replies.reverse()  # newest first, as the messages [U]
    return replies


def build_team(basis: DemoBasis, group: Item, members: list[Item], owners: list[str]) -> TeamContent:
    """The team of a group: General plus one or two channels, a few messages each, the group's members."""
    gid, tenant = group["id"], basis.directory.tenant.id
    rng = random.Random(f"{basis.seed}/team/{gid}")
    created = group["createdDateTime"]
    general = _thread_id(basis.seed, "general", gid)
    content = TeamContent(
        team={
            "id": gid,
            "createdDateTime": created,
            "displayName": group["displayName"],
            "description": group["description"],
            "internalId": general,
            "classification": None,
            "specialization": "none",
            "visibility": (group.get("visibility") or "Private").lower(),
            "webUrl": f"https://teams.microsoft.com/l/team/{general}/conversations?groupId={gid}&tenantId={tenant}",
            "isArchived": False,
            "tenantId": tenant,
        }
    )
    names = ["General", *rng.sample(("Announcements", "Design", "Planning", "Random"), 1 + len(members) % 2)]
    for n, name in enumerate(names):
        cid = general if n == 0 else _thread_id(basis.seed, "channel", gid, n)
        content.channels.append(
            {
                "id": cid,
                "createdDateTime": created,
                "displayName": name,
                "description": group["description"] if n == 0 else f"{name} for {group['displayName']}",
                "isFavoriteByDefault": None,
                "email": "",
                "tenantId": tenant,
                "webUrl": f"https://teams.microsoft.com/l/channel/{cid}/{name}?groupId={gid}&tenantId={tenant}",
                "membershipType": "standard",
            }
        )
        messages: list[Item] = []
        when = basis.anchor - dt.timedelta(days=rng.randrange(3, 30))
        for m in range(0 if basis.empty else rng.randrange(1, 4)):
            author = rng.choice(members) if members else None
            when += dt.timedelta(hours=rng.randrange(1, 30), milliseconds=rng.randrange(1000))
            mid = str(int(when.timestamp() * 1000))
            text = rng.choice(SENTENCES)
            messages.append(
                {
                    "id": mid,
                    "replyToId": None,
                    "etag": mid,
                    "messageType": "message",
                    "createdDateTime": fmt_ms(when),
                    "lastModifiedDateTime": fmt_ms(when),
                    "lastEditedDateTime": None,
                    "deletedDateTime": None,
                    "subject": f"{name} update {m + 1}" if m == 0 else None,
                    "summary": None,
                    "chatId": None,
                    "importance": "high" if rng.random() < 0.2 else "normal",
                    "locale": "en-us",
                    "webUrl": f"https://teams.microsoft.com/l/message/{cid}/{mid}?groupId={gid}&tenantId={tenant}",
                    "policyViolation": None,
                    "eventDetail": None,
                    "from": {
                        "application": None,
                        "device": None,
                        "user": {
                            "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                            "id": author["id"] if author else None,
                            "displayName": author["displayName"] if author else None,
                            "userIdentityType": "aadUser",
                            "tenantId": tenant,
                        },
                    },
                    "body": {"contentType": "html", "content": f"<p>{text}</p>"},
                    "channelIdentity": {"teamId": gid, "channelId": cid},
                    "attachments": [],
                    "mentions": [],
                    "reactions": [],
                }
            )
        messages.reverse()  # Graph lists a channel's messages newest first [U]
        content.messages[cid] = messages
        for message in messages:
            content.replies[(cid, message["id"])] = _replies(basis, message, members)
    for user in members:
        content.members.append(
            {
                "@odata.type": "#microsoft.graph.aadUserConversationMember",
                "id": "MCMjMiMj" + hashlib.sha256(f"{gid}/{user['id']}".encode()).hexdigest()[:40],
                "roles": ["owner"] if user["id"] in owners else [],
                "displayName": user["displayName"],
                "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z",
                "userId": user["id"],
                "email": user["mail"],
                "tenantId": tenant,
            }
        )
    return content
