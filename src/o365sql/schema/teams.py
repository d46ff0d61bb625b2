"""Teams tables (read): Teams, Channels, ChannelMessages, TeamMembers. A team's id is its group's id."""

from __future__ import annotations

from ._types import TableSpec, col

__all__ = ["CHANNELS", "CHANNEL_MESSAGES", "CHANNEL_MESSAGE_REPLIES", "TEAMS", "TEAM_MEMBERS"]

# teams-list.md: $filter, $select, $top (eq and startswith on displayName).
TEAMS = TableSpec(
    name="Teams",
    permissions=(("Team.ReadBasic.All",), ("Team.ReadBasic.All",)),
    typical_rows=200,
    description="Teams of the tenant (GET /teams); a team's id is its Microsoft 365 group's id.",
    collection="/teams",
    max_page=999,
    columns=(
        col("id", read_only=True, not_null=True, desc="Team id, the group's id (the key)"),
        col("displayName", ops="prefix", read_only=True, desc="Name"),
        col("description", read_only=True, desc="Description"),
        col("visibility", ops="eq", read_only=True, desc="public or private"),
        col("isArchived", "BOOLEAN", read_only=True, desc="Archived (read-only)"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("internalId", read_only=True, desc="Thread id of the General channel"),
        col("specialization", read_only=True, desc="none, educationClass, ..."),
        col("webUrl", read_only=True, desc="Link to the team in Teams"),
        col("tenantId", read_only=True, desc="Tenant id"),
    ),
)

# channel-list.md: $filter (membershipType) and $select; no $top.
CHANNELS = TableSpec(
    name="Channels",
    permissions=(("Channel.ReadBasic.All",), ("Channel.ReadBasic.All",)),
    typical_rows=5,
    parent_table="Teams",
    description="Channels of teams (GET /teams/{id}/channels). Give TeamId, or the table lists every team "
    "first.",
    collection="/teams/{TeamId}/channels",
    key=("TeamId", "id"),
    parent_key="TeamId",
    fanout_collection="/teams",
    max_page=None,
    columns=(
        col("TeamId", kind="param", not_null=True, desc="The team"),
        col("id", read_only=True, not_null=True, desc="Channel id (19:...@thread.tacv2)"),
        col("displayName", read_only=True, desc="Name"),
        col("description", read_only=True, desc="Description"),
        col("membershipType", ops="eq", read_only=True, desc="standard, private or shared"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("email", read_only=True, desc="Address that posts to the channel"),
        col("webUrl", read_only=True, desc="Link to the channel in Teams"),
        col("isFavoriteByDefault", "BOOLEAN", read_only=True, desc="Shown to every member by default"),
    ),
)

# The chatMessage columns, for messages and replies alike.
_MESSAGE_COLUMNS = (
    col("TeamId", kind="param", not_null=True, desc="The team"),
    col("ChannelId", kind="param", not_null=True, desc="The channel"),
    col("id", read_only=True, not_null=True, desc="Message id"),
    col("replyToId", read_only=True, desc="The message this replies to (NULL for top-level messages)"),
    col("messageType", read_only=True, desc="message, systemEventMessage, ..."),
    col("subject", read_only=True, desc="Subject"),
    col("importance", read_only=True, desc="normal, high or urgent"),
    col("from_user_id", read_only=True, desc="Author's user id"),
    col("from_user_displayName", read_only=True, desc="Author"),
    col("body_contentType", read_only=True, desc="html or text"),
    col("body_content", read_only=True, desc="The message"),
    col("createdDateTime", "DATETIME", read_only=True, desc="Posted"),
    col("lastModifiedDateTime", "DATETIME", read_only=True, desc="Last change"),
    col("deletedDateTime", "DATETIME", read_only=True, desc="Deleted"),
    col("webUrl", read_only=True, desc="Link to the message in Teams"),
    col("attachments", "JSON", read_only=True, desc="Attachments (JSON)"),
    col("mentions", "JSON", read_only=True, desc="Mentions (JSON)"),
    col("reactions", "JSON", read_only=True, desc="Reactions (JSON)"),
)

# channel-list-messages.md: top-level messages, $top up to 50; no $filter or $orderby. TeamId routes,
# ChannelId is the parent key (without it the team's channels are listed first; without TeamId either, the
# rows of Channels give both: engine.request.parent_scan).
CHANNEL_MESSAGES = TableSpec(
    name="ChannelMessages",
    permissions=(("ChannelMessage.Read.All",), ("ChannelMessage.Read.All",)),
    typical_rows=100,
    parent_table="Channels",
    description="Messages of team channels (GET /teams/{id}/channels/{id}/messages), newest first. Without "
    "ChannelId the team's channels are listed first; without TeamId every team's channels, side by side.",
    collection="/teams/{TeamId}/channels/{ChannelId}/messages",
    key=("TeamId", "ChannelId", "id"),
    parent_key="ChannelId",
    fanout_collection="/teams/{TeamId}/channels",
    routes={"TeamId": "/teams/{TeamId}/channels/{ChannelId}/messages"},
    max_page=50,
    columns=_MESSAGE_COLUMNS,
)

# chatmessage-list-replies.md: $top up to 50, no other query option. TeamId and ChannelId route (both are in
# the path); MessageId is the parent key (without it the channel's messages are listed first; without TeamId
# and ChannelId, the rows of ChannelMessages give all three).
CHANNEL_MESSAGE_REPLIES = TableSpec(
    name="ChannelMessageReplies",
    permissions=(("ChannelMessage.Read.All",), ("ChannelMessage.Read.All",)),
    typical_rows=3,
    parent_table="ChannelMessages",
    description="Replies to channel messages (GET /teams/{id}/channels/{id}/messages/{id}/replies), newest "
    "first. Without MessageId the channel's messages are listed first; without TeamId and ChannelId every "
    "channel's messages (TeamId alone: that team's channels), read side by side.",
    collection="/teams/{TeamId}/channels/{ChannelId}/messages/{MessageId}/replies",
    key=("TeamId", "ChannelId", "MessageId", "id"),
    parent_key="MessageId",
    fanout_collection="/teams/{TeamId}/channels/{ChannelId}/messages",
    routes={
        "TeamId": "/teams/{TeamId}/channels/{ChannelId}/messages/{MessageId}/replies",
        "ChannelId": "/teams/{TeamId}/channels/{ChannelId}/messages/{MessageId}/replies",
    },
    max_page=50,
    columns=(
        *_MESSAGE_COLUMNS[:2],
        col("MessageId", kind="param", not_null=True, desc="The message replied to"),
        *_MESSAGE_COLUMNS[2:],
    ),
)

# team-list-members.md: $filter (displayName, roles), $select, $top.
TEAM_MEMBERS = TableSpec(
    name="TeamMembers",
    permissions=(("TeamMember.Read.All",), ("TeamMember.Read.All",)),
    typical_rows=20,
    parent_table="Teams",
    description="Members of teams (GET /teams/{id}/members). Give TeamId, or the table lists every team "
    "first.",
    collection="/teams/{TeamId}/members",
    key=("TeamId", "id"),
    parent_key="TeamId",
    fanout_collection="/teams",
    max_page=999,
    columns=(
        col("TeamId", kind="param", not_null=True, desc="The team"),
        col("id", read_only=True, not_null=True, desc="Membership id"),
        col("userId", read_only=True, desc="The member's user id"),
        col("displayName", ops="prefix", read_only=True, desc="Name"),
        col("email", read_only=True, desc="Address"),
        col("roles", "JSON", read_only=True, desc='Roles (JSON, ["owner"] for owners, [] for members)'),
        col("memberType", kind="odata_type", read_only=True, desc="aadUserConversationMember, ..."),
        col("visibleHistoryStartDateTime", "DATETIME", read_only=True, desc="History visible from"),
    ),
)
