"""Column readers: each declared type's fast path gives the same value as the general conversion."""

from __future__ import annotations

from typing import Any

import pytest

from o365sql import _types
from o365sql.engine.convert import column_reader, parse_datetime
from o365sql.schema import ColumnSpec


def _read(type_: str, path: tuple[str, ...], item: dict[str, Any]) -> Any:
    return column_reader(ColumnSpec("c", type_, "/".join(path)))(item)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        ("TEXT", "abc", "abc"),
        ("TEXT", 7, "7"),
        ("TEXT", True, "true"),
        ("TEXT", {"a": 1}, '{"a":1}'),
        ("BOOLEAN", True, 1),
        ("BOOLEAN", False, 0),
        ("BOOLEAN", "yes", 1),
        ("BOOLEAN", 0.0, 0),
        ("DATETIME", "2024-05-06T07:08:09Z", "2024-05-06T07:08:09Z"),
        ("DATETIME", "2024-05-06T07:08:09.1234567Z", "2024-05-06T07:08:09Z"),
        ("DATETIME", "2024-05-06T07:08:09.5", "2024-05-06T07:08:09Z"),
        ("DATETIME", "2024-05-06T09:08:09+02:00", "2024-05-06T07:08:09Z"),
        ("DATETIME", "not a date", "not a date"),
        ("JSON", [], "[]"),
        ("JSON", [{"name": "é"}], '[{"name":"é"}]'),
        ("JSON", {}, "{}"),
        ("INTEGER", "12", 12),
        ("INTEGER", 3.0, 3),
    ],
)
def test_reader_converts_each_depth_alike(type_: str, value: Any, expected: Any) -> None:
    """One to four keys deep: the same value for the same JSON."""
    assert _read(type_, ("k",), {"k": value}) == expected
    assert _read(type_, ("a", "k"), {"a": {"k": value}}) == expected
    assert _read(type_, ("a", "b", "k"), {"a": {"b": {"k": value}}}) == expected
    assert _read(type_, ("a", "b", "c", "k"), {"a": {"b": {"c": {"k": value}}}}) == expected


@pytest.mark.parametrize("type_", ["TEXT", "BOOLEAN", "DATETIME", "JSON", "INTEGER"])
@pytest.mark.parametrize(
    ("path", "item"),
    [
        (("k",), {}),
        (("k",), {"k": None}),
        (("a", "k"), {}),
        (("a", "k"), {"a": None}),
        (("a", "k"), {"a": "text, not an object"}),
        (("a", "k"), {"a": {}}),
        (("a", "b", "k"), {"a": {"b": []}}),
        (("a", "b", "k"), {"a": {"b": {"k": None}}}),
        (("a", "b", "c", "k"), {"a": {"b": 1}}),
        (("a", "b", "c", "k"), {"a": {"b": {"c": {}}}}),
    ],
)
def test_reader_missing_or_not_an_object_is_null(
    type_: str, path: tuple[str, ...], item: dict[str, Any]
) -> None:
    """A missing key, a null or a step that is not an object reads as NULL."""
    assert _read(type_, path, item) is None


def test_parse_datetime_outside_fromisoformat_still_parses() -> None:
    """Digits fromisoformat refuses (full-width) still parse as before; an impossible date does not."""
    full_width_year = "\uff12\uff10\uff12\uff14"  # 2024 in full-width digits
    assert parse_datetime(f"{full_width_year}-01-02T03:04:05Z") == parse_datetime("2024-01-02T03:04:05Z")
    assert parse_datetime("2024-02-30T00:00:00Z") is None


@pytest.mark.parametrize(
    ("stored", "expected"), [(1, True), (0, False), (2, True), (None, None), ("no", False)]
)
def test_fetched_boolean(stored: Any, expected: Any) -> None:
    """BOOLEAN values fetched: the stored 0/1 (and text) become bool; NULL stays None."""
    got = _types.converter_for("BOOLEAN")(stored)  # type: ignore[misc]
    assert got is expected
