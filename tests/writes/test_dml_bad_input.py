# The cases are one statement a line, easier to read than wrapped SQL.
# ruff: noqa: E501
"""Bad writes: each is a clear DB-API error naming what is wrong, and nothing is written to Graph.

"Nothing written" is checked twice, without the driver: no write request Graph accepted appears in the
emulator's request log, and the table's collection reads the same before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import NotFoundError, PermissionDeniedError
from o365sql.schema import TABLES

from .conftest import WRITES, items

# table -> the raw Graph collection that shows whether a write happened
SNAPSHOT = {
    "Contacts": "/me/contacts",
    "ContactFolders": "/me/contactFolders",
    "Messages": "/me/mailFolders/drafts/messages",
    "MailFolders": "/me/mailFolders",
    "Events": "/me/events",
    "Calendars": "/me/calendars",
    "Users": "/users",
    "Groups": "/groups",
    "Files": "/me/drive/root/children",
}
ANY_ID = "(SELECT id FROM {table} LIMIT 1)"

P = o365sql.ProgrammingError
N = o365sql.NotSupportedError
D = o365sql.DataError
G = o365sql.DatabaseError  # Graph refused the value (400 InvalidRequestError and kin)

EVENT = "INSERT INTO Events (subject, start_dateTime, end_dateTime{cols}) VALUES ('x', '2031-01-01T09:00:00Z', '2031-01-01T10:00:00Z'{vals})"
USER = (
    "INSERT INTO Users (accountEnabled, displayName, mailNickname, userPrincipalName, passwordProfile_password"
    "{cols}) VALUES (1, 'Bad Input', 'bad.input', {upn}, 'Long-enough-9'{vals})"
)
GROUP = (
    "INSERT INTO Groups (displayName, mailNickname, mailEnabled, securityEnabled{cols}) "
    "VALUES ('Bad group', {nick}, 1, 0{vals})"
)


def _event(cols: str = "", vals: str = "") -> str:
    return EVENT.format(cols=cols, vals=vals)


def _user(upn: str = "'bad.input@{domain}'", cols: str = "", vals: str = "") -> str:
    return USER.format(upn=upn, cols=cols, vals=vals)


def _group(nick: str = "'badgroup'", cols: str = "", vals: str = "") -> str:
    return GROUP.format(nick=nick, cols=cols, vals=vals)


Case = tuple[str, str, tuple[Any, ...], type[Exception], str]

HANDWRITTEN: list[Case] = [
    # unknown tables and columns
    (
        "Contacts",
        "INSERT INTO Contact (givenName) VALUES ('x')",
        (),
        P,
        r"no such table: Contact\. Did you mean Contacts",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenNam) VALUES ('x')",
        (),
        P,
        r"no such column: givenNam in table Contacts\. Did you mean Contacts\.givenName\?",
    ),
    ("Contacts", "UPDATE Contacts SET nickname2 = 'x' WHERE id = 'x'", (), P, r"no such column: nickname2"),
    ("Contacts", "DELETE FROM Contacts WHERE surnam = 'x'", (), P, r"no such column: surnam"),
    (
        "Events",
        "INSERT INTO Events (subject, start) VALUES ('x', 'y')",
        (),
        P,
        r"no such column: start in table Events",
    ),
    ("Messages", "INSERT INTO Messages (to) VALUES ('a@b.com')", (), P, r"syntax error|no column named to"),
    # statements a table does not take
    (
        "Events",
        "INSERT INTO CalendarView (subject) VALUES ('x')",
        (),
        N,
        r"CalendarView does not accept INSERT",
    ),
    (
        "Events",
        "UPDATE CalendarView SET subject = 'x' WHERE id = " + ANY_ID.format(table="CalendarView"),
        (),
        N,
        r"CalendarView does not accept UPDATE",
    ),
    (
        "Groups",
        "UPDATE GroupMembers SET id = 'x' WHERE GroupId = " + ANY_ID.format(table="Groups"),
        (),
        N,
        r"GroupMembers does not accept UPDATE",
    ),
    ("Messages", "INSERT INTO sys_tables (TableName) VALUES ('x')", (), o365sql.Error, r"sys_tables"),
    # owner and routing columns cannot change
    (
        "Contacts",
        "UPDATE Contacts SET UserId = 'someone' WHERE id = " + ANY_ID.format(table="Contacts"),
        (),
        N,
        r"Contacts\.UserId .* set only by INSERT",
    ),
    (
        "Events",
        "UPDATE Events SET CalendarId = 'x' WHERE id = " + ANY_ID.format(table="Events"),
        (),
        N,
        r"Events\.CalendarId .* set only by INSERT",
    ),
    (
        "MailFolders",
        "UPDATE MailFolders SET parentFolderId = 'inbox' WHERE id = " + ANY_ID.format(table="MailFolders"),
        (),
        N,
        r"MailFolders\.parentFolderId .* set only by INSERT",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, UserId) VALUES ('x', '')",
        (),
        D,
        r"Contacts\.UserId takes a user id",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, SEARCH) VALUES ('x', 'y')",
        (),
        N,
        r"Messages\.SEARCH is a query parameter",
    ),
    # wrong types
    (
        "Messages",
        "INSERT INTO Messages (subject, isReadReceiptRequested) VALUES ('x', 'maybe')",
        (),
        D,
        r"Messages\.isReadReceiptRequested takes a boolean",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, isReadReceiptRequested) VALUES ('x', 2)",
        (),
        D,
        r"Messages\.isReadReceiptRequested takes a boolean",
    ),
    (
        "Events",
        _event(", reminderMinutesBeforeStart", ", 'ten'"),
        (),
        D,
        r"Events\.reminderMinutesBeforeStart takes an integer",
    ),
    (
        "Events",
        _event(", reminderMinutesBeforeStart", ", 1.5"),
        (),
        D,
        r"Events\.reminderMinutesBeforeStart takes an integer",
    ),
    ("Events", _event(", isAllDay", ", 'sometimes'"), (), D, r"Events\.isAllDay takes a boolean"),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName) VALUES (42)",
        (),
        D,
        r"Contacts\.givenName takes text, not 42",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName) VALUES (?)",
        (b"\x00\x01",),
        D,
        r"Contacts\.givenName takes text, not a BLOB",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, categories) VALUES ('x', '[not json')",
        (),
        D,
        r"Contacts\.categories takes JSON",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, businessPhones) VALUES ('x', 7)",
        (),
        D,
        r"Contacts\.businessPhones takes JSON text",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, birthday) VALUES ('x', 'yesterday')",
        (),
        D,
        r"Contacts\.birthday: 'yesterday' is not a date-time",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, birthday) VALUES ('x', '2020-13-45')",
        (),
        D,
        r"Contacts\.birthday",
    ),
    (
        "Events",
        "INSERT INTO Events (subject, start_dateTime, end_dateTime) VALUES ('x', 'noon', '2031-01-01T10:00:00Z')",
        (),
        D,
        r"Events\.start_dateTime: 'noon' is not a date-time",
    ),
    (
        "Events",
        "INSERT INTO Events (subject, start_dateTime, end_dateTime) VALUES ('x', 20310101, '2031-01-01T10:00:00Z')",
        (),
        D,
        r"Events\.start_dateTime takes a date-time",
    ),
    (
        "Events",
        "INSERT INTO Events (subject, start_dateTime, end_dateTime) VALUES ('x', '2031-02-30T09:00:00', '2031-03-01T10:00:00Z')",
        (),
        D,
        r"Events\.start_dateTime",
    ),
    ("Events", _event(", recurrence", ", '{\"pattern\": '"), (), D, r"Events\.recurrence takes JSON"),
    (
        "Messages",
        "INSERT INTO Messages (subject, flag_dueDateTime_dateTime) VALUES ('x', 'tomorrow')",
        (),
        D,
        r"Messages\.flag_dueDateTime_dateTime",
    ),
    # missing required values
    (
        "Events",
        "INSERT INTO Events (subject) VALUES ('x')",
        (),
        P,
        r"INSERT INTO Events needs start_dateTime",
    ),
    (
        "Events",
        "INSERT INTO Events (subject, start_dateTime) VALUES ('x', '2031-01-01T09:00:00Z')",
        (),
        P,
        r"INSERT INTO Events needs end_dateTime",
    ),
    (
        "Events",
        "INSERT INTO Events (subject, start_dateTime, end_dateTime) VALUES ('x', NULL, '2031-01-01T09:00:00Z')",
        (),
        P,
        r"needs start_dateTime",
    ),
    (
        "Calendars",
        "INSERT INTO Calendars (color) VALUES ('auto')",
        (),
        P,
        r"INSERT INTO Calendars needs name",
    ),
    (
        "ContactFolders",
        "INSERT INTO ContactFolders (displayName) VALUES (NULL)",
        (),
        P,
        r"INSERT INTO ContactFolders needs displayName",
    ),
    (
        "MailFolders",
        "INSERT INTO MailFolders (parentFolderId) VALUES ('inbox')",
        (),
        P,
        r"INSERT INTO MailFolders needs displayName",
    ),
    ("Files", "INSERT INTO Files (ParentId) VALUES ('root')", (), P, r"INSERT INTO Files needs name"),
    (
        "Messages",
        "INSERT INTO MessageAttachments (name, contentBytes) VALUES ('a.txt', 'YQ==')",
        (),
        P,
        r"INSERT INTO MessageAttachments needs MessageId",
    ),
    (
        "Messages",
        "INSERT INTO MessageAttachments (MessageId, contentBytes) VALUES ('m', 'YQ==')",
        (),
        P,
        r"needs name",
    ),
    (
        "Messages",
        "INSERT INTO MessageAttachments (MessageId, name) VALUES ('m', 'a.txt')",
        (),
        P,
        r"needs contentBytes",
    ),
    (
        "Groups",
        "INSERT INTO GroupMembers (id) VALUES ('x')",
        (),
        P,
        r"INSERT INTO GroupMembers needs GroupId",
    ),
    (
        "Groups",
        "INSERT INTO GroupMembers (GroupId) VALUES ('x')",
        (),
        P,
        r"INSERT INTO GroupMembers needs id",
    ),
    (
        "Users",
        "INSERT INTO Users (displayName) VALUES ('x')",
        (),
        P,
        r"INSERT INTO Users needs accountEnabled",
    ),
    (
        "Users",
        "INSERT INTO Users (accountEnabled, displayName, mailNickname, userPrincipalName) VALUES (1, 'a', 'b', 'c@d.com')",
        (),
        P,
        r"needs passwordProfile_password",
    ),
    (
        "Users",
        "INSERT INTO Users (accountEnabled, displayName, mailNickname, passwordProfile_password) VALUES (1, 'a', 'b', 'Long-enough-9')",
        (),
        P,
        r"needs userPrincipalName",
    ),
    (
        "Groups",
        "INSERT INTO Groups (displayName, mailNickname, mailEnabled) VALUES ('g', 'g', 1)",
        (),
        P,
        r"INSERT INTO Groups needs securityEnabled",
    ),
    (
        "Groups",
        "INSERT INTO Groups (displayName, mailEnabled, securityEnabled) VALUES ('g', 1, 0)",
        (),
        P,
        r"INSERT INTO Groups needs mailNickname",
    ),
    (
        "Users",
        "UPDATE Users SET passwordProfile_password = NULL WHERE id = " + ANY_ID.format(table="Users"),
        (),
        P,
        r"passwordProfile_password cannot be set to NULL",
    ),
    (
        "Events",
        "UPDATE Events SET start_timeZone = 'UTC' WHERE id = " + ANY_ID.format(table="Events"),
        (),
        P,
        r"set start_dateTime together with start_timeZone",
    ),
    # malformed addresses
    (
        "Messages",
        "INSERT INTO Messages (subject, toRecipients) VALUES ('x', 'not-an-address')",
        (),
        D,
        r"Messages\.toRecipients: 'not-an-address' is not an email address",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, ccRecipients) VALUES ('x', 'a@b.com; broken@')",
        (),
        D,
        r"Messages\.ccRecipients: 'broken@' is not an email address",
    ),
    (
        "Messages",
        'INSERT INTO Messages (subject, bccRecipients) VALUES (\'x\', \'[{"emailAddress": {"address": "nobody"}}]\')',
        (),
        D,
        r"Messages\.bccRecipients: 'nobody' is not an email address",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, toRecipients) VALUES ('x', '[{\"address\": \"a@b.com\"}]')",
        (),
        D,
        r"each recipient is an address or",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, toRecipients) VALUES ('x', '{\"a\": 1}')",
        (),
        D,
        r"takes a JSON array of recipients",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, replyTo) VALUES ('x', 'Name <no-at-sign>')",
        (),
        D,
        r"Messages\.replyTo: 'no-at-sign' is not an email address",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, from_emailAddress_address, toRecipients) VALUES ('x', 'a@b.com', '[\"a@b\"]')",
        (),
        D,
        r"'a@b' is not an email address",
    ),
    (
        "Events",
        _event(", attendees", ", 'ana@'"),
        (),
        D,
        r"Events\.attendees: 'ana@' is not an email address",
    ),
    (
        "Events",
        _event(", attendees", ', \'[{"emailAddress": {"address": "a@b.com"}, "type": "vip"}]\''),
        (),
        D,
        r"attendee type 'vip' is not one of required, optional, resource",
    ),
    (
        "Events",
        _event(", attendees", ', \'[{"emailAddress": {"address": "a@b.com", "name": 5}}]\''),
        (),
        D,
        r"a display name must be text",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, emailAddresses) VALUES ('x', '[\"@@\"]')",
        (),
        D,
        r"Contacts\.emailAddresses: '@@' is not an email address",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, emailAddresses) VALUES ('x', '\"a@b.com\"')",
        (),
        D,
        r"takes a JSON array of addresses",
    ),
    # time zones
    (
        "Events",
        _event(", start_timeZone, end_timeZone", ", 'Mars/Olympus', 'UTC'").replace("09:00:00Z", "09:00:00"),
        (),
        G,
        r"TimeZone value is not supported: 'Mars/Olympus'",
    ),
    (
        "Events",
        "INSERT INTO Events (subject, start_dateTime, start_timeZone, end_dateTime) VALUES ('x', '2031-01-01T09:00:00+02:00', 'Asia/Tokyo', '2031-01-01T10:00:00Z')",
        (),
        D,
        r"carries its own UTC offset, and the time zone column says 'Asia/Tokyo'",
    ),
    (
        "Events",
        "INSERT INTO Events (subject, start_dateTime, end_dateTime, end_timeZone) VALUES ('x', '2031-01-01T09:00:00Z', '2031-01-01T10:00:00', 'Not a zone')",
        (),
        G,
        r"not supported: 'Not a zone'",
    ),
    # attachments
    (
        "Events",
        "INSERT INTO EventAttachments (EventId, name, contentBytes) VALUES ({event}, 'big.bin', '%%%')",
        (),
        D,
        r"EventAttachments\.contentBytes takes a BLOB or base64 text",
    ),
    (
        "Messages",
        "INSERT INTO MessageAttachments (MessageId, name, contentBytes) VALUES ({draft}, 'a.txt', 'not base64!')",
        (),
        D,
        r"MessageAttachments\.contentBytes takes a BLOB or base64 text",
    ),
    (
        "Messages",
        "INSERT INTO MessageAttachments (MessageId, name, contentBytes) VALUES ({draft}, 'a.txt', 12)",
        (),
        D,
        r"contentBytes takes a BLOB or base64 text, not 12",
    ),
    (
        "Messages",
        "INSERT INTO MessageAttachments (MessageId, name, contentBytes) VALUES ('', 'a.txt', 'YQ==')",
        (),
        D,
        r"MessageAttachments\.MessageId takes an id",
    ),
    # other users' items and ids that do not exist
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, parentFolderId) VALUES ('x', {other_contact_folder})",
        (),
        NotFoundError,
        r"not found",
    ),
    ("Events", _event(", CalendarId", ", {other_calendar}"), (), NotFoundError, r"not found"),
    (
        "Messages",
        "INSERT INTO MessageAttachments (MessageId, name, contentBytes) VALUES ({other_message}, 'a.txt', 'YQ==')",
        (),
        NotFoundError,
        r"not found",
    ),
    (
        "Messages",
        "INSERT INTO Messages (subject, parentFolderId) VALUES ('x', {other_folder})",
        (),
        NotFoundError,
        r"not found",
    ),
    (
        "Contacts",
        "INSERT INTO Contacts (givenName, UserId) VALUES ('x', {other_user})",
        (),
        PermissionDeniedError,
        r"Contacts\.ReadWrite",
    ),
    (
        "Contacts",
        "UPDATE Contacts SET givenName = 'x' WHERE UserId = {other_user}",
        (),
        PermissionDeniedError,
        r"Contacts",
    ),
    ("Events", "DELETE FROM Events WHERE UserId = {other_user}", (), PermissionDeniedError, r"Calendars"),
    (
        "Files",
        "INSERT INTO Files (name, parentReference_id) VALUES ('x', 'no-such-folder')",
        (),
        NotFoundError,
        r"could not be found",
    ),
    (
        "Groups",
        "INSERT INTO GroupMembers (GroupId, id) VALUES ({group}, 'no-such-user')",
        (),
        NotFoundError,
        r"does not exist",
    ),
    (
        "Groups",
        "INSERT INTO GroupMembers (GroupId, id) VALUES ('no-such-group', {me})",
        (),
        NotFoundError,
        r"does not exist",
    ),
    # values Graph refuses
    ("Users", _user(upn="'bad.input@example.org'"), (), G, r"verified domain names"),
    ("Users", _user(upn="'no-at-sign'"), (), G, r"userPrincipalName"),
    ("Users", _user(upn="{me_upn}"), (), G, r"same value for property userPrincipalName already exists"),
    (
        "Users",
        _user(upn="'bad.input@{domain}'").replace("'Long-enough-9'", "'short'"),
        (),
        G,
        r"password complexity",
    ),
    ("Groups", _group(nick="'bad nick!'"), (), G, r"mailNickname"),
    ("Groups", _group(cols=", groupTypes", vals=", '[\"Team\"]'"), (), G, r"groupTypes"),
    (
        "Calendars",
        "INSERT INTO Calendars (name, color) VALUES ('x', 'plaid')",
        (),
        G,
        r"'plaid' was not found",
    ),
    (
        "Calendars",
        "INSERT INTO Calendars (name) VALUES ('Calendar')",
        (),
        o365sql.IntegrityError,
        r"already exists",
    ),
    (
        "ContactFolders",
        "INSERT INTO ContactFolders (displayName) VALUES ('Suppliers')",
        (),
        o365sql.IntegrityError,
        r"already exists",
    ),
    ("Files", "INSERT INTO Files (name) VALUES ('a:b')", (), G, r"invalid characters"),
    ("Files", "INSERT INTO Files (name) VALUES ('Documents')", (), o365sql.IntegrityError, r"already exists"),
    (
        "Files",
        "INSERT INTO Files (name, webUrl) VALUES ('x', 'http://x')",
        (),
        N,
        r"Files\.webUrl is read-only",
    ),
    ("Calendars", "DELETE FROM Calendars WHERE isDefaultCalendar = 1", (), G, r"cannot be deleted"),
    (
        "Calendars",
        "UPDATE Calendars SET name = 'Project Falcon' WHERE name = 'Calendar'",
        (),
        o365sql.IntegrityError,
        r"already exists",
    ),
]


def _read_only_cases() -> list[Case]:
    """Every writable table refuses its read-only columns in INSERT and UPDATE, naming the column."""
    out: list[Case] = []
    for name, spec in TABLES.items():
        if not spec.writes or name not in SNAPSHOT:
            continue
        columns = [c for c in spec.columns if c.read_only and c.kind == "graph"]
        for column in columns[:4]:
            value = "1" if column.type in ("INTEGER", "BOOLEAN") else "'x'"
            out.append(
                (name, f"INSERT INTO {name} ({column.name}) VALUES ({value})", (), N,
                 rf"{name}\.{column.name} is read-only")
            )  # fmt: skip
        if "UPDATE" in spec.writes:
            for column in columns[:3]:
                value = "1" if column.type in ("INTEGER", "BOOLEAN") else "'x'"
                sql = f"UPDATE {name} SET {column.name} = {value} WHERE id = " + ANY_ID.format(table=name)
                out.append((name, sql, (), N, rf"{name}\.{column.name} is read-only"))
    return out


CASES = HANDWRITTEN + _read_only_cases()


def test_there_are_at_least_100_cases() -> None:
    assert len(CASES) >= 100


@pytest.fixture(scope="module")
def refs(wemu: Emulator, con: o365sql.Connection, raw: httpx.Client) -> dict[str, str]:
    """Ids the cases refer to: the demo user's own, another user's (from the emulator's store), a group."""
    store = wemu.state.graph
    demo = wemu.state.directory.demo_user
    other = next(u for u in store.users if u["id"] != demo.id and u.get("mail"))
    box = store.mailbox(other["id"])
    draft = con.execute("INSERT INTO Messages (subject) VALUES ('bad-input draft')").inserted_ids[0]
    event = con.execute(
        "INSERT INTO Events (subject, start_dateTime, end_dateTime) "
        "VALUES ('bad-input event', '2031-02-01T09:00:00Z', '2031-02-01T10:00:00Z')"
    ).inserted_ids[0]
    quote = "'{}'".format
    return {
        "other_contact_folder": quote(next(iter(box.contact_folders))),
        "other_calendar": quote(next(iter(box.calendars))),
        "other_message": quote(next(iter(box.messages))),
        "other_folder": quote(next(iter(box.folders))),
        "other_user": quote(other["userPrincipalName"]),
        "group": quote(items(raw, "/groups", **{"$select": "id", "$top": "1"})[0]["id"]),
        "me": quote(demo.id),
        "me_upn": quote(demo.user_principal_name),
        "domain": str(wemu.state.directory.tenant.domain),
        "draft": quote(draft),
        "event": quote(event),
    }


def _snapshot(raw: httpx.Client, table: str) -> Callable[[], Any]:
    path = SNAPSHOT[table]

    def take() -> Any:
        # drive items carry a fresh pre-authenticated download URL on every read: compare what a write changes
        params = {"$select": "id,name,eTag,size,parentReference"} if table == "Files" else {"$top": "999"}
        return json.dumps(items(raw, path, **params), sort_keys=True)

    return take


@pytest.mark.parametrize(
    ("table", "sql", "params", "error", "pattern"), CASES, ids=[f"{n:03d}" for n in range(len(CASES))]
)
def test_bad_write(
    table: str,
    sql: str,
    params: tuple[Any, ...],
    error: type[Exception],
    pattern: str,
    con: o365sql.Connection,
    raw: httpx.Client,
    wemu: Emulator,
    refs: dict[str, str],
) -> None:
    statement = sql.replace("{domain}", refs["domain"])
    for key, value in refs.items():
        statement = statement.replace("{" + key + "}", value)
    snapshot = _snapshot(raw, table)
    before = snapshot()
    mark = len(wemu.requests())
    cur = con.cursor()
    with pytest.raises(error, match=pattern) as info:
        cur.execute(statement, params)
    assert isinstance(info.value, o365sql.Error), type(info.value)
    accepted = [
        (r["method"], r["path"], r["status"])
        for r in wemu.requests()[mark:]
        if r["method"] in WRITES and r["status"] < 400
    ]
    assert accepted == [], "a write went through"
    assert cur.inserted_ids == []
    assert snapshot() == before
