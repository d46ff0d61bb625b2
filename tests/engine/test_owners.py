"""Owner columns (TableSpec.owners): every declaration is coherent, request paths map back to their owner,
and a plan routed by an owner column describes that owner's path."""

from __future__ import annotations

import pytest

from o365sql.engine import explain
from o365sql.schema import TABLES, TableSpec

from .conftest import Connect

OWNED = [(spec, name) for spec in TABLES.values() for name in spec.owners]


@pytest.mark.parametrize(("spec", "name"), OWNED, ids=[f"{s.name}.{n}" for s, n in OWNED])
def test_owner_declarations_are_coherent(spec: TableSpec, name: str) -> None:
    owner = spec.owners[name]
    assert spec.per_user  # an owner stands in for a user
    column = spec.column(name)
    # its value is the routing value: a parameter (NULL on a user's rows), or a read-only Graph property every
    # item of that owner carries (Files.parentReference_driveId, DriveId's twin)
    assert column.kind == "param" or (column.kind == "graph" and column.read_only)
    assert "{" + name + "}" in owner.path and owner.path.startswith("/")
    assert set(owner.without) <= set(spec.routes)
    assert owner.entity is None or owner.entity.startswith("{scope}/")
    found = spec.owner_of(owner.path.replace("{" + name + "}", "x") + "/anything")
    assert found is not None and found[1].path.split("{")[0] == owner.path.split("{")[0]
    # a write below the path needs what this owner needs
    assert (found[1].permissions, found[1].write_permissions) == (owner.permissions, owner.write_permissions)


def test_owner_of_maps_request_paths_to_their_owner() -> None:
    files, events = TABLES["Files"], TABLES["Events"]
    assert files.owner_of("/v1.0/sites/s1/drive/root/delta?$top=5") == ("SiteId", files.owners["SiteId"])
    assert files.owner_of("/drives/b!1/items/x") == ("DriveId", files.owners["DriveId"])
    assert files.owner_of("/v1.0/me/drive/root/delta") is None
    assert events.owner_of("/groups/g/events/e") == ("GroupId", events.owners["GroupId"])
    assert events.owner_of("/users/u/events") is None
    assert TABLES["Messages"].owner_of("/groups/g/events") is None


@pytest.mark.parametrize(
    ("sql", "table", "path"),
    [
        ("SELECT e.id FROM Groups g JOIN Events e ON e.GroupId = g.id", "Events", "/groups/{GroupId}/events"),
        (
            "SELECT c.id FROM Groups g JOIN Calendars c ON c.GroupId = g.id",
            "Calendars",
            "/groups/{GroupId}/calendar",
        ),
        (
            "SELECT f.id FROM Drives d JOIN Files f ON f.DriveId = d.id WHERE d.SiteId = 's'",
            "Files",
            "/drives/{DriveId}/root/children",
        ),
    ],
)
def test_a_join_on_an_owner_column_describes_the_owner_path(
    connect: Connect, sql: str, table: str, path: str
) -> None:
    db, fake = connect()
    inner = next(p for p in explain(db, sql) if p.table == table)
    assert inner.path == path
    assert fake.requests == []
