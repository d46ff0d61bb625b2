"""INSERT into Conversations, Threads and Posts (a reply): effects read back through raw Graph."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connect, get, raw_graph, writes_since


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A tenant of this module's own (new conversations change what other tests would count)."""
    with Emulator(data="demo") as made:
        yield made


@pytest.fixture(scope="module")
def gcon(emu: Emulator) -> Iterator[o365sql.Connection]:
    with connect(emu) as c:
        yield c


@pytest.fixture(scope="module")
def graph(emu: Emulator) -> Iterator[httpx.Client]:
    with raw_graph(emu) as client:
        yield client


def _group(graph: httpx.Client, name: str = "Engineering") -> str:
    found = [g for g in get(graph, "/groups")["value"] if g["displayName"] == name]
    assert found, name
    return str(found[0]["id"])


def _posts(graph: httpx.Client, gid: str, tid: str) -> list[dict[str, object]]:
    return list(get(graph, f"/groups/{gid}/threads/{tid}/posts")["value"])


def test_insert_conversation_starts_a_thread_with_its_post(
    gcon: o365sql.Connection, graph: httpx.Client
) -> None:
    gid = _group(graph)
    cur = gcon.cursor()
    cur.execute(
        "INSERT INTO Conversations (GroupId, topic, Content, NewParticipants) "
        "VALUES (?, 'Offsite dates', '<p>Which week suits?</p>', 'Ann <ann@example.com>; bo@example.com') "
        "RETURNING id, topic",
        (gid,),
    )
    ((cid, topic),) = cur.fetchall()
    assert topic == "Offsite dates" and cur.inserted_ids == [cid]
    assert [c["topic"] for c in get(graph, f"/groups/{gid}/conversations")["value"] if c["id"] == cid] == [
        topic
    ]
    (thread,) = get(graph, f"/groups/{gid}/conversations/{cid}/threads")["value"]
    (post,) = _posts(graph, gid, thread["id"])
    assert post["body"] == {"contentType": "html", "content": "<p>Which week suits?</p>"}
    assert post["newParticipants"] == [
        {"emailAddress": {"address": "ann@example.com", "name": "Ann"}},
        {"emailAddress": {"address": "bo@example.com"}},
    ]


def test_insert_thread_opens_a_new_conversation(gcon: o365sql.Connection, graph: httpx.Client) -> None:
    gid = _group(graph)
    before = len(get(graph, f"/groups/{gid}/conversations")["value"])
    cur = gcon.cursor()
    cur.execute(
        "INSERT INTO Threads (GroupId, topic, Content) VALUES (?, 'Lunch', 'Pizza?') RETURNING id", (gid,)
    )
    ((tid,),) = cur.fetchall()
    assert [p["body"]["content"] for p in _posts(graph, gid, tid)] == ["Pizza?"]  # type: ignore[index]
    assert len(get(graph, f"/groups/{gid}/conversations")["value"]) == before + 1


def test_insert_thread_into_a_conversation(gcon: o365sql.Connection, graph: httpx.Client) -> None:
    gid = _group(graph)
    conversation = get(graph, f"/groups/{gid}/conversations")["value"][-1]
    cur = gcon.cursor()
    cur.execute(
        "INSERT INTO Threads (GroupId, ConversationId, Content) VALUES (?, ?, 'One more thing') RETURNING id",
        (gid, conversation["id"]),
    )
    ((tid,),) = cur.fetchall()
    threads = get(graph, f"/groups/{gid}/conversations/{conversation['id']}/threads")["value"]
    assert tid in [t["id"] for t in threads]


def test_insert_post_replies_and_gives_no_id(gcon: o365sql.Connection, graph: httpx.Client) -> None:
    """reply answers 202 without a body: RETURNING's id is NULL, inserted_ids stays empty, no id invented."""
    gid = _group(graph)
    tid = get(graph, f"/groups/{gid}/threads")["value"][0]["id"]
    before = _posts(graph, gid, tid)
    cur = gcon.cursor()
    cur.execute(
        "INSERT INTO Posts (GroupId, ThreadId, body_content, newParticipants) "
        "VALUES (?, ?, 'Agreed.', '[\"cy@example.com\"]') RETURNING id, GroupId, ThreadId",
        (gid, tid),
    )
    assert cur.fetchall() == [(None, gid, tid)]
    assert cur.inserted_ids == [] and cur.rowcount == 1
    after = _posts(graph, gid, tid)
    assert len(after) == len(before) + 1
    assert after[-1]["body"] == {"contentType": "html", "content": "Agreed."}
    assert after[-1]["newParticipants"] == [{"emailAddress": {"address": "cy@example.com"}}]


@pytest.mark.parametrize(
    ("sql", "wanted", "sent"),
    [
        ("INSERT INTO Conversations (GroupId, topic) VALUES (?, 't')", "needs Content", False),
        ("INSERT INTO Conversations (GroupId, Content) VALUES (?, 'c')", "needs topic", False),
        (
            "INSERT INTO Conversations (GroupId, topic, Content, NewParticipants) "
            "VALUES (?, 't', 'c', 'nobody')",
            "email",
            False,
        ),
        (
            "INSERT INTO Conversations (GroupId, topic, Content, preview) VALUES (?, 't', 'c', 'p')",
            "read-only",
            False,
        ),
        # Graph's own 400: a thread of the group (not of a conversation) needs its topic
        ("INSERT INTO Threads (GroupId, Content) VALUES (?, 'no topic')", "(?i)topic", True),
    ],
)
def test_bad_inserts_write_nothing(
    gcon: o365sql.Connection, graph: httpx.Client, emu: Emulator, sql: str, wanted: str, sent: bool
) -> None:
    gid = _group(graph)
    mark = len(emu.requests())
    before = len(get(graph, f"/groups/{gid}/threads")["value"])
    with pytest.raises(o365sql.Error, match=wanted):
        gcon.cursor().execute(sql, (gid,))
    assert len(get(graph, f"/groups/{gid}/threads")["value"]) == before
    assert bool(writes_since(emu, mark)) is sent


def test_conversations_take_no_update_or_delete(gcon: o365sql.Connection, graph: httpx.Client) -> None:
    gid = _group(graph)
    with pytest.raises(o365sql.NotSupportedError, match="accepts INSERT"):
        gcon.cursor().execute("DELETE FROM Conversations WHERE GroupId = ?", (gid,))


def test_403_names_group_readwrite_all(emu: Emulator, graph: httpx.Client) -> None:
    gid = _group(graph)
    scopes = frozenset({"User.Read", "Group-Conversation.Read.All"})
    with connect(emu, scopes) as c, pytest.raises(o365sql.Error, match=r"Group\.ReadWrite\.All"):
        c.cursor().execute("INSERT INTO Threads (GroupId, topic, Content) VALUES (?, 'x', 'y')", (gid,))
    assert not [t for t in get(graph, f"/groups/{gid}/threads")["value"] if t["topic"] == "x"]


def test_app_only_is_refused_before_any_request(emu: Emulator, graph: httpx.Client) -> None:
    gid = _group(graph)
    token, _ = emu.state.tokens.issue_access(
        tenant_id=emu.tenant_id,
        client_id=emu.client_id,
        user_id=None,
        roles=frozenset({"Group.ReadWrite.All"}),
    )
    app_url = ";".join(
        [
            "AuthScheme=AzureServicePrincipal",
            f"AzureTenant={emu.tenant_id}",
            f"OAuthClientId={emu.app_client_id}",
            f"OAuthClientSecret={emu.app_client_secret}",
            f"AuthorityHost={emu.authority_host}",
            f"GraphURL={emu.graph_url}",
            f"SSLServerCert={emu.ca_cert}",
        ]
    )
    mark = len(emu.requests())
    with (
        o365sql.connect(app_url) as app,
        pytest.raises(o365sql.ProgrammingError, match="signed-in user") as caught,
    ):
        app.cursor().execute(
            "INSERT INTO Conversations (GroupId, topic, Content) VALUES (?, 't', 'c')", (gid,)
        )
    assert "Group.ReadWrite.All" in str(caught.value)
    assert writes_since(emu, mark) == []
    # the emulator refuses the app-only write as Graph does (no application permission is listed)
    with emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as app_raw:
        refused = app_raw.post(
            f"/groups/{gid}/conversations",
            json={"topic": "t", "threads": [{"posts": [{"body": {"content": "c"}}]}]},
        )
    assert refused.status_code == 403
