"""Teams routes (read): /teams, /teams/{id}/channels, a channel's messages, /teams/{id}/members.

Sources: teams-list.md ($filter, $select, $top), channel-list.md ($filter on membershipType, $select),
channel-list-messages.md ($top up to 50 and $expand=replies; no $filter), chatmessage-list-replies.md ($top
up to 50, no other query option), team-list-members.md ($filter on
roles and displayName, $select, $top).
"""

from __future__ import annotations

from typing import Any

from ..odata import ResourceSpec
from .auth import Perm, require_any
from .envelope import Ctx, Result
from .errors import GraphError
from .gen_teams import TeamContent, is_team
from .query import list_result
from .specs import EQ, _rule, _typed

__all__ = [
    "CHANNELS",
    "CHANNEL_MESSAGES",
    "TEAMS",
    "TEAM_MEMBERS",
    "channel_messages",
    "list_channels",
    "list_members",
    "list_teams",
    "message_replies",
]

Item = dict[str, Any]
_TEAMS_READ = {"Team.ReadBasic.All", "TeamSettings.Read.All", "Group.Read.All", "Directory.Read.All"}
TEAMS_PERM = Perm(_TEAMS_READ, set(), _TEAMS_READ)
CHANNELS_PERM = Perm(
    {"Channel.ReadBasic.All", "ChannelSettings.Read.All", "Group.Read.All"},
    set(),
    {"Channel.ReadBasic.All", "ChannelSettings.Read.All", "Group.Read.All"},
)
MESSAGES_PERM = Perm({"ChannelMessage.Read.All"}, set(), {"ChannelMessage.Read.All"})
MEMBERS_PERM = Perm(
    {"TeamMember.Read.All", "TeamMember.ReadWrite.All"},
    set(),
    {"TeamMember.Read.All", "TeamMember.ReadWrite.All"},
)

_DIRECTORY: dict[str, Any] = {
    "default_top": 100,
    "max_top": 999,
    "top_error": ("BadRequest", "Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive."),
    "supports_skip": False,
    "filter_code": "BadRequest",
}
_TEAM_KEYS = (
    "id",
    "createdDateTime",
    "displayName",
    "description",
    "internalId",
    "classification",
    "specialization",
    "visibility",
    "webUrl",
    "isArchived",
    "tenantId",
)
TEAMS = ResourceSpec(
    name="team",
    properties=_typed(
        {"id": _rule(EQ), "displayName": _rule(frozenset({"eq", "startswith"})), "visibility": _rule(EQ)}
    ),
    default_select=_TEAM_KEYS,
    selectable=frozenset(_TEAM_KEYS),
    **_DIRECTORY,
)
_CHANNEL_KEYS = (
    "id",
    "createdDateTime",
    "displayName",
    "description",
    "isFavoriteByDefault",
    "email",
    "tenantId",
    "webUrl",
    "membershipType",
)
CHANNELS = ResourceSpec(
    name="channel",
    properties=_typed({"id": _rule(EQ), "displayName": _rule(EQ), "membershipType": _rule(EQ)}),
    default_select=_CHANNEL_KEYS,
    selectable=frozenset(_CHANNEL_KEYS),
    default_top=1000,
    max_top=0,  # [U] channels come on one page; $top is refused
    top_error=("BadRequest", "The query parameter '$top' is not supported."),
    supports_skip=False,
    filter_code="BadRequest",
)
_MESSAGE_KEYS = (
    "id",
    "replyToId",
    "etag",
    "messageType",
    "createdDateTime",
    "lastModifiedDateTime",
    "lastEditedDateTime",
    "deletedDateTime",
    "subject",
    "summary",
    "chatId",
    "importance",
    "locale",
    "webUrl",
    "policyViolation",
    "eventDetail",
    "from",
    "body",
    "channelIdentity",
    "attachments",
    "mentions",
    "reactions",
)
CHANNEL_MESSAGES = ResourceSpec(
    name="chatMessage",
    properties={},
    default_select=_MESSAGE_KEYS,
    selectable=frozenset(_MESSAGE_KEYS),
    default_top=20,
    max_top=50,
    top_error=("BadRequest", "Invalid page size specified: '{top}'. Must be between 1 and 50 inclusive."),
    supports_skip=False,
    filter_code="BadRequest",
)
_MEMBER_KEYS = ("id", "roles", "displayName", "visibleHistoryStartDateTime", "userId", "email", "tenantId")
TEAM_MEMBERS = ResourceSpec(
    name="conversationMember",
    properties=_typed(
        {
            "id": _rule(EQ),
            "displayName": _rule(frozenset({"eq", "startswith"})),
            "roles": _rule(frozenset({"any", "eq"})),
        }
    ),
    default_select=_MEMBER_KEYS,
    selectable=frozenset(_MEMBER_KEYS),
    **_DIRECTORY,
)


def _team(ctx: Ctx, tid: str) -> TeamContent:
    group = ctx.store.groups_by_id.get(tid.lower())
    if group is None or not is_team(group):
        raise GraphError(404, "NotFound", f"No team found with Group Id {tid}")  # [U] the message
    return ctx.store.team(group["id"])


def _as_member(item: Item, shaped: Item) -> Item:
    return {"@odata.type": item["@odata.type"], **shaped}


def list_teams(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /teams."""
    require_any(ctx, TEAMS_PERM, "Forbidden")
    teams = [ctx.store.team(grp["id"]).team for grp in ctx.store.groups if is_team(grp)]
    return list_result(ctx, teams, TEAMS, ctx.meta("teams"), token_paging="directory")


def list_channels(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /teams/{id}/channels."""
    require_any(ctx, CHANNELS_PERM, "Forbidden")
    team = _team(ctx, g["tid"])
    return list_result(ctx, team.channels, CHANNELS, ctx.meta(f"teams('{team.team['id']}')/channels"))


def channel_messages(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /teams/{id}/channels/{id}/messages (top-level messages, newest first)."""
    require_any(ctx, MESSAGES_PERM, "Forbidden")
    team = _team(ctx, g["tid"])
    messages = team.messages.get(g["cid"])
    if messages is None:
        raise GraphError(404, "NotFound", "Channel not found.")  # [U] the message
    context = ctx.meta(f"teams('{team.team['id']}')/channels('{g['cid']}')/messages")
    return list_result(ctx, messages, CHANNEL_MESSAGES, context, token_paging="directory")


def message_replies(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /teams/{id}/channels/{id}/messages/{id}/replies (newest first)."""
    require_any(ctx, MESSAGES_PERM, "Forbidden")
    team = _team(ctx, g["tid"])
    if g["cid"] not in team.messages:
        raise GraphError(404, "NotFound", "Channel not found.")  # [U] the message
    replies = team.replies.get((g["cid"], g["mid"]))
    if replies is None:
        raise GraphError(404, "NotFound", "Message not found.")  # [U] the message
    context = ctx.meta(f"teams('{team.team['id']}')/channels('{g['cid']}')/messages('{g['mid']}')/replies")
    return list_result(ctx, replies, CHANNEL_MESSAGES, context, token_paging="directory")


def list_members(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /teams/{id}/members."""
    require_any(ctx, MEMBERS_PERM, "Forbidden")
    team = _team(ctx, g["tid"])
    context = ctx.meta(f"teams('{team.team['id']}')/members")
    return list_result(ctx, team.members, TEAM_MEMBERS, context, finish=_as_member, token_paging="directory")
