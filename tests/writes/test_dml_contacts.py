"""Contacts and ContactFolders: INSERT, UPDATE, DELETE, checked through raw Graph reads."""

from __future__ import annotations

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import get, items, status


def test_insert_contact_posts_only_given_properties(
    con: o365sql.Connection, raw: httpx.Client, wemu: Emulator
) -> None:
    mark = len(wemu.requests())
    cur = con.execute(
        "INSERT INTO Contacts (givenName, surname, emailAddresses, businessPhones, companyName) "
        "VALUES (?, ?, ?, ?, ?)",
        ("Ada", "Lovelace", '["ada@example.com"]', '["+44 20 1234"]', "Analytical Engines"),
    )
    assert cur.rowcount == 1 and len(cur.inserted_ids) == 1
    cid = cur.inserted_ids[0]
    posts = [r for r in wemu.requests()[mark:] if r["method"] == "POST"]
    assert [r["path"] for r in posts] == ["/v1.0/me/contacts"]
    body = get(raw, f"/me/contacts/{cid}")
    assert body["displayName"] == "Ada Lovelace"
    assert body["emailAddresses"] == [{"name": "ada@example.com", "address": "ada@example.com"}]
    assert body["businessPhones"] == ["+44 20 1234"] and body["companyName"] == "Analytical Engines"


def test_update_contact_patches_the_set_columns_after_reading_only_ids(
    con: o365sql.Connection, raw: httpx.Client, wemu: Emulator
) -> None:
    cid = con.execute("INSERT INTO Contacts (givenName, jobTitle) VALUES ('Grace', 'Admiral')").inserted_ids[
        0
    ]
    mark = len(wemu.requests())
    cur = con.execute(
        "UPDATE Contacts SET jobTitle = 'Rear Admiral', nickName = 'Amazing' WHERE id = ?", (cid,)
    )
    assert cur.rowcount == 1
    log = wemu.requests()[mark:]
    assert [(r["method"], r["query"]) for r in log] == [("GET", "$select=id"), ("PATCH", "")]
    body = get(raw, f"/me/contacts/{cid}")
    assert (body["jobTitle"], body["nickName"], body["givenName"]) == ("Rear Admiral", "Amazing", "Grace")


def test_update_with_expression_reads_the_column_it_needs(con: o365sql.Connection, raw: httpx.Client) -> None:
    cid = con.execute(
        "INSERT INTO Contacts (givenName, jobTitle) VALUES ('Alan', 'Mathematician')"
    ).inserted_ids[0]
    con.execute("UPDATE Contacts SET jobTitle = jobTitle || ' and logician' WHERE id = ?", (cid,))
    assert get(raw, f"/me/contacts/{cid}")["jobTitle"] == "Mathematician and logician"


def test_delete_contacts_by_a_filter(con: o365sql.Connection, raw: httpx.Client) -> None:
    ids = con.executemany(
        "INSERT INTO Contacts (givenName, surname) VALUES (?, 'Deletable')", [("A",), ("B",), ("C",)]
    ).inserted_ids
    assert len(ids) == 3
    cur = con.execute("DELETE FROM Contacts WHERE surname = 'Deletable' AND givenName <> 'B'")
    assert cur.rowcount == 2
    assert [status(raw, f"/me/contacts/{i}") for i in ids] == [404, 200, 404]
    assert con.execute("DELETE FROM Contacts WHERE surname = 'Nobody-has-this-name'").rowcount == 0


def test_insert_into_a_contact_folder(con: o365sql.Connection, raw: httpx.Client) -> None:
    fid = con.execute("INSERT INTO ContactFolders (displayName) VALUES ('Suppliers 2')").inserted_ids[0]
    cid = con.execute(
        "INSERT INTO Contacts (givenName, parentFolderId) VALUES ('Supplier', ?)", (fid,)
    ).inserted_ids[0]
    assert [c["id"] for c in items(raw, f"/me/contactFolders/{fid}/contacts")] == [cid]
    with pytest.raises(o365sql.NotSupportedError, match=r"Contacts\.parentFolderId .* set only by INSERT"):
        con.execute("UPDATE Contacts SET parentFolderId = 'x' WHERE id = ?", (cid,))


def test_contact_folder_update_and_delete(con: o365sql.Connection, raw: httpx.Client) -> None:
    fid = con.execute("INSERT INTO ContactFolders (displayName) VALUES ('Temporary')").inserted_ids[0]
    assert con.execute("UPDATE ContactFolders SET displayName = 'Renamed' WHERE id = ?", (fid,)).rowcount == 1
    assert get(raw, f"/me/contactFolders/{fid}")["displayName"] == "Renamed"
    assert con.execute("DELETE FROM ContactFolders WHERE id = ?", (fid,)).rowcount == 1
    assert status(raw, f"/me/contactFolders/{fid}") == 404


def test_duplicate_folder_name_is_an_integrity_error(con: o365sql.Connection) -> None:
    con.execute("INSERT INTO ContactFolders (displayName) VALUES ('Twice')")
    with pytest.raises(o365sql.IntegrityError, match="already exists"):
        con.execute("INSERT INTO ContactFolders (displayName) VALUES ('Twice')")
