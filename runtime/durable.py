"""Durable files: atomic writes, an exclusive lock per file, and cheap change detection.

The stores under ``$XDG_STATE_HOME/wfspec/`` hold what users created by hand or by clicking, so a
crash (SIGKILL, power loss) at any moment must leave either the old or the new file, never a torn
one, and two processes sharing a file must never clobber each other. The recipe:

- :func:`atomic_write`: write a temp file in the *same* folder (so ``os.replace`` is a rename on
  one file system), flush + fsync it, ``os.replace`` it over the target, fsync the folder (so the
  rename itself survives a power loss);
- :class:`FileLock`: an exclusive ``fcntl.flock`` on a sidecar ``<name>.lock`` file (never on the
  data file itself: ``os.replace`` swaps the data file's inode, which would silently drop a lock
  held on it). The lock is released by the kernel when its holder dies, so SIGKILL never leaves a
  stale lock behind;
- :class:`FileStamp`: ``(mtime_ns, size, inode)`` of a file, compared to notice that another
  process or a person changed it without reading it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from wfspec.compiler import TEMP_SUFFIX, temp_prefix
from wfspec.compiler import atomic_write as _atomic_write

__all__ = [
    "FileLock",
    "FileStamp",
    "atomic_write",
    "lock_path",
    "remove_orphan_temps",
    "temp_prefix",
]

_TEMP_SUFFIX = TEMP_SUFFIX


def lock_path(path: Path) -> Path:
    """The sidecar lock file of ``path``: ``<folder>/<name>.lock``."""
    return path.with_name(path.name + ".lock")


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a file looks like from the outside; a different stamp means "read it again".

    Every :func:`atomic_write` creates a new inode, so a write by another process changes the
    stamp even when size and (coarse) mtime happen to repeat.
    """

    mtime_ns: int
    size: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileStamp | None:
        """The stamp of ``path``, or None if it does not exist."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(st.st_mtime_ns, st.st_size, st.st_ino)


def atomic_write(path: str | Path, data: bytes) -> FileStamp:
    """Replace ``path`` with ``data`` atomically and durably; returns the new file's stamp.

    The write is the compiler's :func:`wfspec.compiler.atomic_write` (one helper for wfspec):
    readers see the old content or the new one, never a mix, whatever happens to this process.
    """
    _atomic_write(path, data)
    stamp = FileStamp.of(Path(path))
    assert stamp is not None
    return stamp


def remove_orphan_temps(path: str | Path) -> list[Path]:
    """Delete temp files left by writers of ``path`` that were killed mid-write.

    Call it only while holding the :class:`FileLock` of ``path``: every live writer holds that
    lock while its temp file exists, so any temp file seen under the lock is an orphan.
    """
    target = Path(path)
    prefix = temp_prefix(target)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except FileNotFoundError:
        return removed
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


class FileLock:
    """An exclusive lock on ``path`` shared by processes (flock) and threads (a mutex).

    Reentrant within one thread, so a locked section may call another that locks the same
    object. Use as a context manager::

        with FileLock(path):
            ...  # re-read, modify, atomic_write
    """

    def __init__(self, path: str | Path) -> None:
        self.path = lock_path(Path(path))
        self._mutex = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def acquire(self) -> None:
        self._mutex.acquire()
        if self._depth == 0:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
            except BaseException:
                self._mutex.release()
                raise
            self._fd = fd
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        self._mutex.release()

    @property
    def held(self) -> bool:
        """True while this object holds the lock (in any thread)."""
        return self._depth > 0

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


@contextlib.contextmanager
def locked(path: str | Path) -> Iterator[FileLock]:
    """``with locked(path):`` -- a one-off :class:`FileLock` (for scripts and tests)."""
    lock = FileLock(path)
    with lock:
        yield lock
