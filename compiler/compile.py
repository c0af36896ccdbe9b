"""``compile``: check a spec set, then emit its bundle -- the whole compiler in one call.

The bundle is only built when the check found no error (a warning does not stop it): a bundle
is never made from a spec set an author has been told is broken. A bug in the build stage
becomes an ``I001`` diagnostic like a bug in any check stage, so callers get data, never a
traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic_io import atomic_write
from .checker import SPEC_SET_FILE, CheckResult, Progress, check_paths, internal_error
from .emit import bundle_chunks, bundle_document, sources_digest
from .gc_pause import collector_paused
from .loader import discover

__all__ = ["CompileResult", "compile_paths"]


@dataclass(slots=True)
class CompileResult:
    """The check result and, when it is clean, the bundle document and its canonical bytes.

    The bytes are kept as the pieces they were encoded in (``chunks``): :meth:`write` streams
    them to disk, and :attr:`data` joins them only when asked (then keeps the join).
    """

    check: CheckResult
    document: dict[str, Any] | None = None
    chunks: list[bytes] | None = None
    _data: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.chunks is not None

    @property
    def data(self) -> bytes | None:
        """The bundle's bytes (None when the compile failed)."""
        if self._data is None and self.chunks is not None:
            self._data = b"".join(self.chunks)
        return self._data

    @property
    def size(self) -> int:
        """Length of :attr:`data` in bytes, without joining it (0 when the compile failed)."""
        return sum(map(len, self.chunks or ()))

    def write(self, path: str | Path) -> None:
        """Write the bundle to ``path`` atomically, streaming its pieces (``atomic_io``)."""
        if self.chunks is None:
            raise ValueError("the compile failed: there is no bundle to write")
        atomic_write(path, self.chunks)


def compile_paths(
    paths: Sequence[str | Path], *, strict: bool = False, progress: Progress | None = None
) -> CompileResult:
    """Check ``paths`` and build the bundle (``strict``: warnings also prevent the build)."""
    with collector_paused():  # as check_paths does, for the build stage too (gc_pause.py)
        return _compile(paths, strict, progress)


def _compile(paths: Sequence[str | Path], strict: bool, progress: Progress | None) -> CompileResult:
    check = check_paths(paths, progress=progress, in_context=False)
    if check.failed(strict=strict) or check.spec_set is None:
        return CompileResult(check)
    try:
        files, _ = discover(paths)
        document = bundle_document(check.spec_set, sources_digest(files, paths))
        # encoded here, not when written: an encoding failure is an I001 like any build bug
        chunks = list(bundle_chunks(document))
    except Exception as error:  # a bug in wfspec: report it as data
        check.diagnostics.append(internal_error("build", error, SPEC_SET_FILE))
        return CompileResult(check)
    if progress is not None:
        progress("build", 1, 1)
    return CompileResult(check, document, chunks)
