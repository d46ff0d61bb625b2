"""What a write statement means: new ids, rowcount, no transactions, failures half-way, ORMs and pandas."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import o365sql
from o365sql.emulator import Emulator

from .conftest import get, items, token_for, writes_since


def _contacts_named(raw: httpx.Client, surname: str) -> list[dict[str, object]]:
    return [c for c in items(raw, "/me/contacts", **{"$top": "999"}) if c.get("surname") == surname]


def test_new_ids_three_ways(con: o365sql.Connection, raw: httpx.Client) -> None:
    cur = con.execute(
        "INSERT INTO Contacts (givenName, surname) VALUES ('R1', 'Returning'), ('R2', 'Returning') "
        "RETURNING id, givenName, displayName"
    )
    rows = cur.fetchall()
    assert [r[1:] for r in rows] == [("R1", "R1 Returning"), ("R2", "R2 Returning")]
    assert [r[0] for r in rows] == cur.inserted_ids
    assert sorted(r[0] for r in rows) == sorted(c["id"] for c in _contacts_named(raw, "Returning"))
    assert cur.lastrowid is None
    assert con.execute("SELECT last_insert_id()").fetchone() == (rows[1][0],)


def test_rowcount_for_each_statement(con: o365sql.Connection) -> None:
    cur = con.executemany(
        "INSERT INTO Contacts (givenName, surname) VALUES (?, 'Counted')", [(f"C{n}",) for n in range(4)]
    )
    assert cur.rowcount == 4 and len(cur.inserted_ids) == 4
    assert con.execute("UPDATE Contacts SET jobTitle = 'x' WHERE surname = 'Counted'").rowcount == 4
    assert (
        con.execute(
            "UPDATE Contacts SET jobTitle = 'y' WHERE surname = 'Counted' AND givenName = 'C0'"
        ).rowcount
        == 1
    )
    assert con.execute("DELETE FROM Contacts WHERE surname = 'Counted'").rowcount == 4
    assert con.execute("DELETE FROM Contacts WHERE surname = 'Counted'").rowcount == 0


def test_update_where_reads_ids_then_one_patch_per_row(con: o365sql.Connection, wemu: Emulator) -> None:
    con.executemany(
        "INSERT INTO Contacts (givenName, surname) VALUES (?, 'Measured')", [(f"M{n}",) for n in range(5)]
    )
    mark = len(wemu.requests())
    assert con.execute("UPDATE Contacts SET companyName = 'Acme' WHERE surname = 'Measured'").rowcount == 5
    log = wemu.requests()[mark:]
    reads = [r for r in log if r["method"] == "GET"]
    assert len(reads) == 1 and "%24select=id%2Csurname" in reads[0]["query"].replace("$", "%24").replace(
        ",", "%2C"
    )
    assert [r["method"] for r in log if r["method"] != "GET"] == ["PATCH"] * 5


def test_rollback_after_writes_says_it_cannot_undo_them(wemu: Emulator) -> None:
    from .conftest import connect

    with connect(wemu) as c:
        assert c.autocommit is True
        with pytest.raises(o365sql.NotSupportedError, match="autocommit cannot be turned off"):
            c.autocommit = False
        c.rollback()  # nothing written yet: nothing to answer for
        c.execute("INSERT INTO Contacts (givenName, surname) VALUES ('T1', 'Transactional')")
        with pytest.raises(o365sql.NotSupportedError, match=r"cannot undo the 1 row\(s\)"):
            c.rollback()
        c.rollback()  # already said
        c.execute("DELETE FROM Contacts WHERE surname = 'Transactional'")
        c.commit()
        c.rollback()  # committed: nothing pending


def test_multi_row_insert_failing_half_way_reports_what_was_written(
    con: o365sql.Connection, raw: httpx.Client
) -> None:
    cur = con.cursor()
    with pytest.raises(o365sql.DataError) as info:
        cur.execute(
            "INSERT INTO Contacts (givenName, surname, birthday) VALUES "
            "('H1', 'Halfway', NULL), ('H2', 'Halfway', 'next tuesday'), ('H3', 'Halfway', NULL)"
        )
    message = str(info.value)
    assert "Contacts.birthday" in message and "stopped at row 2" in message
    assert "the 1 row(s) before it were written and stay written" in message
    assert info.value.rows_written == 1 and cur.rowcount == 1
    assert [c["givenName"] for c in _contacts_named(raw, "Halfway")] == ["H1"]


def test_executemany_failing_half_way(con: o365sql.Connection, raw: httpx.Client) -> None:
    cur = con.cursor()
    rows = [("E1", None), ("E2", None), ("E3", "bad date"), ("E4", None)]
    with pytest.raises(o365sql.DataError) as info:
        cur.executemany("INSERT INTO Contacts (givenName, surname, birthday) VALUES (?, 'ManyHalf', ?)", rows)
    assert "stopped at parameter set 3" in str(info.value)
    assert info.value.rows_written == 2
    assert sorted(c["givenName"] for c in _contacts_named(raw, "ManyHalf")) == ["E1", "E2"]


class _Base(DeclarativeBase):
    pass


class Contact(_Base):
    __tablename__ = "Contacts"
    # Graph makes the id: FetchedValue() tells SQLAlchemy to read it back (INSERT ... RETURNING id)
    id: Mapped[str] = mapped_column(primary_key=True, server_default=sa.FetchedValue())
    givenName: Mapped[str | None]
    surname: Mapped[str | None]
    companyName: Mapped[str | None]


def _engine(wemu: Emulator) -> sa.Engine:
    conn_str = ";".join(
        [
            "InitiateOAuth=OFF",
            f"OAuthAccessToken={token_for(wemu)}",
            f"GraphURL={wemu.graph_url}",
            f"SSLServerCert={wemu.ca_cert}",
        ]
    )
    return sa.create_engine("o365sql:///?" + quote(conn_str, safe="=;/:"))


def test_sqlalchemy_orm_object_gets_its_id(wemu: Emulator, raw: httpx.Client) -> None:
    engine = _engine(wemu)
    try:
        with Session(engine) as session:
            ada = Contact(givenName="Ada", surname="Orm", companyName="Engines")
            session.add(ada)
            session.commit()
            assert ada.id
            assert get(raw, f"/me/contacts/{ada.id}")["companyName"] == "Engines"
            ada.companyName = "Engines Ltd"
            session.commit()
            assert get(raw, f"/me/contacts/{ada.id}")["companyName"] == "Engines Ltd"
            session.delete(ada)
            session.commit()
            assert raw.get(f"/me/contacts/{ada.id}").status_code == 404
    finally:
        engine.dispose()


def test_sqlalchemy_orm_add_all_gives_each_object_its_own_id(wemu: Emulator, raw: httpx.Client) -> None:
    engine = _engine(wemu)
    try:
        with Session(engine) as session:
            people = [Contact(givenName=f"Many{n}", surname="AddAll") for n in range(5)]
            session.add_all(people)
            session.commit()
            for person in people:
                assert get(raw, f"/me/contacts/{person.id}")["givenName"] == person.givenName
    finally:
        engine.dispose()


def test_sqlalchemy_rollback_after_a_flush_warns_and_the_row_stays(wemu: Emulator, raw: httpx.Client) -> None:
    engine = _engine(wemu)
    try:
        with Session(engine) as session:
            grace = Contact(givenName="Grace", surname="Flushed")
            session.add(grace)
            session.flush()
            made = grace.id
            with pytest.warns(RuntimeWarning, match=r"cannot undo the 1 row\(s\)"):
                session.rollback()
    finally:
        engine.dispose()
    assert get(raw, f"/me/contacts/{made}")["surname"] == "Flushed"


def test_pandas_to_sql_500_contacts(wemu: Emulator, raw: httpx.Client) -> None:
    frame = pd.DataFrame(
        {
            "givenName": [f"P{n:03d}" for n in range(500)],
            "surname": ["Pandas"] * 500,
            "companyName": [f"Company {n % 7}" for n in range(500)],
        }
    )
    engine = _engine(wemu)
    mark = len(wemu.requests())
    try:
        written = frame.to_sql("Contacts", engine, if_exists="append", index=False)
    finally:
        engine.dispose()
    assert written == 500
    posts = [w for w in writes_since(wemu, mark) if w[0] == "POST"]
    # one POST per row (no $batch): see docs/writes.md
    assert len(posts) == 500 and all(path == "/v1.0/me/contacts" for _, path in posts)
    made = _contacts_named(raw, "Pandas")
    assert sorted(c["givenName"] for c in made) == sorted(frame["givenName"])


def test_explain_never_writes(con: o365sql.Connection, wemu: Emulator) -> None:
    mark = len(wemu.requests())
    with pytest.raises(o365sql.NotSupportedError, match="explain\\(\\) describes reads only"):
        o365sql.explain(
            con, "WITH n(v) AS (VALUES ('Explained')) INSERT INTO Contacts (givenName) SELECT v FROM n"
        )
    assert writes_since(wemu, mark) == []


def test_writes_inside_an_sql_transaction_are_refused(wemu: Emulator) -> None:
    from .conftest import connect

    with connect(wemu) as c:
        mark = len(wemu.requests())
        c.execute("BEGIN")
        with pytest.raises(o365sql.NotSupportedError, match="Graph has no transactions"):
            c.execute("INSERT INTO Contacts (givenName) VALUES ('In a transaction')")
        c.execute("ROLLBACK")
        assert writes_since(wemu, mark) == []
