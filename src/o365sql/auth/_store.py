"""The settings store: msal's token cache and pending web flows in OAuthSettingsLocation, shared safely.

One JSON document per location::

    {"format": "o365sql-settings/1", "token_cache": {...msal's serialised cache...},
     "pending": {state: {"flow": {...}, "expires_at": epoch}}, "meta": {"account": ..., "redeemed": [...]}}

A file location goes through msal-extensions persistence (encrypted where the platform offers it, else a
plain file with mode 0600 in a 0700 folder, written by atomic replace). Every read-modify-write happens under
one cross-process lock (flock/msvcrt on ``<file>.lock``, released by the OS if a process dies), held across a
whole token refresh, so processes sharing a file never lose a rotated refresh token. ``memory://NAME`` keeps
the document in this process, shared by every connection that names it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msal
from msal_extensions import FilePersistence, build_encrypted_persistence
from msal_extensions.persistence import PersistenceNotFound

from ..errors import OperationalError, ProgrammingError

__all__ = ["SettingsStore", "default_settings_location", "open_store"]

log = logging.getLogger("o365sql.auth")

FORMAT = "o365sql-settings/1"
PENDING_TTL = 600.0  # an authorization code lives about 10 minutes
LOCK_TIMEOUT = 120.0
MEMORY_PREFIX = "memory://"

_registry: dict[str, SettingsStore] = {}
_registry_lock = threading.Lock()
_warned_plaintext = False


def default_settings_location() -> str:
    """The default OAuthSettingsLocation: a file in the user's config folder."""
    import platformdirs

    return str(Path(platformdirs.user_config_dir("o365sql", appauthor=False)) / "OAuthSettings.json")


def open_store(location: str | None, *, encrypt: bool = True) -> SettingsStore:
    """The store for a location (one object per location in a process, so connections share it)."""
    location = (location or "").strip() or default_settings_location()
    if location.lower().startswith(MEMORY_PREFIX):
        name = location[len(MEMORY_PREFIX) :]
        if not name:
            raise ProgrammingError("OAuthSettingsLocation: memory:// needs a name, e.g. memory://mytenant")
        key = MEMORY_PREFIX + name
    else:
        if "\x00" in location:
            raise ProgrammingError(
                f"OAuthSettingsLocation {location!r}: a path cannot contain a NUL character"
            )
        key = os.path.realpath(os.path.expanduser(location))
    with _registry_lock:
        store = _registry.get(key)
        if store is None:
            if key.startswith(MEMORY_PREFIX):
                store = SettingsStore(key, _MemoryPersistence(), None)
            else:
                _check_file_location(location, key)
                try:
                    persistence = _file_persistence(key, encrypt)
                except OSError as exc:
                    raise ProgrammingError(
                        f"OAuthSettingsLocation {location}: cannot create its folder "
                        f"({exc.strerror or type(exc).__name__}); choose a folder you can write to"
                    ) from None
                store = SettingsStore(key, persistence, _FileLock(key + ".lock"))
            _registry[key] = store
        return store


def _check_file_location(shown: str, path: str) -> None:
    """Refuse, before anything is created or opened, a location that is not a regular file (or a path to
    create) in a folder of the user's: a device, a FIFO, a folder, or someone else's file or folder."""
    where = f"OAuthSettingsLocation {shown}"
    folder = os.path.dirname(path) or "."
    for target, kind in ((folder, "folder"), (path, "regular file"), (path + ".lock", "regular lock file")):
        try:
            st = os.lstat(target)
        except (FileNotFoundError, NotADirectoryError):
            continue  # created later: a folder 0700, the file and its lock 0600 (or that fails, and says so)
        except OSError as exc:
            raise ProgrammingError(f"{where}: cannot inspect {target} ({exc.strerror or exc})") from None
        wanted = stat.S_ISDIR(st.st_mode) if kind == "folder" else stat.S_ISREG(st.st_mode)
        if not wanted:
            raise ProgrammingError(
                f"{where}: {target} is {_kind_of(st.st_mode)}, not a {kind}; give the path of a file "
                "(it is created if missing) in a folder of yours, or memory://NAME"
            )
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            raise ProgrammingError(
                f"{where}: {target} belongs to another user; tokens are kept only in a file and folder "
                "of the user running o365sql"
            )


def _kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISREG, "a file"),
    ):
        if test(mode):
            return name
    return "something else"


# -- persistence -----------------------------------------------------------------------------------


class _MemoryPersistence:
    """Process memory; `time_last_modified` is a version counter."""

    is_encrypted = False

    def __init__(self) -> None:
        self._content: str | None = None
        self._version = 0

    def save(self, content: str) -> None:
        self._content = content
        self._version += 1

    def load(self) -> str:
        if self._content is None:
            raise PersistenceNotFound(message="empty", location="memory")
        return self._content

    def signature(self) -> object:
        return self._version


class _AtomicFilePersistence(FilePersistence):  # type: ignore[misc]
    """msal-extensions' FilePersistence, written to a temporary file and renamed into place.

    A reader (or a crash) never sees a half-written file.
    """

    is_encrypted = False

    def save(self, content: str) -> None:
        target = self.get_location()
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target) or ".", prefix=".o365sql-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp made it 0600
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _ensure_private_folder(folder: str) -> None:
    # Folders we create are 0700; an existing folder is the user's choice and is left alone.
    missing: list[str] = []
    current = folder
    while current and not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        if sys.platform != "win32":
            os.chmod(path, 0o700)


def _file_persistence(path: str, encrypt: bool) -> Any:
    global _warned_plaintext
    _ensure_private_folder(os.path.dirname(path))
    if not encrypt:
        return _AtomicFilePersistence(path)
    try:
        return build_encrypted_persistence(path)
    except Exception as exc:  # no keyring/libsecret/DPAPI here: fall back to a private file
        lines = str(exc).strip().splitlines()
        reason = f"{type(exc).__name__}: {lines[0][:80] if lines else ''}"
    # Said once per process, and only when a new plain-text file is about to be written.
    if not _warned_plaintext and not os.path.exists(path):
        _warned_plaintext = True
        log.warning(
            "OAuthSettingsLocation: this platform offers no encrypted storage here (%s); tokens are kept in "
            "a file only you can read (mode 0600): %s",
            reason,
            path,
        )
    return _AtomicFilePersistence(path)


def _signature(persistence: Any) -> object:
    if isinstance(persistence, _MemoryPersistence):
        return persistence.signature()
    try:
        st = os.stat(persistence.get_location())
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size, st.st_ctime_ns)


class _FileLock:
    """An exclusive cross-process lock on a lock file (flock/msvcrt); the OS drops it if the process dies."""

    def __init__(self, path: str, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            try:
                _lock_fd(fd)
                break
            except OSError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise OperationalError(
                        f"Another process kept the settings lock {self.path} for over {self.timeout:.0f} s; "
                        "try again, or end the process that holds it"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                _unlock_fd(fd)
            finally:
                os.close(fd)


if sys.platform == "win32":
    import msvcrt

    def _lock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# -- the token cache -------------------------------------------------------------------------------


class _StoreCache(msal.SerializableTokenCache):  # type: ignore[misc]
    """msal's cache whose every read and write happens under the store's lock, on the latest saved state.

    Not msal-extensions' PersistedTokenCache: its lock (without portalocker, as here) is an exclusively
    created lock file that a killed process leaves behind (every later write then fails after 5 s), its reads
    take no lock while FilePersistence rewrites the file in place (a reader can load an empty cache), and it
    locks each write alone, not a whole refresh, so two processes can redeem and rotate at the same time.
    """

    def __init__(self, store: SettingsStore) -> None:
        super().__init__()
        self._store = store

    def add(self, event: Any, **kwargs: Any) -> Any:
        with self._store.locked():
            self._store._dirty = True
            return super().add(event, **kwargs)

    def modify(self, credential_type: Any, old_entry: Any, new_key_value_pairs: Any = None) -> Any:
        with self._store.locked():
            self._store._dirty = True
            return super().modify(credential_type, old_entry, new_key_value_pairs)

    def search(self, credential_type: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        # msal's search is a generator; run it to the end inside the lock.
        with self._store.locked():
            return iter(list(super().search(credential_type, *args, **kwargs)))

    def __repr__(self) -> str:
        return f"<token cache of {self._store!r}>"


class SettingsStore:
    """One OAuthSettingsLocation: msal's token cache (`cache`), pending web flows and a little metadata."""

    def __init__(self, location: str, persistence: Any, file_lock: _FileLock | None) -> None:
        self.location = location
        self._persistence = persistence
        self._file_lock = file_lock
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._seen: object = None
        self._dirty = False
        self._pending: dict[str, dict[str, Any]] = {}
        self._meta: dict[str, Any] = {}
        self.cache = _StoreCache(self)

    @property
    def encrypted(self) -> bool:
        """True when the platform encrypts the stored tokens."""
        return bool(getattr(self._persistence, "is_encrypted", False))

    @property
    def is_memory(self) -> bool:
        """True for memory://NAME."""
        return self._file_lock is None

    def __repr__(self) -> str:
        return f"<SettingsStore {self.location}>"

    # -- locking and I/O -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store (threads and, for files, processes) with the latest saved state loaded.

        Changes made inside are saved when the outermost block ends.
        """
        with self._thread_lock:
            if self._depth == 0:
                if self._file_lock is not None:
                    self._file_lock.acquire()
                try:
                    self._reload_if_changed()
                except BaseException:
                    if self._file_lock is not None:
                        self._file_lock.release()
                    raise
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    try:
                        if self._dirty:
                            self._save()
                    finally:
                        if self._file_lock is not None:
                            self._file_lock.release()

    def _reload_if_changed(self) -> None:
        sig = _signature(self._persistence)
        if sig == self._seen and sig is not None:
            return
        try:
            text = self._persistence.load() if sig is not None else ""
        except PersistenceNotFound:
            text = ""
        except (UnicodeError, ValueError):
            raise self._foreign() from None
        except OSError as exc:
            raise OperationalError(
                f"Cannot read OAuthSettingsLocation {self.location} ({type(exc).__name__}); check its "
                "permissions"
            ) from exc
        self._load_document(text)
        self._seen = sig
        self._dirty = False

    def _foreign(self) -> OperationalError:
        return OperationalError(
            f"OAuthSettingsLocation {self.location} is not a settings file this driver wrote; delete it (or "
            "choose another location) and sign in again"
        )

    def _load_document(self, text: str) -> None:
        doc: Any = {}
        if text.strip():
            try:
                doc = json.loads(text)
            except (ValueError, RecursionError):
                raise self._foreign() from None
        if not isinstance(doc, dict):
            raise self._foreign()
        if doc.get("format") != FORMAT and any(k in doc for k in ("RefreshToken", "AccessToken", "Account")):
            doc = {"token_cache": doc}  # a bare msal cache (e.g. copied from another msal app)
        cache = doc.get("token_cache") or {}
        pending = doc.get("pending") or {}
        meta = doc.get("meta") or {}
        # msal reads its cache as {kind: {key: {field: text}}}; anything else would fail deep inside msal
        shaped = (
            isinstance(cache, dict)
            and all(
                isinstance(v, dict) and all(isinstance(e, dict) for e in v.values()) for v in cache.values()
            )
            and isinstance(pending, dict)
            and all(
                isinstance(v, dict)
                and isinstance(v.get("flow"), dict)
                and isinstance(v.get("expires_at", 0), int | float)
                for v in pending.values()
            )
            and isinstance(meta, dict)
        )
        if not shaped:
            raise self._foreign()
        self.cache.deserialize(json.dumps(cache) if cache else None)
        self._pending = dict(pending)
        self._meta = dict(meta)

    def _save(self) -> None:
        now = time.time()
        self._pending = {k: v for k, v in self._pending.items() if float(v.get("expires_at", 0)) > now}
        doc = {
            "format": FORMAT,
            "token_cache": json.loads(self.cache.serialize() or "{}"),
            "pending": self._pending,
            "meta": self._meta,
        }
        try:
            self._persistence.save(json.dumps(doc, separators=(",", ":")))
        except OSError as exc:
            raise OperationalError(
                f"Cannot write OAuthSettingsLocation {self.location} ({type(exc).__name__}); check the "
                "folder exists and is writable"
            ) from exc
        self._seen = _signature(self._persistence)
        self._dirty = False
        log.debug("settings store: saved %s", self.location)

    # -- metadata and pending flows --------------------------------------------------------------------
    def get_meta(self, key: str, default: Any = None) -> Any:
        """A metadata value (e.g. the signed-in account's home_account_id)."""
        with self.locked():
            return self._meta.get(key, default)

    def set_meta(self, key: str, value: Any) -> None:
        """Set (or with None, remove) a metadata value."""
        with self.locked():
            if value is None:
                self._meta.pop(key, None)
            else:
                self._meta[key] = value
            self._dirty = True

    def save_pending(self, flow: dict[str, Any], ttl: float = PENDING_TTL) -> None:
        """Keep a web flow (msal's auth-code flow dict: state, PKCE verifier, nonce...) until it is used."""
        with self.locked():
            self._pending[str(flow["state"])] = {"flow": flow, "expires_at": time.time() + ttl}
            self._dirty = True

    def take_pending(self, state: str | None) -> dict[str, Any] | None:
        """Remove and return the pending flow for `state` (None: the only unexpired one, if just one)."""
        with self.locked():
            now = time.time()
            live = {k: v for k, v in self._pending.items() if float(v.get("expires_at", 0)) > now}
            if state:
                entry = live.get(state)
                key = state
            elif len(live) == 1:  # several users' flows pending (a web app): only State can tell them apart
                key, entry = next(iter(live.items()))
            else:
                return None
            if entry is None:
                return None
            self._pending.pop(key, None)
            self._dirty = True
            flow: dict[str, Any] = entry["flow"]
            return flow

    def clear(self) -> None:
        """Forget every token, pending flow and metadata (sign out)."""
        with self.locked():
            self.cache.deserialize(None)
            self._pending = {}
            self._meta = {}
            self._dirty = True
