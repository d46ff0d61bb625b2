"""Group content tables: Conversations, Threads and Posts of Microsoft 365 groups (GroupId)."""

from __future__ import annotations

from ._types import TableSpec, col

__all__ = ["CONVERSATIONS", "POSTS", "THREADS"]

# group-list-conversations.md: Group-Conversation.Read.All is the least privileged permission.
_PERMISSIONS = (
    ("Group-Conversation.Read.All", "Group.Read.All"),
    ("Group-Conversation.Read.All", "Group.Read.All"),
)

# group-post-conversations.md, group-post-threads.md, conversationthread-reply.md: Group.ReadWrite.All
# (delegated); Graph lists no application permission for these writes.
_WRITE: tuple[tuple[str, ...], tuple[str, ...]] = (("Group.ReadWrite.All",), ())
_CONTENT = col(
    "Content",
    kind="param",
    hidden=True,
    desc="INSERT only: the body (HTML) of the first post; reads as NULL",
)
_PARTICIPANTS = col(
    "NewParticipants",
    kind="param",
    hidden=True,
    desc="INSERT only: recipients added to the first post ('a@x.com; Name <b@y.com>' or JSON); reads as NULL",
)

CONVERSATIONS = TableSpec(
    name="Conversations",
    permissions=_PERMISSIONS,
    typical_rows=50,
    parent_table="Groups",
    description="Conversations of Microsoft 365 groups (GET /groups/{id}/conversations). Give GroupId, or "
    "the table lists every group first (groups without a mailbox have none).",
    collection="/groups/{GroupId}/conversations",
    key=("GroupId", "id"),
    parent_key="GroupId",
    fanout_collection="/groups",
    max_page=1000,
    supports_skip=True,
    writes=frozenset({"INSERT"}),
    insert_required=("GroupId", "topic", "Content"),
    insert_only=("Content", "NewParticipants"),
    write_permissions=_WRITE,
    columns=(
        col("GroupId", kind="param", not_null=True, desc="The group"),
        col("id", read_only=True, not_null=True, desc="Conversation id"),
        col("topic", desc="Subject shared by the conversation's threads"),
        col("hasAttachments", "BOOLEAN", ops="bool", read_only=True, desc="Some post has attachments"),
        col("lastDeliveredDateTime", "DATETIME", read_only=True, desc="When the last post arrived"),
        col("uniqueSenders", "JSON", read_only=True, desc="Everyone who posted (JSON array of names)"),
        col("preview", read_only=True, desc="Start of the latest post"),
        _CONTENT,
        _PARTICIPANTS,
    ),
)

THREADS = TableSpec(
    name="Threads",
    permissions=_PERMISSIONS,
    typical_rows=50,
    parent_table="Groups",
    description="Conversation threads of Microsoft 365 groups (GET /groups/{id}/threads); ConversationId = x "
    "reads the threads of one conversation. Give GroupId, or the table lists every group first.",
    collection="/groups/{GroupId}/threads",
    key=("GroupId", "id"),
    parent_key="GroupId",
    fanout_collection="/groups",
    routes={"ConversationId": "/groups/{GroupId}/conversations/{ConversationId}/threads"},
    max_page=1000,
    supports_skip=True,
    writes=frozenset({"INSERT"}),
    insert_required=("GroupId", "Content"),
    insert_only=("Content", "NewParticipants"),
    write_permissions=_WRITE,
    columns=(
        col("GroupId", kind="param", not_null=True, desc="The group"),
        col("id", read_only=True, not_null=True, desc="Thread id"),
        col("topic", desc="Subject"),
        col("hasAttachments", "BOOLEAN", ops="bool", read_only=True, desc="Some post has attachments"),
        col("lastDeliveredDateTime", "DATETIME", read_only=True, desc="When the last post arrived"),
        col("isLocked", "BOOLEAN", read_only=True, desc="Locked: no new posts"),
        col("preview", read_only=True, desc="Start of the latest post"),
        col("uniqueSenders", "JSON", read_only=True, desc="Everyone who posted (JSON array of names)"),
        col("toRecipients", "JSON", read_only=True, desc="To recipients (JSON array of recipient)"),
        col("ccRecipients", "JSON", read_only=True, desc="Cc recipients (JSON)"),
        col(
            "ConversationId",
            kind="param",
            desc="A constraint reads that conversation's threads; NULL when the group's threads were read",
        ),
        _CONTENT,
        _PARTICIPANTS,
    ),
)

# Posts live two levels down (/groups/{g}/threads/{t}/posts): GroupId routes, ThreadId is the parent key.
POSTS = TableSpec(
    name="Posts",
    permissions=_PERMISSIONS,
    typical_rows=5,
    parent_table="Threads",
    description="Posts of group conversation threads (GET /groups/{id}/threads/{id}/posts). Without ThreadId "
    "the group's threads are listed first; without GroupId every group's threads, read side by side.",
    collection="/groups/{GroupId}/threads/{ThreadId}/posts",
    key=("GroupId", "ThreadId", "id"),
    parent_key="ThreadId",
    fanout_collection="/groups/{GroupId}/threads",
    routes={"GroupId": "/groups/{GroupId}/threads/{ThreadId}/posts"},
    max_page=1000,
    supports_skip=True,
    writes=frozenset({"INSERT"}),
    insert_required=("GroupId", "ThreadId", "body_content"),
    write_permissions=_WRITE,
    columns=(
        col("GroupId", kind="param", not_null=True, desc="The group"),
        col("ThreadId", kind="param", not_null=True, desc="The thread"),
        col("id", read_only=True, not_null=True, desc="Post id"),
        col("conversationId", read_only=True, desc="The conversation"),
        col("from_emailAddress_name", read_only=True, desc="Author name"),
        col("from_emailAddress_address", read_only=True, desc="Author address"),
        col("sender_emailAddress_address", read_only=True, desc="Account that sent it"),
        col("body_contentType", desc="html or text"),
        col("body_content", desc="The body"),
        col("hasAttachments", "BOOLEAN", ops="bool", read_only=True, desc="Has attachments"),
        col(
            "receivedDateTime",
            "DATETIME",
            ops="range",
            read_only=True,
            not_null=True,
            desc="When the post arrived",
        ),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
        col("categories", "JSON", read_only=True, desc="Categories (JSON)"),
        col("newParticipants", "JSON", desc="Recipients added by this post (JSON)"),
        col("changeKey", read_only=True, desc="Version"),
    ),
)
