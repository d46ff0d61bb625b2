"""UploadFile and DownloadFile, checked through the Files table."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

import o365sql
from o365sql import errors
from o365sql.connection import Connection

from .conftest import b64, names, one


def _file_row(conn: Connection, fid: str) -> tuple[str, int, str] | None:
    row = one(conn.execute("SELECT name, size, parentReference_id FROM Files WHERE id = ?", (fid,)))
    return None if row is None else (str(row[0]), int(row[1]), str(row[2]))


def test_upload_and_download_round_trip(conn: Connection) -> None:
    data = os.urandom(5000) + b"\x00end"
    cur = conn.cursor()
    cur.execute("EXEC UploadFile FileName = ?, Content = ?", ("wp upload.bin", b64(data)))
    assert names(cur) == ["Id", "Name", "Size"]
    fid, name, size = one(cur)
    assert (name, size) == ("wp upload.bin", len(data))
    root = conn.execute("SELECT id FROM Files WHERE name = 'wp upload.bin' AND ParentId = 'root'").fetchall()
    assert root == [(fid,)]
    assert _file_row(conn, fid) is not None and _file_row(conn, fid)[1] == len(data)  # type: ignore[index]

    row = one(conn.execute("EXEC DownloadFile FileId = ?", (fid,)))
    assert row[0] == fid and row[1] == "wp upload.bin" and row[2] == len(data) and row[4] is None
    assert base64.b64decode(row[3]) == data

    # the same name again replaces the file (same id, new size)
    cur.callproc("UploadFile", {"FileName": "wp upload.bin", "Content": b64(b"short")})
    assert one(cur) == (fid, "wp upload.bin", 5)
    assert _file_row(conn, fid) == ("wp upload.bin", 5, _file_row(conn, fid)[2])  # type: ignore[index]


def test_upload_local_file_into_folder_and_download_to_folder(conn: Connection, tmp_path: Path) -> None:
    folder_id = one(conn.execute("SELECT id FROM Files WHERE ParentId = 'root' AND name = 'Documents'"))[0]
    local = tmp_path / "notes.txt"
    local.write_bytes("über notes\n".encode())
    cur = conn.cursor()
    cur.callproc("UploadFile", {"LocalFile": str(local), "ParentId": folder_id})
    fid, name, size = one(cur)
    assert (name, size) == ("notes.txt", local.stat().st_size)
    assert _file_row(conn, fid) == ("notes.txt", local.stat().st_size, folder_id)
    listed = conn.execute("SELECT name FROM Files WHERE ParentId = ?", (folder_id,)).fetchall()
    assert ("notes.txt",) in listed

    out = tmp_path / "out"
    out.mkdir()
    cur.callproc("DownloadFile", {"FileId": fid, "OutputFolder": str(out)})
    row = one(cur)
    assert row[3] is None and row[4] == str(out / "notes.txt")
    assert (out / "notes.txt").read_bytes() == local.read_bytes()
    with pytest.raises(o365sql.ProgrammingError, match="Overwrite"):
        cur.callproc("DownloadFile", {"FileId": fid, "OutputFolder": str(out)})


def test_large_upload_uses_a_session(conn: Connection) -> None:
    data = os.urandom(4 * 1024 * 1024 + 12345)
    row = one(conn.execute("EXEC UploadFile FileName = 'wp large.bin', Content = ?", (b64(data),)))
    assert row[1:] == ("wp large.bin", len(data))
    assert _file_row(conn, row[0]) is not None
    got = one(conn.execute("EXEC DownloadFile FileId = ?", (row[0],)))
    assert base64.b64decode(got[3]) == data


def test_file_errors(conn: Connection, tmp_path: Path) -> None:
    cur = conn.cursor()
    with pytest.raises(errors.NotFoundError, match="drive item"):
        cur.execute("EXEC DownloadFile FileId = 'no-such-item'")
    with pytest.raises(o365sql.ProgrammingError, match="FileId"):
        cur.execute("EXEC DownloadFile OutputFolder = ?", (str(tmp_path),))
    folder_id = one(conn.execute("SELECT id FROM Files WHERE ParentId = 'root' AND name = 'Documents'"))[0]
    with pytest.raises(o365sql.ProgrammingError, match="folder"):
        cur.execute("EXEC DownloadFile FileId = ?", (folder_id,))
    with pytest.raises(o365sql.ProgrammingError, match="OutputFolder"):
        cur.execute("EXEC DownloadFile FileId = ?, OutputFolder = ?", (folder_id, str(tmp_path / "absent")))
    with pytest.raises(o365sql.ProgrammingError, match="FileName"):
        cur.execute("EXEC UploadFile Content = 'AA=='")
    with pytest.raises(o365sql.ProgrammingError, match="FileName"):
        cur.execute("EXEC UploadFile FileName = 'a/b.txt', Content = 'AA=='")
    with pytest.raises(o365sql.ProgrammingError, match="Content"):
        cur.execute("EXEC UploadFile FileName = 'a.txt'")
    with pytest.raises(o365sql.ProgrammingError, match=r"Content.*base64"):
        cur.execute("EXEC UploadFile FileName = 'a.txt', Content = 'not base64!'")
    with pytest.raises(o365sql.ProgrammingError, match="ConflictBehavior"):
        cur.execute("EXEC UploadFile FileName = 'a.txt', Content = 'AA==', ConflictBehavior = 'merge'")
    with pytest.raises(errors.NotFoundError):
        cur.execute("EXEC UploadFile FileName = 'a.txt', Content = 'AA==', ParentId = 'no-such-folder'")
