"""Mailbox tables: MailboxSettings (one row per mailbox) and Rules (inbox rules)."""

from __future__ import annotations

from ._types import TableSpec, col
from .mail import USER_ID

__all__ = ["MAILBOX_SETTINGS", "RULES"]

_SETTINGS = (("MailboxSettings.Read",), ("MailboxSettings.Read",))


# mailboxSettings is a property of the user, returned for one user on $select (GET /me?$select=...).
MAILBOX_SETTINGS = TableSpec(
    name="MailboxSettings",
    permissions=_SETTINGS,
    typical_rows=1,
    description="Mailbox settings: automatic replies, time zone, language, working hours (GET "
    "/me?$select=mailboxSettings). One row per mailbox; id is the user's id.",
    collection="{scope}",
    per_user=True,
    max_page=None,
    select_always=("mailboxSettings",),  # without it Graph answers with the user's profile only
    columns=(
        col("id", read_only=True, not_null=True, desc="The user's object id (the key)"),
        col("mailboxSettings_timeZone", read_only=True, desc="Time zone (Windows name)"),
        col(
            "mailboxSettings_automaticRepliesSetting_status",
            read_only=True,
            desc="Automatic replies: disabled, alwaysEnabled or scheduled",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_externalAudience",
            read_only=True,
            desc="Who outside gets replies: none, contactsOnly or all",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_internalReplyMessage",
            read_only=True,
            desc="Reply to people inside the organisation",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_externalReplyMessage",
            read_only=True,
            desc="Reply to people outside",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_scheduledStartDateTime_dateTime",
            "DATETIME",
            read_only=True,
            dtz=True,
            desc="Scheduled replies start (UTC)",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_scheduledEndDateTime_dateTime",
            "DATETIME",
            read_only=True,
            dtz=True,
            desc="Scheduled replies end (UTC)",
        ),
        col("mailboxSettings_language_locale", read_only=True, desc="Language (locale)"),
        col("mailboxSettings_dateFormat", read_only=True, desc="Date format"),
        col("mailboxSettings_timeFormat", read_only=True, desc="Time format"),
        col(
            "mailboxSettings_workingHours", "JSON", read_only=True, desc="Working days, hours and zone (JSON)"
        ),
        col("mailboxSettings_userPurpose", read_only=True, desc="user, shared, room, equipment, ..."),
        USER_ID,
    ),
)

# mailfolder-list-messagerules.md: the inbox's rules; no query options documented.
RULES = TableSpec(
    name="Rules",
    permissions=_SETTINGS,
    typical_rows=10,
    description="Inbox rules of a mailbox (GET /me/mailFolders/inbox/messageRules).",
    collection="{scope}/mailFolders/inbox/messageRules",
    per_user=True,
    max_page=None,
    columns=(
        col("id", read_only=True, not_null=True, desc="Rule id (the key)"),
        col("displayName", read_only=True, desc="Name"),
        col("sequence", "INTEGER", read_only=True, desc="Order the rules run in"),
        col("isEnabled", "BOOLEAN", read_only=True, desc="Enabled"),
        col("hasError", "BOOLEAN", read_only=True, desc="In an error state"),
        col("isReadOnly", "BOOLEAN", read_only=True, desc="Read-only"),
        col("conditions", "JSON", read_only=True, desc="When the rule applies (JSON)"),
        col("actions", "JSON", read_only=True, desc="What it does (JSON)"),
        col("exceptions", "JSON", read_only=True, desc="When it does not apply (JSON)"),
        USER_ID,
    ),
)
