"""Group conversation writes: start a conversation, start a thread, reply to a thread.

group-post-conversations.md: POST /groups/{id}/conversations with the topic and a first thread and post;
201 with the conversation. group-post-threads.md (and conversation-post-threads.md below a conversation):
POST .../threads with the topic and a first post; 201 with the thread. conversationthread-reply.md: POST
.../threads/{id}/reply with {"post": ...}; 202 Accepted and no body, so no id. The three pages list
Group.ReadWrite.All (delegated) and no application permission: an app-only token gets 403.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from . import specs_content
from .auth import Perm, require_any
from .envelope import Ctx, Result
from .errors import GraphError
from .gen_groups import GroupContent, is_unified
from .query import entity_result
from .util import K_CONV, change_key, fmt_s, outlook_id

__all__ = ["GROUP_CONVERSATION_WRITE", "create_conversation", "create_thread", "reply_to_thread"]

Item = dict[str, Any]

GROUP_CONVERSATION_WRITE = Perm({"Group.ReadWrite.All"}, set(), set())
_K_THREAD, _K_POST = 30, 31  # gen_groups' id kinds


def _bad(message: str) -> GraphError:
    return GraphError(400, "ErrorInvalidRequest", message)  # [U] Exchange's code for a malformed body


def _content(ctx: Ctx, gid: str) -> tuple[Item, GroupContent]:
    require_any(ctx, GROUP_CONVERSATION_WRITE, "ErrorAccessDenied")
    group = ctx.store.group(gid)
    if not is_unified(group):
        raise GraphError(404, "ErrorInvalidGroup", "The group has no mailbox.")  # [U] as group_content.py
    return group, ctx.store.group_content(group["id"])


def _key(ctx: Ctx, group: Item) -> bytes:
    # the group mailbox's key, as gen_groups makes it: new ids share the mailbox part of the demo ones
    return hashlib.sha256(f"{ctx.store.seed}/groupmailbox/{group['id']}".encode()).digest()[:16]


def _number(ctx: Ctx, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{ctx.request_id}/{salt}".encode()).digest()[:4], "big")


def _recipients(value: object) -> list[Item]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad("newParticipants must be a collection of recipients.")
    for entry in value:
        address = entry.get("emailAddress", {}).get("address") if isinstance(entry, dict) else None
        if not isinstance(address, str) or "@" not in address:
            raise _bad(f"A recipient has no valid email address: {entry!r}.")
    return list(value)


def _post(ctx: Ctx, data: object) -> tuple[dict[str, Any], list[Item]]:
    """(body, newParticipants) of a post in a request, or 400."""
    if not isinstance(data, dict):
        raise _bad("A post is required.")
    body = data.get("body")
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise _bad("The post's body content is required.")
    kind = body.get("contentType") or "html" if isinstance(body, dict) else "html"
    if str(kind).lower() not in ("html", "text"):
        raise _bad(f"The body contentType must be html or text, not {kind!r}.")
    return {"contentType": str(kind).lower(), "content": content}, _recipients(data.get("newParticipants"))


def _author(ctx: Ctx) -> Item:
    assert ctx.grant is not None and ctx.grant.user_id is not None  # delegated only: a user signed in
    user = ctx.store.users_by_id[ctx.grant.user_id]
    return {"emailAddress": {"name": user["displayName"], "address": user["mail"]}}


def _add_post(
    ctx: Ctx, group: Item, content: GroupContent, thread: Item, body: Item, people: list[Item]
) -> Item:
    now = fmt_s(ctx.state.clock.now())
    pid = outlook_id(_key(ctx, group), _K_POST, _number(ctx, "post"))
    post: Item = {
        "@odata.etag": f'W/"{change_key(pid, 1)}"',
        "id": pid,
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "changeKey": change_key(pid, 1),
        "categories": [],
        "receivedDateTime": now,
        "hasAttachments": False,
        "body": body,
        "from": _author(ctx),
        "sender": _author(ctx),
        "conversationThreadId": thread["id"],
        "conversationId": thread["_conversationId"],
        "newParticipants": people,
        "_preview": body["content"][:255],
    }
    content.posts.setdefault(thread["id"], []).append(post)
    name = post["from"]["emailAddress"]["name"]
    for holder in (thread, *(c for c in content.conversations if c["id"] == thread["_conversationId"])):
        holder["lastDeliveredDateTime"] = now
        holder["preview"] = post["_preview"]
        if name not in holder["uniqueSenders"]:
            holder["uniqueSenders"].append(name)
    return post


def _new_thread(ctx: Ctx, group: Item, content: GroupContent, topic: str, cid: str) -> Item:
    thread: Item = {
        "id": outlook_id(_key(ctx, group), _K_THREAD, _number(ctx, "thread")),
        "toRecipients": [{"emailAddress": {"name": group["displayName"], "address": group["mail"]}}],
        "topic": topic,
        "hasAttachments": False,
        "lastDeliveredDateTime": None,
        "uniqueSenders": [],
        "ccRecipients": [],
        "preview": "",
        "isLocked": False,
        "_conversationId": cid,
    }
    content.threads.insert(0, thread)
    return thread


def _new_conversation(ctx: Ctx, group: Item, content: GroupContent, topic: str) -> Item:
    conversation: Item = {
        "id": outlook_id(_key(ctx, group), K_CONV, _number(ctx, "conversation")),
        "topic": topic,
        "hasAttachments": False,
        "lastDeliveredDateTime": None,
        "uniqueSenders": [],
        "preview": "",
    }
    content.conversations.insert(0, conversation)
    return conversation


def _topic(data: Item) -> str:
    topic = data.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        raise _bad("The topic is required.")
    return topic


def _first_post(data: object, what: str) -> object:
    posts = data.get("posts") if isinstance(data, dict) else None
    if not isinstance(posts, list) or len(posts) != 1:
        raise _bad(f"A new {what} takes exactly one post.")  # [U] the pages' examples send one
    return posts[0]


def create_conversation(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /groups/{id}/conversations: 201 with the conversation."""
    group, content = _content(ctx, g["gid"])
    data = ctx.json_body()
    topic = _topic(data)
    threads = data.get("threads")
    if not isinstance(threads, list) or len(threads) != 1:
        raise _bad("A new conversation takes exactly one thread.")  # [U] wording
    body, people = _post(ctx, _first_post(threads[0], "thread"))
    with ctx.store.lock:
        conversation = _new_conversation(ctx, group, content, topic)
        thread = _new_thread(ctx, group, content, topic, conversation["id"])
        _add_post(ctx, group, content, thread, body, people)
    context = ctx.meta(f"groups('{group['id']}')/conversations/$entity")
    return dataclasses.replace(
        entity_result(ctx, conversation, specs_content.CONVERSATIONS, context), status=201
    )


def create_thread(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /groups/{id}/threads (a new conversation) or .../conversations/{id}/threads: 201, the thread."""
    group, content = _content(ctx, g["gid"])
    data = ctx.json_body()
    cid = g.get("cid")
    if cid is not None:
        found = [c for c in content.conversations if c["id"] == cid]
        if not found:
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        topic = data.get("topic") or found[0]["topic"]
    else:
        topic = _topic(data)
    body, people = _post(ctx, _first_post(data, "thread"))
    with ctx.store.lock:
        if cid is None:
            cid = _new_conversation(ctx, group, content, topic)["id"]
        thread = _new_thread(ctx, group, content, topic, cid)
        _add_post(ctx, group, content, thread, body, people)
    context = ctx.meta(f"groups('{group['id']}')/threads/$entity")
    return dataclasses.replace(entity_result(ctx, thread, specs_content.THREADS, context), status=201)


def reply_to_thread(ctx: Ctx, g: dict[str, str]) -> Result:
    """POST /groups/{id}/threads/{id}/reply: 202 Accepted, no body (conversationthread-reply.md)."""
    group, content = _content(ctx, g["gid"])
    cid = g.get("cid")
    thread = next(
        (t for t in content.threads if t["id"] == g["tid"] and (cid is None or t["_conversationId"] == cid)),
        None,
    )
    if thread is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    if thread.get("isLocked"):
        raise GraphError(
            403, "ErrorAccessDenied", "The thread is locked."
        )  # [U] a locked thread takes no post
    body, people = _post(ctx, ctx.json_body().get("post"))
    with ctx.store.lock:
        _add_post(ctx, group, content, thread, body, people)
    return Result(status=202)
