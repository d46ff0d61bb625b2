"""The directory held to Microsoft's per-property tables (aad-advanced-queries.md) and $search rules.

Each test fails against an emulator that is kinder than Graph: one that serves an advanced-only filter without
`ConsistencyLevel: eventual` + `$count=true`, refuses `in` where `eq` works, splits every property into words
for `$search`, or adds `id` to a `$select` that did not ask for it.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from o365sql.emulator import Emulator

EVENTUAL = {"ConsistencyLevel": "eventual"}


def _users(graph: httpx.Client, query: str, advanced: bool = False) -> httpx.Response:
    if advanced:
        return graph.get(f"/users?{query}&$count=true", headers=EVENTUAL)
    return graph.get(f"/users?{query}")


@pytest.mark.parametrize(
    "flt",
    [
        "companyName eq 'Contoso'",
        "startsWith(companyName,'C')",
        "mobilePhone eq '+1 425 555 0100'",
        "startsWith(mobilePhone,'+1')",
        "preferredLanguage eq 'en-US'",
        "createdDateTime ge 2020-01-01T00:00:00Z",
    ],
)
def test_advanced_only_user_filters_need_advanced_queries(graph: httpx.Client, flt: str) -> None:
    """Marked "requires advanced query parameters" in the table: plain requests get 400, advanced ones 200."""
    plain = _users(graph, f"$filter={flt}")
    assert plain.status_code == 400, plain.text
    assert plain.json()["error"]["code"] == "Request_UnsupportedQuery"
    assert _users(graph, f"$filter={flt}", advanced=True).status_code == 200


def test_advanced_only_needs_both_header_and_count(graph: httpx.Client) -> None:
    header_only = graph.get("/users?$filter=companyName eq 'x'", headers=EVENTUAL)
    count_only = graph.get("/users?$filter=companyName eq 'x'&$count=true")
    assert header_only.status_code == 400 and count_only.status_code == 400


def test_group_description_is_advanced_only(graph: httpx.Client) -> None:
    assert graph.get("/groups?$filter=startsWith(description,'a')").status_code == 400
    r = graph.get("/groups?$filter=startsWith(description,'a')&$count=true", headers=EVENTUAL)
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("path", "flt", "key"),
    [
        ("/users", "accountEnabled in (true)", "accountEnabled"),
        ("/groups", "mailEnabled in (true, false)", "mailEnabled"),
        ("/groups", "securityEnabled in (true)", "securityEnabled"),
    ],
)
def test_in_works_wherever_eq_works(graph: httpx.Client, path: str, flt: str, key: str) -> None:
    """aad-advanced-queries.md: `in` is supported by default whenever `eq` is supported by default."""
    r = graph.get(f"{path}?$filter={flt}&$select=id,{key}")
    assert r.status_code == 200, r.text
    eq = graph.get(f"{path}?$filter={key} eq true&$select=id").json()["value"]
    got = r.json()["value"]
    assert {u["id"] for u in eq} <= {u["id"] for u in got} and got


def test_endswith_only_on_the_four_properties(graph: httpx.Client) -> None:
    ok = _users(graph, "$filter=endsWith(mail,'.com')", advanced=True)
    assert ok.status_code == 200 and ok.json()["value"]
    refused = _users(graph, "$filter=endsWith(displayName,'a')", advanced=True)
    assert refused.status_code == 400


def test_null_is_refused_where_the_table_says_not_supported(graph: httpx.Client) -> None:
    assert _users(graph, "$filter=userPrincipalName eq null", advanced=True).status_code == 400
    assert _users(graph, "$filter=accountEnabled eq null", advanced=True).status_code == 400
    assert _users(graph, "$filter=mail eq null", advanced=True).status_code == 200


def test_select_on_users_returns_only_what_was_named(graph: httpx.Client) -> None:
    """user-list.md (select example): the answer holds the selected properties and no `id`."""
    users = graph.get("/users?$select=displayName&$top=3").json()["value"]
    assert users and all(set(u) == {"displayName"} for u in users)
    me = graph.get("/me?$select=mail").json()
    assert "id" not in me and "mail" in me
    with_id = graph.get("/users?$select=id,displayName&$top=1").json()["value"][0]
    assert set(with_id) == {"id", "displayName"}


def test_delta_always_returns_the_id(graph: httpx.Client) -> None:
    """user-delta.md: "The id property is always returned" (unlike a plain $select)."""
    page = graph.get("/users/delta?$select=displayName").json()
    assert page["value"] and all("id" in u for u in page["value"])


# -- $search ------------------------------------------------------------------------------------------------
def _search(graph: httpx.Client, path: str, clause: str) -> list[dict[str, str]]:
    r = graph.get(f"{path}?$search={clause}&$count=true&$select=id,displayName,mail", headers=EVENTUAL)
    assert r.status_code == 200, r.text
    return list(r.json()["value"])


def test_directory_search_tokenises_only_display_name(graph: httpx.Client) -> None:
    """search-query-parameter.md: displayName and description are tokenised; other properties match as
    startsWith on the whole value, so a word in the middle of a mail address finds nothing."""
    users = graph.get("/users?$select=id,displayName,mail&$top=999").json()["value"]
    target = next(u for u in users if u.get("mail") and len(u["displayName"].split()) > 1)
    domain = target["mail"].split("@")[1]
    assert not any(u["id"] == target["id"] for u in _search(graph, "/users", f'"mail:{domain}"'))
    start = target["mail"][:4]
    assert any(u["id"] == target["id"] for u in _search(graph, "/users", f'"mail:{start}"'))
    words = target["displayName"].split()
    found = _search(graph, "/users", f'"displayName:{words[-1][:3]}"')
    assert any(u["id"] == target["id"] for u in found)


@pytest.mark.parametrize(
    ("name", "query", "hit"),
    [
        ("OneVideo Team", "OneVideo", True),  # casing change splits: one, video
        ("onevideo", "OneVideo", False),  # no casing change: one token "onevideo"; "one"+"video" don't match
        ("HELLOworld", "helloworld", True),  # upper-to-lower is no boundary: one token
        ("HELLOworld", "world", False),
        ("hello123world", "123", True),  # letters and digits split
        ("hello-world", "helloworld", True),  # words joined by symbols are also one word
        ("hello.world", "world", True),
        ("David Li", "Li Dav", True),  # any order, prefixes
    ],
)
def test_directory_search_tokens(
    make_group: Callable[[str], str], pgraph: httpx.Client, name: str, query: str, hit: bool
) -> None:
    gid = make_group(name)
    found = _search(pgraph, "/groups", f'"displayName:{query}"')
    assert any(g["id"] == gid for g in found) is hit


@pytest.fixture
def make_group(private: Emulator) -> Callable[[str], str]:
    """Add a group with the given display name to the private emulator's data; returns its id."""
    store = private.state.graph
    counter = iter(range(1000))

    def make(name: str) -> str:
        gid = f"00000000-0000-4000-8000-{next(counter):012d}"
        group = {**store.groups[0], "id": gid, "displayName": name, "description": None, "mail": None}
        store.groups.append(group)
        store.groups_by_id[gid] = group
        return gid

    return make


def test_directory_search_takes_parentheses_and_escaped_quotes(
    make_group: Callable[[str], str], pgraph: httpx.Client
) -> None:
    """search-query-parameter.md: "Parentheses for precedence is also supported", and a clause may hold an
    escaped double quote."""
    video = make_group("One Video")
    drive = make_group("One Drive")
    quoted = make_group('The "Quoted" Team')
    found = _search(pgraph, "/groups", '"displayName:one" AND ("displayName:video" OR "displayName:drive")')
    assert {video, drive} <= {g["id"] for g in found}
    clause = '("displayName:drive" OR "displayName:nothing") AND "displayName:one"'
    narrow = _search(pgraph, "/groups", clause)
    assert drive in {g["id"] for g in narrow} and video not in {g["id"] for g in narrow}
    escaped = _search(pgraph, "/groups", '"displayName:\\"quoted\\""')
    assert quoted in {g["id"] for g in escaped}
