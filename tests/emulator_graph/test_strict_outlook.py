"""Outlook and OneDrive held to Microsoft's documented behaviour where the emulator used to be kinder.

One test per deviation: delta() called as a function, extended properties on create and `$expand`, all-day
events, properties Exchange leaves unset, and conflictBehavior on a simple upload.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

DO_NOT_FORWARD = "Boolean {00020329-0000-0000-C000-000000000046} Name DoNotForward"
COLOR = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Color"


# -- delta() ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/me/mailFolders/inbox/messages/delta()",
        "/users/delta()",
        "/groups/delta()",
        "/me/calendarView/delta()?startDateTime=2020-01-01T00:00:00Z&endDateTime=2030-01-01T00:00:00Z",
        "/me/drive/root/delta()",
        "/me/contactFolders/contacts/contacts/delta()",
    ],
)
def test_delta_called_as_a_function(graph: httpx.Client, path: str) -> None:
    """The SDKs build `.../delta()` (an OData function call): the same function as `.../delta`."""
    r = graph.get(path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "value" in body and ("@odata.nextLink" in body or "@odata.deltaLink" in body)


def test_delta_function_follows_to_the_delta_link(graph: httpx.Client) -> None:
    url: str | None = "/users/delta()?$select=displayName"
    seen = 0
    while url:
        body = graph.get(url).json()
        seen += len(body["value"])
        url = body.get("@odata.nextLink")
        if "@odata.deltaLink" in body:
            break
    assert seen and "@odata.deltaLink" in body


def test_contact_delta_reports_changes(pgraph: httpx.Client) -> None:
    """contact-delta.md: per contact folder; a later round gives only what changed, deletions as @removed."""
    url: str | None = "/me/contactFolders/contacts/contacts/delta()"
    first: list[str] = []
    link = ""
    while url:
        body = pgraph.get(url).json()
        first += [c["id"] for c in body["value"]]
        url = body.get("@odata.nextLink")
        link = body.get("@odata.deltaLink", link)
    all_contacts = pgraph.get("/me/contacts?$top=1000&$select=id").json()["value"]
    assert sorted(first) == sorted(c["id"] for c in all_contacts) and link
    new = pgraph.post("/me/contacts", json={"givenName": "Delta"}).json()["id"]
    assert pgraph.delete(f"/me/contacts/{first[0]}").status_code == 204
    changes = pgraph.get(link).json()["value"]
    assert {c["id"] for c in changes if "@removed" not in c} == {new}
    assert [c["id"] for c in changes if "@removed" in c] == [first[0]]


# -- extended properties ------------------------------------------------------------------------------------
def _expand(prop_id: str) -> str:
    return "$expand=singleValueExtendedProperties($filter=" + quote(f"id eq '{prop_id}'") + ")"


def test_event_with_extended_property_is_created_and_read_back(pgraph: httpx.Client) -> None:
    """python-o365 sends a DoNotForward property on every event it creates (singlevaluelegacyextended-
    property-post-singlevalueextendedproperties.md: create the property with the item)."""
    body = {
        "subject": "with extended",
        "start": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-02T11:00:00", "timeZone": "UTC"},
        "singleValueExtendedProperties": [{"id": DO_NOT_FORWARD, "value": "true"}],
    }
    r = pgraph.post("/me/events", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert "singleValueExtendedProperties" not in created  # only $expand returns them
    got = pgraph.get(f"/me/events/{created['id']}?{_expand(DO_NOT_FORWARD)}").json()
    assert got["singleValueExtendedProperties"] == [{"id": DO_NOT_FORWARD, "value": "true"}]
    other = pgraph.get(f"/me/events/{created['id']}?{_expand(COLOR)}").json()
    assert "singleValueExtendedProperties" not in other


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/me/messages", {"subject": "x"}),
        ("/me/contacts", {"givenName": "Ext"}),
        ("/me/mailFolders", {"displayName": "Extended folder"}),
    ],
)
def test_other_items_take_extended_properties(pgraph: httpx.Client, path: str, body: dict[str, str]) -> None:
    r = pgraph.post(path, json={**body, "singleValueExtendedProperties": [{"id": COLOR, "value": "Green"}]})
    assert r.status_code == 201, r.text
    if path != "/me/mailFolders":
        got = pgraph.get(f"{path}/{r.json()['id']}?{_expand(COLOR)}").json()
        assert got["singleValueExtendedProperties"][0]["value"] == "Green"


def test_message_expand_combines_attachments_and_extended(pgraph: httpx.Client) -> None:
    mid = pgraph.post(
        "/me/messages",
        json={"subject": "y", "singleValueExtendedProperties": [{"id": COLOR, "value": "Red"}]},
    ).json()["id"]
    expand = _expand(COLOR).replace("$expand=", "$expand=attachments,")
    got = pgraph.get(f"/me/messages/{mid}?{expand}").json()
    assert got["attachments"] == [] and got["singleValueExtendedProperties"][0]["value"] == "Red"


# -- all-day events -----------------------------------------------------------------------------------------
def _all_day(pgraph: httpx.Client, zone: str, day: str, next_day: str) -> dict[str, object]:
    body = {
        "subject": f"all day in {zone}",
        "isAllDay": True,
        "start": {"dateTime": f"{day}T00:00:00", "timeZone": zone},
        "end": {"dateTime": f"{next_day}T00:00:00", "timeZone": zone},
    }
    r = pgraph.post("/me/events", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.mark.parametrize("zone", ["Pacific Standard Time", "Tokyo Standard Time", "UTC"])
def test_all_day_event_shows_midnight_to_midnight(pgraph: httpx.Client, zone: str) -> None:
    """Graph shows an all-day event at 00:00 of its date with timeZone UTC (learn.microsoft.com answers
    970878, 978210), not the UTC moment of its zone's midnight (08:00 for Pacific)."""
    event = _all_day(pgraph, zone, "2026-05-01", "2026-05-02")
    got = pgraph.get(f"/me/events/{event['id']}").json()
    assert got["start"] == {"dateTime": "2026-05-01T00:00:00.0000000", "timeZone": "UTC"}
    assert got["end"] == {"dateTime": "2026-05-02T00:00:00.0000000", "timeZone": "UTC"}
    pst = pgraph.get(
        f"/me/events/{event['id']}", headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'}
    ).json()
    assert pst["start"]["dateTime"] == "2026-05-01T00:00:00.0000000"


def test_all_day_event_filters_and_windows_at_its_own_midnight(pgraph: httpx.Client) -> None:
    """Filtered, sorted and windowed at midnight of its own zone: a Tokyo all-day event on 1 May starts at
    30 April 15:00 UTC, so a window from 30 April 14:00 to 15:30 UTC holds it though it shows 1 May."""
    event = _all_day(pgraph, "Tokyo Standard Time", "2026-05-01", "2026-05-02")
    view = pgraph.get(
        "/me/calendarView?startDateTime=2026-04-30T14:00:00Z&endDateTime=2026-04-30T15:30:00Z&$top=100"
    ).json()["value"]
    assert event["id"] in [e["id"] for e in view]
    flt = "start/dateTime lt '2026-04-30T16:00:00' and start/dateTime ge '2026-04-30T14:00:00'"
    found = pgraph.get(f"/me/events?$filter={flt}&$top=100").json()["value"]
    assert event["id"] in [e["id"] for e in found]


def test_all_day_event_off_midnight_moves_to_midnights(pgraph: httpx.Client) -> None:
    body = {
        "subject": "sloppy",
        "isAllDay": True,
        "start": {"dateTime": "2026-06-06T13:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-06-06T14:00:00", "timeZone": "UTC"},
    }
    got = pgraph.post("/me/events", json=body).json()
    assert got["start"]["dateTime"] == "2026-06-06T00:00:00.0000000"
    assert got["end"]["dateTime"] == "2026-06-07T00:00:00.0000000"


# -- unset properties ---------------------------------------------------------------------------------------
def test_unflagged_messages_show_not_flagged_but_do_not_match_it(graph: httpx.Client) -> None:
    """Exchange stores a flag only on flagged items: every message shows a flag, but `flagStatus eq
    'notFlagged'` cannot be trusted to find the ones never flagged (undocumented; the strict reading)."""
    shown = graph.get("/me/messages?$select=flag&$top=200").json()["value"]
    assert shown and all("flagStatus" in m["flag"] for m in shown)
    not_flagged = [m for m in shown if m["flag"]["flagStatus"] == "notFlagged"]
    matched = graph.get("/me/messages?$filter=flag/flagStatus eq 'notFlagged'&$top=200").json()["value"]
    assert len(matched) < len(not_flagged)


def test_read_receipt_request_is_unset_on_most_messages(graph: httpx.Client) -> None:
    shown = graph.get("/me/messages?$select=isReadReceiptRequested&$top=200").json()["value"]
    assert all(m["isReadReceiptRequested"] in (True, False) for m in shown)
    matched = graph.get("/me/messages?$filter=isReadReceiptRequested eq false&$top=200").json()["value"]
    assert len(matched) < sum(1 for m in shown if m["isReadReceiptRequested"] is False)


# -- simple upload conflictBehavior -------------------------------------------------------------------------
def test_simple_upload_conflict_behavior(pgraph: httpx.Client) -> None:
    """driveitem-put-content.md: `@microsoft.graph.conflictBehavior` fail, replace (PUT's default), rename."""
    path = "/me/drive/root:/Documents/conflict.txt:/content"
    assert pgraph.put(path, content=b"one").status_code == 201
    fail = pgraph.put(f"{path}?@microsoft.graph.conflictBehavior=fail", content=b"two")
    assert fail.status_code == 409 and fail.json()["error"]["code"] == "nameAlreadyExists"
    assert pgraph.get(path).status_code in (200, 302)
    kept = pgraph.get("/me/drive/root:/Documents/conflict.txt:").json()
    assert kept["size"] == 3
    renamed = pgraph.put(f"{path}?@microsoft.graph.conflictBehavior=rename", content=b"three")
    assert renamed.status_code == 201 and renamed.json()["name"] == "conflict 1.txt"
    replaced = pgraph.put(f"{path}?@microsoft.graph.conflictBehavior=replace", content=b"four!")
    assert replaced.status_code == 200 and replaced.json()["size"] == 5
    names = [i["name"] for i in pgraph.get("/me/drive/root:/Documents:/children?$top=200").json()["value"]]
    assert names.count("conflict.txt") == 1 and names.count("conflict 1.txt") == 1
