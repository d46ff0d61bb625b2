"""prepare_query/run_query/project: Graph's option rules, error codes and messages, paging inputs."""

from __future__ import annotations

from typing import Any

import pytest
from odata_specs import DRIVE, GROUPS, MESSAGES, USERS

from o365sql.emulator.odata import ODataError, Query, ResourceSpec, prepare_query, project, run_query

EVENTUAL = {"ConsistencyLevel": "eventual"}


def err(params: dict[str, str], spec: ResourceSpec, headers: dict[str, str] | None = None) -> ODataError:
    with pytest.raises(ODataError) as info:
        prepare_query(params, headers or {}, spec)
    return info.value


def msg(i: int, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "@odata.etag": f'W/"CQAAAB{i}"',
        "id": f"AAMk{i}",
        "subject": f"Subject {i}",
        "isRead": i % 2 == 0,
        "importance": "normal",
        "receivedDateTime": f"2024-01-{i + 1:02d}T00:00:00Z",
        "sentDateTime": f"2024-01-{i + 1:02d}T00:00:00Z",
        "from": {"emailAddress": {"name": f"Person {i}", "address": f"p{i}@contoso.com"}},
        "body": {"contentType": "html", "content": f"<p>body {i}</p>"},
        "internetMessageHeaders": [],
    }
    base.update(kw)
    return base


# -- defaults, $top, $skip, $count ---------------------------------------------------------------------------


def test_defaults() -> None:
    q = prepare_query({}, {}, MESSAGES)
    assert q == Query(top=10)
    assert prepare_query({}, {}, USERS).top == 100
    assert prepare_query({}, {}, DRIVE).top == 200


def test_top_within_and_beyond_limits() -> None:
    q = prepare_query({"$top": "1000"}, {}, MESSAGES)
    assert q.top == 1000 and q.top_given
    assert prepare_query({"$top": "999"}, {}, USERS).top == 999
    e = err({"$top": "1000"}, USERS)
    assert (e.status, e.code, e.message) == (
        400,
        "Request_UnsupportedQuery",
        "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
    )
    e = err({"$top": "0"}, USERS)
    assert e.message == "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."
    e = err({"$top": "1001"}, MESSAGES)
    assert e.code == "ErrorInvalidUrlQuery" and "1001" in e.message and "1000" in e.message
    e = err({"$top": "-1"}, MESSAGES)
    assert e.status == 400 and "-1" in e.message


@pytest.mark.parametrize("raw", ["abc", "1.5", "", " ", "1e3", "0x10", "+5", "99999999999999999999999"])
def test_top_and_skip_must_be_integers(raw: str) -> None:
    assert err({"$top": raw}, MESSAGES).status == 400
    assert err({"$skip": raw}, MESSAGES).status == 400


def test_skip() -> None:
    assert prepare_query({"$skip": "25"}, {}, MESSAGES).skip == 25
    assert prepare_query({"$skip": "0"}, {}, MESSAGES).skip == 0
    e = err({"$skip": "5"}, USERS)
    assert (e.status, e.code, e.message) == (
        400,
        "Request_BadRequest",
        "'$skip' is not supported by the service.",
    )
    assert err({"$skip": "5"}, DRIVE).code == "invalidRequest"
    assert err({"$skip": "-3"}, MESSAGES).code == "ErrorInvalidUrlQuery"


def test_count() -> None:
    assert prepare_query({"$count": "true"}, {}, MESSAGES).count
    assert not prepare_query({"$count": "false"}, {}, MESSAGES).count
    assert prepare_query({"$count": "TRUE"}, {}, MESSAGES).count
    # Directory: $count=true without ConsistencyLevel: eventual is silently ignored.
    q = prepare_query({"$count": "true"}, {}, USERS)
    assert not q.count and not q.advanced
    q = prepare_query({"$count": "true"}, EVENTUAL, USERS)
    assert q.count and q.advanced
    assert err({"$count": "yes"}, MESSAGES).status == 400


def test_header_names_are_case_insensitive() -> None:
    for name in ("consistencylevel", "CONSISTENCYLEVEL", "ConsistencyLevel"):
        q = prepare_query({"$count": "true"}, {name: "Eventual"}, USERS)
        assert q.count and q.advanced and q.consistency_eventual


def test_unknown_dollar_options_are_rejected_and_known_ones_passed_through() -> None:
    e = err({"$foo": "1"}, MESSAGES)
    assert e.status == 400 and "$foo" in e.message
    q = prepare_query({"$expand": "attachments", "$skiptoken": "abc", "startDateTime": "x"}, {}, MESSAGES)
    assert q.extra == {"$expand": "attachments", "$skiptoken": "abc"}
    # Option names are case-insensitive.
    assert prepare_query({"$TOP": "5", "$Filter": "isRead eq true"}, {}, MESSAGES).top == 5


# -- $filter validation --------------------------------------------------------------------------------------


def test_filter_is_bound_to_canonical_names() -> None:
    q = prepare_query(
        {"$filter": "IsRead eq true and FROM/emailaddress/ADDRESS eq 'p2@contoso.com'"}, {}, MESSAGES
    )
    assert q.filter is not None
    items = [msg(i) for i in range(5)]
    assert [m["id"] for m in run_query(items, q, MESSAGES)] == ["AAMk2"]


def test_unknown_property_in_filter() -> None:
    e = err({"$filter": "nosuch eq 1"}, MESSAGES)
    assert (e.status, e.code) == (400, "ErrorInvalidUrlQuery")
    assert e.message == "Could not find a property named 'nosuch' on type 'microsoft.graph.message'."
    e = err({"$filter": "nosuch eq 1"}, USERS)
    assert e.code == "Request_UnsupportedQuery" and "'nosuch'" in e.message
    e = err({"$filter": "toRecipients/any(r: r/nosuch eq 'x')"}, MESSAGES)
    assert "toRecipients/nosuch" in e.message


def test_unsupported_operator_in_filter() -> None:
    e = err({"$filter": "contains(id, 'x')"}, MESSAGES)
    assert e.code == "ErrorInvalidUrlQuery" and "'id'" in e.message and "contains" in e.message
    e = err({"$filter": "contains(displayName, 'x')"}, USERS, EVENTUAL)
    assert e.code == "Request_UnsupportedQuery"
    assert e.message == (
        "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'."
    )
    # A complex property itself is not filterable, only its leaves.
    assert "'from'" in err({"$filter": "from eq 'x'"}, MESSAGES).message
    e = err({"$filter": "name gt 'a'"}, DRIVE)
    assert e.code == "invalidRequest"
    assert err({"$filter": "size eq 1"}, DRIVE).code == "invalidRequest"


def test_filter_literal_types_checked_when_known() -> None:
    e = err({"$filter": "isRead eq 'yes'"}, MESSAGES)
    assert e.message == (
        "A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and "
        "'Edm.String' for operator kind 'Equal'."
    )
    assert "Edm.DateTimeOffset" in err({"$filter": "receivedDateTime ge '2024-01-01'"}, MESSAGES).message
    assert err({"$filter": "size gt 1.5"}, MESSAGES).status == 400
    prepare_query({"$filter": "isRead eq null"}, {}, MESSAGES)
    prepare_query({"$filter": "receivedDateTime ge 2024-01-01T00:00:00Z"}, {}, MESSAGES)


def test_malformed_filter_uses_service_code() -> None:
    assert err({"$filter": "subject eq"}, MESSAGES).code == "ErrorInvalidUrlQuery"
    assert err({"$filter": "displayName eq"}, USERS).code == "Request_UnsupportedQuery"
    assert err({"$filter": "name eq"}, DRIVE).code == "invalidRequest"


# -- InefficientFilter (messages) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flt", "order"),
    [
        ("receivedDateTime ge 2016-01-01T00:00:00Z", "receivedDateTime desc"),
        ("receivedDateTime ge 1900-01-01T00:00:00Z and subject eq 'x'", "receivedDateTime desc"),
        ("subject eq 'x' and importance eq 'normal'", "subject,importance"),
        ("subject eq 'x' and importance eq 'normal' and isRead eq false", "subject"),
        ("from/emailAddress/address eq 'a@b.c' and isRead eq false", "from/emailAddress/address"),
        (
            "receivedDateTime ge 2024-01-01T00:00:00Z and receivedDateTime lt 2024-02-01T00:00:00Z",
            "receivedDateTime",
        ),
    ],
)
def test_inefficient_filter_allowed(flt: str, order: str) -> None:
    q = prepare_query({"$filter": flt, "$orderby": order}, {}, MESSAGES)
    assert q.filter is not None and q.orderby


@pytest.mark.parametrize(
    ("flt", "order"),
    [
        ("subject eq 'x'", "receivedDateTime desc"),
        ("isRead eq false and receivedDateTime ge 2016-01-01T00:00:00Z", "receivedDateTime desc"),
        ("subject eq 'x' and importance eq 'normal'", "importance,subject"),
        ("subject eq 'x'", "subject,importance"),
        ("importance eq 'normal' and subject eq 'x'", "subject"),
    ],
)
def test_inefficient_filter_refused(flt: str, order: str) -> None:
    e = err({"$filter": flt, "$orderby": order}, MESSAGES)
    assert (e.status, e.code, e.message) == (
        400,
        "InefficientFilter",
        "The restriction or sort order is too complex for this operation.",
    )


def test_orderby_alone_and_unorderable() -> None:
    assert prepare_query({"$orderby": "receivedDateTime desc"}, {}, MESSAGES).orderby == [
        ("receivedDateTime", True)
    ]
    e = err({"$orderby": "toRecipients"}, MESSAGES)
    assert e.status == 400 and "toRecipients" in e.message
    e = err({"$orderby": "jobTitle"}, USERS)
    assert e.code == "Request_UnsupportedQuery" and "jobTitle" in e.message
    assert err({"$orderby": "subject sideways"}, MESSAGES).status == 400


# -- $search -------------------------------------------------------------------------------------------------


def test_messages_search_cannot_combine_with_filter_or_orderby() -> None:
    e = err({"$search": '"pizza"', "$filter": "isRead eq true"}, MESSAGES)
    assert (e.status, e.code) == (400, "ErrorInvalidUrlQuery")
    e = err({"$search": '"pizza"', "$orderby": "subject"}, MESSAGES)
    assert (e.status, e.code) == (400, "ErrorInvalidUrlQuery")
    assert err({"$search": "x"}, DRIVE).status == 400


def test_messages_search_kql() -> None:
    items = [
        msg(0, subject="Pizza party", sentDateTime="2024-01-05T00:00:00Z"),
        msg(1, subject="Lunch", body={"contentType": "html", "content": "<span>pizza</span> later"}),
        msg(2, subject="Budget", sentDateTime="2024-02-01T00:00:00Z"),
        msg(3, subject="Weekly pizzas", sentDateTime="2024-03-01T00:00:00Z"),
        msg(4, subject="Nothing", sentDateTime=None),
    ]

    def search(text: str) -> list[str]:
        q = prepare_query({"$search": text}, {}, MESSAGES)
        return [m["id"] for m in run_query(items, q, MESSAGES)]

    # Results come newest sentDateTime first; word prefixes match, tags in HTML bodies do not.
    assert search('"pizza"') == ["AAMk3", "AAMk0", "AAMk1"]
    assert search("pizza") == ["AAMk3", "AAMk0", "AAMk1"]
    assert search('"subject:pizza"') == ["AAMk3", "AAMk0"]
    assert search('"from:p2@contoso.com"') == ["AAMk2"]
    assert search('"from:person"') == ["AAMk3", "AAMk2", "AAMk0", "AAMk1", "AAMk4"]
    assert search('"pizza party"') == ["AAMk0"]
    assert search('"subject:\\"party pizza\\""') == []
    assert search('"budget OR lunch"') == ["AAMk2", "AAMk1"]
    assert search('"pizza NOT party"') == ["AAMk3", "AAMk1"]
    assert search('"izza"') == []
    assert search('"span"') == []  # a tag name in message 1's HTML body, not text
    assert search("\"'pizza'\"") == ["AAMk3", "AAMk0", "AAMk1"]  # python-o365's apostrophes: the word
    assert err({"$search": '""'}, MESSAGES).status == 400


def test_messages_search_caps_at_1000() -> None:
    items = [msg(1, id=f"m{i}") for i in range(1005)]
    q = prepare_query({"$search": '"subject"'}, {}, MESSAGES)
    assert len(run_query(items, q, MESSAGES)) == 1000


def test_directory_search_needs_consistency_level() -> None:
    e = err({"$search": '"displayName:wa"'}, USERS)
    assert (e.status, e.code, e.message) == (
        400,
        "Request_UnsupportedQuery",
        "Request with $search query parameter only works through MSGraph with a special request header: "
        "'ConsistencyLevel: eventual'",
    )


def test_directory_search_tokens() -> None:
    users: list[dict[str, Any]] = [
        {"id": "1", "displayName": "Adela Marchetti", "mail": "AdelaM@contoso.com"},
        {"id": "2", "displayName": "Alex Winther", "mail": "AlexW@contoso.com"},
        {"id": "3", "displayName": "Walter Warden", "mail": None},
        {"id": "4", "displayName": "SharePointAdmins", "mail": "spadmins@contoso.com"},
    ]

    def search(text: str, **params: str) -> list[str]:
        q = prepare_query({"$search": text, **params}, EVENTUAL, USERS)
        return [u["id"] for u in run_query(users, q, USERS)]

    assert search('"displayName:wa"') == ["3"]
    assert search('"displayName:wi"') == ["2"]
    assert search('"displayName:point"') == ["4"]
    assert search('"displayName:ad" OR "displayName:wal"') == ["1", "3", "4"]  # SharePoint|Admins
    assert search('"displayName:a" AND "mail:alexw"') == ["2"]
    # Only displayName/description are tokenised; mail matches like startsWith (search-query-parameter.md).
    assert search('"mail:contoso"') == []
    assert search('"mail:adel"') == ["1"]
    assert search('"displayName:a"', **{"$orderby": "displayName desc"}) == ["4", "2", "1"]
    for bad in ('"wa"', "displayName:wa", '"nosuch:wa"', '"displayName:wa" OR', '"a:1" "b'):
        assert err({"$search": bad}, USERS, EVENTUAL).status == 400


# -- directory advanced queries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flt",
    [
        "displayName ne 'x'",
        "endswith(mail, '@contoso.com')",
        "not(startswith(displayName, 'a'))",
        "not groupTypes/any(c:c eq 'Unified')",
        "mail eq null",
        "jobTitle ne null",
    ],
)
def test_advanced_filters_need_header_and_count(flt: str) -> None:
    spec = GROUPS if "groupTypes" in flt else USERS
    for params, headers in (
        ({"$filter": flt}, {}),
        ({"$filter": flt}, EVENTUAL),
        ({"$filter": flt, "$count": "true"}, {}),
    ):
        e = err(params, spec, headers)
        assert (e.status, e.code, e.message) == (400, "Request_UnsupportedQuery", "Unsupported Query.")
    q = prepare_query({"$filter": flt, "$count": "true"}, EVENTUAL, spec)
    assert q.advanced and q.count and q.filter is not None


def test_basic_directory_filters_need_nothing() -> None:
    for flt in (
        "startswith(displayName, 'a')",
        "mail eq 'a@b.c'",
        "id in ('1', '2')",
        "accountEnabled eq true",
        "businessPhones/any(p: p eq '1')",
    ):
        q = prepare_query({"$filter": flt}, {}, USERS)
        assert q.filter is not None and not q.advanced


def test_directory_orderby_with_filter_is_advanced() -> None:
    prepare_query({"$orderby": "displayName"}, {}, USERS)
    params = {"$orderby": "displayName", "$filter": "startswith(displayName,'a')"}
    assert err(params, USERS).message == "Unsupported Query."
    q = prepare_query({**params, "$count": "true"}, EVENTUAL, USERS)
    assert q.orderby == [("displayName", False)]


# -- $select and projection ----------------------------------------------------------------------------------


def test_select_projection_keeps_id_and_annotations_in_item_order() -> None:
    item = msg(3)
    q = prepare_query({"$select": "subject,from"}, {}, MESSAGES)
    assert q.select == ["subject", "from"]
    out = project(item, q, MESSAGES)
    assert list(out) == ["@odata.etag", "id", "subject", "from"]
    assert out["from"] == item["from"] and out is not item
    q = prepare_query({"$select": "SUBJECT, isRead"}, {}, MESSAGES)
    assert list(project(item, q, MESSAGES)) == ["@odata.etag", "id", "subject", "isRead"]


def test_default_select() -> None:
    item = msg(1)
    out = project(item, prepare_query({}, {}, MESSAGES), MESSAGES)
    assert "internetMessageHeaders" not in out and "body" in out and "@odata.etag" in out
    q = prepare_query({"$select": "internetMessageHeaders"}, {}, MESSAGES)
    assert list(project(item, q, MESSAGES)) == ["@odata.etag", "id", "internetMessageHeaders"]
    group = {"id": "g", "displayName": "G", "anything": 1}
    assert project(group, prepare_query({}, {}, GROUPS), GROUPS) == group
    user = {"id": "u", "displayName": "U", "accountEnabled": True, "createdDateTime": "2020-01-01T00:00:00Z"}
    assert project(user, prepare_query({}, {}, USERS), USERS) == {"id": "u", "displayName": "U"}
    # The directory returns only what $select names (user-list.md: no id unless asked for).
    q = prepare_query({"$select": "accountEnabled"}, {}, USERS)
    assert project(user, q, USERS) == {"accountEnabled": True}
    assert project(user, prepare_query({"$select": "*"}, {}, USERS), USERS) == user


def test_select_errors() -> None:
    e = err({"$select": "nosuch"}, USERS)
    assert e.status == 400 and "'nosuch'" in e.message
    e = err({"$select": "aboutMe"}, USERS)
    assert (e.status, e.code) == (501, "NotImplemented")
    assert err({"$select": "from/emailAddress"}, MESSAGES).status == 400
    assert err({"$select": ""}, MESSAGES).status == 400
    assert err({"$select": "subject,,id"}, MESSAGES).status == 400


# -- ordering ------------------------------------------------------------------------------------------------


def test_orderby_nulls_first_ascending_last_descending_and_stable() -> None:
    items: list[dict[str, Any]] = [
        {"id": "a", "subject": "beta", "size": 2},
        {"id": "b", "subject": None, "size": 1},
        {"id": "c", "subject": "Alpha", "size": 2},
        {"id": "d", "size": 3},
        {"id": "e", "subject": "alpha", "size": 1},
    ]

    def order(text: str) -> list[str]:
        q = prepare_query({"$orderby": text}, {}, MESSAGES)
        return [m["id"] for m in run_query(items, q, MESSAGES)]

    assert order("subject") == ["b", "d", "c", "e", "a"]
    assert order("subject desc") == ["a", "c", "e", "b", "d"]
    assert order("size,subject") == ["b", "e", "c", "a", "d"]
    assert order("size desc,subject desc") == ["d", "a", "c", "e", "b"]


def test_orderby_datetimes_as_instants() -> None:
    items = [
        {"id": "1", "receivedDateTime": "2024-01-01T00:00:00.5Z"},
        {"id": "2", "receivedDateTime": "2024-01-01T00:00:00Z"},
        {"id": "3", "receivedDateTime": "2023-12-31T23:00:00-02:00"},
    ]
    q = prepare_query({"$orderby": "receivedDateTime"}, {}, MESSAGES)
    assert [m["id"] for m in run_query(items, q, MESSAGES)] == ["2", "1", "3"]


def test_run_query_does_not_page_and_keeps_input_order() -> None:
    items = [msg(i) for i in range(30)]
    q = prepare_query({"$top": "5", "$skip": "3", "$filter": "isRead eq true"}, {}, MESSAGES)
    out = run_query(iter(items), q, MESSAGES)
    assert [m["id"] for m in out] == [f"AAMk{i}" for i in range(0, 30, 2)]
    assert (q.top, q.skip) == (5, 3)


def test_known_but_unfilterable_properties() -> None:
    e = err({"$filter": "body eq 'x'"}, MESSAGES)
    assert e.code == "ErrorInvalidUrlQuery" and "'body'" in e.message and "eq" in e.message
    e = err({"$filter": "surname eq 'x'"}, USERS)
    assert (e.code, e.message) == (
        "Request_UnsupportedQuery",
        "The request uses a filter property that is not indexed",
    )


def test_type_name_in_messages() -> None:
    assert MESSAGES.type_name == "message" and USERS.type_name == "user" and DRIVE.type_name == "driveItem"
    singular = ResourceSpec("message", {}, None, None, 10, 1000)
    assert singular.type_name == "message"
    assert "microsoft.graph.message'" in err({"$filter": "x eq 1"}, singular).message


def test_long_or_chain_through_prepare_query() -> None:
    flt = " or ".join(f"id eq 'AAMk{i}'" for i in range(0, 3000, 2))
    q = prepare_query({"$filter": flt}, {}, MESSAGES)
    items = [msg(i) for i in range(10)]
    assert [m["id"] for m in run_query(items, q, MESSAGES)] == [f"AAMk{i}" for i in range(0, 10, 2)]


def test_directory_or_and_in_are_limited_to_15_terms_without_advanced_queries() -> None:
    ids = [f"'{i}'" for i in range(16)]
    fifteen = {"$filter": f"id in ({', '.join(ids[:15])})"}
    assert prepare_query(fifteen, {}, USERS).filter is not None
    for flt in (
        f"id in ({', '.join(ids)})",
        " or ".join(f"id eq {i}" for i in ids),
        f"startswith(displayName,'a') and (id in ({', '.join(ids[:8])}) or id in ({', '.join(ids[8:])}))",
    ):
        e = err({"$filter": flt}, USERS)
        assert (e.code, e.message) == (
            "Request_UnsupportedQuery",
            "Too many child clauses specified in search filter expression containing 'OR' operators: 16. "
            "Max allowed: 15.",
        )
        assert prepare_query({"$filter": flt, "$count": "true"}, EVENTUAL, USERS).advanced
    # Outlook has no such cap.
    prepare_query({"$filter": " or ".join(f"id eq {i}" for i in ids)}, {}, MESSAGES)


def test_duplicate_options_are_rejected() -> None:
    e = err({"$top": "5", "$TOP": "6"}, MESSAGES)
    assert e.status == 400 and "more than once" in e.message


def test_kql_without_spec_search_fields_uses_outlook_defaults() -> None:
    spec = ResourceSpec("messages", {}, None, None, 10, 1000, search="kql")
    items = [
        msg(1, subject="Budget"),
        msg(2),
        msg(3, body={"contentType": "text", "content": "budget numbers"}),
    ]
    q = prepare_query({"$search": '"budget"'}, {}, spec)
    assert sorted(m["id"] for m in run_query(items, q, spec)) == ["AAMk1", "AAMk3"]
    q = prepare_query({"$search": '"hasattachments:true"'}, {}, spec)
    assert run_query([msg(1, hasAttachments=True), msg(2, hasAttachments=False)], q, spec)[0]["id"] == "AAMk1"
