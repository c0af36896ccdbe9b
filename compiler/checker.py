"""The check pipeline: load -> validate -> parse (spec set) -> resolve -> templates.

A short loop in the spirit of check-jsonschema's ``SchemaChecker``: each stage returns
diagnostics, the checker collects them into a :class:`CheckResult`, and reporters alone decide
how they look. Every problem of every file is reported in one run: a document that fails a stage
is left out of the later stages (one mistake, one diagnostic), but the other documents go on.

A stage that raises (a bug in wfspec, not in the specs) becomes an ``I001`` diagnostic naming the
stage and the file, and the remaining stages still run: an author never sees a traceback.
"""

from __future__ import annotations

import gc
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, JsonPath, Location, Severity, has_errors
from .loader import load_paths
from .resolve import check_spec_set
from .salvage import salvage
from .source import SourceDocument
from .specset import build_spec_set
from .template import check_templates
from .validate import validate_document

__all__ = ["CheckResult", "Progress", "check_paths"]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as documents pass through a stage."""

SPEC_SET_FILE = "<spec set>"

# The stages that run over the whole spec set, in order; each returns diagnostics.
SPEC_SET_STAGES: tuple[tuple[str, Callable[[Any], list[Diagnostic]]], ...] = (
    ("resolve", check_spec_set),
    ("templates", check_templates),
)
"""File name of an internal error raised by a stage that works on the whole spec set."""


@dataclass(slots=True)
class CheckResult:
    """Everything a reporter needs: sorted diagnostics and what was checked."""

    diagnostics: list[Diagnostic]
    files: list[str]
    documents: int
    spec_set: Any | None = None
    stages_skipped: list[str] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    def failed(self, strict: bool = False) -> bool:
        """True when the run fails: any error, or any warning when ``strict``."""
        return has_errors(self.diagnostics, strict=strict)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "documents": self.documents,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.count(Severity.INFO),
        }


def internal_error(stage: str, error: BaseException, file: str, line: int = 0) -> Diagnostic:
    """An I001 diagnostic for an exception raised inside a stage, with the raising line."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return Diagnostic(
        "I001",
        Severity.ERROR,
        f"internal error in the {stage} stage: {type(error).__name__}: {error}{where}",
        Location(file, line, 1 if line else 0),
        hint="this is a bug in wfspec, not in your spec; please report it with this file",
    )


def _validate_all(
    documents: list[SourceDocument],
    flawed: set[tuple[str, int]],
    diagnostics: list[Diagnostic],
    progress: Progress | None,
    salvaged: dict[tuple[str, int], list[JsonPath]],
) -> tuple[list[SourceDocument], list[SourceDocument]]:
    valid: list[SourceDocument] = []
    invalid: list[SourceDocument] = []
    total = len(documents)
    for done, doc in enumerate(documents, 1):
        try:
            problems = validate_document(doc)
        except Exception as error:  # a bug: report it, keep checking the other documents
            problems = [internal_error("validate", error, doc.file, doc.start.line)]
        diagnostics.extend(problems)
        clean = (doc.file, doc.index) not in flawed and not has_errors(problems)
        if not clean and (doc.file, doc.index) not in flawed:
            rescued = salvage(doc, problems)  # its meaning is checked all the same (salvage.py)
            if rescued is not None:
                doc, salvaged[(doc.file, doc.index)] = rescued
                clean = True
        (valid if clean else invalid).append(doc)
        if progress is not None:
            progress("validate", done, total)
    return valid, invalid


def check_paths(paths: Sequence[str | Path], *, progress: Progress | None = None) -> CheckResult:
    """Check every spec under ``paths`` (files or folders); never raises for bad input.

    The cyclic garbage collector is paused for the run: loading allocates hundreds of thousands
    of small objects that all stay alive until the end (documents keep their nodes for
    positions), so every collection would scan them again for nothing — about 45% of the time
    on a 1,000-file set. Reference counting still frees everything else; the collector is
    restored afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(paths, progress)
    finally:
        if enabled:
            gc.enable()


def _check(paths: Sequence[str | Path], progress: Progress | None) -> CheckResult:
    loaded = load_paths(paths)
    diagnostics = list(loaded.diagnostics)
    if progress is not None:
        progress("load", len(loaded.files), len(loaded.files))
    salvaged: dict[tuple[str, int], list[JsonPath]] = {}
    valid, invalid = _validate_all(loaded.documents, loaded.flawed, diagnostics, progress, salvaged)
    skipped: list[str] = []
    spec_set = None
    try:
        spec_set, problems = build_spec_set(valid, invalid)
        spec_set.salvaged = salvaged
        diagnostics.extend(problems)
    except Exception as error:
        diagnostics.append(internal_error("parse", error, SPEC_SET_FILE))
    if progress is not None:
        progress("parse", 1, 1)
    for stage, run in SPEC_SET_STAGES:
        if spec_set is None:
            skipped.append(stage)
            continue
        try:
            diagnostics.extend(run(spec_set))
        except Exception as error:
            diagnostics.append(internal_error(stage, error, SPEC_SET_FILE))
        if progress is not None:
            progress(stage, 1, 1)
    diagnostics.sort(key=Diagnostic.sort_key)
    return CheckResult(
        diagnostics=diagnostics,
        files=loaded.files,
        documents=len(loaded.documents),
        spec_set=spec_set,
        stages_skipped=skipped,
    )
