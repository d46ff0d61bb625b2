"""Property tests: the parser never crashes, literals round-trip, evaluation matches a reference."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odata_specs import DRIVE, GROUPS, MESSAGES, USERS, quote

from o365sql.emulator.odata import (
    ODataError,
    ResourceSpec,
    evaluate,
    parse_filter,
    parse_orderby,
    prepare_query,
    project,
    run_query,
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VOCAB = [
    "subject", "size", "isRead", "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "in", "(", ")", ",",
    ":", "/", "'x'", "'", "''", "1", "-1", "1.5", "true", "null", "any", "all", "r", "r/emailAddress",
    "toRecipients/any(", "startswith(", "contains(", "2024-01-01", "2024-01-01T00:00:00Z", "+02:00",
    "6d8f1f0e-5c7a-4d3f-9b1e-0123456789ab", "$it", "@", "%", "\u00e9", "🎉", " ", "  ",
]  # fmt: skip


def _parse_or_400(text: str) -> None:
    try:
        parse_filter(text)
    except ODataError as exc:
        assert exc.status == 400 and exc.code and exc.message


@FAST
@given(st.text(max_size=80))
def test_random_text_never_crashes_the_parser(text: str) -> None:
    _parse_or_400(text)
    try:
        parse_orderby(text)
    except ODataError as exc:
        assert exc.status == 400


@FAST
@given(st.lists(st.sampled_from(VOCAB), max_size=25))
def test_random_token_soup_never_crashes_the_parser(parts: list[str]) -> None:
    _parse_or_400(" ".join(parts))
    _parse_or_400("".join(parts))


@FAST
@given(st.text(max_size=40), st.lists(st.text(max_size=12), max_size=6))
def test_string_literals_round_trip(s: str, others: list[str]) -> None:
    subjects = [*others, s, s.upper(), s + "'", "'" + s, s.replace("'", "''")]
    items: list[dict[str, Any]] = [{"id": str(i), "subject": v} for i, v in enumerate(subjects)]
    node = parse_filter("subject eq " + quote(s))
    matched = [item["id"] for item in items if evaluate(node, item)]
    # Graph compares strings case-insensitively (see evaluate.fold); the exact value always matches.
    assert matched == [item["id"] for item in items if item["subject"].lower() == s.lower()]
    assert str(subjects.index(s)) in matched
    query = prepare_query({"$filter": "subject eq " + quote(s)}, {}, MESSAGES)
    assert [item["id"] for item in run_query(items, query, MESSAGES)] == matched
    ne = parse_filter("subject ne " + quote(s))
    assert [item["id"] for item in items if not evaluate(ne, item)] == matched


def _ref(tree: Any, item: dict[str, int | None]) -> bool:
    kind = tree[0]
    if kind == "cmp":
        _, name, op, value = tree
        v = item.get(name)
        if v is None:
            return bool(op == "ne")
        return bool(
            {
                "eq": v == value,
                "ne": v != value,
                "gt": v > value,
                "ge": v >= value,
                "lt": v < value,
                "le": v <= value,
            }[op]
        )
    if kind == "in":
        return item.get(tree[1]) in tree[2]
    if kind == "not":
        return not _ref(tree[1], item)
    left, right = _ref(tree[1], item), _ref(tree[2], item)
    return bool(left and right) if kind == "and" else bool(left or right)


def _text(tree: Any) -> str:
    kind = tree[0]
    if kind == "cmp":
        return f"{tree[1]} {tree[2]} {tree[3]}"
    if kind == "in":
        return f"{tree[1]} in ({', '.join(map(str, tree[2]))})"
    if kind == "not":
        return f"not ({_text(tree[1])})"
    return f"({_text(tree[1])}) {kind} ({_text(tree[2])})"


_leaf = st.one_of(
    st.tuples(
        st.just("cmp"),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
        st.integers(-3, 3),
    ),
    st.tuples(
        st.just("in"), st.sampled_from(["a", "b"]), st.lists(st.integers(-3, 3), min_size=1, max_size=3)
    ),
)
_trees = st.recursive(
    _leaf,
    lambda sub: st.one_of(
        st.tuples(st.just("not"), sub),
        st.tuples(st.sampled_from(["and", "or"]), sub, sub),
    ),
    max_leaves=8,
)


@FAST
@given(
    _trees, st.lists(st.fixed_dictionaries({"a": st.none() | st.integers(-3, 3), "b": st.integers(-3, 3)}))
)
def test_evaluation_matches_reference(tree: Any, items: list[dict[str, int | None]]) -> None:
    node = parse_filter(_text(tree))
    assert [evaluate(node, item) for item in items] == [_ref(tree, item) for item in items]


OPTION_VALUES = {
    "$filter": [
        "isRead eq true",
        "subject eq 'a''b'",
        "displayName ne 'x'",
        "startswith(displayName,'a')",
        "not(isRead eq true)",
        "toRecipients/any(r: r/emailAddress/address eq 'x')",
        "groupTypes/any(c:c eq 'Unified')",
        "receivedDateTime ge 2024-01-01T00:00:00Z",
        "size gt 'x'",
        "nosuch eq 1",
        "mail eq null",
        "(",
        "",
    ],
    "$orderby": ["subject", "receivedDateTime desc", "displayName", "nosuch", "subject sideways", ""],
    "$select": ["subject,from", "*", "id", "aboutMe", "nosuch", "", "a/b"],
    "$top": ["1", "10", "999", "1000", "1001", "0", "-1", "x"],
    "$skip": ["0", "5", "-1", "x"],
    "$count": ["true", "false", "maybe"],
    "$search": ['"pizza"', '"displayName:wa"', "pizza", '"a" OR "b"', '"', ""],
    "$expand": ["attachments"],
    "$bogus": ["1"],
}
ITEMS: list[dict[str, Any]] = [
    {"id": "1", "subject": "a'b", "isRead": True, "displayName": "Walter", "groupTypes": ["Unified"]},
    {"id": "2", "subject": None, "receivedDateTime": "2024-02-01T00:00:00Z", "mail": None},
    {"@odata.etag": 'W/"x"', "id": "3", "toRecipients": [{"emailAddress": {"address": "x"}}], "size": 5},
]


@FAST
@given(
    st.sampled_from([MESSAGES, USERS, GROUPS, DRIVE]),
    st.dictionaries(st.sampled_from(sorted(OPTION_VALUES)), st.just(""), max_size=5).flatmap(
        lambda keys: st.fixed_dictionaries({k: st.sampled_from(OPTION_VALUES[k]) for k in keys})
    ),
    st.sampled_from([{}, {"ConsistencyLevel": "eventual"}, {"consistencylevel": "Eventual"}]),
)
def test_prepare_query_only_raises_odata_errors(
    spec: ResourceSpec, params: dict[str, str], headers: dict[str, str]
) -> None:
    try:
        query = prepare_query(params, headers, spec)
    except ODataError as exc:
        assert exc.status in (400, 501) and exc.code and exc.message
        return
    rows = run_query(ITEMS, query, spec)
    assert all(isinstance(project(row, query, spec), dict) for row in rows)
    assert 1 <= query.top <= spec.max_top and query.skip >= 0
