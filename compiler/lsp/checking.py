"""The checker, run for an editor: the open files inside their spec set, unsaved text included.

This module holds no checking rules. It runs the very stages ``wfspec check`` runs, in the same
order (``checker.py``: load -> validate -> parse -> the spec-set stages), so codes, messages,
hints and positions are the CLI's. What it adds is what an editor needs and a one-shot CLI does
not:

- **Unsaved text counts.** A file open in the editor is loaded from its buffer (an *overlay*),
  every other file of the spec set from disk.
- **Only what changed is re-read.** Load and structural validation are per file, so their result
  is kept per file and content hash (:class:`FileCache`) and reused while the text is the same;
  a keystroke re-reads one buffer, and the cross-file stages (parse, resolve, templates) run over
  the cached documents. On a 1,000-file set that is a fraction of a full check
  (``benchmarks/bench_lsp.py`` prints the figures).
- **Every open file of the set is re-checked** on each run, so a ParamSet edited in ``common/``
  updates the workflows that use it.

The spec set of a file is found by the compiler (``find_spec_root``) when it offers that; until
then, the folder named ``specs`` above the file (:func:`spec_root_for`).
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..checker import SPEC_SET_FILE, SPEC_SET_STAGES, CheckResult, internal_error
from ..diagnostics import Diagnostic, has_errors
from ..loader import YAML_SUFFIXES, LoadResult, load_file, load_text
from ..source import SourceDocument
from ..specset import build_spec_set
from ..validate import validate_document

__all__ = ["FileCache", "SpecSetChecker", "looks_like_spec", "spec_root_for"]


@dataclass(slots=True)
class _Checked:
    """One file after load and validate: what the cross-file stages need, kept per content."""

    digest: str
    load: LoadResult
    validation: list[Diagnostic]
    valid: list[SourceDocument]
    invalid: list[SourceDocument]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _load_and_validate(name: str, text: str | None, path: Path, digest: str) -> _Checked:
    loaded = load_file(path, name) if text is None else load_text(text, name)
    validation: list[Diagnostic] = []
    valid: list[SourceDocument] = []
    invalid: list[SourceDocument] = []
    for doc in loaded.documents:
        try:
            problems = validate_document(doc)
        except Exception as error:  # a bug: report it as the CLI does, keep going
            problems = [internal_error("validate", error, doc.file, doc.start.line)]
        validation.extend(problems)
        clean = (doc.file, doc.index) not in loaded.flawed and not has_errors(problems)
        (valid if clean else invalid).append(doc)
    return _Checked(digest, loaded, validation, valid, invalid)


@dataclass(slots=True)
class FileCache:
    """Load + validate results per file, reused while its content hash is unchanged."""

    entries: dict[str, _Checked] = field(default_factory=dict)
    reads: int = 0
    """How many files were (re)loaded: what a test or benchmark looks at to see the reuse."""

    def get(self, path: Path, overlay: str | None) -> _Checked:
        name = path.as_posix()
        if overlay is not None:
            data = overlay.encode("utf-8", "surrogatepass")
        else:
            try:
                data = path.read_bytes()
            except OSError:
                data = b""  # load_file reports L010 below
        digest = _digest(data) + ("o" if overlay is not None else "f")
        entry = self.entries.get(name)
        if entry is None or entry.digest != digest:
            self.reads += 1
            entry = _load_and_validate(name, overlay, path, digest)
            self.entries[name] = entry
        return entry

    def forget_missing(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for name in [n for n in self.entries if n not in keep]:
            del self.entries[name]


def _spec_files(root: Path) -> list[Path]:
    """Every *.yaml / *.yml below ``root``, sorted, hidden folders skipped (as ``check``).

    A file as ``root`` (a spec outside any spec root) is its own set: it comes from its overlay.
    """
    found: list[Path] = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder) / f for f in sorted(files) if f.endswith(YAML_SUFFIXES))
    return found


_SPEC_KIND = re.compile(r"^kind:\s*['\"]?(Workflow|WorkflowTemplate|ParamSet|Instrument)\b", re.M)


def looks_like_spec(text: str) -> bool:
    """A buffer that is a wfspec document (a top-level ``kind:`` of one of the four kinds)."""
    return _SPEC_KIND.search(text[:100_000]) is not None


def spec_root_for(path: Path, text: str = "") -> Path | None:
    """The spec set a file belongs to, or None when it is no spec file.

    The compiler's rule (``find_spec_root``, issue 12) when it offers one; else the folder named
    ``specs`` above the file. A file outside any spec root that still is a spec document (by its
    ``kind:``) is its own spec set (the file itself is returned: checked alone, never a walk of
    whatever folder it lies in). Anything else (a CI workflow, a
    docker-compose file) is not a spec: the server leaves it alone instead of reporting
    "unknown kind" in every YAML file of the repository.
    """
    try:
        from .. import find_spec_root  # the check-in-context API (issue 12)
    except ImportError:
        find_spec_root = None
    if find_spec_root is not None:
        root = find_spec_root(path)
        if root is not None:
            return Path(root).resolve()
    else:
        for parent in path.resolve().parents:
            if parent.name == "specs":
                return parent
    return path.resolve() if looks_like_spec(text) else None


class SpecSetChecker:
    """Checks open files inside their spec set; one instance per server, cache kept across runs."""

    def __init__(self) -> None:
        self.cache = FileCache()

    def check(self, root: Path, overlays: Mapping[Path, str]) -> CheckResult:
        """Every diagnostic of the spec set under ``root`` with ``overlays`` as the files' text.

        ``root`` and the overlay paths are resolved absolute paths (as the document store gives
        them). Diagnostics name files by absolute POSIX path. Overlay files outside ``root`` are
        checked with it (an unsaved new file is part of the set it is being written for).
        """
        enabled = gc.isenabled()
        gc.disable()  # as check_paths: the run allocates many long-lived small objects
        try:
            return self._check(root, overlays)
        finally:
            if enabled:
                gc.enable()

    def _check(self, root: Path, overlays: Mapping[Path, str]) -> CheckResult:
        files = _spec_files(root)  # ``root`` is resolved, so are these (no per-file resolve)
        known = set(files)
        files += sorted(p for p in overlays if p not in known)
        diagnostics: list[Diagnostic] = []
        valid: list[SourceDocument] = []
        invalid: list[SourceDocument] = []
        names: list[str] = []
        documents = 0
        for path in files:
            entry = self.cache.get(path, overlays.get(path))
            names.append(path.as_posix())
            diagnostics += entry.load.diagnostics
            diagnostics += entry.validation
            valid += entry.valid
            invalid += entry.invalid
            documents += len(entry.load.documents)
        self.cache.forget_missing(names)
        spec_set = None
        skipped: list[str] = []
        try:
            spec_set, problems = build_spec_set(valid, invalid)
            diagnostics += problems
        except Exception as error:
            diagnostics.append(internal_error("parse", error, SPEC_SET_FILE))
        for stage, run in SPEC_SET_STAGES:
            if spec_set is None:
                skipped.append(stage)
                continue
            try:
                diagnostics += run(spec_set)
            except Exception as error:
                diagnostics.append(internal_error(stage, error, SPEC_SET_FILE))
        diagnostics.sort(key=Diagnostic.sort_key)
        return CheckResult(diagnostics, names, documents, spec_set, skipped)
