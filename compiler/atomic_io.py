"""One atomic, durable file write for the whole of wfspec (the bundle and the runtime's stores).

A crash (SIGKILL, power loss) at any moment must leave either the old file or the new one, never
a torn one, and readers (a dashboard loading the bundle, another runtime reading ``jobs.yaml``)
must never see a half-written file. The recipe:

1. write a temp file in the *same* folder (``.<name>.XXXX.tmp``: ``os.replace`` is then a rename
   on one file system), with the target's permissions (``mkstemp`` makes 0o600 files; a bundle
   another user cannot read is useless), flush and fsync it;
2. ``os.replace`` it over the target;
3. fsync the folder, so the rename itself survives a power loss. File systems that refuse fsync
   on a folder (EINVAL, ENOTSUP, EBADF) or cannot open one are tolerated: the rename happened.

On any error the temp file is removed and the target is untouched. Lives in the compiler (the
lower layer) so that the runtime's stores and ``wfspec compile`` share it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["TEMP_SUFFIX", "atomic_write", "temp_prefix"]

TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """Prefix of the temp files :func:`atomic_write` makes for ``path`` (hidden, same folder)."""
    return f".{path.name}."


def atomic_write(path: str | Path, data: bytes | Iterable[bytes]) -> None:
    """Replace ``path`` with ``data`` atomically and durably (see the module docstring).

    ``data`` is the bytes, or chunks of them written one after the other as they come (a
    large file need not be joined in memory first; the target is untouched if the chunks
    raise). Missing parent folders are created.
    """
    chunks = (data,) if isinstance(data, bytes | bytearray | memoryview) else data
    target = Path(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(target)
    fd, temp_name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(folder)


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
