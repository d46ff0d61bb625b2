"""The settings store: file modes, atomic saves, memory:// sharing, pending flows, cross-process lock."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import sys
import time
from pathlib import Path

import msal
import pytest

from o365sql.auth import _store
from o365sql.auth._store import SettingsStore, open_store
from o365sql.errors import OperationalError, ProgrammingError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _fake_response(n: int) -> dict[str, object]:
    """A token event msal's cache accepts (no network)."""
    return {
        "client_id": "cid",
        "scope": ["https://graph.microsoft.com/User.Read"],
        "token_endpoint": "https://login.example.test/tid/oauth2/v2.0/token",
        "response": {
            "access_token": f"at-{n}",
            "refresh_token": f"rt-{n}",
            "expires_in": 3600,
            "token_type": "Bearer",
            "client_info": "eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ",  # {"uid":"u","utid":"t"}
        },
        "params": {},
        "data": {},
    }


def _refresh_tokens(store: SettingsStore) -> list[str]:
    with store.locked():
        return [e["secret"] for e in store.cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN)]


def test_file_is_private_and_folder_is_created_0700(settings_path: Path) -> None:
    store = open_store(str(settings_path))
    store.cache.add(_fake_response(1))
    assert stat.S_IMODE(settings_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings_path.parent.stat().st_mode) == 0o700
    doc = json.loads(settings_path.read_text())
    assert doc["format"] == "o365sql-settings/1"
    assert "RefreshToken" in doc["token_cache"]
    assert not store.encrypted  # no libsecret/keychain/DPAPI on this machine: the warned-about fallback


def test_a_second_process_view_sees_rotation(settings_path: Path) -> None:
    # Two store objects over one file stand for two processes (the registry shares one per process).
    a = SettingsStore(
        str(settings_path),
        _store._AtomicFilePersistence(str(settings_path)),
        _store._FileLock(str(settings_path) + ".lock"),
    )
    b = SettingsStore(
        str(settings_path),
        _store._AtomicFilePersistence(str(settings_path)),
        _store._FileLock(str(settings_path) + ".lock"),
    )
    _store._ensure_private_folder(str(settings_path.parent))
    a.cache.add(_fake_response(1))
    assert _refresh_tokens(b) == ["rt-1"]
    b.cache.add(_fake_response(2))  # same account: the refresh token is replaced (rotation)
    assert _refresh_tokens(a) == ["rt-2"]


def test_save_is_atomic_replace(settings_path: Path) -> None:
    store = open_store(str(settings_path))
    store.cache.add(_fake_response(1))
    inode = settings_path.stat().st_ino
    store.set_meta("x", 1)
    assert settings_path.stat().st_ino != inode  # a new file renamed into place, never rewritten in place
    assert not [p for p in settings_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_memory_store_is_shared_in_process_only() -> None:
    a = open_store("memory://auth-test-shared")
    b = open_store("memory://auth-test-shared")
    assert a is b
    a.cache.add(_fake_response(7))
    assert _refresh_tokens(b) == ["rt-7"]
    assert _refresh_tokens(open_store("memory://auth-test-other")) == []


def test_pending_flows_expire_and_are_taken_once(settings_path: Path) -> None:
    store = open_store(str(settings_path))
    store.save_pending({"state": "s1", "code_verifier": "v1"})
    store.save_pending({"state": "old", "code_verifier": "v0"}, ttl=-1)  # already expired
    assert store.take_pending("old") is None
    assert store.take_pending("nope") is None
    assert store.take_pending("s1") == {"state": "s1", "code_verifier": "v1"}
    assert store.take_pending("s1") is None
    store.save_pending({"state": "s2"})
    assert store.take_pending(None) == {"state": "s2"}  # the only one pending
    store.save_pending({"state": "s3"})
    store.save_pending({"state": "s4"})
    assert store.take_pending(None) is None  # ambiguous: State must say which
    assert store.take_pending("s4") == {"state": "s4"}


def test_clear_forgets_everything(settings_path: Path) -> None:
    store = open_store(str(settings_path))
    store.cache.add(_fake_response(1))
    store.set_meta("account:cid", "u.t")
    store.clear()
    assert _refresh_tokens(store) == []
    assert store.get_meta("account:cid") is None


def test_corrupt_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(OperationalError, match="delete it"), open_store(str(path)).locked():
        pass


def test_bare_msal_cache_is_accepted(tmp_path: Path) -> None:
    cache = msal.SerializableTokenCache()
    cache.add(_fake_response(3))
    path = tmp_path / "msal-cache.json"
    path.write_text(cache.serialize())
    assert _refresh_tokens(open_store(str(path))) == ["rt-3"]


def _hold_lock(path: str, seconds: float, ready: multiprocessing.synchronize.Event) -> None:
    lock = _store._FileLock(path)
    lock.acquire()
    ready.set()
    time.sleep(seconds)
    lock.release()


def test_lock_excludes_other_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "x.lock")
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(path, 1.0, ready))
    proc.start()
    try:
        assert ready.wait(30)
        with pytest.raises(OperationalError, match="Another process"):
            _store._FileLock(path, timeout=0.2).acquire()
        lock = _store._FileLock(path, timeout=10)
        lock.acquire()  # granted once the other process lets go
        lock.release()
    finally:
        proc.join(10)


def test_lock_is_released_when_holder_dies(tmp_path: Path) -> None:
    path = str(tmp_path / "y.lock")
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(path, 60.0, ready))
    proc.start()
    assert ready.wait(30)
    proc.kill()
    proc.join(10)
    lock = _store._FileLock(path, timeout=5)
    lock.acquire()
    lock.release()
    assert os.path.exists(path)


def test_unusable_location_is_explained(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")  # a file where a folder should be (fails even for root)
    with pytest.raises(ProgrammingError, match="cannot create its folder"):
        open_store(str(tmp_path / "a-file" / "sub" / "s.json"))
