"""durable.py: atomic replacement, the cross-process lock, orphan temp files, change stamps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wfspec.runtime import durable
from wfspec.runtime.durable import FileLock, FileStamp, atomic_write, remove_orphan_temps

TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(3)
sys.exit(0)
"""


def _other_process_can_lock(path: Path) -> bool:
    code = subprocess.run([sys.executable, "-c", TRY_LOCK, str(durable.lock_path(path))]).returncode
    assert code in (0, 3)
    return code == 0


def test_atomic_write_creates_folders_and_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.yaml"
    atomic_write(target, b"one\n")
    atomic_write(target, b"two\n")
    assert target.read_bytes() == b"two\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.yaml"]


def test_atomic_write_keeps_the_permissions_of_the_file(tmp_path: Path) -> None:
    target = tmp_path / "file.yaml"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write(target, b"new")
    assert os.stat(target).st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.yaml"
    target.write_bytes(b"old content\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(durable.os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, b"new content\n")
    assert target.read_bytes() == b"old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file.yaml"]


def test_every_write_changes_the_stamp_even_with_equal_size(tmp_path: Path) -> None:
    target = tmp_path / "file.yaml"
    first = atomic_write(target, b"aaaa")
    second = atomic_write(target, b"bbbb")
    assert first != second
    assert FileStamp.of(target) == second
    assert FileStamp.of(tmp_path / "missing") is None


def test_the_lock_excludes_other_processes_until_released(tmp_path: Path) -> None:
    target = tmp_path / "file.yaml"
    lock = FileLock(target)
    with lock:
        assert not _other_process_can_lock(target)
        with lock:  # reentrant in the same thread
            assert lock.held
        assert not _other_process_can_lock(target)
    assert _other_process_can_lock(target)
    assert not lock.held


def test_orphan_temp_files_of_killed_writers_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "file.yaml"
    orphan = tmp_path / f"{durable.temp_prefix(target)}abc123.tmp"
    orphan.write_bytes(b"half a file")
    unrelated = tmp_path / ".other.yaml.abc.tmp"
    unrelated.write_bytes(b"not ours")
    assert remove_orphan_temps(target) == [orphan]
    assert not orphan.exists()
    assert unrelated.exists()


def test_one_atomic_write_for_the_bundle_and_the_stores(tmp_path: Path, monkeypatch) -> None:
    """Issue 13: emit's write and the stores' write differed on a folder fsync error (a file
    system that refuses fsync on folders failed `wfspec compile` but not the stores)."""
    import errno
    import os
    import stat

    from wfspec.compiler import atomic_write as shared
    from wfspec.compiler.emit import write_atomic

    assert write_atomic is shared
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(tmp_path / "bundle.json", b"{}\n")
    stamp = atomic_write(tmp_path / "instances.yaml", b"a: 1\n")
    assert (tmp_path / "bundle.json").read_bytes() == b"{}\n" and stamp.size == 5
