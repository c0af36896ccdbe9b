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
import errno
import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = [
    "FileLock",
    "FileStamp",
    "atomic_write",
    "lock_path",
    "remove_orphan_temps",
    "temp_prefix",
]

_TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """Prefix of the temp files :func:`atomic_write` makes for ``path`` (hidden, same folder)."""
    return f".{path.name}."


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


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems refuse fsync on folders; the rename still happened
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _target_mode(path: Path) -> int:
    """Keep the permissions of an existing file; a new file gets 0o666 minus the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | Path, data: bytes) -> FileStamp:
    """Replace ``path`` with ``data`` atomically and durably; returns the new file's stamp.

    Readers see the old content or the new one, never a mix, whatever happens to this process.
    Missing parent folders are created. On any error the temp file is removed and ``path`` is
    untouched.
    """
    target = Path(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(target)
    fd, temp_name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=_TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(folder)
    stamp = FileStamp.of(target)
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
