"""``wfspec check --watch``: re-check on every save, re-reading only the files that changed.

A poll loop, not an OS file-notification API: it needs no dependency, behaves the same on every
file system (network mounts and containers included) and a spec set is small enough that a
``stat`` of every file twice a second costs nothing. A change is any file added, removed, or with
a new (mtime, size); the re-check goes through a :class:`~.check_cache.CheckCache`, so only the
changed files are loaded and validated again (``benchmarks/bench_watch.py`` times it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .check_cache import CheckCache
from .checker import CheckResult, check_paths
from .loader import display_name, resolved
from .scope import plan_scope

__all__ = ["Snapshot", "changed_files", "snapshot", "watch"]

Snapshot = dict[Path, tuple[int, int]]
"""Resolved path -> (mtime_ns, size) of every file a check reads."""

POLL_SECONDS = 0.4


def snapshot(paths: Sequence[str | Path], spec_root: Path | None = None) -> Snapshot:
    """The (mtime, size) of every spec file the check of ``paths`` reads."""
    files, _, _ = plan_scope(paths, spec_root).discover({})
    out: Snapshot = {}
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        out[resolved(path)] = (info.st_mtime_ns, info.st_size)
    return out


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    """Display names of the files added, removed or modified between two snapshots."""
    keys = set(before) | set(after)
    return sorted(display_name(key) for key in keys if before.get(key) != after.get(key))


def watch(
    paths: Sequence[str | Path],
    on_result: Callable[[CheckResult, list[str], float], None],
    *,
    spec_root: Path | None = None,
    interval: float = POLL_SECONDS,
    stop: Callable[[], bool] = lambda: False,
) -> CheckResult:
    """Check ``paths``, then again after every change until ``stop()``; returns the last result.

    ``on_result(result, changed, seconds)`` gets each result, the files that changed (empty for
    the first run) and how long the check took.
    """
    cache = CheckCache()
    seen = snapshot(paths, spec_root)
    started = time.perf_counter()
    result = check_paths(paths, spec_root=spec_root, cache=cache)
    on_result(result, [], time.perf_counter() - started)
    while not stop():
        time.sleep(interval)
        now = snapshot(paths, spec_root)
        if now == seen:
            continue
        changed, seen = changed_files(seen, now), now
        started = time.perf_counter()
        result = check_paths(paths, spec_root=spec_root, cache=cache)
        on_result(result, changed, time.perf_counter() - started)
    return result
