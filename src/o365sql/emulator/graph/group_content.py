"""Group content routes: a Microsoft 365 group's conversations, threads and posts."""

from __future__ import annotations

from typing import Any

from . import specs_content
from .auth import Perm, require_any
from .envelope import Ctx, Result
from .errors import GraphError
from .gen_groups import GroupContent, is_unified
from .query import list_result

__all__ = [
    "CONVERSATIONS",
    "conversation_threads",
    "list_conversations",
    "list_threads",
    "thread_posts",
]

Item = dict[str, Any]

# group-list-conversations.md: Group-Conversation.Read.All is the least privileged, Group.Read.All also works.
CONVERSATIONS = Perm(
    {
        "Group-Conversation.Read.All",
        "Group-Conversation.ReadWrite.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
    },
    set(),
    {
        "Group-Conversation.Read.All",
        "Group-Conversation.ReadWrite.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
    },
)


def _content(ctx: Ctx, gid: str) -> tuple[Item, GroupContent]:
    require_any(ctx, CONVERSATIONS, "ErrorAccessDenied")
    group = ctx.store.group(gid)
    if not is_unified(group):
        # [U] a security or distribution group has no group mailbox to hold conversations
        raise GraphError(404, "ErrorInvalidGroup", "The group has no mailbox.")
    return group, ctx.store.group_content(group["id"])


def _thread(content: GroupContent, tid: str, cid: str | None = None) -> Item:
    for thread in content.threads:
        if thread["id"] == tid and (cid is None or thread["_conversationId"] == cid):
            return thread
    raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def list_conversations(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/conversations."""
    group, content = _content(ctx, g["gid"])
    return list_result(
        ctx,
        content.conversations,
        specs_content.CONVERSATIONS,
        ctx.meta(f"groups('{group['id']}')/conversations"),
    )


def list_threads(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/threads."""
    group, content = _content(ctx, g["gid"])
    return list_result(
        ctx, content.threads, specs_content.THREADS, ctx.meta(f"groups('{group['id']}')/threads")
    )


def conversation_threads(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/conversations/{id}/threads."""
    group, content = _content(ctx, g["gid"])
    if not any(c["id"] == g["cid"] for c in content.conversations):
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    threads = [t for t in content.threads if t["_conversationId"] == g["cid"]]
    context = ctx.meta(f"groups('{group['id']}')/conversations('{g['cid']}')/threads")
    return list_result(ctx, threads, specs_content.THREADS, context)


def thread_posts(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /groups/{id}/threads/{id}/posts (and the same below /conversations/{id})."""
    group, content = _content(ctx, g["gid"])
    thread = _thread(content, g["tid"], g.get("cid"))
    context = ctx.meta(f"groups('{group['id']}')/threads('{thread['id']}')/posts")
    return list_result(ctx, content.posts[thread["id"]], specs_content.POSTS, context)
