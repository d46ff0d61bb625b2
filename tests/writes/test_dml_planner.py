"""INSERT/UPDATE/DELETE on Plans, Buckets and PlannerTasks: effects read through raw Graph; the etag rule."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import WRITE_SCOPES, connect, get, raw_graph

SCOPES = WRITE_SCOPES | {"Tasks.ReadWrite"}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A tenant of this module's own (the writes here change plans other tests would count)."""
    with Emulator(data="demo") as made:
        yield made


@pytest.fixture(scope="module")
def pcon(emu: Emulator) -> Iterator[o365sql.Connection]:
    with connect(emu, SCOPES) as c:
        yield c


@pytest.fixture(scope="module")
def graph(emu: Emulator) -> Iterator[httpx.Client]:
    with raw_graph(emu, SCOPES) as client:
        yield client


def _a_plan(graph: httpx.Client) -> tuple[str, str]:
    """(group id, plan id) of the first group with a plan, found through raw Graph."""
    for group in get(graph, "/groups")["value"]:
        plans = graph.get(f"/groups/{group['id']}/planner/plans")
        if plans.status_code == 200 and plans.json()["value"]:
            return group["id"], plans.json()["value"][0]["id"]
    raise AssertionError("the demo tenant has no plan")


def test_plan_insert_update_delete(pcon: o365sql.Connection, graph: httpx.Client) -> None:
    gid, _ = _a_plan(graph)
    cur = pcon.cursor()
    cur.execute("INSERT INTO Plans (GroupId, title) VALUES (?, 'Launch') RETURNING id", (gid,))
    ((pid,),) = cur.fetchall()
    plan = get(graph, f"/planner/plans/{pid}")
    assert (plan["title"], plan["container"]["containerId"]) == ("Launch", gid)
    cur.execute("UPDATE Plans SET title = 'Launch 2' WHERE GroupId = ? AND id = ?", (gid, pid))
    assert cur.rowcount == 1
    assert get(graph, f"/planner/plans/{pid}")["title"] == "Launch 2"
    cur.execute("DELETE FROM Plans WHERE GroupId = ? AND id = ?", (gid, pid))
    assert graph.get(f"/planner/plans/{pid}").status_code == 404


def test_bucket_insert_update_delete(pcon: o365sql.Connection, graph: httpx.Client) -> None:
    _, pid = _a_plan(graph)
    cur = pcon.cursor()
    cur.execute("INSERT INTO Buckets (PlanId, name) VALUES (?, 'Backlog') RETURNING id", (pid,))
    ((bid,),) = cur.fetchall()
    assert get(graph, f"/planner/buckets/{bid}")["name"] == "Backlog"
    cur.execute("UPDATE Buckets SET name = 'Icebox' WHERE PlanId = ? AND id = ?", (pid, bid))
    assert get(graph, f"/planner/buckets/{bid}")["name"] == "Icebox"
    cur.execute("DELETE FROM Buckets WHERE PlanId = ? AND id = ?", (pid, bid))
    assert graph.get(f"/planner/buckets/{bid}").status_code == 404


def test_task_insert_sends_planner_body(pcon: o365sql.Connection, graph: httpx.Client, emu: Emulator) -> None:
    _, pid = _a_plan(graph)
    bucket = get(graph, f"/planner/plans/{pid}/buckets")["value"][0]["id"]
    user = emu.state.directory.demo_user.id
    cur = pcon.cursor()
    cur.execute(
        "INSERT INTO PlannerTasks (PlanId, bucketId, title, assignments, dueDateTime, percentComplete, "
        "priority) VALUES (?, ?, 'Write the brief', ?, '2027-01-15T17:00:00Z', 50, 3) RETURNING id",
        (pid, bucket, f'["{user}"]'),
    )
    ((tid,),) = cur.fetchall()
    task = get(graph, f"/planner/tasks/{tid}")
    assert (task["planId"], task["bucketId"], task["title"]) == (pid, bucket, "Write the brief")
    assert (task["percentComplete"], task["priority"]) == (50, 3)
    assert task["dueDateTime"].startswith("2027-01-15T17:00:00")
    assert list(task["assignments"]) == [user]
    assert task["assignments"][user]["@odata.type"] == "#microsoft.graph.plannerAssignment"


def test_task_update_sends_the_read_etag(
    pcon: o365sql.Connection, graph: httpx.Client, emu: Emulator
) -> None:
    _, pid = _a_plan(graph)
    tid = get(graph, f"/planner/plans/{pid}/tasks")["value"][0]["id"]
    etag = get(graph, f"/planner/tasks/{tid}")["@odata.etag"]
    before = len(emu.requests())
    pcon.cursor().execute(
        "UPDATE PlannerTasks SET percentComplete = 100, priority = 1 WHERE PlanId = ? AND id = ?", (pid, tid)
    )
    # Planner takes the PATCH only with the current etag in If-Match (a missing one is a 400, a stale one 412)
    (patch,) = [r for r in emu.requests()[before:] if r["method"] == "PATCH"]
    assert patch["path"].endswith(f"/planner/tasks/{tid}")
    task = get(graph, f"/planner/tasks/{tid}")
    assert (task["percentComplete"], task["priority"]) == (100, 1)
    assert task["@odata.etag"] != etag  # every write gives a new etag


def test_stale_etag_is_an_error_and_writes_nothing(pcon: o365sql.Connection, graph: httpx.Client) -> None:
    """Someone changes the task between the UPDATE's read and its PATCH: 412, said so, no retry."""
    _, pid = _a_plan(graph)
    tid = get(graph, f"/planner/plans/{pid}/tasks")["value"][1]["id"]

    def meddle(task_id: str) -> int:
        # another client renames the task after the statement read it
        current = get(graph, f"/planner/tasks/{task_id}")
        done = graph.patch(
            f"/planner/tasks/{task_id}",
            json={"title": "theirs"},
            headers={"If-Match": current["@odata.etag"]},
        )
        assert done.status_code == 204, done.text
        return 1

    pcon._db.create_scalar_function("meddle", meddle)
    with pytest.raises(o365sql.IntegrityError) as caught:
        pcon.cursor().execute(
            "UPDATE PlannerTasks SET title = 'mine' WHERE PlanId = ? AND id = ? AND meddle(id) = 1",
            (pid, tid),
        )
    message = str(caught.value)
    assert "changed by someone else" in message and "run the statement again" in message
    assert get(graph, f"/planner/tasks/{tid}")["title"] == "theirs"
    with pytest.raises(o365sql.IntegrityError, match="changed by someone else"):
        pcon.cursor().execute(
            "DELETE FROM PlannerTasks WHERE PlanId = ? AND id = ? AND meddle(id) = 1", (pid, tid)
        )
    assert get(graph, f"/planner/tasks/{tid}")["id"] == tid


def test_emulator_refuses_a_stale_or_missing_if_match(graph: httpx.Client) -> None:
    _, pid = _a_plan(graph)
    task = get(graph, f"/planner/plans/{pid}/tasks")["value"][2]
    missing = graph.patch(f"/planner/tasks/{task['id']}", json={"title": "x"})
    assert missing.status_code == 400
    ok = graph.patch(
        f"/planner/tasks/{task['id']}", json={"title": "x"}, headers={"If-Match": task["@odata.etag"]}
    )
    assert ok.status_code == 204
    stale = graph.delete(f"/planner/tasks/{task['id']}", headers={"If-Match": task["@odata.etag"]})
    assert stale.status_code == 412
    fresh = get(graph, f"/planner/tasks/{task['id']}")
    shown = graph.patch(
        f"/planner/tasks/{task['id']}",
        json={"title": "y"},
        headers={"If-Match": fresh["@odata.etag"], "Prefer": "return=representation"},
    )
    assert shown.status_code == 200 and shown.json()["title"] == "y"


@pytest.mark.parametrize(
    ("sql", "wanted"),
    [
        ("INSERT INTO PlannerTasks (PlanId, title, percentComplete) VALUES (?, 't', 150)", "percentComplete"),
        ("INSERT INTO PlannerTasks (PlanId, title, priority) VALUES (?, 't', 11)", "priority"),
        ("INSERT INTO PlannerTasks (PlanId, title, assignments) VALUES (?, 't', '[1]')", "assignments"),
        ("INSERT INTO PlannerTasks (PlanId, title, bucketId) VALUES (?, 't', 'nobucket')", "bucket"),
        ("INSERT INTO PlannerTasks (PlanId) VALUES (?)", "needs title"),
        ("INSERT INTO PlannerTasks (PlanId, title, percentComplete) VALUES (?, 't', 'half')", "integer"),
    ],
)
def test_bad_task_inserts_write_nothing(
    pcon: o365sql.Connection, graph: httpx.Client, emu: Emulator, sql: str, wanted: str
) -> None:
    _, pid = _a_plan(graph)
    before = len(get(graph, f"/planner/plans/{pid}/tasks")["value"])
    with pytest.raises(o365sql.Error, match=wanted):
        pcon.cursor().execute(sql, (pid,))
    assert len(get(graph, f"/planner/plans/{pid}/tasks")["value"]) == before


def test_unknown_plan_is_an_error(pcon: o365sql.Connection) -> None:
    with pytest.raises(o365sql.Error, match=r"(?i)not found"):
        pcon.cursor().execute("INSERT INTO Buckets (PlanId, name) VALUES ('no-such-plan', 'x')")


def test_403_names_the_write_permission(emu: Emulator, graph: httpx.Client) -> None:
    _, pid = _a_plan(graph)
    scopes = frozenset({"User.Read", "Tasks.Read"})
    with connect(emu, scopes) as c, pytest.raises(o365sql.Error, match=r"Tasks\.ReadWrite") as caught:
        c.cursor().execute("INSERT INTO Buckets (PlanId, name) VALUES (?, 'x')", (pid,))
    assert "Tasks.ReadWrite.All" in str(caught.value) or "Group.ReadWrite.All" in str(caught.value)
    assert not [b for b in get(graph, f"/planner/plans/{pid}/buckets")["value"] if b["name"] == "x"]
