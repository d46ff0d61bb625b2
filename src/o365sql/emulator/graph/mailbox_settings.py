"""Mailbox settings, inbox rules and calendar groups: per-mailbox data made from (seed, user) on demand.

Routes: /me/calendarGroups, /me/mailFolders/inbox/messageRules; mailboxSettings is served on the user
(GET /users/{id}?$select=mailboxSettings, user.md: "returned only on $select").
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from ..odata import ResourceSpec
from .auth import CALENDARS, MAIL, Perm, open_mailbox, require_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .query import list_result
from .specs import EQ, TEXT, _rule, _typed
from .util import K_CALENDAR, change_key, outlook_id

__all__ = [
    "CALENDAR_GROUPS",
    "MAILBOX_SETTINGS",
    "MESSAGE_RULES",
    "list_calendar_groups",
    "list_message_rules",
    "mailbox_settings_of",
]

Item = dict[str, Any]

# user-get-mailboxsettings.md / mailfolder-list-messagerules.md: MailboxSettings.Read (delegated and app).
MAILBOX_SETTINGS = Perm(
    {"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
    set(),
    {"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
)

CALENDAR_GROUPS = ResourceSpec(
    name="calendarGroup",
    # [U] the page names no filterable property; name is what Outlook filters in practice.
    properties=_typed({"id": _rule(EQ), "name": _rule(TEXT, True)}),
    default_select=("id", "name", "changeKey", "classId"),
    selectable=frozenset({"id", "name", "changeKey", "classId"}),
    default_top=10,
    max_top=1000,
    top_error=("ErrorInvalidUrlQuery", "The value of the $top parameter must be between 1 and 1000."),
    filter_code="ErrorInvalidUrlQuery",
)
_RULE_DEFAULT = (
    "id",
    "displayName",
    "sequence",
    "isEnabled",
    "hasError",
    "isReadOnly",
    "conditions",
    "actions",
    "exceptions",
)
MESSAGE_RULES = ResourceSpec(
    name="messageRule",
    properties={},  # [U] messageRules documents no $filter, $orderby or $top
    default_select=_RULE_DEFAULT,
    selectable=frozenset(_RULE_DEFAULT),
    default_top=1000,
    max_top=0,
    top_error=("ErrorInvalidUrlQuery", "The query parameter '$top' is not supported."),
    supports_skip=False,
    filter_code="ErrorInvalidUrlQuery",
)

_ZONES = {"US": "Pacific Standard Time", "IE": "GMT Standard Time", "DE": "W. Europe Standard Time"}
_CLASS_IDS = (
    "0006f0b7-0000-0000-c000-000000000046",
    "0006f0b8-0000-0000-c000-000000000046",
    "0006f0b9-0000-0000-c000-000000000046",
)


def mailbox_settings_of(seed: int, user: Item) -> Item:
    """The user's mailboxSettings: time zone from the usage location; every third user is out of office."""
    rng = random.Random(f"{seed}/mailboxsettings/{user['id']}")
    zone = _ZONES.get(user.get("usageLocation") or "", "Eastern Standard Time")
    away = rng.random() < 0.34
    return {
        "archiveFolder": outlook_id(hashlib.sha256(user["id"].encode()).digest()[:16], 1, 1),
        "timeZone": zone,
        "automaticRepliesSetting": {
            "status": "alwaysEnabled" if away else "disabled",
            "externalAudience": "contactsOnly" if away else "all",
            "internalReplyMessage": f"{user['displayName']} is away this week." if away else "",
            "externalReplyMessage": "I am out of the office." if away else "",
            "scheduledStartDateTime": {"dateTime": "2026-01-05T08:00:00.0000000", "timeZone": "UTC"},
            "scheduledEndDateTime": {"dateTime": "2026-01-09T17:00:00.0000000", "timeZone": "UTC"},
        },
        "language": {
            "locale": user.get("preferredLanguage") or "en-US",
            "displayName": "English (United States)",
        },
        "dateFormat": "M/d/yyyy",
        "timeFormat": "h:mm tt",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "userPurpose": "user",
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": zone},
        },
    }


def require_settings(ctx: Ctx, owner_id: str) -> None:
    """403 ErrorAccessDenied unless the grant may read the mailbox's settings."""
    require_mailbox(ctx, owner_id, MAILBOX_SETTINGS)


def list_calendar_groups(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendarGroups: My Calendars, Other Calendars, People's Calendars."""
    box = open_mailbox(ctx, owner, CALENDARS)
    items = [
        {
            "id": outlook_id(box.key, K_CALENDAR, 900 + n),
            "name": name,
            "changeKey": change_key(box.key.hex(), "calendargroup", n),
            "classId": _CLASS_IDS[n],
        }
        for n, name in enumerate(("My Calendars", "Other Calendars", "People's Calendars"))
    ]
    return list_result(ctx, items, CALENDAR_GROUPS, ctx.meta(f"{owner.base}/calendarGroups"))


def list_message_rules(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/inbox/messageRules (the inbox is the only folder with rules)."""
    require_settings(ctx, owner.id)
    box = open_mailbox(ctx, owner, MAIL)
    folder = box.mail_folder(g["fid"])
    if folder["id"] != box.wellknown["inbox"]:
        raise GraphError(400, "ErrorInvalidParameter", "Rules are supported only on the Inbox folder.")  # [U]
    domain = owner.user["userPrincipalName"].split("@")[1]
    newsletters = next(f["id"] for f in box.folders.values() if f["displayName"] == "Newsletters")
    rules: list[Item] = [
        {
            "id": f"AQAAA{n}" + hashlib.sha256(f"{owner.id}/rule/{n}".encode()).hexdigest()[:10] + "=",
            "displayName": name,
            "sequence": n + 1,
            "isEnabled": enabled,
            "hasError": False,
            "isReadOnly": False,
            "conditions": conditions,
            "actions": actions,
            "exceptions": None,
        }
        for n, (name, enabled, conditions, actions) in enumerate(
            (
                (
                    "Newsletters to their folder",
                    True,
                    {"senderContains": ["newsletter", "news@"]},
                    {"moveToFolder": newsletters, "stopProcessingRules": True},
                ),
                (
                    "Flag mail from my manager",
                    True,
                    {"fromAddresses": [{"emailAddress": {"address": f"manager@{domain}"}}]},
                    {"markImportance": "high"},
                ),
                ("Old receipts rule", False, {"subjectContains": ["receipt"]}, {"markAsRead": True}),
            )
        )
    ]
    return list_result(
        ctx, rules, MESSAGE_RULES, ctx.meta(f"{owner.base}/mailFolders('{g['fid']}')/messageRules")
    )
