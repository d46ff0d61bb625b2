"""RespondToEvent and CancelEvent."""

from __future__ import annotations

import pytest

import o365sql
from o365sql.connection import Connection

from .conftest import one


def _events(conn: Connection, organizer: bool) -> list[str]:
    rows = conn.execute(
        "SELECT id FROM Events WHERE isOrganizer = ? AND isCancelled = 0 AND type = 'singleInstance' "
        "ORDER BY id",
        (organizer,),
    ).fetchall()
    assert len(rows) >= 2
    return [str(r[0]) for r in rows]


def _response(conn: Connection, eid: str) -> str:
    row = one(conn.execute("SELECT responseStatus_response FROM Events WHERE id = ?", (eid,)))
    assert row is not None
    return str(row[0])


def test_respond_to_event(conn: Connection) -> None:
    first, second = _events(conn, False)[:2]
    out = conn.execute(
        "EXEC RespondToEvent EventId = ?, ResponseType = ?, Comment = 'see you'", (first, "tentativelyAccept")
    ).fetchall()
    assert out == [("Success",)]
    assert _response(conn, first) == "tentativelyAccepted"
    cur = conn.cursor()
    cur.callproc("RespondToEvent", {"EventId": second, "ResponseType": "decline", "SendResponse": False})
    assert cur.fetchall() == [("Success",)]
    assert _response(conn, second) == "declined"
    cur.callproc("RespondToEvent", {"EventId": second, "ResponseType": "accept"})
    assert _response(conn, second) == "accepted"


def test_respond_bad_input(conn: Connection) -> None:
    eid = _events(conn, False)[0]
    with pytest.raises(o365sql.ProgrammingError, match="ResponseType"):
        conn.execute("EXEC RespondToEvent EventId = ?, ResponseType = 'maybe'", (eid,))
    with pytest.raises(o365sql.ProgrammingError, match="ResponseType"):
        conn.execute("EXEC RespondToEvent EventId = ?", (eid,))
    # the organizer cannot respond to their own meeting: Graph's 400 comes back as a ProgrammingError
    own = _events(conn, True)[0]
    with pytest.raises(o365sql.ProgrammingError, match="organized"):
        conn.execute("EXEC RespondToEvent EventId = ?, ResponseType = 'accept'", (own,))


def test_cancel_event(conn: Connection) -> None:
    eid, other = _events(conn, True)[-2:]
    assert conn.execute("EXEC CancelEvent EventId = ?", (other,)).fetchall() == [("Success",)]
    assert conn.execute("SELECT id FROM Events WHERE id = ?", (other,)).fetchall() == []
    cur = conn.cursor()
    cur.callproc("CancelEvent", {"EventId": eid, "Comment": "no longer needed"})
    assert cur.fetchall() == [("Success",)]
    assert conn.execute("SELECT id FROM Events WHERE id = ?", (eid,)).fetchall() == []
    # an attendee cannot cancel; a missing event id is named
    attendee = _events(conn, False)[-1]
    with pytest.raises(o365sql.ProgrammingError, match="organizer"):
        conn.execute("EXEC CancelEvent EventId = ?", (attendee,))
    with pytest.raises(o365sql.ProgrammingError, match="EventId"):
        conn.execute("EXEC CancelEvent Comment = 'x'")
