"""readStream over Graph's delta queries: for every table the stream source takes, the first micro-batch holds
the items raw Graph reads list, and the next one the items added and changed after the stream started."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pyspark.sql import SparkSession

from o365sql.emulator import Emulator
from o365sql.scale.delta import WINDOW_FUTURE, WINDOW_PAST, stream_table
from o365sql.schema import TABLES

from .conftest import app_options

# Spark is slow to start on a busy two-core machine: a hang guard, not a time limit on the behaviour
pytestmark = [pytest.mark.spark, pytest.mark.timeout(900)]


def _app_client(emu: Emulator) -> httpx.Client:
    """A raw Graph client signed in as the emulator's app: the test's writes do not go through o365sql."""
    with emu.http_client() as http:
        token = http.post(
            f"{emu.authority_host}/{emu.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": emu.app_client_id,
                "client_secret": emu.app_client_secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        ).json()["access_token"]
    return emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"})


def _all(graph: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a collection, following @odata.nextLink."""
    page = graph.get(path, params={"$top": "100", **params}).raise_for_status().json()
    items = list(page["value"])
    while "@odata.nextLink" in page:
        page = graph.get(page["@odata.nextLink"]).raise_for_status().json()
        items.extend(page["value"])
    return items


def _window() -> dict[str, str]:
    """The calendarView window a stream started now reads (o365sql.scale.delta's, whole days)."""
    now = datetime.now(UTC)
    return {
        "startDateTime": (now - WINDOW_PAST).strftime("%Y-%m-%dT00:00:00Z"),
        "endDateTime": (now + WINDOW_FUTURE).strftime("%Y-%m-%dT00:00:00Z"),
    }


@dataclass(frozen=True)
class Case:
    """One streamed table: its column whose value the test changes, and how raw Graph lists, adds, changes
    and reads back its items (``o`` is the owner's path, ``/users/{id}``, or "" for directory tables)."""

    column: str
    listing: Callable[[httpx.Client, str], list[dict[str, Any]]]
    add: Callable[[httpx.Client, str, int], str]  # -> the new item's id
    change: Callable[[httpx.Client, str, list[dict[str, Any]]], str]  # -> the changed item's id
    item: Callable[[str, str], str]  # the item's path


def _made(response: httpx.Response) -> str:
    return str(response.raise_for_status().json()["id"])


def _patch(graph: httpx.Client, path: str, body: dict[str, Any]) -> None:
    graph.patch(path, json=body).raise_for_status()


def _change_event(graph: httpx.Client, o: str, items: list[dict[str, Any]]) -> str:
    # a single instance: an occurrence's change would show as its series master's
    event = min((e for e in items if e["type"] == "singleInstance"), key=lambda e: e["id"])
    _patch(graph, f"{o}/events/{event['id']}", {"subject": "changed by the stream test"})
    return str(event["id"])


def _add_event(graph: httpx.Client, o: str, i: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=3 + i)).strftime("%Y-%m-%d")
    return _made(
        graph.post(
            f"{o}/events",
            json={
                "subject": f"stream {i}",
                "start": {"dateTime": f"{day}T10:00:00", "timeZone": "UTC"},
                "end": {"dateTime": f"{day}T11:00:00", "timeZone": "UTC"},
            },
        )
    )


def _change_file(graph: httpx.Client, o: str, items: list[dict[str, Any]]) -> str:
    item = min((f for f in items if "file" in f), key=lambda f: f["id"])
    _patch(graph, f"{o}/drive/items/{item['id']}", {"name": "renamed by the stream test.txt"})
    return str(item["id"])


def _add_user(graph: httpx.Client, o: str, i: int) -> str:
    domain = _all(graph, "/users")[0]["userPrincipalName"].split("@")[1]
    return _made(
        graph.post(
            "/users",
            json={
                "accountEnabled": True,
                "displayName": f"Stream {i}",
                "mailNickname": f"stream{i}",
                "userPrincipalName": f"stream{i}@{domain}",
                "passwordProfile": {"password": "Stream-test-1!"},
            },
        )
    )


def _first(items: list[dict[str, Any]]) -> dict[str, Any]:
    return min(items, key=lambda x: x["id"])


def _flip_read(graph: httpx.Client, o: str, items: list[dict[str, Any]]) -> str:
    message = _first(items)
    _patch(graph, f"{o}/messages/{message['id']}", {"isRead": not message["isRead"]})
    return str(message["id"])


def _rename(kind: str, column: str) -> Callable[[httpx.Client, str, list[dict[str, Any]]], str]:
    def change(graph: httpx.Client, o: str, items: list[dict[str, Any]]) -> str:
        item = _first(items)
        _patch(graph, f"{o}/{kind}/{item['id']}", {column: f"{column} changed by the stream test"})
        return str(item["id"])

    return change


EVENTS = Case(
    "subject",
    lambda g, o: _all(g, f"{o}/calendarView", **_window()),
    _add_event,
    _change_event,
    lambda o, i: f"{o}/events/{i}",
)
CASES: dict[str, Case] = {
    "Messages": Case(
        "isRead",
        lambda g, o: _all(g, f"{o}/messages"),
        lambda g, o, i: _made(g.post(f"{o}/mailFolders/inbox/messages", json={"subject": f"stream {i}"})),
        _flip_read,
        lambda o, i: f"{o}/messages/{i}",
    ),
    # Events streams calendarView's delta, as CalendarView does (an occurrence is a row of its own)
    "CalendarView": EVENTS,
    "Events": EVENTS,
    "Contacts": Case(
        "displayName",
        lambda g, o: _all(g, f"{o}/contacts"),
        lambda g, o, i: _made(g.post(f"{o}/contacts", json={"givenName": "Stream", "displayName": f"S {i}"})),
        _rename("contacts", "displayName"),
        lambda o, i: f"{o}/contacts/{i}",
    ),
    "Files": Case(
        "name",
        lambda g, o: _all(g, f"{o}/drive/root/delta"),
        lambda g, o, i: _made(g.put(f"{o}/drive/root:/stream {i}.txt:/content", content=b"streamed")),
        _change_file,
        lambda o, i: f"{o}/drive/items/{i}",
    ),
    "Users": Case(
        "jobTitle",
        lambda g, o: _all(g, "/users"),
        _add_user,
        _rename("users", "jobTitle"),
        lambda o, i: f"/users/{i}",
    ),
    "Groups": Case(
        "description",
        lambda g, o: _all(g, "/groups"),
        lambda g, o, i: _made(
            g.post(
                "/groups",
                json={
                    "displayName": f"Stream {i}",
                    "mailEnabled": False,
                    "mailNickname": f"stream{i}",
                    "securityEnabled": True,
                },
            )
        ),
        _rename("groups", "description"),
        lambda o, i: f"/groups/{i}",
    ),
}


def test_every_table_the_stream_source_takes_has_a_case() -> None:
    takes = set()
    for name in TABLES:
        try:
            stream_table(name)
        except KeyError:
            continue
        takes.add(name)
    assert takes == set(CASES)


@pytest.mark.parametrize("table", list(CASES))
def test_stream_picks_up_items_added_and_changed_after_it_started(
    spark: SparkSession, make_emulator: Callable[..., Emulator], table: str
) -> None:
    case = CASES[table]
    spec = TABLES[table]
    emu = make_emulator(data="demo")
    owner = emu.state.directory.demo_user.id if spec.per_user else None
    o = f"/users/{owner}" if owner else ""
    columns = ["id", case.column]
    with _app_client(emu) as graph:
        before = case.listing(graph, o)
    reader = spark.readStream.format("o365sql").option("table", table).option("columns", ",".join(columns))
    for name, value in app_options(emu, **({"UserId": owner} if owner else {})).items():
        reader = reader.option(name, value)
    view = f"stream_{table.lower()}"
    query = reader.load().writeStream.format("memory").queryName(view).start()
    try:
        query.processAllAvailable()
        first = {tuple(r) for r in spark.sql(f"SELECT id, {case.column} FROM {view}").collect()}
        assert {i for i, _ in first} == {x["id"] for x in before}
        with _app_client(emu) as graph:
            added = [case.add(graph, o, i) for i in range(2)]
            changed = case.change(graph, o, before)
            query.processAllAvailable()
            new = {tuple(r) for r in spark.sql(f"SELECT id, {case.column} FROM {view}").collect()} - first
            expected = {
                (item["id"], item.get(case.column))
                for item in (graph.get(case.item(o, i)).raise_for_status().json() for i in [*added, changed])
            }
    finally:
        query.stop()
    assert new == expected
