"""TaskLists, Tasks (To Do) and CalendarGroups: INSERT, UPDATE, DELETE, checked through raw Graph reads."""

from __future__ import annotations

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import PermissionDeniedError

from ._mailbox import mcon, mraw
from .conftest import connect, items, writes_since

__all__ = ["mcon", "mraw"]  # fixtures


def test_task_list_and_task_writes(mcon: o365sql.Connection, mraw: httpx.Client, wemu: Emulator) -> None:
    lid = mcon.execute("INSERT INTO TaskLists (displayName) VALUES ('Groceries')").inserted_ids[0]
    assert {"displayName": "Groceries", "wellknownListName": "none"}.items() <= next(
        x for x in items(mraw, "/me/todo/lists") if x["id"] == lid
    ).items()
    mark = len(wemu.requests())
    tid = mcon.execute(
        "INSERT INTO Tasks (TaskListId, title, importance, dueDateTime_dateTime, body_content, categories) "
        "VALUES (?, 'Buy milk', 'high', '2026-12-24T10:00:00Z', 'semi-skimmed', '[\"Home\"]')",
        (lid,),
    ).inserted_ids[0]
    assert writes_since(wemu, mark) == [("POST", f"/v1.0/me/todo/lists/{lid}/tasks")]
    (task,) = items(mraw, f"/me/todo/lists/{lid}/tasks")
    assert (task["id"], task["title"], task["importance"], task["status"]) == (
        tid,
        "Buy milk",
        "high",
        "notStarted",
    )
    assert task["dueDateTime"] == {"dateTime": "2026-12-24T10:00:00", "timeZone": "UTC"}
    assert task["body"]["content"] == "semi-skimmed" and task["categories"] == ["Home"]
    mcon.execute("UPDATE Tasks SET status = 'completed' WHERE TaskListId = ? AND id = ?", (lid, tid))
    (task,) = items(mraw, f"/me/todo/lists/{lid}/tasks")
    assert task["status"] == "completed" and task["title"] == "Buy milk" and "completedDateTime" in task
    with pytest.raises(o365sql.NotSupportedError, match=r"Tasks\.TaskListId .* set only by INSERT"):
        mcon.execute("UPDATE Tasks SET TaskListId = 'x' WHERE TaskListId = ?", (lid,))
    mcon.execute("UPDATE TaskLists SET displayName = 'Shopping' WHERE id = ?", (lid,))
    assert next(x for x in items(mraw, "/me/todo/lists") if x["id"] == lid)["displayName"] == "Shopping"
    assert mcon.execute("DELETE FROM Tasks WHERE TaskListId = ? AND id = ?", (lid, tid)).rowcount == 1
    assert items(mraw, f"/me/todo/lists/{lid}/tasks") == []
    assert mcon.execute("DELETE FROM TaskLists WHERE id = ?", (lid,)).rowcount == 1
    assert mraw.get(f"/me/todo/lists/{lid}").status_code == 404


def test_bad_todo_writes_write_nothing(mcon: o365sql.Connection, mraw: httpx.Client, wemu: Emulator) -> None:
    lists = items(mraw, "/me/todo/lists")
    default = next(x["id"] for x in lists if x["wellknownListName"] == "defaultList")
    mark = len(wemu.requests())
    with pytest.raises(o365sql.ProgrammingError, match="INSERT INTO Tasks needs TaskListId"):
        mcon.execute("INSERT INTO Tasks (title) VALUES ('orphan')")
    with pytest.raises(o365sql.DataError, match=r"Tasks\.categories takes JSON"):
        mcon.execute("INSERT INTO Tasks (TaskListId, categories) VALUES (?, 'Home')", (default,))
    assert writes_since(wemu, mark) == []
    with pytest.raises(o365sql.Error, match="well-known list"):
        mcon.execute("DELETE FROM TaskLists WHERE id = ?", (default,))
    with pytest.raises(o365sql.Error, match="Requested value 'someday' was not found"):
        mcon.execute("INSERT INTO Tasks (TaskListId, title, status) VALUES (?, 't', 'someday')", (default,))
    assert mraw.post("/me/todo/lists/nope/tasks", json={"title": "t"}).status_code == 404
    assert mraw.patch(f"/me/todo/lists/{default}/tasks/nope", json={"title": "t"}).status_code == 404
    assert mraw.post(f"/me/todo/lists/{default}/tasks", json={"title": "t", "id": "x"}).status_code == 400
    assert items(mraw, "/me/todo/lists") == lists


def test_calendar_group_writes(mcon: o365sql.Connection, mraw: httpx.Client) -> None:
    gid = mcon.execute("INSERT INTO CalendarGroups (name) VALUES ('Projects')").inserted_ids[0]
    assert next(g for g in items(mraw, "/me/calendarGroups") if g["id"] == gid)["name"] == "Projects"
    mcon.execute("UPDATE CalendarGroups SET name = 'Old projects' WHERE id = ?", (gid,))
    assert next(g for g in items(mraw, "/me/calendarGroups") if g["id"] == gid)["name"] == "Old projects"
    with pytest.raises(o365sql.NotSupportedError, match=r"CalendarGroups\.classId is read-only"):
        mcon.execute("UPDATE CalendarGroups SET classId = 'x' WHERE id = ?", (gid,))
    assert mcon.execute("DELETE FROM CalendarGroups WHERE id = ?", (gid,)).rowcount == 1
    assert gid not in {g["id"] for g in items(mraw, "/me/calendarGroups")}
    first = items(mraw, "/me/calendarGroups")[0]["id"]
    with pytest.raises(o365sql.Error, match="default calendar group cannot be deleted"):
        mcon.execute("DELETE FROM CalendarGroups WHERE id = ?", (first,))
    assert first in {g["id"] for g in items(mraw, "/me/calendarGroups")}


def test_a_403_names_the_todo_and_calendar_write_permissions(wemu: Emulator) -> None:
    with connect(wemu, frozenset({"User.Read", "Tasks.Read", "Calendars.Read"})) as weak:
        with pytest.raises(PermissionDeniedError, match=r"Tasks\.ReadWrite"):
            weak.execute("INSERT INTO TaskLists (displayName) VALUES ('No')")
        with pytest.raises(PermissionDeniedError, match=r"Calendars\.ReadWrite"):
            weak.execute("INSERT INTO CalendarGroups (name) VALUES ('No')")


APP_ROLES = frozenset({"MailboxSettings.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"})


def test_app_only_writes_go_to_the_user_id_given(wemu: Emulator, mraw: httpx.Client) -> None:
    token, _ = wemu.state.tokens.issue_access(
        tenant_id=wemu.tenant_id, client_id=wemu.client_id, user_id=None, roles=APP_ROLES
    )
    demo = wemu.state.directory.demo_user.id
    user = next(
        u["id"] for u in items(mraw, "/users", **{"$select": "id,mail"}) if u["id"] != demo and u["mail"]
    )
    dsn = f"InitiateOAuth=OFF;OAuthAccessToken={token};GraphURL={wemu.graph_url};SSLServerCert={wemu.ca_cert}"
    headers = {"Authorization": f"Bearer {token}"}
    with o365sql.connect(dsn) as app, wemu.http_client(base_url=wemu.graph_url, headers=headers) as app_raw:
        mark = len(wemu.requests())
        app.execute(
            "UPDATE MailboxSettings SET mailboxSettings_dateFormat = 'dd.MM.yyyy' WHERE UserId = ?", (user,)
        )
        assert writes_since(wemu, mark) == [("PATCH", f"/v1.0/users/{user}/mailboxSettings")]
        found = app_raw.get(f"/users/{user}", params={"$select": "mailboxSettings"}).json()
        assert found["mailboxSettings"]["dateFormat"] == "dd.MM.yyyy"
        lid = app.execute(
            "INSERT INTO TaskLists (UserId, displayName) VALUES (?, 'Theirs')", (user,)
        ).inserted_ids[0]
        assert "Theirs" in {x["displayName"] for x in items(app_raw, f"/users/{user}/todo/lists")}
        assert lid not in {x["id"] for x in items(mraw, "/me/todo/lists")}
