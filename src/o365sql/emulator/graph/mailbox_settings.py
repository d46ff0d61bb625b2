"""Inbox rules and calendar groups: /me/mailFolders/inbox/messageRules and /me/calendarGroups.

mailboxSettings is served on the user (GET /users/{id}?$select=mailboxSettings, user.md: "returned only on
$select"); gen_settings.py makes its data.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..odata import ResourceSpec
from .auth import CALENDARS, MAIL, MAILBOX_SETTINGS, open_mailbox, require_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .query import list_result
from .specs import EQ, TEXT, _rule, _typed
from .util import K_CALENDAR, change_key, outlook_id

__all__ = [
    "CALENDAR_GROUPS",
    "MESSAGE_RULES",
    "list_calendar_groups",
    "list_message_rules",
]

Item = dict[str, Any]


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

_CLASS_IDS = (
    "0006f0b7-0000-0000-c000-000000000046",
    "0006f0b8-0000-0000-c000-000000000046",
    "0006f0b9-0000-0000-c000-000000000046",
)


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
    require_mailbox(ctx, owner.id, MAILBOX_SETTINGS)
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
