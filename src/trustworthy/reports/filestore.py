"""A Django cache backend of plain files, shared by every worker process, for rendered records.

Configured as `CACHES["records"]` (see settings). Each entry is one file named by its key
(`<sha256>.<ext>`, see `reports/files.py`), under `LOCATION/<version>/`:

- `kept/` holds entries set with `timeout=None`: an approved record's files, which never
  change (a new approval is a new document and so a new key). They are never evicted, so
  they are built once and survive restarts.
- `recent/` holds every other entry (drafts). A file's modification time is the moment it
  expires; reading an entry through `get_or_build` pushes that moment back once less than
  half of the timeout is left, so entries still in use stay. When `recent/` holds more than
  `MAX_ENTRIES` files, the expired ones go, then the `1/CULL_FREQUENCY` that expire soonest
  (about the least recently used): the cache's size is bounded by MAX_ENTRIES drafts plus one set
  of files per approved record.
- `<version>` (the renderer's fingerprint, passed by the caller) keeps each renderer's files
  apart. When a new version starts writing, the folders of versions that nobody has written
  to for a day are removed: after a deploy that changes the renderers, the old files go,
  while workers still running the old code during a rolling restart keep working.

Writes are atomic (a temporary file in the same folder, flushed to disk, then `os.replace`),
so a reader sees a whole file or none, whatever the number of processes. `get_or_build`
also takes a lock per key across processes (`fcntl.flock` on `<key>.lock` beside the entry):
when many requests want the same missing file at once, one builds it and the others wait,
then read it. The lock file is removed once the entry is written; whoever was waiting on it
checks for the entry again after taking the lock, so it reads the new file.

Failing to write or lock (a full or read-only disk) never fails a request: the value is
built and returned, uncached, and the problem logged.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache, InvalidCacheKey

logger = logging.getLogger(__name__)

KEY = re.compile(r"[0-9a-f]{64}\.[a-z0-9][a-z0-9.-]{0,23}")
VERSION = re.compile(r"[0-9A-Za-z_-]{1,64}")
KEPT, RECENT = "kept", "recent"
STALE_VERSION_SECONDS = 24 * 60 * 60  # another version's folder unused this long is removed
STALE_TEMP_SECONDS = 60 * 60  # temporary files left by a crash


@functools.cache
def _throwaway_folder() -> Path:
    """One temporary folder per process (each thread has its own cache object), removed at exit."""
    folder = tempfile.mkdtemp(prefix="trustworthy-records-")
    atexit.register(shutil.rmtree, folder, True)
    return Path(folder)


class RecordFileCache(BaseCache):
    """Bytes in files under LOCATION (an empty LOCATION: a throwaway folder for this process)."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.root = Path(location) if location else _throwaway_folder()

    # --- where things are ------------------------------------------------------------------

    def _version_dir(self, version: Any) -> Path:
        name = str(self.version if version is None else version)
        if not VERSION.fullmatch(name):
            raise InvalidCacheKey(f"Record cache versions are letters, digits, - and _, not {name!r}.")
        return self.root / name

    def _path(self, key: str, timeout: Any, version: Any) -> Path:
        if not KEY.fullmatch(key):
            raise InvalidCacheKey(f"Record cache keys are <sha256>.<ext>, not {key!r}.")
        folder = KEPT if self.get_backend_timeout(timeout) is None else RECENT
        return self._version_dir(version) / folder / key

    def _found(self, key: str, version: Any) -> Path | None:
        """The entry's file if it is there and has not expired."""
        for path in (self._path(key, None, version), self._path(key, DEFAULT_TIMEOUT, version)):
            try:
                expires = path.stat().st_mtime
            except OSError:  # not there (or the folder cannot be read: then, a miss)
                continue
            if path.parent.name == KEPT or expires > time.time():
                return path
        return None

    # --- the cache interface ----------------------------------------------------------------

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        path = self._found(key, version)
        if path is None:
            return default
        try:
            return path.read_bytes()
        except OSError:  # evicted between the two steps
            return default

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        if not isinstance(value, bytes):
            raise TypeError("The record cache holds bytes (a file's content).")
        path = self._path(key, timeout, version)
        expires = self.get_backend_timeout(timeout)
        self._write(path, value, expires)
        other = self._path(key, DEFAULT_TIMEOUT if expires is None else None, version)
        other.unlink(missing_ok=True)  # an entry lives in one folder only
        if expires is not None:
            self._cull(path.parent)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        if self.has_key(key, version):
            return False
        self.set(key, value, timeout, version)
        return True

    def has_key(self, key: str, version: Any = None) -> bool:
        return self._found(key, version) is not None

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        value = self.get(key, version=version)
        if value is None:
            return False
        self.set(key, value, timeout, version)
        return True

    def delete(self, key: str, version: Any = None) -> bool:
        found = False
        for path in (self._path(key, None, version), self._path(key, DEFAULT_TIMEOUT, version)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                found = True
        return found

    def clear(self) -> None:
        if self.root.is_dir():
            for child in self.root.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)

    # --- built once --------------------------------------------------------------------------

    def get_or_build(
        self, key: str, build: Callable[[], bytes], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bytes:
        """The entry, or else `build()` stored under it; a missing entry is built by one caller
        at a time (across processes), and the others then read what it stored."""
        value = self._read_fresh(key, timeout, version)
        if value is not None:
            return value
        lock_path = self._path(key, timeout, version).with_name(key + ".lock")
        try:
            lock = self._lock(lock_path)
        except OSError:
            logger.warning("Could not lock %s: building it uncached.", lock_path, exc_info=True)
            return build()
        try:
            value = self.get(key, version=version)  # another process may have built it meanwhile
            if value is None:
                value = build()
                try:
                    self.set(key, value, timeout, version)
                except OSError:
                    logger.warning("Could not cache %s in %s.", key, self.root, exc_info=True)
            # The entry is there: whoever still waits on this lock reads it once they get the
            # lock, and whoever comes later finds the entry without locking.
            _remove(lock_path)
            return value
        finally:
            os.close(lock)  # closing the file releases the lock

    def _read_fresh(self, key: str, timeout: Any, version: Any) -> bytes | None:
        """The entry if present; a recent one that has used half its time is given it again."""
        path = self._found(key, version)
        if path is None:
            return None
        try:
            with path.open("rb") as file:
                value = file.read()
                expires = os.fstat(file.fileno()).st_mtime
        except OSError:
            return None
        seconds = self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout
        if path.parent.name == RECENT and seconds and expires - time.time() < seconds / 2:
            with contextlib.suppress(OSError):
                renewed = time.time() + seconds
                os.utime(path, (renewed, renewed))
        return value

    def _lock(self, lock_path: Path) -> int:
        """An exclusive lock on `lock_path` (made if missing), waiting for it: the open file,
        whose closing releases it. flock locks belong to the open file, so two threads of
        one process exclude each other too."""
        self._make_dir(lock_path.parent)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return fd

    # --- files -------------------------------------------------------------------------------

    def _make_dir(self, folder: Path) -> None:
        version_dir = folder.parent
        if not version_dir.is_dir():
            version_dir.mkdir(parents=True, exist_ok=True)
            self._remove_stale_versions(keep=version_dir)
        folder.mkdir(exist_ok=True)

    def _write(self, path: Path, value: bytes, expires: float | None) -> None:
        self._make_dir(path.parent)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(value)
                file.flush()
                os.fsync(file.fileno())  # a crash must not leave an empty file under a real key
            if expires is not None:
                os.utime(temporary, (expires, expires))
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def _cull(self, folder: Path) -> None:
        """Keep `recent/` under MAX_ENTRIES: expired entries first, then those expiring soonest."""
        now = time.time()
        entries: list[tuple[float, Path]] = []
        for path in folder.iterdir():
            with contextlib.suppress(FileNotFoundError):
                mtime = path.stat().st_mtime
                if path.name.startswith(".tmp-"):
                    if mtime < now - STALE_TEMP_SECONDS:
                        path.unlink()
                elif not path.name.endswith(".lock"):
                    entries.append((mtime, path))
        if len(entries) <= self._max_entries:
            return
        entries.sort()  # soonest to expire (least recently used) first
        expired = [path for expires, path in entries if expires <= now]
        live = [path for expires, path in entries if expires > now]
        excess = len(live) - self._max_entries
        if excess > 0:  # as Django's own caches: a CULL_FREQUENCY of 0 empties the folder
            frequency = self._cull_frequency
            excess = len(live) if frequency == 0 else max(excess, len(live) // frequency)
        for path in expired + live[: max(excess, 0)]:
            path.unlink(missing_ok=True)

    def _remove_stale_versions(self, keep: Path) -> None:
        """Remove other versions' folders that nobody has written to for a day."""
        now = time.time()
        for other in self.root.iterdir():
            if other == keep or not other.is_dir():
                continue
            written = max(
                (p.stat().st_mtime for p in (other, other / KEPT, other / RECENT) if p.exists()), default=0.0
            )
            if written < now - STALE_VERSION_SECONDS:
                shutil.rmtree(other, ignore_errors=True)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
