"""What goes over the wire: only the columns a statement sets, nested as Graph wants them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connect, record_requests


@pytest.fixture
def sent(wemu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[o365sql.Connection, list[Any]]]:
    """A connection whose Graph client records (method, path, json) of every request it sends."""
    with connect(wemu) as con:
        yield con, record_requests(con, monkeypatch)


def test_update_patches_only_the_set_columns(sent: tuple[o365sql.Connection, list[Any]]) -> None:
    con, log = sent
    cid = con.execute("INSERT INTO Contacts (givenName, surname) VALUES ('Body', 'Check')").inserted_ids[0]
    assert log[-1][0] == "POST" and log[-1][2] == {"givenName": "Body", "surname": "Check"}
    con.execute(
        "UPDATE Contacts SET jobTitle = 'Engineer', businessAddress_city = 'Lyon' WHERE id = ?", (cid,)
    )
    assert log[-1] == (
        "PATCH",
        f"/me/contacts/{cid}",
        {"jobTitle": "Engineer", "businessAddress": {"city": "Lyon"}},
    )


def test_event_bodies(sent: tuple[o365sql.Connection, list[Any]]) -> None:
    con, log = sent
    eid = con.execute(
        "INSERT INTO Events (subject, start_dateTime, start_timeZone, end_dateTime, end_timeZone) "
        "VALUES ('Body', '2030-12-01T09:00:00', 'Europe/Paris', '2030-12-01T10:00:00', 'Europe/Paris')"
    ).inserted_ids[0]
    method, path, body = log[-1]
    assert (method, path) == ("POST", "/me/events")
    assert body.pop("transactionId")
    assert body == {
        "subject": "Body",
        "start": {"dateTime": "2030-12-01T09:00:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2030-12-01T10:00:00", "timeZone": "Europe/Paris"},
    }
    con.execute("UPDATE Events SET end_dateTime = '2030-12-01T10:30:00+01:00' WHERE id = ?", (eid,))
    assert log[-1] == (
        "PATCH",
        f"/me/events/{eid}",
        {"end": {"dateTime": "2030-12-01T09:30:00", "timeZone": "UTC"}},
    )
