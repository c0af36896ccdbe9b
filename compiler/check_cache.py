"""Loaded and validated files kept between checks, so a re-check reads only what changed.

``wfspec check --watch`` (and an editor) re-checks a spec set after every save. Loading and
validating are per file and dominate a cold check, so a :class:`CheckCache` keeps each file's
:class:`FileOutcome` (documents, load diagnostics, validation diagnostics) keyed by its resolved
path. A file is reused when its ``stat`` (mtime in ns, size) is unchanged, or -- after a touch or
a save without edits -- when its content hash is; an overlay (editor buffer) is compared by the
hash of its text. The spec-set stages (parse, resolve, templates) still run over the whole set:
one edit can change what every other file means.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic
from .loader import LoadResult, display_name, load_one, resolved
from .source import SourceDocument

__all__ = ["CheckCache", "FileOutcome"]


@dataclass(slots=True)
class FileOutcome:
    """One file after loading and (once ``problems`` is set) validating its documents.

    ``problems[i]`` are the validation diagnostics of ``loaded.documents[i]``.
    """

    name: str
    loaded: LoadResult
    problems: list[list[Diagnostic]] | None = None

    @property
    def documents(self) -> list[SourceDocument]:
        return self.loaded.documents


@dataclass(slots=True)
class _Entry:
    stamp: tuple[int, int] | None  # (mtime_ns, size) of the disk file; None for an overlay
    digest: bytes
    outcome: FileOutcome


class CheckCache:
    """Per-file load and validation results, reused while a file is unchanged.

    ``reads`` counts the files actually (re-)loaded since the cache was made: what a watcher
    re-read after a save (tests and ``benchmarks/bench_watch.py`` look at it).
    """

    def __init__(self) -> None:
        self._entries: dict[Path, _Entry] = {}
        self.reads = 0

    def __len__(self) -> int:
        return len(self._entries)

    def load(self, path: Path, overlays: Mapping[Path, str] | None = None) -> FileOutcome:
        """The outcome of ``path``: cached when unchanged, else loaded afresh (not validated)."""
        key = resolved(path)
        name = display_name(path)
        entry = self._entries.get(key)
        overlay = overlays.get(key) if overlays else None
        if overlay is not None:
            stamp = None
            digest = _digest(overlay.encode("utf-8", "surrogatepass"))
        else:
            try:
                info = path.stat()
            except OSError:
                self._entries.pop(key, None)
                return self._fresh(path, name, overlays)
            if not stat.S_ISREG(info.st_mode):  # a pipe reads once (and may never end):
                self._entries.pop(key, None)  # the loader reads it, nothing is cached
                return self._fresh(path, name, overlays)
            stamp = (info.st_mtime_ns, info.st_size)
            if entry is not None and entry.stamp == stamp and entry.outcome.name == name:
                return entry.outcome
            try:
                digest = _digest(path.read_bytes())
            except OSError:
                self._entries.pop(key, None)
                return self._fresh(path, name, overlays)
        if entry is not None and entry.digest == digest and entry.outcome.name == name:
            entry.stamp = stamp
            return entry.outcome
        outcome = self._fresh(path, name, overlays)
        self._entries[key] = _Entry(stamp, digest, outcome)
        return outcome

    def keep_only(self, paths: Iterable[Path]) -> None:
        """Forget every file not in ``paths`` (deleted or no longer part of the check)."""
        wanted = {resolved(path) for path in paths}
        for key in [key for key in self._entries if key not in wanted]:
            del self._entries[key]

    def _fresh(self, path: Path, name: str, overlays: Mapping[Path, str] | None) -> FileOutcome:
        self.reads += 1
        return FileOutcome(name, load_one(path, overlays))


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()
