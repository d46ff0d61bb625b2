"""Generated data and generated queries: Pushdown on and off give the same rows against the strict emulator.

Each example adds items to a private emulator (all-day events in zones from UTC-12 to UTC+14, subjects and
names in case and accent variants, messages left unflagged or flagged, read receipts unset or requested,
contacts and directory objects with NULLs) and then runs one generated query on Messages, Events,
CalendarView, Contacts, Users or Groups twice: with Pushdown and without. Bounded (a few dozen examples).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o365sql.emulator import Emulator

from .test_strict_pushdown import delegated_token, opener

ZONES = [
    "Etc/GMT+12",
    "Pacific Standard Time",
    "Eastern Standard Time",
    "UTC",
    "W. Europe Standard Time",
    "India Standard Time",
    "Asia/Kathmandu",
    "Tokyo Standard Time",
    "Australia/Adelaide",
    "Pacific/Kiritimati",
]
WORDS = ["Café", "cafe", "CAFÉ", "Cafe\u0301", "café au lait", "Résumé", "resume", "RESUME", "Ärger", "ärger"]
DAYS = ["2026-05-01", "2026-05-02", "2026-05-03"]
HOURS = ["00:00:00", "03:00:00", "10:00:00", "13:30:00", "23:00:00"]
_ids = itertools.count()


class World:
    """The private emulator, a raw client writing to it, and connections reading it."""

    def __init__(self, emu: Emulator, http: httpx.Client) -> None:
        self.emu = emu
        self.open = opener(emu, http)
        self.graph = emu.http_client(
            base_url=emu.graph_url, headers={"Authorization": f"Bearer {delegated_token(emu)}"}, timeout=30
        )
        self.on, self.off = self.open(pushdown=True), self.open(pushdown=False)
        self.on_app, self.off_app = (
            self.open(pushdown=True, app_only=True),
            self.open(pushdown=False, app_only=True),
        )

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.graph.post(path, json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with Emulator(data="demo") as emu:
        http = emu.http_client()
        w = World(emu, http)
        yield w
        w.graph.close()
        http.close()


# -- data ---------------------------------------------------------------------------------------------------
@st.composite
def all_day_event(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.sampled_from(DAYS))
    length = draw(st.integers(1, 2))
    end = f"2026-05-{int(day[-2:]) + length:02d}"
    return {
        "subject": draw(st.sampled_from(WORDS)),
        "isAllDay": True,
        "start": {"dateTime": f"{day}T00:00:00", "timeZone": zone},
        "end": {"dateTime": f"{end}T00:00:00", "timeZone": zone},
    }


@st.composite
def timed_event(draw: st.DrawFn) -> dict[str, Any]:
    day, hour = draw(st.sampled_from(DAYS)), draw(st.sampled_from(HOURS))
    return {
        "subject": draw(st.sampled_from(WORDS)),
        "start": {"dateTime": f"{day}T{hour}", "timeZone": draw(st.sampled_from(ZONES))},
        "end": {"dateTime": f"{day}T23:59:00", "timeZone": "UTC"},
    }


@st.composite
def message(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"subject": draw(st.sampled_from(WORDS))}
    flag = draw(st.sampled_from([None, "flagged", "complete", "notFlagged"]))
    if flag is not None:
        body["flag"] = {"flagStatus": flag}
    if draw(st.booleans()):
        body["isReadReceiptRequested"] = True
    return body


@st.composite
def contact(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"givenName": draw(st.sampled_from(WORDS))}
    company = draw(st.sampled_from([None, "Contoso", "contoso", "Cöntoso"]))
    if company is not None:
        body["companyName"] = company
    return body


@st.composite
def directory_object(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "displayName": draw(st.sampled_from(WORDS)) + f" {next(_ids)}",
        "companyName": draw(st.sampled_from([None, "Contoso", "CONTOSO", "Cöntoso"])),
        "mobilePhone": draw(st.sampled_from([None, "+1 425 555 0100", "+44 20 7946 0000"])),
        "jobTitle": draw(st.sampled_from([None, "Engineer", "engineer", "Ingénieur"])),
        "description": draw(st.sampled_from([None, "Café team", "cafe TEAM"])),
    }


def _add_directory_objects(world: World, objects: list[dict[str, Any]]) -> None:
    """The emulator has no directory writes: new users and groups go straight into its data."""
    store = world.emu.state.graph
    for obj in objects:
        n = next(_ids)
        uid = f"7e570000-0000-4000-8000-{n:012d}"
        user = {**store.users[1], **{k: v for k, v in obj.items() if k != "description"}, "id": uid}
        user["userPrincipalName"] = user["mail"] = f"gen{n}@{world.emu.tenant_domain}"
        store.users.append(user)
        store.users_by_id[uid] = user
        gid = f"7e570001-0000-4000-8000-{n:012d}"
        group = {
            **store.groups[0],
            "id": gid,
            "displayName": obj["displayName"],
            "description": obj["description"],
        }
        store.groups.append(group)
        store.groups_by_id[gid] = group


# -- queries ------------------------------------------------------------------------------------------------
def _text_terms(column: str) -> st.SearchStrategy[str]:
    word = st.sampled_from(WORDS)
    return st.one_of(
        word.map(lambda w: f"{column} = '{w}'"),
        word.map(lambda w: f"{column} LIKE '{w[:3]}%'"),
        word.map(lambda w: f"{column} GLOB '{w[:2]}*'"),
        st.lists(word, min_size=1, max_size=3).map(
            lambda ws: f"{column} IN ({', '.join(repr(w) for w in ws)})"
        ),
        st.just(f"{column} IS NULL"),
    )


def _instant() -> st.SearchStrategy[str]:
    return st.builds(
        lambda d, h: f"'{d}T{h}Z'",
        st.sampled_from([*DAYS, "2026-04-30", "2026-05-04"]),
        st.sampled_from(HOURS),
    )


def _time_terms(column: str) -> st.SearchStrategy[str]:
    return st.builds(
        lambda op, v: f"{column} {op} {v}", st.sampled_from(["=", "<", "<=", ">", ">=", "<>"]), _instant()
    )


TERMS: dict[str, st.SearchStrategy[str]] = {
    "Messages": st.one_of(
        _text_terms("subject"),
        st.sampled_from(
            [
                "flag_flagStatus = 'notFlagged'",
                "flag_flagStatus = 'flagged'",
                "flag_flagStatus <> 'flagged'",
                "flag_flagStatus IN ('notFlagged', 'complete')",
                "isReadReceiptRequested = 0",
                "isReadReceiptRequested = 1",
                "isReadReceiptRequested <> 1",
                "isRead = 1",
            ]
        ),
    ),
    "Events": st.one_of(
        _text_terms("subject"),
        _time_terms("start_dateTime"),
        _time_terms("end_dateTime"),
        st.just("isAllDay = 1"),
    ),
    "Contacts": st.one_of(_text_terms("givenName"), _text_terms("companyName")),
    "Users": st.one_of(
        _text_terms("displayName"),
        _text_terms("companyName"),
        _text_terms("jobTitle"),
        st.sampled_from(["mobilePhone LIKE '+1%'", "accountEnabled = 1", "mobilePhone IS NULL"]),
    ),
    "Groups": st.one_of(_text_terms("displayName"), _text_terms("description"), st.just("mailEnabled = 1")),
}
TERMS["CalendarView"] = TERMS["Events"]
ORDER = {
    "Messages": ["receivedDateTime", "subject"],
    "Events": ["start_dateTime", "end_dateTime", "subject"],
    "CalendarView": ["start_dateTime", "subject"],
    "Contacts": ["givenName"],
    "Users": ["displayName"],
    "Groups": ["displayName"],
}


@st.composite
def query(draw: st.DrawFn) -> tuple[str, str]:
    table = draw(st.sampled_from(sorted(TERMS)))
    terms = draw(st.lists(TERMS[table], min_size=1, max_size=2))
    if table == "CalendarView":
        terms += [f"start_dateTime >= {draw(_instant())}", "end_dateTime <= '2026-05-06T00:00:00Z'"]
    sql = f"SELECT id FROM {table} WHERE " + " AND ".join(f"({t})" for t in terms)
    if draw(st.booleans()):
        column = draw(st.sampled_from(ORDER[table]))
        direction = draw(st.sampled_from(["", " DESC"]))
        sql += f" ORDER BY {column}{direction}, id"
        if draw(st.booleans()):
            sql += f" LIMIT {draw(st.integers(1, 5))}"
    return table, sql


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(st.one_of(all_day_event(), timed_event()), max_size=3),
    messages=st.lists(message(), max_size=2),
    contacts=st.lists(contact(), max_size=1),
    directory=st.lists(directory_object(), max_size=1),
    q=query(),
)
def test_pushdown_on_and_off_agree(
    world: World,
    events: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    contacts: list[dict[str, Any]],
    directory: list[dict[str, Any]],
    q: tuple[str, str],
) -> None:
    for body in events:
        world.post("/me/events", body)
    for body in messages:
        world.post("/me/mailFolders/inbox/messages", body)
    for body in contacts:
        world.post("/me/contacts", body)
    _add_directory_objects(world, directory)
    table, sql = q
    on, off = (world.on_app, world.off_app) if table in ("Users", "Groups") else (world.on, world.off)
    with_pushdown = on.execute(sql).fetchall()
    without = off.execute(sql).fetchall()
    if " ORDER BY " not in sql:
        with_pushdown, without = sorted(with_pushdown), sorted(without)
    assert with_pushdown == without, sql


def test_generated_data_reaches_the_tables(world: World) -> None:
    """The generator's items are visible through SQL (guards against a test that compares two empty sets)."""
    world.post(
        "/me/events",
        {
            "subject": "visible",
            "isAllDay": True,
            "start": {"dateTime": "2026-05-02T00:00:00", "timeZone": "Pacific/Kiritimati"},
            "end": {"dateTime": "2026-05-03T00:00:00", "timeZone": "Pacific/Kiritimati"},
        },
    )
    rows = world.on.execute(
        "SELECT start_dateTime FROM Events "
        "WHERE subject = 'visible' AND start_dateTime >= '2026-05-02T00:00:00Z'"
    ).fetchall()
    assert rows == [("2026-05-02T00:00:00Z",)]
