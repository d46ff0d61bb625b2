"""Files in other drives than the user's OneDrive (DriveId, SiteId, GroupId) against raw Graph reads:
rows, the delta read, depth, joins from Drives, writes, procedures, offline and errors."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.schema import TABLES

from .conftest import connection_string, logged, token_for
from .test_tables_sharepoint import Rows, drive_files, reachable_sites, team_site
from .test_tables_vs_graph import compare, pages, select_for


@pytest.mark.parametrize("route", ["DriveId", "SiteId", "GroupId"])
def test_files_of_a_library(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client, route: str
) -> None:
    gid, site = team_site(raw, "Sales and Marketing")
    drive = raw.get(f"/groups/{gid}/drive", params={"$select": "id"}).json()["id"]
    value = {"DriveId": drive, "SiteId": site["id"], "GroupId": gid}[route]
    base = {
        "DriveId": f"/drives/{drive}",
        "SiteId": f"/sites/{site['id']}/drive",
        "GroupId": f"/groups/{gid}/drive",
    }
    items = drive_files(raw, f"/drives/{drive}")
    emulator.reset()
    cur = con.execute(
        f"SELECT id, name, size, parentReference_id, UserId, {route} FROM Files WHERE {route} = ?", (value,)
    )
    got = sorted(cur.fetchall())
    assert got == sorted(
        (i["id"], i["name"], i["size"], i["parentReference"]["id"], None, value) for i in items
    )
    assert got
    assert {p for p, _ in logged(emulator, "/root/delta")} == {f"/v1.0{base[route]}/root/delta"}


def test_files_by_drive_and_its_full_rows(con: o365sql.Connection, raw: httpx.Client) -> None:
    spec = TABLES["Files"]
    (drive,) = [
        d["id"]
        for d in pages(raw, f"/sites/{reachable_sites(raw)[0]['id']}/drives", {"$select": "id,name"})
        if d["name"] == "Brand Assets"
    ]
    items = drive_files(raw, f"/drives/{drive}")
    rows: Rows = [((i["id"],), i) for i in items]
    compare(con, spec, "SELECT * FROM Files WHERE DriveId = ?", rows, (drive,))


def test_drives_join_files_reads_each_library(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    root = reachable_sites(raw)[0]
    drives = [d["id"] for d in pages(raw, f"/sites/{root['id']}/drives", {"$select": "id"})]
    want = sorted((d, i["id"]) for d in drives for i in drive_files(raw, f"/drives/{d}"))
    emulator.reset()
    sql = "SELECT d.id, f.id FROM Drives d JOIN Files f ON f.DriveId = d.id WHERE d.SiteId = ?"
    assert sorted(con.execute(sql, (root["id"],)).fetchall()) == want and len(drives) == 2
    assert sorted(p for p, _ in logged(emulator, "/root/delta")) == sorted(
        f"/v1.0/drives/{d}/root/delta" for d in drives
    )


def test_one_folder_of_any_drive_by_parent_reference(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    """parentReference_driveId + parentReference_id: that folder's children, read from that drive."""
    spec = TABLES["Files"]
    gid, _site = team_site(raw, "Sales and Marketing")
    drive = raw.get(f"/groups/{gid}/drive", params={"$select": "id"}).json()["id"]
    items = drive_files(raw, f"/drives/{drive}")
    folder = next(i for i in items if "folder" in i and i["folder"]["childCount"])
    children = list(pages(raw, f"/drives/{drive}/items/{folder['id']}/children", select_for(spec)))
    sql = "SELECT * FROM Files WHERE parentReference_driveId = ? AND parentReference_id = ?"
    (planned,) = con.explain(sql, (drive, folder["id"]))
    assert planned.path == f"/drives/{drive}/items/{folder['id']}/children"
    emulator.reset()
    compare(con, spec, sql, [((c["id"],), c) for c in children], (drive, folder["id"]))
    assert children
    assert {p for p, _ in logged(emulator, "/children")} == {
        f"/v1.0/drives/{drive}/items/{folder['id']}/children"
    }
    # the drive id alone reads that drive (its delta), not the signed-in user's OneDrive
    want = sorted(i["id"] for i in drive_files(raw, f"/drives/{drive}"))
    emulator.reset()
    got = con.execute("SELECT id FROM Files WHERE parentReference_driveId = ?", (drive,)).fetchall()
    assert sorted(r[0] for r in got) == want
    assert {p for p, _ in logged(emulator, "/root/delta")} == {f"/v1.0/drives/{drive}/root/delta"}


def test_parent_reference_drive_id_with_user_id_is_checked_on_the_rows(
    emulator: Emulator, con: o365sql.Connection, raw: httpx.Client
) -> None:
    """UserId chooses the drive; parentReference_driveId then only keeps that drive's rows (or none)."""
    me = raw.get("/me", params={"$select": "id"}).json()["id"]
    mine = raw.get("/me/drive", params={"$select": "id"}).json()["id"]
    gid, _site = team_site(raw, "Sales and Marketing")
    library = raw.get(f"/groups/{gid}/drive", params={"$select": "id"}).json()["id"]
    want = sorted(i["id"] for i in drive_files(raw, f"/users/{me}/drive"))
    sql = "SELECT id FROM Files WHERE UserId = ? AND parentReference_driveId = ?"
    emulator.reset()
    assert sorted(r[0] for r in con.execute(sql, (me, mine)).fetchall()) == want and want
    assert con.execute(sql, (me, library)).fetchall() == []
    assert {p for p, _ in logged(emulator, "/root/delta")} == {f"/v1.0/users/{me}/drive/root/delta"}


def test_directory_depth_is_honoured_in_a_library(emulator: Emulator, token: str, raw: httpx.Client) -> None:
    gid, _site = team_site(raw, "Sales and Marketing")
    children = pages(raw, f"/groups/{gid}/drive/root/children", {"$select": "id"})
    with o365sql.connect(connection_string(emulator, token, DirectoryRetrievalDepth=0)) as con:
        got = con.execute("SELECT id FROM Files WHERE GroupId = ?", (gid,)).fetchall()
    assert sorted(r[0] for r in got) == sorted(c["id"] for c in children) and got
    deeper = [
        i for i in drive_files(raw, f"/groups/{gid}/drive") if i["parentReference"]["path"].count("/") > 3
    ]
    assert deeper  # the library has items below the first level, which depth 0 left out


def test_one_drive_at_a_time(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="one drive at a time"):
        con.execute("SELECT id FROM Files WHERE DriveId = 'a' AND SiteId = 'b'").fetchall()


def test_unknown_drive_raises(con: o365sql.Connection) -> None:
    with pytest.raises(o365sql.errors.NotFoundError, match="no drive for DriveId 'b!nothing'"):
        con.execute("SELECT id FROM Files WHERE DriveId = 'b!nothing'").fetchall()


def test_offline_refuses_another_drive(emulator: Emulator, token: str, tmp_path: Path) -> None:
    props = {"CacheLocation": str(tmp_path / "cache.db"), "Offline": True}
    with (
        o365sql.connect(connection_string(emulator, token, **props)) as con,
        pytest.raises(o365sql.NotSupportedError, match="Files by DriveId needs Graph"),
    ):
        con.execute("SELECT id FROM Files WHERE DriveId = 'b!x'").fetchall()


def test_folder_created_and_renamed_in_a_library(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    token = token_for(emu)
    with (
        emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as raw,
        o365sql.connect(connection_string(emu, token)) as con,
    ):
        gid, _site = team_site(raw, "Sales and Marketing")
        con.execute("INSERT INTO Files (name, GroupId) VALUES ('Minutes', ?)", (gid,))
        children = pages(raw, f"/groups/{gid}/drive/root/children", {"$select": "id,name"})
        (made,) = [c for c in children if c["name"] == "Minutes"]
        con.execute("UPDATE Files SET name = 'Minutes 2026' WHERE GroupId = ? AND id = ?", (gid, made["id"]))
        after = raw.get(f"/groups/{gid}/drive/items/{made['id']}", params={"$select": "name"}).json()
        assert after["name"] == "Minutes 2026"
        con.execute("DELETE FROM Files WHERE GroupId = ? AND id = ?", (gid, made["id"]))
        assert raw.get(f"/groups/{gid}/drive/items/{made['id']}").status_code == 404


def test_explain_shows_the_drive_read(con: o365sql.Connection) -> None:
    (drives,) = con.explain("SELECT id FROM Drives WHERE GroupId = 'g1'")
    assert drives.path == "/groups/g1/drives"
    (files,) = con.explain("SELECT id FROM Files WHERE DriveId = 'b!d1'")
    assert files.path == "/drives/b!d1/root/delta"


def test_upload_and_download_in_a_library(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    token = token_for(emu)
    data = b"minutes of the meeting\n"
    with (
        emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as raw,
        o365sql.connect(connection_string(emu, token)) as con,
    ):
        gid, _site = team_site(raw, "Sales and Marketing")
        drive = raw.get(f"/groups/{gid}/drive", params={"$select": "id"}).json()["id"]
        content = base64.b64encode(data).decode()
        (made,) = con.execute(
            "EXEC UploadFile FileName = 'minutes.txt', Content = ?, DriveId = ?", (content, drive)
        ).fetchall()
        item = raw.get(f"/drives/{drive}/root:/minutes.txt", params={"$select": "id,size"}).json()
        assert made[0] == item["id"] and item["size"] == len(data)
        (got,) = con.execute("EXEC DownloadFile FileId = ?, DriveId = ?", (item["id"], drive)).fetchall()
        assert base64.b64decode(got[3]) == data
        with pytest.raises(o365sql.ProgrammingError, match="DriveId or UserId"):
            con.execute("EXEC DownloadFile FileId = 'x', DriveId = ?, UserId = 'someone'", (drive,))


@pytest.mark.parametrize("route", ["SiteId", "GroupId"])
def test_upload_and_download_by_site_or_group(make_emulator: Callable[..., Emulator], route: str) -> None:
    emu = make_emulator()
    token = token_for(emu)
    data = f"agenda by {route}\n".encode()
    with (
        emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as raw,
        o365sql.connect(connection_string(emu, token)) as con,
    ):
        gid, site = team_site(raw, "Sales and Marketing")
        value = {"SiteId": site["id"], "GroupId": gid}[route]
        content = base64.b64encode(data).decode()
        mark = len(emu.requests())
        (made,) = con.execute(
            f"EXEC UploadFile FileName = 'agenda.txt', Content = ?, {route} = ?", (content, value)
        ).fetchall()
        base = {"SiteId": f"/sites/{site['id']}/drive", "GroupId": f"/groups/{gid}/drive"}[route]
        assert [r["path"] for r in emu.requests()[mark:] if r["method"] == "PUT"] == [
            f"/v1.0{base}/items/root:/agenda.txt:/content"
        ]
        # the site's and the group's default library are the same drive: read it by its id
        drive = raw.get(f"/groups/{gid}/drive", params={"$select": "id"}).json()["id"]
        item = raw.get(f"/drives/{drive}/root:/agenda.txt", params={"$select": "id,size"}).json()
        assert made[0] == item["id"] and item["size"] == len(data)
        (got,) = con.execute(f"EXEC DownloadFile FileId = ?, {route} = ?", (item["id"], value)).fetchall()
        assert base64.b64decode(got[3]) == data
        with pytest.raises(o365sql.ProgrammingError, match=f"give DriveId or {route}, not both"):
            con.execute(f"EXEC DownloadFile FileId = 'x', DriveId = 'd', {route} = ?", (value,))
