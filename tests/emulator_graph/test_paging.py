"""Checklist 21, 22, 24: nextLink paging (absolute, every option kept, each item once), page sizes and limits,
and the directory's $count/ConsistencyLevel rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from graph_helpers import client_for, token_for

from o365sql.emulator import Emulator


def follow(
    client: httpx.Client, url: str, headers: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Every item behind url, following the whole nextLink; returns (items, pages)."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        r = client.get(next_url, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["value"])
        pages += 1
        next_url = body.get("@odata.nextLink")
        if next_url:
            assert next_url.startswith(client.base_url.__str__().rstrip("/") + "/"), next_url
        assert pages < 10_000
    return items, pages


@pytest.fixture(scope="module")
def big(request: pytest.FixtureRequest) -> Any:
    """A scale-20 tenant (about 4,000 messages for the demo user), shared by this module."""
    with Emulator(data="demo", scale=20) as emu:
        yield emu


@pytest.mark.parametrize("top", [None, 37, 333, 1000])
def test_messages_paging_each_item_once(big: Emulator, top: int | None) -> None:
    """Following nextLink over ~4,000 messages yields each exactly once, in receivedDateTime desc order."""
    with client_for(big, token_for(big)) as client:
        total = len(big.state.graph.mailbox(big.state.directory.demo_user.id).messages)
        assert total >= 4000
        url = "/me/messages?$select=receivedDateTime"
        if top is None:
            # Default page of 10: walk only the first 30 pages, but check the link keeps $select.
            r = client.get(url)
            body = r.json()
            assert len(body["value"]) == 10
            query = parse_qs(urlsplit(body["@odata.nextLink"]).query)
            assert query["$select"] == ["receivedDateTime"] and query["$skip"] == ["10"]
            return
        items, pages = follow(client, f"{url}&$top={top}")
        ids = [m["id"] for m in items]
        assert len(ids) == total == len(set(ids))
        assert pages == -(-total // top)
        stamps = [m["receivedDateTime"] for m in items]
        assert stamps == sorted(stamps, reverse=True)


def test_paging_keeps_filter_and_orderby(big: Emulator) -> None:
    """The nextLink carries $filter and $orderby; the union equals the filtered set."""
    with client_for(big, token_for(big)) as client:
        box = big.state.graph.mailbox(big.state.directory.demo_user.id)
        unread = {m["id"] for m in box.messages.values() if not m["isRead"]}
        items, _ = follow(client, "/me/messages?$filter=isRead eq false&$top=50&$select=isRead")
        assert {m["id"] for m in items} == unread and len(items) == len(unread)


def test_users_paging_with_skiptoken(big: Emulator) -> None:
    """Directory pages use $skiptoken; $count with ConsistencyLevel appears on the first page only."""
    with client_for(big, token_for(big)) as client:
        headers = {"ConsistencyLevel": "eventual"}
        r = client.get("/users?$top=5&$count=true", headers=headers)
        body = r.json()
        assert body["@odata.count"] == len(big.state.graph.users)
        link = body["@odata.nextLink"]
        assert "$skiptoken=" in link and "$count=true" in link and "$top=5" in link
        second = client.get(link, headers=headers).json()
        assert "@odata.count" not in second
        items, _ = follow(client, "/users?$top=5")
        assert len(items) == len({u["id"] for u in items}) == len(big.state.graph.users)


def test_drive_children_paging(big: Emulator) -> None:
    """Drive children page with $skiptoken, default 200, all items once."""
    with client_for(big, token_for(big)) as client:
        drv = big.state.graph.drive(big.state.directory.demo_user.id)
        folder = drv.by_path("Projects/Falcon")
        assert folder is not None
        expected = set(drv.children[folder["id"]])
        items, pages = follow(client, "/me/drive/root:/Projects/Falcon:/children?$top=7&$select=id,name")
        assert {i["id"] for i in items} == expected and len(items) == len(expected)
        assert pages == -(-len(expected) // 7)


@pytest.mark.parametrize(
    ("path", "status", "code", "message"),
    [
        ("/me/messages?$top=1001", 400, "ErrorInvalidUrlQuery", None),
        ("/me/messages?$top=0", 400, "ErrorInvalidUrlQuery", None),
        (
            "/users?$top=1000",
            400,
            "Request_UnsupportedQuery",
            "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
        ),
        ("/groups?$top=1000", 400, "Request_UnsupportedQuery", None),
        ("/users?$skip=5", 400, "Request_BadRequest", None),
        (
            "/me/messages?$filter=isRead eq false&$orderby=receivedDateTime desc",
            400,
            "InefficientFilter",
            "The restriction or sort order is too complex for this operation.",
        ),
        ('/me/messages?$search="budget"&$filter=isRead eq false', 400, "ErrorInvalidUrlQuery", None),
        ('/me/messages?$search="budget"&$orderby=subject', 400, "ErrorInvalidUrlQuery", None),
        (
            '/users?$search="displayName:a"',
            400,
            "Request_UnsupportedQuery",
            "Request with $search query parameter only works through MSGraph with a special request header: "
            "'ConsistencyLevel: eventual'",
        ),
        ("/users/$count", 400, "Request_BadRequest", "$count is not currently supported."),
        ("/users?$select=aboutMe", 501, "NotImplemented", "This operation target is not yet supported."),
        ("/me/messages?$filter=isRead eq 'no'", 400, "ErrorInvalidUrlQuery", None),
        ("/me/messages?$filter=receivedDateTime ge 'yesterday'", 400, "ErrorInvalidUrlQuery", None),
        ("/me/messages?$filter=nosuch eq 1", 400, "ErrorInvalidUrlQuery", None),
        ("/me/drive/root/children?$filter=name eq 'x'", 400, "invalidRequest", None),
        ("/users?$filter=endswith(mail,'.com')", 400, "Request_UnsupportedQuery", "Unsupported Query."),
    ],
)
def test_query_option_errors(
    graph: httpx.Client, path: str, status: int, code: str, message: str | None
) -> None:
    """Out-of-range pages, unsupported options and Graph's query rules give the service's codes."""
    r = graph.get(path)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code
    if message:
        assert error["message"] == message


def test_page_defaults(graph: httpx.Client) -> None:
    """Default page sizes: messages/events/contacts/mailFolders 10, users/groups 100, drive children 200."""
    assert len(graph.get("/me/messages").json()["value"]) == 10
    assert len(graph.get("/me/events").json()["value"]) == 10
    assert len(graph.get("/me/contacts").json()["value"]) == 10
    users = graph.get("/users").json()
    assert len(users["value"]) == 10 and "@odata.nextLink" not in users  # 10 users < 100
    assert len(graph.get("/me/messages?$top=150").json()["value"]) == 150


def test_single_user_only_properties(graph: httpx.Client) -> None:
    """aboutMe and friends are refused on lists (501) but returned for one user."""
    me = graph.get("/me?$select=aboutMe,skills,displayName").json()
    assert me["aboutMe"] is None and me["skills"] == [] and me["displayName"]


def test_filters_through_odata_engine(graph: httpx.Client, emulator: Emulator) -> None:
    """A few pushdown-critical filters give the same rows as a local evaluation."""
    box = emulator.state.graph.mailbox(emulator.state.directory.demo_user.id)
    since = sorted(m["receivedDateTime"] for m in box.messages.values())[len(box.messages) // 2]
    r = graph.get(f"/me/messages?$filter=receivedDateTime ge {since}&$top=1000&$select=id")
    assert {m["id"] for m in r.json()["value"]} == {
        m["id"] for m in box.messages.values() if m["receivedDateTime"] >= since
    }
    r = graph.get("/me/messages?$filter=from/emailAddress/address eq 'news@northwindtraders.com'&$top=500")
    assert r.json()["value"] and all(
        m["from"]["emailAddress"]["address"] == "news@northwindtraders.com" for m in r.json()["value"]
    )
    r = graph.get("/me/messages?$filter=categories/any(c:c eq 'Finance')&$top=500&$select=categories")
    assert r.json()["value"] and all("Finance" in m["categories"] for m in r.json()["value"])
    r = graph.get("/users?$filter=startswith(displayName,'T')&$select=displayName")
    assert all(u["displayName"].startswith("T") for u in r.json()["value"])
    r = graph.get("/groups?$filter=groupTypes/any(g:g eq 'Unified')")
    assert r.json()["value"] and all(g["groupTypes"] == ["Unified"] for g in r.json()["value"])


def test_count_rules(graph: httpx.Client) -> None:
    """$count=true without ConsistencyLevel is ignored on users; Outlook counts without the header."""
    plain = graph.get("/users?$count=true").json()
    assert "@odata.count" not in plain
    eventual = graph.get("/users?$count=true", headers={"ConsistencyLevel": "eventual"}).json()
    assert eventual["@odata.count"] == 10
    r = graph.get("/users/$count", headers={"ConsistencyLevel": "eventual"})
    assert r.status_code == 200 and r.text == "10" and r.headers["content-type"].startswith("text/plain")
    advanced = graph.get(
        "/users?$filter=endswith(mail,'onmicrosoft.com')&$count=true",
        headers={"ConsistencyLevel": "eventual"},
    )
    assert advanced.status_code == 200 and advanced.json()["@odata.count"] == 10
    msgs = graph.get("/me/messages?$count=true&$top=1").json()
    assert msgs["@odata.count"] >= 200


def test_search_messages_sorted_and_capped(
    graph: httpx.Client, make_emulator: Callable[..., Emulator]
) -> None:
    """$search on messages: newest sentDateTime first."""
    items = graph.get('/me/messages?$search="budget"&$top=100&$select=subject,sentDateTime').json()["value"]
    assert items and all("budget" in m["subject"].lower() for m in items)
    stamps = [m["sentDateTime"] for m in items]
    assert stamps == sorted(stamps, reverse=True)


def test_search_capped_at_1000(big: Emulator) -> None:
    """Outlook's $search returns at most 1,000 results, even across pages."""
    with client_for(big, token_for(big)) as client:
        items, pages = follow(client, '/me/messages?$search="the"&$top=400&$select=sentDateTime')
        assert len(items) == 1000 and pages == 3
        stamps = [m["sentDateTime"] for m in items]
        assert stamps == sorted(stamps, reverse=True)
