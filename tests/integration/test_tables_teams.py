"""Teams, Channels, ChannelMessages and TeamMembers against the raw Graph resources: rows, pushed filters,
parent-key joins and permissions.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import connection_string, logged, token_for
from .test_tables_vs_graph import Item, compare, pages, select_for

Rows = list[tuple[tuple[Any, ...], Item]]


def _teams(raw: httpx.Client) -> list[Item]:
    return list(pages(raw, "/teams", select_for(TABLES["Teams"])))


def _channels(raw: httpx.Client) -> list[tuple[str, Item]]:
    spec = TABLES["Channels"]
    return [
        (t["id"], c) for t in _teams(raw) for c in pages(raw, f"/teams/{t['id']}/channels", select_for(spec))
    ]


def test_teams_are_the_team_groups(con: o365sql.Connection, raw: httpx.Client) -> None:
    teams = _teams(raw)
    compare(con, TABLES["Teams"], "SELECT * FROM Teams", [((t["id"],), t) for t in teams])
    groups = pages(raw, "/groups", {"$select": "id,resourceProvisioningOptions"})
    assert sorted(t["id"] for t in teams) == sorted(
        g["id"] for g in groups if "Team" in g["resourceProvisioningOptions"]
    )


def test_channels(con: o365sql.Connection, raw: httpx.Client) -> None:
    rows: Rows = [((tid, c["id"]), c) for tid, c in _channels(raw)]
    compare(con, TABLES["Channels"], "SELECT * FROM Channels", rows)


def test_members(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["TeamMembers"]
    rows: Rows = [
        ((t["id"], m["id"]), m)
        for t in _teams(raw)
        for m in pages(raw, f"/teams/{t['id']}/members", select_for(spec))
    ]
    compare(con, spec, "SELECT * FROM TeamMembers", rows)


def test_channel_messages_joined_from_channels(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    spec = TABLES["ChannelMessages"]
    channels = _channels(raw)
    rows: Rows = [
        ((tid, c["id"], m["id"]), m)
        for tid, c in channels
        for m in pages(raw, f"/teams/{tid}/channels/{c['id']}/messages", select_for(spec))
    ]
    emulator.reset()
    sql = "SELECT m.* FROM Channels c JOIN ChannelMessages m ON m.TeamId = c.TeamId AND m.ChannelId = c.id"
    compare(con, spec, sql, rows)
    sent = logged(emulator, "/messages")
    assert sorted(p for p, _ in sent) == sorted(
        f"/v1.0/teams/{tid}/channels/{c['id']}/messages" for tid, c in channels
    )
    assert all("$top=50" in q for _, q in sent)  # the resource's page limit


def test_channel_messages_of_every_team(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    # no TeamId: the rows of Channels (itself every team's channels) give TeamId and ChannelId
    spec = TABLES["ChannelMessages"]
    rows: Rows = [((tid, cid, m["id"]), m) for tid, cid, m in _messages(raw)]
    channels = _channels(raw)
    teams = _teams(raw)
    emulator.reset()
    compare(con, spec, "SELECT * FROM ChannelMessages", rows)
    assert sorted(p for p, _ in logged(emulator, "/messages")) == sorted(
        f"/v1.0/teams/{tid}/channels/{c['id']}/messages" for tid, c in channels
    )
    assert sorted(p for p, _ in logged(emulator, "/channels") if p.endswith("/channels")) == sorted(
        f"/v1.0/teams/{t['id']}/channels" for t in teams
    )


def test_explain_channel_messages_of_every_team(con: o365sql.Connection) -> None:
    plan = con.explain("SELECT id FROM ChannelMessages")
    assert [(p.table, p.path) for p in plan] == [
        ("Channels", "/teams"),
        ("Channels", "/teams/{TeamId}/channels"),
        ("ChannelMessages", "/teams/{TeamId}/channels/{ChannelId}/messages"),
    ]
    assert (
        "requests at a time" in plan[0].note and "for every row above (TeamId and ChannelId)" in plan[2].note
    )


def test_channel_messages_with_a_limit_read_one_channel_at_a_time(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    tid, cid, _ = _messages(raw)[0]
    assert len(list(pages(raw, f"/teams/{tid}/channels/{cid}/messages", {"$select": "id"}))) >= 2
    emulator.reset()
    assert len(con.execute("SELECT id FROM ChannelMessages LIMIT 2").fetchall()) == 2
    # Graph got the LIMIT as $top: the first channel's first page holds the rows, nothing is read beside it
    assert [p for p, _ in logged(emulator, "/v1.0/teams")] == [
        "/v1.0/teams",
        f"/v1.0/teams/{tid}/channels",
        f"/v1.0/teams/{tid}/channels/{cid}/messages",
    ]


def test_channel_messages_of_one_team_read_that_team_only(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    tid = _teams(raw)[0]["id"]
    want = sorted(m["id"] for t, _c, m in _messages(raw) if t == tid)
    emulator.reset()
    got = con.execute("SELECT id FROM ChannelMessages WHERE TeamId = ?", (tid,)).fetchall()
    assert sorted(r[0] for r in got) == want and want
    assert {p.split("/channels")[0] for p, _ in logged(emulator, "/teams/")} == {f"/v1.0/teams/{tid}"}


def test_teams_join_members_reads_one_team(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    (team,) = [t for t in _teams(raw) if t["displayName"] == "Engineering"]
    members = pages(raw, f"/teams/{team['id']}/members", {"$select": "displayName,roles"})
    want = sorted(m["displayName"] for m in members if "owner" in m["roles"])
    emulator.reset()
    sql = (
        "SELECT m.displayName FROM Teams t JOIN TeamMembers m ON m.TeamId = t.id "
        "WHERE t.displayName = 'Engineering' AND m.roles LIKE '%owner%'"
    )
    assert sorted(r[0] for r in con.execute(sql).fetchall()) == want and want
    assert [p for p, _ in logged(emulator, "/members")] == [f"/v1.0/teams/{team['id']}/members"]
    ((_path, query),) = logged(emulator, "/v1.0/teams")[:1]
    assert "$filter=displayName eq 'Engineering'" in query


def test_teams_join_channels_reads_one_team(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    (team,) = [t for t in _teams(raw) if t["displayName"] == "Engineering"]
    want = sorted(c["id"] for c in pages(raw, f"/teams/{team['id']}/channels", {"$select": "id"}))
    emulator.reset()
    sql = "SELECT c.id FROM Teams t JOIN Channels c ON c.TeamId = t.id WHERE t.displayName = 'Engineering'"
    assert sorted(r[0] for r in con.execute(sql).fetchall()) == want and want
    assert [p for p, _ in logged(emulator, "/channels")] == [f"/v1.0/teams/{team['id']}/channels"]


def test_channel_membership_type_is_pushed(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    tid = _teams(raw)[0]["id"]
    want = sorted(
        c["id"]
        for c in pages(raw, f"/teams/{tid}/channels", {"$select": "id,membershipType"})
        if c["membershipType"] == "standard"
    )
    emulator.reset()
    got = con.execute(
        "SELECT id FROM Channels WHERE TeamId = ? AND membershipType = 'standard'", (tid,)
    ).fetchall()
    assert sorted(r[0] for r in got) == want and want
    ((path, query),) = logged(emulator, "/channels")
    assert path == f"/v1.0/teams/{tid}/channels" and "$filter=membershipType eq 'standard'" in query


@pytest.mark.parametrize(
    ("sql", "table", "permission"),
    [
        ("SELECT id FROM Teams", "Teams", "Team.ReadBasic.All"),
        ("SELECT id FROM Channels WHERE TeamId = '{tid}'", "Channels", "Channel.ReadBasic.All"),
        (
            "SELECT id FROM ChannelMessages WHERE TeamId = '{tid}' AND ChannelId = 'x'",
            "ChannelMessages",
            "ChannelMessage.Read.All",
        ),
        ("SELECT id FROM TeamMembers WHERE TeamId = '{tid}'", "TeamMembers", "TeamMember.Read.All"),
    ],
)
def test_missing_permission_is_named(
    emulator: Emulator, raw: httpx.Client, sql: str, table: str, permission: str
) -> None:
    token = token_for(emulator, frozenset({"User.Read"}))
    tid = _teams(raw)[0]["id"]
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(sql.format(tid=tid)).fetchall()
    err = info.value
    assert err.status == 403 and table in str(err) and permission in str(err)


def _messages(raw: httpx.Client) -> list[tuple[str, str, Item]]:
    spec = TABLES["ChannelMessages"]
    return [
        (tid, c["id"], m)
        for tid, c in _channels(raw)
        for m in pages(raw, f"/teams/{tid}/channels/{c['id']}/messages", select_for(spec))
    ]


def test_replies_joined_from_messages(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["ChannelMessageReplies"]
    messages = _messages(raw)
    rows: Rows = [
        ((tid, cid, m["id"], r["id"]), r)
        for tid, cid, m in messages
        for r in pages(raw, f"/teams/{tid}/channels/{cid}/messages/{m['id']}/replies", select_for(spec))
    ]
    assert rows and all(r["replyToId"] == key[2] for key, r in rows)
    emulator.reset()
    sql = (
        "SELECT r.* FROM Channels c "
        "JOIN ChannelMessages m ON m.TeamId = c.TeamId AND m.ChannelId = c.id "
        "JOIN ChannelMessageReplies r "
        "ON r.TeamId = m.TeamId AND r.ChannelId = m.ChannelId AND r.MessageId = m.id"
    )
    compare(con, spec, sql, rows)
    sent = logged(emulator, "/replies")
    assert sorted(p for p, _ in sent) == sorted(
        f"/v1.0/teams/{tid}/channels/{cid}/messages/{m['id']}/replies" for tid, cid, m in messages
    )
    assert all("$top=50" in q and "$filter" not in q for _, q in sent)  # only $top is documented


def test_replies_fan_out_over_the_channel_messages(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    spec = TABLES["ChannelMessageReplies"]
    tid, cid, _ = next(x for x in _messages(raw))
    messages = pages(raw, f"/teams/{tid}/channels/{cid}/messages", {"$select": "id"})
    rows: Rows = [
        ((tid, cid, m["id"], r["id"]), r)
        for m in messages
        for r in pages(raw, f"/teams/{tid}/channels/{cid}/messages/{m['id']}/replies", select_for(spec))
    ]
    emulator.reset()
    sql = f"SELECT * FROM ChannelMessageReplies WHERE TeamId = '{tid}' AND ChannelId = '{cid}'"
    compare(con, spec, sql, rows)
    assert [p for p, _ in logged(emulator, "/messages") if not p.endswith("/replies")] == [
        f"/v1.0/teams/{tid}/channels/{cid}/messages"
    ]


def test_replies_of_every_channel(emulator: Emulator, con: o365sql.Connection, raw: httpx.Client) -> None:
    # teams -> channels -> messages -> replies: each level's rows give the next level's routes
    spec = TABLES["ChannelMessageReplies"]
    messages = _messages(raw)
    rows: Rows = [
        ((tid, cid, m["id"], r["id"]), r)
        for tid, cid, m in messages
        for r in pages(raw, f"/teams/{tid}/channels/{cid}/messages/{m['id']}/replies", select_for(spec))
    ]
    emulator.reset()
    compare(con, spec, "SELECT * FROM ChannelMessageReplies", rows)
    assert sorted(p for p, _ in logged(emulator, "/replies")) == sorted(
        f"/v1.0/teams/{tid}/channels/{cid}/messages/{m['id']}/replies" for tid, cid, m in messages
    )


def test_replies_need_the_team_when_only_the_channel_is_given(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="ChannelMessages needs TeamId"):
        con.execute("SELECT id FROM ChannelMessageReplies WHERE ChannelId = 'x'").fetchall()


def test_replies_missing_permission_is_named(emulator: Emulator, raw: httpx.Client) -> None:
    tid, cid, m = _messages(raw)[0]
    token = token_for(emulator, frozenset({"User.Read"}))
    sql = "SELECT id FROM ChannelMessageReplies WHERE TeamId = ? AND ChannelId = ? AND MessageId = ?"
    with (
        o365sql.connect(connection_string(emulator, token)) as con,
        pytest.raises(o365sql.errors.PermissionDeniedError) as info,
    ):
        con.execute(sql, (tid, cid, m["id"])).fetchall()
    err = info.value
    assert err.status == 403 and "ChannelMessageReplies" in str(err) and "ChannelMessage.Read.All" in str(err)
