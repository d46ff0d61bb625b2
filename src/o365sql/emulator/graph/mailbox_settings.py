"""Inbox rules and calendar groups: /me/mailFolders/inbox/messageRules and /me/calendarGroups.

mailboxSettings is served on the user (GET /users/{id}?$select=mailboxSettings, user.md: "returned only on
$select"); gen_settings.py makes its data. All three are generated on a mailbox's first use and kept in it,
so the writes of mailbox_writes.py show in later reads.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..odata import ResourceSpec
from .auth import CALENDARS, MAILBOX_SETTINGS, Perm, open_mailbox, require_mailbox
from .envelope import Ctx, Owner, Result
from .errors import GraphError
from .gen_settings import mailbox_settings_of
from .model import Mailbox
from .query import entity_result, list_result
from .specs import EQ, TEXT, _rule, _typed
from .util import K_CALENDAR, change_key, outlook_id

__all__ = [
    "CALENDAR_GROUPS",
    "MAILBOX_SETTINGS_WRITE",
    "MESSAGE_RULES",
    "calendar_groups_of",
    "get_calendar_group",
    "get_message_rule",
    "inbox_rules",
    "list_calendar_groups",
    "list_message_rules",
    "message_rules_of",
    "settings_of",
]

Item = dict[str, Any]
# user-update-mailboxsettings.md, mailfolder-post-messagerules.md: MailboxSettings.ReadWrite (delegated, app).
MAILBOX_SETTINGS_WRITE = Perm({"MailboxSettings.ReadWrite"}, set(), {"MailboxSettings.ReadWrite"})


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


def settings_of(ctx: Ctx, owner: Owner) -> Item:
    """The owner's stored mailboxSettings (generated on first use)."""
    box = ctx.store.mailbox(owner.id)
    if box.settings is None:
        box.settings = mailbox_settings_of(ctx.store.seed, owner.user)
    return box.settings


def calendar_groups_of(box: Mailbox) -> list[Item]:
    """The mailbox's calendar groups: My Calendars, Other Calendars, People's Calendars, then any created."""
    if box.calendar_groups is None:
        box.calendar_groups = [
            {
                "id": outlook_id(box.key, K_CALENDAR, 900 + n),
                "name": name,
                "changeKey": change_key(box.key.hex(), "calendargroup", n),
                "classId": _CLASS_IDS[n],
            }
            for n, name in enumerate(("My Calendars", "Other Calendars", "People's Calendars"))
        ]
    return box.calendar_groups


def list_calendar_groups(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendarGroups."""
    box = open_mailbox(ctx, owner, CALENDARS)
    items = calendar_groups_of(box)
    return list_result(ctx, items, CALENDAR_GROUPS, ctx.meta(f"{owner.base}/calendarGroups"))


def message_rules_of(owner: Owner, box: Mailbox) -> list[Item]:
    """The inbox rules (three generated on first use, then as writes left them)."""
    if box.rules is not None:
        return box.rules
    domain = owner.user["userPrincipalName"].split("@")[1]
    newsletters = next(f["id"] for f in box.folders.values() if f["displayName"] == "Newsletters")
    box.rules = [
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
    return box.rules


def inbox_rules(ctx: Ctx, owner: Owner, fid: str, write: bool = False) -> list[Item]:
    """The rules of the folder `fid`, which must be the inbox (403 without the read, or write, permission)."""
    require_mailbox(ctx, owner.id, MAILBOX_SETTINGS_WRITE if write else MAILBOX_SETTINGS)
    box = ctx.store.mailbox(owner.id)
    folder = box.mail_folder(fid)
    if folder["id"] != box.wellknown["inbox"]:
        raise GraphError(400, "ErrorInvalidParameter", "Rules are supported only on the Inbox folder.")  # [U]
    return message_rules_of(owner, box)


def list_message_rules(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/inbox/messageRules (the inbox is the only folder with rules)."""
    rules = inbox_rules(ctx, owner, g["fid"])
    return list_result(
        ctx, rules, MESSAGE_RULES, ctx.meta(f"{owner.base}/mailFolders('{g['fid']}')/messageRules")
    )


def get_message_rule(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/mailFolders/inbox/messageRules/{id} (messagerule-get.md); 404 for an unknown id."""
    rules = inbox_rules(ctx, owner, g["fid"])
    found = next((r for r in rules if r["id"] == g["rid"]), None)
    if found is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    context = ctx.meta(f"{owner.base}/mailFolders('{g['fid']}')/messageRules/$entity")
    return entity_result(ctx, found, MESSAGE_RULES, context)


def get_calendar_group(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """GET /me/calendarGroups/{id} (calendargroup-get.md); 404 for an unknown id."""
    box = open_mailbox(ctx, owner, CALENDARS)
    found = next((c for c in calendar_groups_of(box) if c["id"] == g["gid"]), None)
    if found is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return entity_result(ctx, found, CALENDAR_GROUPS, ctx.meta(f"{owner.base}/calendarGroups/$entity"))
