"""$filter parsing and evaluation: operators, literals, escaping, lambdas, precedence, syntax errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from odata_specs import quote

from o365sql.emulator.odata import (
    And,
    BoolProp,
    Compare,
    Func,
    In,
    Lambda,
    Literal,
    Not,
    ODataError,
    Or,
    evaluate,
    parse_filter,
    parse_orderby,
)

MSG = {
    "id": "AAMkAD1",
    "subject": "Quarterly Report",
    "isRead": False,
    "hasAttachments": True,
    "importance": "high",
    "receivedDateTime": "2024-03-01T10:00:00Z",
    "size": 42,
    "score": 2.5,
    "from": {"emailAddress": {"name": "Ilse Marchetti", "address": "IlseM@contoso.com"}},
    "toRecipients": [
        {"emailAddress": {"name": "Alex", "address": "alex@contoso.com"}},
        {"emailAddress": {"name": "Megan", "address": "megan@contoso.com"}},
    ],
    "categories": ["Red", "Blue category"],
    "flag": {"flagStatus": "flagged"},
    "nothing": None,
}


def ev(text: str, item: dict[str, object] | None = None) -> bool:
    return evaluate(parse_filter(text), MSG if item is None else item)


# -- comparison operators ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("size eq 42", True),
        ("size ne 42", False),
        ("size gt 41", True),
        ("size gt 42", False),
        ("size ge 42", True),
        ("size lt 43", True),
        ("size lt 42", False),
        ("size le 42", True),
        ("score eq 2.5", True),
        ("score gt 2", True),
        ("score lt 2.51", True),
        ("size gt -1", True),
        ("size lt 4.2e1", False),
        ("size le 4.2E1", True),
        ("isRead eq false", True),
        ("isRead ne false", False),
        ("hasAttachments eq true", True),
        ("subject eq 'Quarterly Report'", True),
        ("subject ne 'Quarterly Report'", False),
        ("subject gt 'Q'", True),
        ("subject lt 'Q'", False),
        ("subject ge 'quarterly report'", True),
        ("subject le 'quarterly report'", True),
        ("importance eq 'high'", True),
        ("importance eq 'HIGH'", True),
        ("flag/flagStatus eq 'flagged'", True),
        ("from/emailAddress/address eq 'ilsem@contoso.com'", True),
    ],
)
def test_comparison_operators(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_literal_on_the_left_is_flipped() -> None:
    node = parse_filter("41 lt size")
    assert isinstance(node, Compare) and node.op == "gt" and node.prop.key == "size"
    assert evaluate(node, MSG)
    assert ev("'Quarterly Report' eq subject")
    assert not ev("43 le size")


def test_string_equality_is_case_insensitive_like_graph() -> None:
    # Outlook and the directory compare strings ignoring case; the driver re-checks these terms in SQLite.
    assert ev("subject eq 'QUARTERLY report'")
    assert not ev("subject eq 'Quarterly Report '")
    assert not ev("subject ne 'quarterly REPORT'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("startswith(subject, 'quart')", True),
        ("startswith(subject, 'Report')", False),
        ("endswith(subject, 'REPORT')", True),
        ("endswith(subject, 'Quarterly')", False),
        ("contains(subject, 'ly re')", True),
        ("contains(subject, 'xyz')", False),
        ("startsWith(subject,'Q')", True),
        ("STARTSWITH(subject,'Q')", True),
        ("endsWith(from/emailAddress/address, '@contoso.com')", True),
        ("contains(nothing, 'a')", False),
        ("contains(size, '4')", False),
        ("startswith(subject, '')", True),
    ],
)
def test_string_functions(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_in_operator() -> None:
    assert ev("importance in ('low', 'high')")
    assert not ev("importance in ('low', 'normal')")
    assert ev("size in (1, 42, 3)")
    assert ev("importance in ('HIGH')")
    node = parse_filter("importance in ('a','b','c')")
    assert isinstance(node, In) and [v.value for v in node.values] == ["a", "b", "c"]
    assert ev("nothing in (null, 'x')")


# -- null and missing properties ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nothing eq null", True),
        ("nothing ne null", False),
        ("missing eq null", True),
        ("missing/deeper/path eq null", True),
        ("subject eq null", False),
        ("subject ne null", True),
        ("missing eq 'x'", False),
        ("missing ne 'x'", True),
        ("missing gt 1", False),
        ("missing lt 1", False),
        ("size gt null", False),
        ("size le null", False),
        ("missing", False),
    ],
)
def test_null_and_missing(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_type_mismatch_never_matches_but_ne_does() -> None:
    assert not ev("size eq '42'")
    assert ev("size ne '42'")
    assert not ev("isRead eq 0")
    assert not ev("subject gt 5")


# -- literals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value"),
    [
        "it's",
        "''",
        "'",
        "100% sure / maybe",
        "emoji 🎉 and ümlaut",
        "a,b (c) 'd' eq 'e' or 1 eq 1",
        "",
        " leading and trailing ",
        "line\nbreak\ttab",
        "中文字符",
        "\\backslash\\",
        '"double"',
    ],
)
def test_string_literals_round_trip(value: str) -> None:
    node = parse_filter("subject eq " + quote(value))
    assert isinstance(node, Compare) and node.value == Literal("string", value, quote(value))
    assert evaluate(node, {"subject": value})
    assert not evaluate(node, {"subject": value + "x"})


def test_qualified_enum_literals_are_strings() -> None:
    node = parse_filter("importance eq microsoft.graph.importance'high'")
    assert isinstance(node, Compare) and node.value.kind == "string" and node.value.value == "high"
    assert evaluate(node, MSG)
    with pytest.raises(ODataError):
        parse_filter("importance eq microsoft.graph.importance")


def test_doubled_quote_escaping() -> None:
    node = parse_filter("subject eq 'O''Brien''s'")
    assert isinstance(node, Compare) and node.value.value == "O'Brien's"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("x eq true", "boolean", True),
        ("x eq False", "boolean", False),
        ("x eq null", "null", None),
        ("x eq 0", "int", 0),
        ("x eq -17", "int", -17),
        ("x eq 12345678901234", "int", 12345678901234),
        ("x eq 1.25", "decimal", 1.25),
        ("x eq -0.5", "decimal", -0.5),
        ("x eq 1e3", "decimal", 1000.0),
        ("x eq 2024-02-29", "date", date(2024, 2, 29)),
        ("x eq 2024-01-01T00:00:00Z", "datetime", datetime(2024, 1, 1, tzinfo=UTC)),
        ("x eq 2024-01-01T00:00Z", "datetime", datetime(2024, 1, 1, tzinfo=UTC)),
        ("x eq 2024-01-01T02:30:00+02:30", "datetime", datetime(2024, 1, 1, tzinfo=UTC)),
        ("x eq 2023-12-31T19:00:00-05:00", "datetime", datetime(2024, 1, 1, tzinfo=UTC)),
        ("x eq 2024-01-01T00:00:00.1234567Z", "datetime", datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        ("x eq 2024-01-01T00:00:00.5", "datetime", datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)),
        (
            "x eq 6D8F1F0E-5C7A-4D3F-9B1E-0123456789AB",
            "guid",
            "6d8f1f0e-5c7a-4d3f-9b1e-0123456789ab",
        ),
        ("x eq deadbeef-0000-4000-8000-00000000abcd", "guid", "deadbeef-0000-4000-8000-00000000abcd"),
        ("x eq 12345678-1234-1234-1234-123456789012", "guid", "12345678-1234-1234-1234-123456789012"),
    ],
)
def test_literal_kinds(text: str, kind: str, value: object) -> None:
    node = parse_filter(text)
    assert isinstance(node, Compare)
    assert node.value.kind == kind
    assert node.value.value == value


def test_datetime_comparisons_normalise_offsets() -> None:
    item = {"receivedDateTime": "2024-03-01T10:00:00Z", "start": {"dateTime": "2024-03-01T10:00:00.0000000"}}
    assert evaluate(parse_filter("receivedDateTime eq 2024-03-01T12:00:00+02:00"), item)
    assert evaluate(parse_filter("receivedDateTime ge 2024-03-01T10:00:00.000Z"), item)
    assert evaluate(parse_filter("receivedDateTime lt 2024-03-01T10:00:00.5Z"), item)
    assert not evaluate(parse_filter("receivedDateTime gt 2024-03-01T05:00:00-05:00"), item)
    assert evaluate(parse_filter("receivedDateTime gt 2024-03-01"), item)
    assert evaluate(parse_filter("receivedDateTime lt 2024-03-02"), item)
    # Naive Graph dateTime strings (dateTimeTimeZone in UTC) compare as instants too.
    assert evaluate(parse_filter("start/dateTime ge 2024-03-01T10:00:00Z"), item)
    assert evaluate(parse_filter("start/dateTime ge '2024-03-01T10:00'"), item)
    assert not evaluate(parse_filter("start/dateTime gt '2024-03-01T10:00'"), item)
    # Fraction digits differ: string order would be wrong ('.' < 'Z'), instant order is right.
    fractional = {"receivedDateTime": "2024-03-01T10:00:00.123Z"}
    assert evaluate(parse_filter("receivedDateTime gt 2024-03-01T10:00:00Z"), fractional)


def test_date_literal_against_date_values() -> None:
    item = {"birthday": "1990-05-17"}
    assert evaluate(parse_filter("birthday eq 1990-05-17"), item)
    assert evaluate(parse_filter("birthday lt 1990-05-18"), item)
    assert not evaluate(parse_filter("birthday gt 1990-05-17"), item)


def test_guid_compares_case_insensitively_with_string_ids() -> None:
    item = {"id": "6D8F1F0E-5C7A-4D3F-9B1E-0123456789AB"}
    assert evaluate(parse_filter("id eq 6d8f1f0e-5c7a-4d3f-9b1e-0123456789ab"), item)
    assert evaluate(parse_filter("id eq '6d8f1f0e-5c7a-4d3f-9b1e-0123456789ab'"), item)


def test_numbers_do_not_treat_booleans_as_integers() -> None:
    assert not evaluate(parse_filter("flag eq 1"), {"flag": True})
    assert evaluate(parse_filter("flag eq true"), {"flag": True})


# -- boolean structure and precedence -----------------------------------------------------------------------


@pytest.mark.parametrize("a", [False, True])
@pytest.mark.parametrize("b", [False, True])
@pytest.mark.parametrize("c", [False, True])
def test_precedence_not_and_or(a: bool, b: bool, c: bool) -> None:
    item = {"a": a, "b": b, "c": c}
    assert evaluate(parse_filter("not a and b or c"), item) is (((not a) and b) or c)
    assert evaluate(parse_filter("a or b and c"), item) is (a or (b and c))
    assert evaluate(parse_filter("(a or b) and c"), item) is ((a or b) and c)
    assert evaluate(parse_filter("not (a or b) and c"), item) is ((not (a or b)) and c)
    assert evaluate(parse_filter("a eq true and not(b eq true) or c eq true"), item) is ((a and not b) or c)
    assert evaluate(parse_filter("NOT a AND b OR c"), item) is (((not a) and b) or c)


def test_precedence_tree_shape() -> None:
    node = parse_filter("not a and b or c")
    assert isinstance(node, Or)
    assert isinstance(node.left, And) and isinstance(node.left.left, Not)
    assert isinstance(node.left.left.child, BoolProp) and node.left.left.child.prop.key == "a"
    node = parse_filter("a eq 1 or b eq 2 and c eq 3")
    assert isinstance(node, Or) and isinstance(node.right, And)
    node = parse_filter("a eq 1 and b eq 2 and c eq 3")
    assert isinstance(node, And) and isinstance(node.right, And)


def test_long_chains_evaluate_without_deep_recursion() -> None:
    text = " or ".join(f"id eq 'x{i}'" for i in range(5000))
    node = parse_filter(text)
    assert evaluate(node, {"id": "x4999"}) and evaluate(node, {"id": "X0"})
    assert not evaluate(node, {"id": "y"})
    node = parse_filter(" and ".join(f"size ne {i}" for i in range(5000)))
    assert evaluate(node, {"size": 5000}) and not evaluate(node, {"size": 2500})


def test_not_binds_tighter_than_comparison() -> None:
    # OData precedence: `not subject eq 'x'` is `(not subject) eq 'x'`, which is not a valid comparison.
    with pytest.raises(ODataError):
        parse_filter("not subject eq 'x'")
    assert ev("not (subject eq 'x')")
    assert ev("not(startswith(subject,'x'))")
    assert ev("not startswith(subject,'x')")


def test_nested_parentheses() -> None:
    assert ev("((((size eq 42))))")
    assert ev("(size eq 42 and (isRead eq false or (hasAttachments eq false)))")


# -- lambdas -----------------------------------------------------------------------------------------------


def test_any_over_recipients() -> None:
    node = parse_filter("toRecipients/any(r: r/emailAddress/address eq 'MEGAN@contoso.com')")
    assert isinstance(node, Lambda) and node.kind == "any" and node.var == "r"
    assert isinstance(node.body, Compare)
    assert node.body.prop.key == "toRecipients/emailAddress/address"
    assert node.body.prop.segments == ("emailAddress", "address")
    assert evaluate(node, MSG)
    assert not ev("toRecipients/any(r: r/emailAddress/address eq 'nobody@contoso.com')")
    assert ev("toRecipients/any(r:startswith(r/emailAddress/name,'me'))")


def test_all_over_recipients() -> None:
    assert ev("toRecipients/all(r: endswith(r/emailAddress/address, '@contoso.com'))")
    assert not ev("toRecipients/all(r: r/emailAddress/address eq 'alex@contoso.com')")
    # all() over an empty or missing collection is vacuously true; any() is false.
    assert evaluate(parse_filter("toRecipients/all(r: r/emailAddress/address eq 'x')"), {"toRecipients": []})
    assert evaluate(parse_filter("toRecipients/all(r: r/emailAddress/address eq 'x')"), {})
    assert not evaluate(parse_filter("toRecipients/any(r: r/emailAddress/address eq 'x')"), {})


def test_any_over_string_collections() -> None:
    assert ev("categories/any(c: c eq 'red')")
    assert ev("categories/any(c:c eq 'Blue category')")
    assert not ev("categories/any(c: c eq 'Green')")
    assert ev("categories/any(c: startswith(c, 'blue'))")
    group = {"groupTypes": ["Unified", "DynamicMembership"]}
    assert evaluate(parse_filter("groupTypes/any(c:c eq 'Unified')"), group)
    assert not evaluate(parse_filter("not groupTypes/any(c:c eq 'Unified')"), group)
    assert evaluate(parse_filter("NOT groupTypes/any(c:c eq 'Unified')"), {"groupTypes": []})


def test_any_without_lambda_and_nested_lambdas() -> None:
    assert ev("toRecipients/any()")
    assert not evaluate(parse_filter("toRecipients/any()"), {"toRecipients": []})
    item = {"attendees": [{"tags": ["a", "b"]}, {"tags": ["c"]}]}
    node = parse_filter("attendees/any(x: x/tags/any(t: t eq 'c'))")
    assert evaluate(node, item)
    assert isinstance(node, Lambda) and isinstance(node.body, Lambda)
    assert node.body.prop.key == "attendees/tags"
    assert not evaluate(parse_filter("attendees/all(x: x/tags/any(t: t eq 'c'))"), item)
    # The outer item is still reachable inside a lambda body.
    assert ev("categories/any(c: c eq 'Red' and size eq 42)")


def test_lambda_variable_scope_ends_with_the_lambda() -> None:
    node = parse_filter("categories/any(c: c eq 'Red') and c eq 1")
    assert isinstance(node, And) and isinstance(node.right, Compare)
    assert node.right.prop.var is None and node.right.prop.key == "c"


def test_function_node_shape() -> None:
    node = parse_filter("Contains(subject,'x')")
    assert node == Func("contains", node.prop, Literal("string", "x", "'x'"))  # type: ignore[union-attr]


# -- syntax errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "subject eq",
        "subject eq 'unterminated",
        "eq 'x'",
        "subject 'x'",
        "subject eq 'x' and",
        "subject eq 'x' or or size eq 1",
        "(subject eq 'x'",
        "subject eq 'x')",
        "subject == 'x'",
        "subject = 'x'",
        'subject eq "x"',
        "subject eq 'x' size eq 1",
        "size eq 12abc",
        "size eq 1.2.3",
        "size eq --1",
        "x eq 2024-13-01",
        "x eq 2024-02-30T00:00:00Z",
        "x eq 2024-01-01T25:00:00Z",
        "subject eq subject",
        "'a' eq 'b'",
        "true",
        "1",
        "tolower(subject) eq 'x'",
        "substringof('x', subject)",
        "startswith(subject)",
        "startswith(subject, 1)",
        "startswith('x', subject)",
        "contains(subject, 'a', 'b')",
        "toRecipients/any(r r/emailAddress/address eq 'x')",
        "toRecipients/any(r: )",
        "toRecipients/all()",
        "toRecipients/any(r: r eq 'x'",
        "importance in 'high'",
        "importance in ()",
        "importance in (subject)",
        "'x' in ('x')",
        "size eq 1 and not",
        "not",
        "subject/ eq 'x'",
        "/subject eq 'x'",
        "subject eq 'x';",
        "subject eq 'x' & size eq 1",
        "subject eq 'x' $ 1",
        "not subject eq 'x'",
        "startswith(subject,'a') eq true",
        "x eq " + "9" * 50,
        "x eq 1e999",
        "(" * 200 + "a" + ")" * 200,
        "not " * 200 + "a",
        "a eq 1 eq 2",
        "datetime'2024-01-01' eq x",
    ],
)
def test_malformed_filters_give_400(text: str) -> None:
    with pytest.raises(ODataError) as info:
        parse_filter(text)
    assert info.value.status == 400
    assert info.value.code == "BadRequest"
    assert info.value.message


def test_syntax_error_names_position_and_text_and_service_code() -> None:
    with pytest.raises(ODataError) as info:
        parse_filter("subject eq 'x' zz", code="ErrorInvalidUrlQuery")
    assert info.value.code == "ErrorInvalidUrlQuery"
    assert "position 15" in info.value.message and "subject eq 'x' zz" in info.value.message
    with pytest.raises(ODataError) as info:
        parse_filter("tolower(subject) eq 'x'", code="Request_UnsupportedQuery")
    assert info.value.code == "Request_UnsupportedQuery" and "tolower" in info.value.message


def test_keywords_are_case_insensitive() -> None:
    assert ev("size EQ 42 AND isRead Eq FALSE")
    assert ev("importance IN ('high')")
    assert ev("categories/ANY(c: c eq 'red')")


def test_timezone_offsets_parse_to_utc() -> None:
    node = parse_filter("x lt 2024-06-30T23:59:59.999+14:00")
    assert isinstance(node, Compare)
    expected = datetime(2024, 6, 30, 23, 59, 59, 999000, tzinfo=timezone(timedelta(hours=14)))
    assert node.value.value == expected.astimezone(UTC)


# -- $orderby parsing ----------------------------------------------------------------------------------------


def test_parse_orderby() -> None:
    assert parse_orderby("receivedDateTime desc,subject") == [("receivedDateTime", True), ("subject", False)]
    assert parse_orderby("from/emailAddress/name asc") == [("from/emailAddress/name", False)]
    assert parse_orderby(" subject  DESC , size ") == [("subject", True), ("size", False)]


@pytest.mark.parametrize(
    "text", ["", ",", "subject,", "subject up", "subject desc desc", "sub-ject", "a//b", "/a"]
)
def test_parse_orderby_rejects_garbage(text: str) -> None:
    with pytest.raises(ODataError) as info:
        parse_orderby(text)
    assert info.value.status == 400
