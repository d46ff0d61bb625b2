"""Mailbox tables: MailboxSettings (one row per mailbox) and Rules (inbox rules)."""

from __future__ import annotations

from ._types import TableSpec, col
from .mail import USER_ID

__all__ = ["MAILBOX_SETTINGS", "RULES"]

_SETTINGS = (("MailboxSettings.Read",), ("MailboxSettings.Read",))
# user-update-mailboxsettings.md, mailfolder-post-messagerules.md: MailboxSettings.ReadWrite (both kinds).
_SETTINGS_WRITE = (("MailboxSettings.ReadWrite",), ("MailboxSettings.ReadWrite",))


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
    # PATCH {scope}/mailboxSettings; Graph creates and deletes no mailbox settings (the page's Tip)
    item="{scope}/mailboxSettings",
    writes=frozenset({"UPDATE"}),
    write_permissions=_SETTINGS_WRITE,
    columns=(
        col("id", read_only=True, not_null=True, desc="The user's object id (the key)"),
        col("mailboxSettings_timeZone", desc="Time zone (Windows name)"),
        col(
            "mailboxSettings_automaticRepliesSetting_status",
            desc="Automatic replies: disabled, alwaysEnabled or scheduled",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_externalAudience",
            desc="Who outside gets replies: none, contactsOnly or all",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_internalReplyMessage",
            desc="Reply to people inside the organisation",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_externalReplyMessage",
            desc="Reply to people outside",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_scheduledStartDateTime_dateTime",
            "DATETIME",
            dtz=True,
            desc="Scheduled replies start (UTC)",
        ),
        col(
            "mailboxSettings_automaticRepliesSetting_scheduledEndDateTime_dateTime",
            "DATETIME",
            dtz=True,
            desc="Scheduled replies end (UTC)",
        ),
        col("mailboxSettings_language_locale", desc="Language (locale)"),
        col("mailboxSettings_dateFormat", desc="Date format"),
        col("mailboxSettings_timeFormat", desc="Time format"),
        col("mailboxSettings_workingHours", "JSON", desc="Working days, hours and zone (JSON)"),
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
    item="{scope}/mailFolders/inbox/messageRules/{id}",
    per_user=True,
    max_page=None,
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("displayName", "sequence", "actions"),  # mailfolder-post-messagerules.md: Required
    write_permissions=_SETTINGS_WRITE,
    columns=(
        col("id", read_only=True, not_null=True, desc="Rule id (the key)"),
        col("displayName", desc="Name"),
        col("sequence", "INTEGER", desc="Order the rules run in"),
        col("isEnabled", "BOOLEAN", desc="Enabled"),
        col("hasError", "BOOLEAN", read_only=True, desc="In an error state"),
        col("isReadOnly", "BOOLEAN", read_only=True, desc="Read-only"),
        col("conditions", "JSON", desc="When the rule applies (JSON)"),
        col("actions", "JSON", desc="What it does (JSON)"),
        col("exceptions", "JSON", desc="When it does not apply (JSON)"),
        USER_ID,
    ),
)
