"""Procedures that touch local files or repeat writes: downloads never follow a planted link, local files
are regular and within Graph's limits, an upload is repeated only when repeating cannot duplicate it, and a
web callback without a code never opens a browser."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import o365sql
from o365sql.connection import Connection
from o365sql.emulator import Emulator
from o365sql.errors import OperationalError

from .conftest import connect, raw_client

Make = Callable[..., Emulator]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A private demo tenant: these tests upload, send and download."""
    with Emulator(data="demo") as emulator:
        yield emulator


@pytest.fixture
def con(emu: Emulator) -> Iterator[Connection]:
    conn = connect(emu)
    yield conn
    conn.close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _uploaded(con: Connection, name: str, data: bytes) -> str:
    return str(con.execute("EXEC UploadFile FileName = ?, Content = ?", (name, _b64(data))).fetchone()[0])


def _draft(emu: Emulator, subject: str) -> str:
    with raw_client(emu) as graph:
        return str(graph.post("me/messages", json={"subject": subject}).json()["id"])


def _names_in_root(emu: Emulator) -> list[str]:
    with raw_client(emu) as graph:
        page = graph.get("me/drive/root/children", params={"$select": "name", "$top": "999"}).json()
    return [str(item["name"]) for item in page["value"]]


# -- downloads never follow links


def test_download_file_replaces_a_planted_link_instead_of_writing_through_it(
    con: Connection, tmp_path: Path
) -> None:
    fid = _uploaded(con, "linked.txt", b"from onedrive")
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"must stay")
    out = tmp_path / "out"
    out.mkdir()
    (out / "linked.txt").symlink_to(victim)
    con.execute(
        "EXEC DownloadFile FileId = ?, OutputFolder = ?, Overwrite = true", (fid, str(out))
    ).fetchall()
    assert victim.read_bytes() == b"must stay"
    assert not (out / "linked.txt").is_symlink()
    assert (out / "linked.txt").read_bytes() == b"from onedrive"
    assert [p.name for p in out.iterdir()] == ["linked.txt"]  # no temporary file left behind


def test_download_attachments_never_write_through_a_link(
    emu: Emulator, con: Connection, tmp_path: Path
) -> None:
    mid = _draft(emu, "rel link target")
    con.execute(
        "EXEC AddAttachments Id = ?, FileName = 'a.txt', ContentBytes = ?", (mid, _b64(b"attached"))
    ).fetchall()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"must stay")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").symlink_to(victim)
    with pytest.raises(o365sql.ProgrammingError, match="already exists"):
        con.execute("EXEC DownloadAttachments MessageId = ?, OutputFolder = ?", (mid, str(out))).fetchall()
    con.execute(
        "EXEC DownloadAttachments MessageId = ?, OutputFolder = ?, Overwrite = true", (mid, str(out))
    ).fetchall()
    assert victim.read_bytes() == b"must stay"
    assert (out / "a.txt").read_bytes() == b"attached" and not (out / "a.txt").is_symlink()


def test_a_dangling_link_counts_as_an_existing_file(con: Connection, tmp_path: Path) -> None:
    fid = _uploaded(con, "dangling.txt", b"x")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere" / "made-by-the-download")
    with pytest.raises(o365sql.ProgrammingError, match="already exists"):
        con.execute("EXEC DownloadFile FileId = ?, OutputFolder = ?", (fid, str(tmp_path))).fetchall()
    assert not (tmp_path / "nowhere").exists()


# -- local files: regular, within Graph's limits


def test_a_device_is_not_a_local_file(emu: Emulator, con: Connection) -> None:
    """/dev/null would upload as an empty file; /dev/zero would never end: both are refused unread."""
    for device in (os.devnull, "/dev/zero"):
        with pytest.raises(o365sql.ProgrammingError, match="not a regular file"):
            con.execute("EXEC UploadFile LocalFile = ?, FileName = 'dev.bin'", (device,)).fetchall()
    assert "dev.bin" not in _names_in_root(emu)


@pytest.mark.timeout(60)
def test_a_fifo_is_refused_without_waiting_for_a_writer(
    emu: Emulator, con: Connection, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    mid = _draft(emu, "rel fifo")
    with pytest.raises(o365sql.ProgrammingError, match="not a regular file"):
        con.execute("EXEC AddAttachments Id = ?, LocalFile = ?", (mid, str(fifo))).fetchall()
    with pytest.raises(o365sql.ProgrammingError, match="not a regular file"):
        con.execute(
            "EXEC SendMail ToRecipients = 'a@example.com', Subject = 'x', Attachments = ?",
            (f"p.bin,@{fifo}",),
        ).fetchall()


def test_a_file_over_graphs_attachment_limit_is_refused_before_reading(
    emu: Emulator, con: Connection, tmp_path: Path
) -> None:
    big = tmp_path / "sparse.bin"
    with open(big, "wb") as handle:
        handle.truncate(150 * 1024 * 1024 + 1)  # sparse: no disk used, and never read
    mid = _draft(emu, "rel too big")
    emu.reset()
    with pytest.raises(o365sql.ProgrammingError, match=r"157286401 bytes; Graph takes at most 157286400"):
        con.execute("EXEC AddAttachments Id = ?, LocalFile = ?", (mid, str(big))).fetchall()
    assert [r for r in emu.requests() if "attachments" in r["path"].lower()] == []


def test_paths_with_nul_are_refused(con: Connection, tmp_path: Path) -> None:
    with pytest.raises(o365sql.ProgrammingError, match="NUL"):
        con.execute("EXEC UploadFile LocalFile = ?, FileName = 'n.txt'", (f"{tmp_path}/a\x00b",)).fetchall()


def test_a_recipient_with_a_control_character_is_refused(emu: Emulator, con: Connection) -> None:
    subject = "rel nul recipient"
    with pytest.raises(o365sql.ProgrammingError, match="is not an email address"):
        con.execute(
            "EXEC SendMail ToRecipients = ?, Subject = ?, Content = 'x'", ("a\x00b@example.com", subject)
        ).fetchall()
    with raw_client(emu) as graph:
        sent = graph.get(
            "me/mailFolders/sentitems/messages", params={"$filter": f"subject eq '{subject}'"}
        ).json()["value"]
    assert sent == []


# -- an upload is repeated only when that cannot duplicate it


@pytest.mark.parametrize("conflict", ["rename", "fail"])
def test_upload_with_rename_or_fail_is_not_repeated_after_a_504_that_followed_processing(
    make_emulator: Make, conflict: str
) -> None:
    emu = make_emulator(data="empty")
    con = connect(emu)
    emu.set_faults(late_error_share=1, throttle_paths="content")
    with pytest.raises(OperationalError, match="may or may not have been applied"):
        con.execute(
            "EXEC UploadFile FileName = 'once.txt', Content = ?, ConflictBehavior = ?", (_b64(b"1"), conflict)
        ).fetchall()
    emu.set_faults()
    assert sorted(n for n in _names_in_root(emu) if n.startswith("once")) == ["once.txt"]
    con.close()


def test_upload_with_replace_is_repeated_and_reports_success(make_emulator: Make) -> None:
    emu = make_emulator(data="empty")
    con = connect(emu)
    con.procedure_context.graph.retry.base_delay = 0.01
    emu.set_faults(late_error_share=0.5, seed=1, throttle_paths="content")
    row = con.execute("EXEC UploadFile FileName = 'again.txt', Content = ?", (_b64(b"same"),)).fetchone()
    emu.set_faults()
    assert row[1:] == ("again.txt", 4)
    assert [n for n in _names_in_root(emu) if n.startswith("again")] == ["again.txt"]
    assert len([r for r in emu.requests() if r["method"] == "PUT"]) >= 2  # it was repeated
    con.close()


# -- the web flow never opens a browser


@pytest.mark.parametrize("verifier", ["NULL", "''", "'   '"])
def test_get_access_token_without_a_code_never_starts_a_browser_sign_in(
    make_emulator: Make, verifier: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = make_emulator(data="empty")
    opened = tmp_path / "browser-opened"
    monkeypatch.setenv("BROWSER", f"touch {opened} %s")
    con = o365sql.connect(
        InitiateOAuth="OFF",
        OAuthClientId=emu.client_id,
        AzureTenant=emu.tenant_id,
        AuthorityHost=emu.authority_host,
        GraphURL=emu.graph_url,
        SSLServerCert=emu.ca_cert,
        CallbackURL="http://localhost:0/callback",
        OAuthTimeout=2,
        OAuthSettingsLocation="memory://rel-web",
    )
    with pytest.raises(o365sql.ProgrammingError, match=r"needs Verifier.*AuthMode='APP'"):
        con.execute(f"EXEC GetOAuthAccessToken Verifier = {verifier}, State = 'st'").fetchall()
    assert not opened.exists()
    assert [r for r in emu.requests() if "/authorize" in r["path"] or r["path"].endswith("/token")] == []
    con.close()
