"""The check pipeline: load -> validate -> parse (spec set) -> resolve -> templates.

A short loop in the spirit of check-jsonschema's ``SchemaChecker``: each stage returns
diagnostics, the checker collects them into a :class:`CheckResult`, and reporters alone decide
how they look. Every problem of every file is reported in one run: a document that fails a stage
is left out of the later stages (one mistake, one diagnostic), but the other documents go on.

A stage that raises (a bug in wfspec, not in the specs) becomes an ``I001`` diagnostic naming the
stage and the file, and the remaining stages still run: an author never sees a traceback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check_cache import CheckCache, FileOutcome
from .diagnostics import Diagnostic, JsonPath, Location, Severity, has_errors
from .gc_pause import collector_paused
from .resolve import check_spec_set
from .salvage import salvage
from .scope import Scope, cite_at_named, plan_scope
from .source import SourceDocument
from .specroot import find_spec_root
from .specset import build_spec_set
from .validate import validate_document

__all__ = ["CheckCache", "CheckResult", "Progress", "check_paths", "find_spec_root"]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as documents pass through a stage."""

SPEC_SET_FILE = "<spec set>"
"""File name of an internal error raised by a stage that works on the whole spec set."""


def check_templates(spec_set: Any) -> list[Diagnostic]:
    """The template stage (``template.check_templates``), imported only for a set with templates.

    Templates are what needs jinja2 (~13 ms to import); a spec set without any is checked
    without it.
    """
    if not spec_set.templates:
        return []
    from .template import check_templates as check

    return check(spec_set)


# The stages that run over the whole spec set, in order; each returns diagnostics.
SPEC_SET_STAGES: tuple[tuple[str, Callable[[Any], list[Diagnostic]]], ...] = (
    ("resolve", check_spec_set),
    ("templates", check_templates),
)


@dataclass(slots=True)
class CheckResult:
    """Everything a reporter needs: sorted diagnostics and what was checked.

    ``files`` and ``documents`` count the named files only; ``spec_set`` is the whole set they
    were checked in. ``hidden`` counts the problems of files that were loaded as context but not
    named (they neither show nor fail the run); ``spec_roots`` are the spec-set folders loaded
    as context (empty when every path was checked on its own).
    """

    diagnostics: list[Diagnostic]
    files: list[str]
    documents: int
    spec_set: Any | None = None
    stages_skipped: list[str] = field(default_factory=list)
    hidden: int = 0
    spec_roots: list[Path] = field(default_factory=list)

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
            "hidden": self.hidden,
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


def check_paths(
    paths: Sequence[str | Path],
    *,
    spec_root: Path | None = None,
    overlays: Mapping[Path, str] | None = None,
    progress: Progress | None = None,
    cache: CheckCache | None = None,
    in_context: bool = True,
) -> CheckResult:
    """Check the specs named by ``paths`` (files or folders); never raises for bad input.

    **In context** (``docs/adr/0010-check-in-context.md``): a named path inside a spec set --
    ``spec_root``, or found by :func:`find_spec_root` -- is checked together with the whole set,
    and only the named files' problems are reported: a problem of an unnamed file that involves
    a named one (a duplicate id, a broken reference naming it in ``related``) is cited at the
    named file; the rest only count in :attr:`CheckResult.hidden`. A folder path names every file
    below it (a spec set's own folder therefore reports everything, as before). Paths outside any
    spec set are checked on their own. ``in_context=False`` turns the lookup off (``compile``
    builds exactly what it is given).

    ``overlays`` (resolved absolute path -> text) replace the disk content of those files, for
    unsaved editor buffers; an overlay for a file not on disk is part of the folder it lies in.
    ``cache`` (a :class:`CheckCache` kept between calls, as ``check --watch`` does) re-reads and
    re-validates only files that changed.

    The cyclic garbage collector is paused for the run: loading allocates hundreds of thousands
    of small objects that all stay alive until the end (data, models, position tables), so
    every collection would scan them again for nothing — about 45% of the time on a 1,000-file
    set. Reference counting still frees everything else; the collector is
    restored afterwards.
    """
    with collector_paused():
        scope = plan_scope(paths, spec_root if in_context else None, in_context=in_context)
        return _check(scope, overlays or {}, progress, cache if cache is not None else CheckCache())


def _check(
    scope: Scope, overlays: Mapping[Path, str], progress: Progress | None, cache: CheckCache
) -> CheckResult:
    files, diagnostics, named = scope.discover(overlays)
    outcomes = [cache.load(path, overlays) for path in files]
    cache.keep_only(files)
    if progress is not None:
        progress("load", len(files), len(files))
    salvaged: dict[tuple[str, int], list[JsonPath]] = {}
    valid, invalid = _validate_all(outcomes, diagnostics, progress, salvaged)
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
    shown, hidden = cite_at_named(diagnostics, named, keep={SPEC_SET_FILE})
    shown.sort(key=Diagnostic.sort_key)
    named_outcomes = [o for o in outcomes if o.name in named]
    return CheckResult(
        diagnostics=shown,
        files=[o.name for o in named_outcomes],
        documents=sum(len(o.loaded.documents) for o in named_outcomes),
        spec_set=spec_set,
        stages_skipped=skipped,
        hidden=hidden,
        spec_roots=list(scope.roots),
    )


def _validate_all(
    outcomes: list[FileOutcome],
    diagnostics: list[Diagnostic],
    progress: Progress | None,
    salvaged: dict[tuple[str, int], list[JsonPath]],
) -> tuple[list[SourceDocument], list[SourceDocument]]:
    """Validate every document not validated before (a cached file keeps its results).

    A structurally broken document is repaired for checking when it can be (``salvage.py``):
    its meaning is checked all the same, and ``salvaged`` records what was removed.
    """
    total = sum(len(o.loaded.documents) for o in outcomes)
    done = 0
    valid: list[SourceDocument] = []
    invalid: list[SourceDocument] = []
    for outcome in outcomes:
        if outcome.problems is None:
            outcome.problems = [_validate_one(doc) for doc in outcome.loaded.documents]
        diagnostics.extend(outcome.loaded.diagnostics)
        for doc, problems in zip(outcome.loaded.documents, outcome.problems, strict=True):
            diagnostics.extend(problems)
            flawed = (doc.file, doc.index) in outcome.loaded.flawed
            clean = not flawed and not has_errors(problems)
            if not clean and not flawed:
                rescued = salvage(doc, problems)
                if rescued is not None:
                    doc, salvaged[(doc.file, doc.index)] = rescued
                    clean = True
            (valid if clean else invalid).append(doc)
            done += 1
            if progress is not None:
                progress("validate", done, total)
    return valid, invalid


def _validate_one(doc: SourceDocument) -> list[Diagnostic]:
    try:
        return validate_document(doc)
    except Exception as error:  # a bug: report it, keep checking the other documents
        return [internal_error("validate", error, doc.file, doc.start.line)]
