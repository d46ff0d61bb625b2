"""Mail tables: Messages, MailFolders, MessageAttachments (Graph message, mailFolder, attachment)."""

from __future__ import annotations

from ._types import SEARCH_COLUMN, ColumnSpec, TableSpec, col

__all__ = ["MAIL_FOLDERS", "MESSAGES", "MESSAGE_ATTACHMENTS", "USER_ID", "attachment_columns"]

USER_ID = col(
    "UserId",
    kind="scope",
    desc="Mailbox owner (id or UPN). A constraint reads /users/{UserId}/...; none means /me, or every user "
    "when signed in as an application.",
)


def _recipient(prefix: str, desc: str) -> tuple[ColumnSpec, ...]:
    return (
        col(f"{prefix}_emailAddress_name", desc=f"{desc}: display name"),
        col(f"{prefix}_emailAddress_address", ops="eq", desc=f"{desc}: email address"),
    )


def attachment_columns(parent: str, desc: str) -> tuple[ColumnSpec, ...]:
    """The columns of an attachments table (messages' and events'): the parent's id column first."""
    return (
        col(parent, kind="param", not_null=True, desc=desc),
        col("id", read_only=True, not_null=True, desc="Attachment id"),
        col("name", desc="File name"),
        col("contentType", desc="MIME type"),
        col("size", "INTEGER", read_only=True, desc="Size in bytes"),
        col("isInline", "BOOLEAN", desc="Inline (shown in the body)"),
        col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
        col(
            "attachmentType",
            kind="odata_type",
            read_only=True,
            desc="fileAttachment, itemAttachment or referenceAttachment",
        ),
        col(
            "contentBytes",
            hidden=True,
            desc="Content as base64 (file attachments); INSERT takes base64 text or a BLOB",
        ),
        USER_ID,
    )


# Filters follow Microsoft's message docs: booleans eq/ne, the DateTimeOffset properties compared, a few
# strings with eq (Exchange compares them case-insensitively, so the engine lets SQLite re-check).
MESSAGES = TableSpec(
    name="Messages",
    permissions=(("Mail.ReadBasic", "Mail.Read"), ("Mail.Read",)),
    typical_rows=10000,
    description="Mail messages of a mailbox (GET /me/messages); parentFolderId = 'inbox' reads one folder.",
    collection="{scope}/messages",
    item="{scope}/messages/{id}",
    per_user=True,
    routes={"parentFolderId": "{scope}/mailFolders/{parentFolderId}/messages"},
    max_page=1000,
    supports_skip=True,
    orderby_rule="outlook",
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    write_permissions=(("Mail.ReadWrite",), ("Mail.ReadWrite",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Message id (the key)"),
        col("subject", ops="prefix", desc="Subject"),
        col("bodyPreview", read_only=True, desc="First 255 characters of the body"),
        col("body_contentType", desc="html or text"),
        col("body_content", desc="The body"),
        *_recipient("from", "Sender shown as From"),
        *_recipient("sender", "Account that actually sent the message"),
        col("toRecipients", "JSON", desc="To recipients (JSON array of recipient)"),
        col("ccRecipients", "JSON", desc="Cc recipients (JSON)"),
        col("bccRecipients", "JSON", desc="Bcc recipients (JSON)"),
        col("replyTo", "JSON", desc="Reply-to recipients (JSON)"),
        col(
            "receivedDateTime",
            "DATETIME",
            ops="range",
            orderable=True,
            read_only=True,
            not_null=True,
            desc="When the message was received (UTC)",
        ),
        col("sentDateTime", "DATETIME", ops="range", orderable=True, read_only=True, desc="When it was sent"),
        col(
            "createdDateTime",
            "DATETIME",
            ops="range",
            orderable=True,
            read_only=True,
            not_null=True,
            desc="When the item was created",
        ),
        col(
            "lastModifiedDateTime",
            "DATETIME",
            ops="range",
            orderable=True,
            read_only=True,
            not_null=True,
            desc="Last change",
        ),
        col("isRead", "BOOLEAN", ops="bool", not_null=True, desc="Read flag"),
        col("isDraft", "BOOLEAN", ops="bool", read_only=True, not_null=True, desc="Draft (not sent)"),
        col("hasAttachments", "BOOLEAN", ops="bool", read_only=True, not_null=True, desc="Has attachments"),
        col("importance", ops="eq", desc="low, normal or high"),
        col("inferenceClassification", ops="eq", desc="focused or other"),
        col(
            "isReadReceiptRequested",
            "BOOLEAN",
            ops="bool",
            unset_shows=0,
            desc="Read receipt requested",
        ),
        col("isDeliveryReceiptRequested", "BOOLEAN", desc="Delivery receipt requested"),
        col(
            "parentFolderId",
            ops="eq",
            desc="Folder id; well-known names (inbox, drafts, sentitems, ...) work. INSERT creates the draft "
            "there (default Drafts); UPDATE moves the message, which gives it a new id",
        ),
        col("conversationId", ops="eq", read_only=True, desc="Conversation id"),
        col("conversationIndex", read_only=True, desc="Position in the conversation (base64)"),
        col("internetMessageId", ops="eq", read_only=True, desc="RFC 2822 Message-ID"),
        col("categories", "JSON", desc="Categories (JSON array of strings)"),
        col("flag_flagStatus", ops="eq", unset_shows="notFlagged", desc="notFlagged, complete or flagged"),
        col("flag_startDateTime_dateTime", "DATETIME", dtz=True, desc="Flag start (UTC)"),
        col("flag_dueDateTime_dateTime", "DATETIME", dtz=True, desc="Flag due (UTC)"),
        col("flag_completedDateTime_dateTime", "DATETIME", dtz=True, desc="Flag completed (UTC)"),
        col("changeKey", read_only=True, desc="Version of the item"),
        col("webLink", read_only=True, desc="Outlook on the web link"),
        col(
            "internetMessageHeaders",
            "JSON",
            read_only=True,
            hidden=True,  # Graph sends them only when selected: name the column to read it
            desc="Internet message headers (JSON array of name/value); Graph sends them only when selected",
        ),
        USER_ID,
        col(
            SEARCH_COLUMN,
            kind="param",
            read_only=True,
            hidden=True,
            desc="Graph's $search (KQL): WHERE SEARCH = 'budget from:ana' reads only the messages it finds",
        ),
    ),
)

MAIL_FOLDERS = TableSpec(
    name="MailFolders",
    permissions=(("Mail.ReadBasic", "Mail.Read"), ("Mail.Read",)),
    typical_rows=50,
    description="Mail folders, the whole tree; parentFolderId = x (or a well-known name) lists x's children.",
    collection="{scope}/mailFolders",
    item="{scope}/mailFolders/{id}",
    per_user=True,
    routes={"parentFolderId": "{scope}/mailFolders/{parentFolderId}/childFolders"},
    max_page=1000,
    recursive="mailfolders",
    select_always=("childFolderCount",),
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("displayName",),
    insert_only=("parentFolderId",),
    write_permissions=(("Mail.ReadWrite",), ("Mail.ReadWrite",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Folder id (the key)"),
        col("displayName", ops="eq", desc="Folder name"),
        col("parentFolderId", desc="Parent folder id (INSERT: create below it; default the top level)"),
        col("childFolderCount", "INTEGER", read_only=True, desc="Number of child folders"),
        col("unreadItemCount", "INTEGER", read_only=True, desc="Unread messages"),
        col("totalItemCount", "INTEGER", read_only=True, desc="Messages"),
        col("isHidden", "BOOLEAN", read_only=True, desc="Hidden folder"),
        USER_ID,
    ),
)

MESSAGE_ATTACHMENTS = TableSpec(
    name="MessageAttachments",
    permissions=(("Mail.Read",), ("Mail.Read",)),
    typical_rows=3,
    parent_table="Messages",
    description="Attachments of messages (metadata; content via DownloadAttachments). Give MessageId, or the "
    "table lists every message of the mailbox first.",
    collection="{scope}/messages/{MessageId}/attachments",
    item="{scope}/messages/{MessageId}/attachments/{id}",
    key=("MessageId", "id"),
    per_user=True,
    parent_key="MessageId",
    fanout_collection="{scope}/messages",
    fanout_expand="attachments",
    max_page=None,
    writes=frozenset({"INSERT", "DELETE"}),
    insert_required=("MessageId", "name", "contentBytes"),
    insert_only=("MessageId", "contentBytes"),
    write_permissions=(("Mail.ReadWrite",), ("Mail.ReadWrite",)),
    columns=attachment_columns("MessageId", "The message the attachment belongs to"),
)
