"""MailboxSettings (UPDATE) and Rules (INSERT, UPDATE, DELETE), checked through raw Graph reads."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import PermissionDeniedError

from ._mailbox import mcon, mraw, sent
from .conftest import connect, get, items, writes_since

__all__ = ["mcon", "mraw", "sent"]  # fixtures

RULES = "/me/mailFolders/inbox/messageRules"


def settings(raw: httpx.Client) -> dict[str, Any]:
    """The signed-in user's mailboxSettings, read raw."""
    found: dict[str, Any] = get(raw, "/me", **{"$select": "mailboxSettings"})["mailboxSettings"]
    return found


def test_update_schedules_automatic_replies_and_keeps_what_it_did_not_set(
    mcon: o365sql.Connection, mraw: httpx.Client, wemu: Emulator
) -> None:
    before = settings(mraw)
    mark = len(wemu.requests())
    cur = mcon.execute(
        "UPDATE MailboxSettings SET mailboxSettings_automaticRepliesSetting_status = 'scheduled', "
        "mailboxSettings_automaticRepliesSetting_externalReplyMessage = 'Back on Monday', "
        "mailboxSettings_automaticRepliesSetting_scheduledStartDateTime_dateTime = '2026-12-20T18:00:00Z', "
        "mailboxSettings_automaticRepliesSetting_scheduledEndDateTime_dateTime = '2026-12-28T08:00:00Z'"
    )
    assert cur.rowcount == 1
    assert writes_since(wemu, mark) == [("PATCH", "/v1.0/me/mailboxSettings")]
    after = settings(mraw)
    replies = after["automaticRepliesSetting"]
    assert replies["status"] == "scheduled" and replies["externalReplyMessage"] == "Back on Monday"
    assert replies["scheduledStartDateTime"] == {"dateTime": "2026-12-20T18:00:00", "timeZone": "UTC"}
    assert replies["scheduledEndDateTime"] == {"dateTime": "2026-12-28T08:00:00", "timeZone": "UTC"}
    # a partial automaticRepliesSetting leaves the rest of it, and every other setting, as it was
    old = before["automaticRepliesSetting"]
    assert replies["internalReplyMessage"] == old["internalReplyMessage"]
    assert replies["externalAudience"] == old["externalAudience"]
    assert {k: v for k, v in after.items() if k != "automaticRepliesSetting"} == {
        k: v for k, v in before.items() if k != "automaticRepliesSetting"
    }


def test_update_sends_only_the_settings_it_sets(sent: tuple[o365sql.Connection, list[Any]]) -> None:
    con, log = sent
    con.execute("UPDATE MailboxSettings SET mailboxSettings_automaticRepliesSetting_status = 'alwaysEnabled'")
    assert log[-1] == (
        "PATCH",
        "/me/mailboxSettings",
        {"automaticRepliesSetting": {"status": "alwaysEnabled"}},
    )
    con.execute("UPDATE MailboxSettings SET mailboxSettings_language_locale = 'fr-FR'")
    assert log[-1] == ("PATCH", "/me/mailboxSettings", {"language": {"locale": "fr-FR"}})


def test_update_time_zone_and_working_hours(mcon: o365sql.Connection, mraw: httpx.Client) -> None:
    hours = {
        "daysOfWeek": ["monday", "tuesday"],
        "startTime": "09:00:00.0000000",
        "endTime": "15:00:00.0000000",
    }
    mcon.execute(
        "UPDATE MailboxSettings SET mailboxSettings_timeZone = 'GMT Standard Time', "
        "mailboxSettings_workingHours = ?",
        (json.dumps(hours),),
    )
    after = settings(mraw)
    assert after["timeZone"] == "GMT Standard Time"
    assert {k: after["workingHours"][k] for k in hours} == hours
    assert "timeZone" in after["workingHours"]  # kept: the UPDATE did not name it
    row = mcon.execute("SELECT mailboxSettings_timeZone FROM MailboxSettings").fetchone()
    assert row == ("GMT Standard Time",)


def test_bad_settings_write_nothing(mcon: o365sql.Connection, mraw: httpx.Client, wemu: Emulator) -> None:
    before = settings(mraw)
    mark = len(wemu.requests())
    with pytest.raises(
        o365sql.DataError, match=r"MailboxSettings\.mailboxSettings_workingHours takes a JSON object"
    ):
        mcon.execute("UPDATE MailboxSettings SET mailboxSettings_workingHours = '[1, 2]'")
    with pytest.raises(o365sql.NotSupportedError, match=r"mailboxSettings_userPurpose is read-only"):
        mcon.execute("UPDATE MailboxSettings SET mailboxSettings_userPurpose = 'shared'")
    with pytest.raises(o365sql.NotSupportedError, match="does not accept INSERT; it accepts UPDATE"):
        mcon.execute("INSERT INTO MailboxSettings (mailboxSettings_timeZone) VALUES ('UTC')")
    with pytest.raises(o365sql.NotSupportedError, match="does not accept DELETE; it accepts UPDATE"):
        mcon.execute("DELETE FROM MailboxSettings")
    with pytest.raises(o365sql.Error, match="Requested value 'sometimes' was not found"):
        mcon.execute(
            "UPDATE MailboxSettings SET mailboxSettings_automaticRepliesSetting_status = 'sometimes'"
        )
    assert writes_since(wemu, mark) == [("PATCH", "/v1.0/me/mailboxSettings")]  # the refused enum only
    assert settings(mraw) == before


def test_emulator_refuses_read_only_and_unknown_settings(mraw: httpx.Client) -> None:
    before = settings(mraw)
    for body in (
        {"userPurpose": "shared"},
        {"colour": "blue"},
        {"workingHours": {"daysOfWeek": ["someday"]}},
    ):
        response = mraw.patch("/me/mailboxSettings", json=body)
        assert response.status_code == 400, body
    assert settings(mraw) == before


def test_rules_insert_update_delete(mcon: o365sql.Connection, mraw: httpx.Client, wemu: Emulator) -> None:
    conditions = {"senderContains": ["adele"]}
    actions = {"markImportance": "high", "stopProcessingRules": True}
    mark = len(wemu.requests())
    cur = mcon.execute(
        "INSERT INTO Rules (displayName, sequence, conditions, actions) VALUES (?, ?, ?, ?)",
        ("From partner", 7, json.dumps(conditions), json.dumps(actions)),
    )
    rid = cur.inserted_ids[0]
    assert writes_since(wemu, mark) == [("POST", "/v1.0" + RULES)]
    made = next(r for r in items(mraw, RULES) if r["id"] == rid)
    assert (made["displayName"], made["sequence"], made["isEnabled"]) == ("From partner", 7, True)
    assert made["conditions"] == conditions and made["actions"] == actions
    mcon.execute("UPDATE Rules SET isEnabled = 0, displayName = 'Partner mail' WHERE id = ?", (rid,))
    changed = next(r for r in items(mraw, RULES) if r["id"] == rid)
    assert (changed["displayName"], changed["isEnabled"], changed["actions"]) == (
        "Partner mail",
        False,
        actions,
    )
    assert mcon.execute("DELETE FROM Rules WHERE id = ?", (rid,)).rowcount == 1
    assert rid not in {r["id"] for r in items(mraw, RULES)}
    assert mraw.delete(f"{RULES}/{rid}").status_code == 404


def test_bad_rules_write_nothing(mcon: o365sql.Connection, mraw: httpx.Client, wemu: Emulator) -> None:
    before = items(mraw, RULES)
    mark = len(wemu.requests())
    with pytest.raises(o365sql.ProgrammingError, match="INSERT INTO Rules needs actions"):
        mcon.execute("INSERT INTO Rules (displayName, sequence) VALUES ('x', 1)")
    with pytest.raises(o365sql.DataError, match=r"Rules\.actions takes a JSON object"):
        mcon.execute("INSERT INTO Rules (displayName, sequence, actions) VALUES ('x', 1, '[true]')")
    with pytest.raises(o365sql.NotSupportedError, match=r"Rules\.hasError is read-only"):
        mcon.execute("UPDATE Rules SET hasError = 1")
    assert writes_since(wemu, mark) == []
    assert mraw.post(RULES, json={"displayName": "x", "sequence": 1}).status_code == 400  # no actions
    assert (
        mraw.post(
            RULES, json={"displayName": "x", "sequence": 1, "actions": {}, "hasError": True}
        ).status_code
        == 400
    )
    assert items(mraw, RULES) == before


def test_a_403_names_mailboxsettings_readwrite(wemu: Emulator) -> None:
    with connect(wemu, frozenset({"User.Read", "MailboxSettings.Read"})) as weak:
        with pytest.raises(PermissionDeniedError, match=r"MailboxSettings\.ReadWrite"):
            weak.execute("UPDATE MailboxSettings SET mailboxSettings_dateFormat = 'yyyy-MM-dd'")
        with pytest.raises(PermissionDeniedError, match=r"MailboxSettings\.ReadWrite"):
            weak.execute("DELETE FROM Rules")
