"""OAuthSettingsLocation: only a regular file (or a path to create) in a folder of the user's; a settings
file that is not ours is refused with an error that says so, whatever is in it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import InternalError, OperationalError, ProgrammingError

Make = Callable[..., Emulator]


def _query(emu: Emulator, location: Path | str) -> Any:
    con = o365sql.connect(
        InitiateOAuth="REFRESH",
        OAuthClientId=emu.client_id,
        AzureTenant=emu.tenant_id,
        AuthorityHost=emu.authority_host,
        GraphURL=emu.graph_url,
        SSLServerCert=emu.ca_cert,
        OAuthSettingsLocation=str(location),
    )
    try:
        return con.cursor().execute("SELECT Id FROM Contacts LIMIT 1").fetchall()
    finally:
        con.close()


@pytest.fixture
def emu(make_emulator: Make) -> Emulator:
    return make_emulator(data="empty")


@pytest.mark.timeout(60)
def test_a_fifo_is_refused_before_it_is_opened(emu: Emulator, tmp_path: Path) -> None:
    fifo = tmp_path / "settings.fifo"
    os.mkfifo(fifo)
    with pytest.raises(ProgrammingError, match=r"a FIFO, not a regular file"):
        _query(emu, fifo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.fifo"]  # no .lock beside it


def test_a_character_device_is_refused_and_left_alone(emu: Emulator, tmp_path: Path) -> None:
    """A link to /dev/null resolves to the device: refused, the device untouched, no lock file made."""
    link = tmp_path / "OAuthSettings.json"
    link.symlink_to(os.devnull)
    before = os.stat(os.devnull)
    with pytest.raises(ProgrammingError, match=r"character device"):
        _query(emu, link)
    after = os.stat(os.devnull)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode, before.st_rdev)
    assert not os.path.exists(os.devnull + ".lock")


def test_a_folder_or_a_path_under_a_file_is_refused(emu: Emulator, tmp_path: Path) -> None:
    with pytest.raises(ProgrammingError, match=r"a folder, not a regular file"):
        _query(emu, tmp_path)
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    with pytest.raises(ProgrammingError, match=r"plain.txt is a file, not a folder"):
        _query(emu, plain / "settings.json")


def test_a_lock_path_that_is_a_link_is_refused(emu: Emulator, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    (tmp_path / "s.json.lock").symlink_to(target)
    with pytest.raises(ProgrammingError, match=r"symbolic link, not a regular lock file"):
        _query(emu, tmp_path / "s.json")
    assert target.read_text() == "keep"


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8 \xc3\x28",
        b"[1, 2, 3]",
        b'"text"',
        b'{"format": "o365sql-settings/1", "token_cache": [1]}',
        b'{"format": "o365sql-settings/1", "token_cache": {"RefreshToken": 5}}',
        b'{"format": "o365sql-settings/1", "pending": {"s": {"flow": 1}}}',
        b'{"format": "o365sql-settings/1", "pending": {"s": {"flow": {}, "expires_at": "soon"}}}',
        b'{"format": "o365sql-settings/1", "meta": ["a"]}',
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"format": "o365sql-settings/1", "meta": {"x": "y" * 10}})[:-3].encode(),
    ],
)
def test_a_settings_file_that_is_not_ours_is_an_operational_error(
    emu: Emulator, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "OAuthSettings.json"
    path.write_bytes(content)
    with pytest.raises(OperationalError, match=r"not a settings file this driver wrote") as info:
        _query(emu, path)
    assert not isinstance(info.value, InternalError)
    assert path.read_bytes() == content  # left for the user to look at
