"""Every table's `SELECT *` against the raw Graph collection from the emulator: same rows, same values.

The expected values are computed here, independently of the driver's converters: each column's Graph path
is walked in the raw JSON and typed the way the DB-API promises (DATETIME -> aware UTC datetime to the
second, BOOLEAN -> bool, JSON -> the same structure, numbers and text as they are).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.schema import TABLES, ColumnSpec, TableSpec

Item = dict[str, Any]


def pages(raw: httpx.Client, path: str, params: dict[str, str] | None = None) -> Iterator[Item]:
    """Every item of a Graph collection, following @odata.nextLink."""
    url: str | None = path
    while url:
        resp = raw.get(url, params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        yield from body["value"]
        url, params = body.get("@odata.nextLink"), None


def select_for(spec: TableSpec) -> dict[str, str]:
    """$select naming every top-level property the table's columns come from (and their $expand)."""
    props = sorted({c.top_property for c in spec.columns if c.top_property})
    expands = sorted({c.expand for c in spec.columns if c.expand})
    return {"$select": ",".join(props), **({"$expand": ",".join(expands)} if expands else {})}


def walk(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def expected(column: ColumnSpec, item: Item) -> Any:
    """What the driver must return for this column of this raw item."""
    if column.kind == "odata_type":
        t = item.get("@odata.type")
        return t.rsplit(".", 1)[-1] if isinstance(t, str) else None
    value = walk(item, column.path)
    if value is None:
        return None
    if column.type == "DATETIME":
        parsed = dt.datetime.fromisoformat(value if "T" in value else value + "T00:00:00")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC).replace(microsecond=0)
    return value


def actual(column: ColumnSpec, value: Any) -> Any:
    if column.type == "JSON" and value is not None:
        return json.loads(value)
    return value


def compare(
    con: o365sql.Connection,
    spec: TableSpec,
    sql: str,
    raw_rows: list[tuple[tuple[Any, ...], Item]],
    params: tuple[Any, ...] = (),
) -> None:
    cur = con.cursor()
    cur.execute(sql, params)
    names = [d[0] for d in cur.description]
    got = {}
    for row in cur:
        record = dict(zip(names, row, strict=True))
        got[tuple(record[k] for k in spec.key)] = record
    want = dict(raw_rows)
    assert want, f"{spec.name}: the demo tenant should have rows"
    assert sorted(got) == sorted(want), f"{spec.name}: different rows"
    for key, item in want.items():
        record = got[key]
        for column in spec.columns:
            if column.kind in ("graph", "odata_type") and not column.hidden:
                assert actual(column, record[column.name]) == expected(column, item), (spec.name, column.name)


def test_users(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Users"]
    rows = [((u["id"],), u) for u in pages(raw, "/users", select_for(spec))]
    compare(con, spec, "SELECT * FROM Users", rows)


def test_groups_and_members(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Groups"]
    groups = list(pages(raw, "/groups", select_for(spec)))
    compare(con, spec, "SELECT * FROM Groups", [((g["id"],), g) for g in groups])
    members = TABLES["GroupMembers"]
    rows = [
        ((g["id"], m["id"]), m)
        for g in groups
        for m in pages(raw, f"/groups/{g['id']}/members", select_for(members))
    ]
    compare(con, members, "SELECT * FROM GroupMembers", rows)


@pytest.mark.parametrize("table", ["Messages", "Events", "Calendars", "Contacts", "ContactFolders"])
def test_mailbox_collections(con: o365sql.Connection, raw: httpx.Client, table: str) -> None:
    spec = TABLES[table]
    path = spec.collection.replace("{scope}", "/me")
    rows = [((i["id"],), i) for i in pages(raw, path, select_for(spec))]
    compare(con, spec, f'SELECT * FROM "{table}"', rows)


def test_mail_folders_with_children(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["MailFolders"]
    rows: list[tuple[tuple[Any, ...], Item]] = []
    todo = ["/me/mailFolders"]
    while todo:
        for folder in pages(raw, todo.pop(), select_for(spec)):
            rows.append(((folder["id"],), folder))
            if folder.get("childFolderCount"):
                todo.append(f"/me/mailFolders/{folder['id']}/childFolders")
    compare(con, spec, "SELECT * FROM MailFolders", rows)


def test_message_attachments(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["MessageAttachments"]
    with_attachments = [
        m["id"] for m in pages(raw, "/me/messages", {"$select": "id,hasAttachments"}) if m["hasAttachments"]
    ][:12]
    rows = [
        ((mid, a["id"]), a) for mid in with_attachments for a in pages(raw, f"/me/messages/{mid}/attachments")
    ]
    marks = ",".join("?" * len(with_attachments))
    compare(
        con,
        spec,
        f"SELECT * FROM MessageAttachments WHERE MessageId IN ({marks})",
        rows,
        tuple(with_attachments),
    )


def test_calendar_view_window(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["CalendarView"]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start, end = now - dt.timedelta(days=10), now + dt.timedelta(days=20)
    window = {
        "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    rows = [
        ((e["id"],), e)
        for e in pages(raw, "/me/calendarView", {**window, **select_for(spec)})
        # the SQL asks for events inside the window; calendarView returns those that overlap it
        if expected(spec.column("start_dateTime"), e) >= start
        and expected(spec.column("end_dateTime"), e) <= end
    ]
    compare(
        con,
        spec,
        "SELECT * FROM CalendarView WHERE start_dateTime >= ? AND end_dateTime <= ?",
        rows,
        (start, end),
    )


def test_files_walk(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Files"]
    rows: list[tuple[tuple[Any, ...], Item]] = []
    todo = [("/me/drive/root/children", 0)]
    while todo:
        path, depth = todo.pop()
        for item in pages(raw, path, select_for(spec)):
            rows.append(((item["id"],), item))
            if "folder" in item and depth < 5:  # DirectoryRetrievalDepth's default
                todo.append((f"/me/drive/items/{item['id']}/children", depth + 1))
    compare(con, spec, "SELECT * FROM Files", rows)
